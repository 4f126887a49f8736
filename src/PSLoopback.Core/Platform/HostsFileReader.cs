using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using PSLoopback.Loopback;

namespace PSLoopback.Platform;

/// <summary>
/// Reads the hosts file safely: only a regular file is read (a FIFO would block open() and read() forever),
/// on Unix it is opened non-blocking and its type taken from the open descriptor, and the whole read runs
/// within a time limit and stops on Ctrl+C, so a hung mount costs the limit, not the session.
/// </summary>
internal static class HostsFileReader
{
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28;

    public static string PathFor(HostOS os) => os == HostOS.Windows
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "drivers", "etc", "hosts")
        : "/etc/hosts";

    /// <summary>
    /// The entries of <paramref name="path"/> with a name <paramref name="keep"/> wants. Never throws for the
    /// file's sake: every failure is a status. A read stuck in the kernel (a hung NFS mount) is left behind
    /// on its thread pool thread after the time limit; nothing can interrupt that, but nobody waits for it.
    /// </summary>
    public static HostsScan Read(string path, HostsLimits limits, Func<string, bool> keep, CancellationToken cancel)
    {
        var work = Task.Run(() => ReadNow(path, limits, keep, cancel));
        try
        {
            if (work.Wait((int)Math.Min(limits.Timeout.TotalMilliseconds, int.MaxValue), cancel))
            {
                return work.Result;
            }
        }
        catch (OperationCanceledException)
        {
            return new HostsScan(path, HostsFileStatus.Cancelled, Array.Empty<HostsEntry>()) { StoppedBecause = "stopped by the user" };
        }

        return new HostsScan(path, HostsFileStatus.TimedOut, Array.Empty<HostsEntry>())
        {
            StoppedBecause = $"opening and reading it took longer than {limits.Timeout.TotalSeconds:0.#} s",
        };
    }

    private static HostsScan ReadNow(string path, HostsLimits limits, Func<string, bool> keep, CancellationToken cancel)
    {
        try
        {
            using var stream = Open(path, out var failure);
            return stream is null ? failure! : HostsFile.Scan(stream, path, limits, keep, cancel);
        }
        catch (UnauthorizedAccessException e)
        {
            return Failed(path, HostsFileStatus.AccessDenied, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failed(path, HostsFileStatus.Missing, e.Message);
        }
        catch (IOException e)
        {
            return Failed(path, HostsFileStatus.Unreadable, e.Message);
        }
    }

    private static FileStream? Open(string path, out HostsScan? failure)
    {
        failure = null;
        if (Directory.Exists(path))
        {
            failure = Failed(path, HostsFileStatus.NotRegularFile, "a directory");
            return null;
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        }

        var linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        var flags = linux ? 0x800 | 0x80000 : 0x4 | 0x1000000; // O_RDONLY | O_NONBLOCK | O_CLOEXEC
        var fd = open(CString(path), flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastWin32Error();
            var message = new Win32Exception(errno).Message;
            failure = Failed(path, errno switch
            {
                2 or 20 => HostsFileStatus.Missing,          // ENOENT, ENOTDIR
                1 or 13 => HostsFileStatus.AccessDenied,     // EPERM, EACCES
                _ => HostsFileStatus.Unreadable,
            }, message);
            return null;
        }

        var stream = new FileStream(new SafeFileHandle(new IntPtr(fd), ownsHandle: true), FileAccess.Read, 1);
        var kind = linux ? KindOf(fd) : null;
        if (kind is null && !stream.CanSeek)
        {
            kind = "not a regular file (a FIFO, socket or device)";
        }

        if (kind is not null && kind != "a regular file")
        {
            stream.Dispose();
            failure = Failed(path, HostsFileStatus.NotRegularFile, kind);
            return null;
        }

        return stream;
    }

    /// <summary>The type of an open file, from statx (whose layout is the same on every Linux architecture); null if unknown.</summary>
    private static string? KindOf(int fd)
    {
        var buffer = new byte[256];
        try
        {
            if (statx(fd, CString(string.Empty), AtEmptyPath, StatxType, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToUInt16(buffer, StatxModeOffset) & 0xF000) switch
        {
            0x8000 => "a regular file",
            0x4000 => "a directory",
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            0x2000 => "a character device",
            0x6000 => "a block device",
            _ => "not a regular file",
        };
    }

    /// <summary>A path as the C library takes it: UTF-8, ending in NUL.</summary>
    private static byte[] CString(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\0");

    private static HostsScan Failed(string path, HostsFileStatus status, string detail) =>
        new(path, status, Array.Empty<HostsEntry>()) { Detail = detail };

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
}
