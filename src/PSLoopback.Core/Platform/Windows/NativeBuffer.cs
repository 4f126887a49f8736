using System;
using System.Runtime.InteropServices;
using System.Text;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Bounds-checked reads from a managed copy of what Windows wrote. A pointer inside the copy is read as an
/// offset from <c>baseAddress</c>, the address the buffer had when Windows wrote it, so a test can build a
/// buffer with made-up pointers and nothing is ever read outside the array.
/// </summary>
internal static class NativeBuffer
{
    /// <summary>A structure at <paramref name="offset"/>, all of whose bytes must lie in the buffer.</summary>
    public static T Read<T>(byte[] buffer, long offset, string what)
        where T : struct
    {
        var size = Marshal.SizeOf<T>();
        Require(buffer, offset, size, what);
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            return Marshal.PtrToStructure<T>(IntPtr.Add(handle.AddrOfPinnedObject(), (int)offset));
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Fails unless <paramref name="length"/> bytes from <paramref name="offset"/> lie in the buffer.</summary>
    public static void Require(byte[] buffer, long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > buffer.Length - length)
        {
            throw new IpHelperParseException($"{what} needs bytes {offset} to {offset + length} of a {buffer.Length}-byte buffer.");
        }
    }

    /// <summary>Where in the buffer a pointer Windows wrote points.</summary>
    public static long OffsetOf(byte[] buffer, long baseAddress, IntPtr pointer, string what)
    {
        var offset = pointer.ToInt64() - baseAddress;
        if (offset < 0 || offset >= buffer.Length)
        {
            throw new IpHelperParseException($"{what} points to 0x{pointer.ToInt64():x}, outside the {buffer.Length}-byte buffer at 0x{baseAddress:x}.");
        }

        return offset;
    }

    /// <summary>The NUL-terminated UTF-16 string a pointer names; null for a null pointer.</summary>
    public static string? WideString(byte[] buffer, long baseAddress, IntPtr pointer, string what)
    {
        if (pointer == IntPtr.Zero)
        {
            return null;
        }

        var start = OffsetOf(buffer, baseAddress, pointer, what);
        for (var end = start; end + 1 < buffer.Length; end += 2)
        {
            if (buffer[end] == 0 && buffer[end + 1] == 0)
            {
                return Encoding.Unicode.GetString(buffer, (int)start, (int)(end - start));
            }
        }

        throw new IpHelperParseException($"{what} has no terminating NUL before the end of the buffer.");
    }
}
