using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// Which process holds which socket: one walk of /proc/&lt;pid&gt;/fd/*, whose links read "socket:[inode]".
/// A process whose fd directory this process may not read (another user's, without CAP_SYS_PTRACE) or that
/// ended during the walk owns nothing here: its sockets keep no owner rather than a guessed one.
/// </summary>
public static class ProcSocketOwners
{
    // Bounds: pids and fds per process are limited by the kernel (pid_max 4M, nr_open 1G); these only keep a
    // runaway /proc (a fixture, a bind mount) from taking forever.
    private const int MaxProcesses = 4_194_304;
    private const int MaxDescriptorsPerProcess = 16_777_216;

    // TASK_COMM_LEN less the NUL: the most of a name comm holds.
    private const int MaxCommLength = 15;

    // struct dirent64 (glibc and musl alike): d_ino u64, d_off s64, d_reclen u16, d_type u8, then d_name.
    private const int TypeOffset = 18;
    private const int NameOffset = 19;
    private const byte DT_UNKNOWN = 0;
    private const byte DT_LNK = 10;

    private static readonly byte[] SocketPrefix = { (byte)'s', (byte)'o', (byte)'c', (byte)'k', (byte)'e', (byte)'t', (byte)':', (byte)'[' };

    /// <summary>
    /// Fills <paramref name="owners"/>, whose keys are the inodes wanted, with the pid that holds each (0 when none
    /// was found). When several processes hold one socket (a server that forked workers, which inherit the
    /// listener) the lowest pid is taken: usually the parent that opened it, but not after pids wrapped around
    /// pid_max, when a worker started later can have a lower pid than its parent. `ss -p` lists every holder.
    /// </summary>
    public static void Find(string procRoot, Dictionary<uint, int> owners)
    {
        if (owners is null)
        {
            throw new ArgumentNullException(nameof(owners));
        }

        if (owners.Count == 0)
        {
            return;
        }

        // One buffer for every readlink: "socket:[4294967295]" is 19 bytes; longer links are no sockets.
        var link = new byte[64];
        var proc = opendir(procRoot);
        if (proc == IntPtr.Zero)
        {
            return;
        }

        try
        {
            // /proc lists processes in rising pid order (proc_pid_readdir), so the first holder found is the lowest
            // pid, and the walk can stop once every socket has one: a narrow question costs a few processes, not all.
            var unowned = owners.Count;
            IntPtr entry;
            for (var processes = 0; unowned > 0 && processes < MaxProcesses && (entry = readdir64(proc)) != IntPtr.Zero; processes++)
            {
                var pid = ParsePid(entry + NameOffset);
                if (pid > 0)
                {
                    unowned -= FindInProcess(procRoot + "/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/fd", pid, owners, link);
                }
            }
        }
        finally
        {
            closedir(proc);
        }
    }

    /// <summary>The inode of a link text "socket:[inode]"; false for any other link (files, pipes, anon_inode:...).</summary>
    public static bool TryParseSocketInode(byte[] link, int length, out uint inode)
    {
        inode = 0;
        if (length < SocketPrefix.Length + 2 || length > link.Length || link[length - 1] != (byte)']')
        {
            return false;
        }

        for (var i = 0; i < SocketPrefix.Length; i++)
        {
            if (link[i] != SocketPrefix[i])
            {
                return false;
            }
        }

        ulong value = 0;
        for (var i = SocketPrefix.Length; i < length - 1; i++)
        {
            var digit = link[i] - (byte)'0';
            if (digit < 0 || digit > 9)
            {
                return false;
            }

            value = (value * 10) + (uint)digit;
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        inode = (uint)value;
        return true;
    }

    /// <summary>
    /// The process's name as .NET's Process.ProcessName gives it on Linux (and so Get-Process): /proc/&lt;pid&gt;/comm
    /// without its newline, which the kernel cuts at 15 bytes (TASK_COMM_LEN 16 with the NUL); a comm of exactly
    /// 15 bytes may be cut, so the file name of argv[0] (/proc/&lt;pid&gt;/cmdline) is taken when it starts with comm:
    /// systemd-resolved, not systemd-resolve. Null when the process ended or may not be read.
    /// </summary>
    public static string? ReadProcessName(string procRoot, int pid)
    {
        var directory = procRoot + "/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var comm = ReadAll(directory + "/comm");
        if (comm is null)
        {
            return null;
        }

        var name = Encoding.UTF8.GetString(comm).TrimEnd('\n');
        if (Encoding.UTF8.GetByteCount(name) != MaxCommLength || ReadAll(directory + "/cmdline") is not byte[] cmdline)
        {
            return name;
        }

        // A kernel thread's cmdline is empty, and a process may rewrite its argv[0]: comm stands then.
        var end = Array.IndexOf(cmdline, (byte)0);
        var argv0 = Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
        var program = argv0.Substring(argv0.LastIndexOf('/') + 1);
        return program.StartsWith(name, StringComparison.Ordinal) ? program : name;
    }

    /// <summary>A /proc file's bytes; null when the process ended or may not be read.</summary>
    private static byte[]? ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// One process's descriptors, read with readdir and readlinkat on the directory's own fd: no path string and
    /// no stat per descriptor (.NET's enumeration stats every symlink), which halves the walk's cost. A directory
    /// that cannot be opened (another user's, a process that ended) is skipped.
    /// </summary>
    /// <returns>How many sockets got their first owner.</returns>
    private static int FindInProcess(string path, int pid, Dictionary<uint, int> owners, byte[] link)
    {
        var found = 0;
        var directory = opendir(path);
        if (directory == IntPtr.Zero)
        {
            return 0;
        }

        try
        {
            var fd = dirfd(directory);
            IntPtr entry;
            for (var descriptors = 0; descriptors < MaxDescriptorsPerProcess && (entry = readdir64(directory)) != IntPtr.Zero; descriptors++)
            {
                var type = Marshal.ReadByte(entry, TypeOffset);
                if (type != DT_LNK && type != DT_UNKNOWN)
                {
                    continue;
                }

                var length = (long)readlinkat(fd, entry + NameOffset, link, (IntPtr)link.Length);
                if (length > 0 && TryParseSocketInode(link, (int)length, out var inode)
                    && owners.TryGetValue(inode, out var current) && (current == 0 || pid < current))
                {
                    found += current == 0 ? 1 : 0;
                    owners[inode] = pid;
                }
            }
        }
        finally
        {
            closedir(directory);
        }

        return found;
    }

    /// <summary>A directory entry's name as a pid; 0 for any name that is not all digits (self, net, sys, ...).</summary>
    private static int ParsePid(IntPtr name)
    {
        var pid = 0;
        for (var i = 0; i < 11; i++)
        {
            var character = Marshal.ReadByte(name, i);
            if (character == 0)
            {
                return pid;
            }

            var digit = character - '0';
            if (digit < 0 || digit > 9 || pid > (int.MaxValue - digit) / 10)
            {
                return 0;
            }

            pid = (pid * 10) + digit;
        }

        return 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr opendir(string path);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr readdir64(IntPtr directory);

    [DllImport("libc", SetLastError = true)]
    private static extern int dirfd(IntPtr directory);

    [DllImport("libc", SetLastError = true)]
    private static extern int closedir(IntPtr directory);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr readlinkat(int directoryFd, IntPtr path, byte[] buffer, IntPtr size);
}
