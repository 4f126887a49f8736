/*
 * pingpong.c - the C baseline for Test-Loopback's TCP round trip (bench/Measure-LoopbackLatency.ps1).
 *
 * Same shape as LoopbackEcho (src/PSLoopback.Core/Loopback/LoopbackEcho.cs) with -Protocol Tcp:
 * an echo listener on 127.0.0.1, ephemeral port, backlog 1; one connection; TCP_NODELAY on both ends;
 * a server thread that reads exactly SIZE bytes and writes them back, in a loop; the client (main thread)
 * that, COUNT times, takes the time, sends SIZE bytes, reads exactly SIZE bytes back, takes the time and
 * checks the bytes. One clock_gettime(CLOCK_MONOTONIC) pair per round trip. Blocking sockets with a
 * 2 s SO_RCVTIMEO/SO_SNDTIMEO (the cmdlet's default timeout), so no wait is unbounded.
 *
 *   pingpong rtt SIZE COUNT        the round trips; prints one line:
 *       median_us=.. p99_us=.. min_us=.. max_us=.. count=.. size=.. cpus=..
 *   pingpong connect COUNT         COUNT connects (handshake) + closes to an accepting listener on
 *                                  127.0.0.1, each timed from socket() to connect() returning; the
 *                                  baseline for Test-Connection -TcpPort; same output line (size=0).
 *
 * Statistics as LatencyStatistics.cs: nearest-rank p99, median of an even count = mean of the middle two.
 * Build: cc -O2 -pthread -o pingpong pingpong.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 10000000L
#define MAX_SIZE 65000L
#define MAX_CONNECTS 20000L

static int size;
static long count;

static void die(const char *what)
{
    fprintf(stderr, "pingpong: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void set_timeouts(int fd)
{
    struct timeval tv = { 2, 0 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv))
        die("setsockopt timeout");
}

static void set_nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one))
        die("setsockopt TCP_NODELAY");
}

/* Reads exactly n bytes; returns what it got (less at end of stream or error). */
static long recv_exactly(int fd, unsigned char *buf, long n)
{
    long total = 0;
    while (total < n) {
        ssize_t r = recv(fd, buf + total, (size_t)(n - total), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return total;
        total += r;
    }
    return total;
}

static int send_all(int fd, const unsigned char *buf, long n)
{
    long sent = 0;
    while (sent < n) {
        ssize_t w = send(fd, buf + sent, (size_t)(n - sent), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        sent += w;
    }
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int listen_loopback(struct sockaddr_in *addr, int backlog)
{
    socklen_t len = sizeof *addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr->sin_port = 0;
    if (bind(fd, (struct sockaddr *)addr, sizeof *addr) || listen(fd, backlog) || getsockname(fd, (struct sockaddr *)addr, &len))
        die("bind/listen 127.0.0.1:0");
    return fd;
}

static void *serve_echo(void *arg)
{
    int fd = *(int *)arg;
    unsigned char *buf = malloc((size_t)size);
    if (!buf)
        return NULL;
    while (recv_exactly(fd, buf, size) == size)
        if (send_all(fd, buf, size))
            break;
    free(buf);
    return NULL;
}

static void *serve_accept(void *arg)
{
    int listener = *(int *)arg;
    for (long i = 0; i < count; i++) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            break;
        close(fd);
    }
    return NULL;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(double *samples, long n)
{
    cpu_set_t set;
    char cpus[256] = "";
    qsort(samples, (size_t)n, sizeof *samples, compare);
    double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    long rank = (long)((99.0 / 100.0 * (double)n) + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0, first = 1; c < CPU_SETSIZE && strlen(cpus) < sizeof cpus - 8; c++)
            if (CPU_ISSET(c, &set)) {
                snprintf(cpus + strlen(cpus), sizeof cpus - strlen(cpus), first ? "%d" : ",%d", c);
                first = 0;
            }
    printf("median_us=%.2f p99_us=%.2f min_us=%.2f max_us=%.2f count=%ld size=%d cpus=%s\n",
           median, samples[rank - 1], samples[0], samples[n - 1], n, size, cpus);
}

static int round_trips(void)
{
    struct sockaddr_in addr;
    int listener = listen_loopback(&addr, 1);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0)
        die("socket");
    set_timeouts(client);
    if (connect(client, (struct sockaddr *)&addr, sizeof addr))
        die("connect");
    int served = accept(listener, NULL, NULL);
    if (served < 0)
        die("accept");
    set_timeouts(served);
    set_nodelay(served);
    set_nodelay(client);

    pthread_t server;
    if (pthread_create(&server, NULL, serve_echo, &served))
        die("pthread_create");

    unsigned char *payload = malloc((size_t)size), *reply = malloc((size_t)size + 4096);
    double *samples = malloc(sizeof(double) * (size_t)count);
    if (!payload || !reply || !samples)
        die("malloc");
    srand((unsigned)size);
    for (int i = 0; i < size; i++)
        payload[i] = (unsigned char)rand();

    long done = 0;
    for (long i = 0; i < count; i++) {
        double start = now_us();
        if (send_all(client, payload, size))
            break;
        long got = recv_exactly(client, reply, size);
        double end = now_us();
        if (got != size || memcmp(payload, reply, (size_t)size)) {
            fprintf(stderr, "pingpong: round trip %ld: got %ld of %d bytes%s\n", i, got, size, got == size ? ", different" : "");
            break;
        }
        samples[done++] = end - start;
    }

    shutdown(client, SHUT_RDWR);
    close(client);
    pthread_join(server, NULL);
    close(served);
    close(listener);
    if (done != count) {
        fprintf(stderr, "pingpong: %ld of %ld round trips\n", done, count);
        return 1;
    }
    report(samples, done);
    free(payload);
    free(reply);
    free(samples);
    return 0;
}

static int connects(void)
{
    struct sockaddr_in addr;
    int listener = listen_loopback(&addr, 4096);
    pthread_t server;
    if (pthread_create(&server, NULL, serve_accept, &listener))
        die("pthread_create");
    double *samples = malloc(sizeof(double) * (size_t)count);
    if (!samples)
        die("malloc");
    long done = 0;
    for (long i = 0; i < count; i++) {
        double start = now_us();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            break;
        set_timeouts(fd);
        int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
        double end = now_us();
        close(fd);
        if (!ok)
            break;
        samples[done++] = end - start;
    }
    shutdown(listener, SHUT_RDWR); /* wakes the accept loop if it is short of connections */
    pthread_join(server, NULL);
    close(listener);
    if (done != count) {
        fprintf(stderr, "pingpong: %ld of %ld connects (%s)\n", done, count, strerror(errno));
        return 1;
    }
    report(samples, done);
    free(samples);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "rtt") == 0) {
        size = atoi(argv[2]);
        count = atol(argv[3]);
        if (size < 1 || size > MAX_SIZE || count < 1 || count > MAX_COUNT) {
            fprintf(stderr, "pingpong: SIZE 1..%ld, COUNT 1..%ld\n", MAX_SIZE, MAX_COUNT);
            return 2;
        }
        return round_trips();
    }
    if (argc == 3 && strcmp(argv[1], "connect") == 0) {
        count = atol(argv[2]);
        if (count < 1 || count > MAX_CONNECTS) {
            fprintf(stderr, "pingpong: COUNT 1..%ld\n", MAX_CONNECTS);
            return 2;
        }
        return connects();
    }
    fprintf(stderr, "usage: pingpong rtt SIZE COUNT | pingpong connect COUNT\n");
    return 2;
}
