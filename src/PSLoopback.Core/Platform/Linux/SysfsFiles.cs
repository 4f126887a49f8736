using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Runtime.CompilerServices;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// One directory of /sys/class/net, open, and the one-number files and entries in it, read with bare
/// openat/read/close. File.ReadAllText costs about 15 µs a file (a FileStream, a lock, a StreamReader, and the
/// walk of the whole path through sysfs's links each time); an interface list reads up to four entries of each
/// interface that is up.
/// </summary>
internal sealed class SysfsFiles : IDisposable
{
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int AT_FDCWD = -100;
    private const int F_OK = 0;
    private const int EINTR = 4;
    private const int MaxEintrRetries = 100;

    // A sysfs number file holds at most a 64-bit number and a newline; a longer one is not a number.
    private const int MaxLength = 32;

    private int directory;
    private readonly byte[] buffer = new byte[MaxLength + 1];

    private SysfsFiles(int directory)
    {
        this.directory = directory;
    }

    /// <summary>The directory, open; null when it is missing or unreadable.</summary>
    [MethodImpl(HotPath.Optimized)]
    public static SysfsFiles? Open(string path)
    {
        var fd = OpenAt(AT_FDCWD, path);
        return fd < 0 ? null : new SysfsFiles(fd);
    }

    /// <summary>The number in the entry; null when it is missing, unreadable, refused (EINVAL for an unknown speed) or not a number.</summary>
    [MethodImpl(HotPath.Optimized)]
    public long? ReadInteger(string name)
    {
        var fd = OpenAt(directory, name);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var length = (long)read(fd, buffer, (IntPtr)buffer.Length);
            for (var attempt = 0; length < 0 && attempt < MaxEintrRetries && Marshal.GetLastWin32Error() == EINTR; attempt++)
            {
                length = (long)read(fd, buffer, (IntPtr)buffer.Length);
            }

            return length is > 0 and <= MaxLength ? Parse(buffer, (int)length) : null;
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Whether the entry exists (phy80211 is a link to a directory, wireless a directory).</summary>
    public bool Exists(string name) => faccessat(directory, name, F_OK, 0) == 0;

    // A second call must not close a descriptor number that may belong to someone else by then.
    public void Dispose()
    {
        if (directory >= 0)
        {
            close(directory);
            directory = -1;
        }
    }

    /// <summary>The number in a sysfs file's text (digits, maybe a sign, a newline); null when it is none.</summary>
    [MethodImpl(HotPath.Optimized)]
    internal static long? Parse(byte[] text, int length)
    {
        var value = Encoding.ASCII.GetString(text, 0, length).Trim();
        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    [MethodImpl(HotPath.Optimized)]
    private static int OpenAt(int at, string path)
    {
        var fd = openat(at, path, O_RDONLY | O_CLOEXEC);
        for (var attempt = 0; fd < 0 && attempt < MaxEintrRetries && Marshal.GetLastWin32Error() == EINTR; attempt++)
        {
            fd = openat(at, path, O_RDONLY | O_CLOEXEC);
        }

        return fd;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int openat(int directory, [MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr read(int fd, byte[] buffer, IntPtr count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int faccessat(int directory, [MarshalAs(UnmanagedType.LPStr)] string path, int mode, int flags);
}
