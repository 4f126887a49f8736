using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

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

    private static readonly byte[] SocketPrefix = { (byte)'s', (byte)'o', (byte)'c', (byte)'k', (byte)'e', (byte)'t', (byte)':', (byte)'[' };

    /// <summary>
    /// Fills <paramref name="owners"/>, whose keys are the inodes wanted, with the pid that holds each (0 when none
    /// was found). When several processes hold one socket (a server that forked workers, which inherit the
    /// listener) the lowest pid is taken, usually the parent that opened it; `ss -p` lists them all.
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
        var processes = 0;
        foreach (var directory in SafeEnumerate(procRoot, directories: true))
        {
            if (++processes > MaxProcesses)
            {
                break;
            }

            var pid = ParsePid(Path.GetFileName(directory));
            if (pid <= 0)
            {
                continue;
            }

            var descriptors = 0;
            foreach (var descriptor in SafeEnumerate(directory + "/fd", directories: false))
            {
                if (++descriptors > MaxDescriptorsPerProcess)
                {
                    break;
                }

                var length = (long)readlink(descriptor, link, (IntPtr)link.Length);
                if (length > 0 && TryParseSocketInode(link, (int)length, out var inode)
                    && owners.TryGetValue(inode, out var current) && (current == 0 || pid < current))
                {
                    owners[inode] = pid;
                }
            }
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

    /// <summary>/proc/&lt;pid&gt;/comm without its newline; null when the process ended or may not be read.</summary>
    public static string? ReadProcessName(string procRoot, int pid)
    {
        try
        {
            return File.ReadAllText(procRoot + "/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/comm").TrimEnd('\n');
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

    private static int ParsePid(string name)
    {
        var pid = 0;
        foreach (var character in name)
        {
            var digit = character - '0';
            if (digit < 0 || digit > 9 || pid > (int.MaxValue - digit) / 10)
            {
                return 0;
            }

            pid = (pid * 10) + digit;
        }

        return pid;
    }

    /// <summary>A directory's entries, ending early (not failing) where a process ends or may not be read mid-walk.</summary>
    private static IEnumerable<string> SafeEnumerate(string path, bool directories)
    {
        IEnumerator<string> entries;
        try
        {
            entries = (directories ? Directory.EnumerateDirectories(path) : Directory.EnumerateFileSystemEntries(path)).GetEnumerator();
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            yield break;
        }

        using (entries)
        {
            while (true)
            {
                try
                {
                    if (!entries.MoveNext())
                    {
                        yield break;
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    yield break;
                }

                yield return entries.Current;
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr readlink(string path, byte[] buffer, IntPtr size);
}
