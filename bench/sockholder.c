/*
 * sockholder.c - holds a known, still set of TCP sockets for bench/Measure-SocketInfo.ps1.
 *
 *   sockholder CLIENTS SECONDS
 *
 * Opens one listener on 127.0.0.1 (ephemeral port), then CLIENTS times connects a client to it and accepts
 * that connection, so it holds 1 + 2 * CLIENTS TCP sockets (one Listen, the rest Established) and nothing
 * else changes them. Connect and accept alternate, so the accept queue never holds more than one and any
 * backlog is enough. Then it prints one line:
 *
 *     ready pid=.. port=.. sockets=..
 *
 * and waits until its standard input ends (the bench closes it) or SECONDS pass, whichever is first, so it
 * never outlives a bench that died. The caller raises RLIMIT_NOFILE (ulimit -n) to at least 2 * CLIENTS + 16;
 * a lower limit is reported before any socket is made.
 * Build: cc -O2 -o sockholder sockholder.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 100000L
#define MAX_SECONDS 3600L

static void die(const char *what)
{
    fprintf(stderr, "sockholder: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long parse(const char *text, long max, const char *name)
{
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < 1 || value > max) {
        fprintf(stderr, "sockholder: %s must be 1..%ld\n", name, max);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sockholder CLIENTS SECONDS\n");
        return 2;
    }
    long clients = parse(argv[1], MAX_CLIENTS, "CLIENTS");
    long seconds = parse(argv[2], MAX_SECONDS, "SECONDS");

    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit))
        die("getrlimit");
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (rlim_t)(2 * clients + 16)) {
        fprintf(stderr, "sockholder: RLIMIT_NOFILE is %lu, %ld clients need %ld (ulimit -n)\n",
                (unsigned long)limit.rlim_cur, clients, 2 * clients + 16);
        return 2;
    }

    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0)
        die("socket");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 16) ||
        getsockname(listener, (struct sockaddr *)&addr, &len))
        die("bind/listen 127.0.0.1:0");

    for (long i = 0; i < clients; i++) {
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (client < 0)
            die("socket");
        if (connect(client, (struct sockaddr *)&addr, sizeof addr))
            die("connect");
        if (accept(listener, NULL, NULL) < 0)
            die("accept");
    }

    printf("ready pid=%ld port=%d sockets=%ld\n", (long)getpid(), ntohs(addr.sin_port), 1 + 2 * clients);
    fflush(stdout);

    /* Until stdin ends or the deadline passes; the bench also kills this process in its finally. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    time_t deadline = now.tv_sec + seconds;
    struct pollfd in = { STDIN_FILENO, POLLIN, 0 };
    char buf[256];
    while (clock_gettime(CLOCK_MONOTONIC, &now) == 0 && now.tv_sec < deadline) {
        int ready = poll(&in, 1, (int)(deadline - now.tv_sec) * 1000);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0 || read(STDIN_FILENO, buf, sizeof buf) <= 0)
            break;
    }
    return 0;
}
