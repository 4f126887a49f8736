namespace PSLoopback.Platform.Linux;

internal static class Bytes
{
    /// <summary>Whether two byte strings (addresses as the kernel gives them) are the same.</summary>
    public static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
