using System;
using System.Runtime.InteropServices;

namespace PSLoopback.Platform.Windows.Native;

/// <summary>
/// The registry read this project needs; netstandard2.0 has no Microsoft.Win32.Registry. Its constants have the
/// Windows SDK's names, which NativeConstantTests compares with mingw-w64's headers.
/// </summary>
internal static class Advapi32
{
    /// <summary>HKEY_LOCAL_MACHINE, (HKEY)(ULONG_PTR)(LONG)0x80000002: sign-extended on 64-bit Windows.</summary>
    public static readonly IntPtr HKEY_LOCAL_MACHINE = new(unchecked((int)0x80000002));

    /// <summary>RRF_RT_REG_DWORD: only a REG_DWORD value is accepted.</summary>
    public const uint RRF_RT_REG_DWORD = 0x00000010;

    /// <summary>What the registry functions return on success.</summary>
    public const int ERROR_SUCCESS = 0;

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, ExactSpelling = true)]
    public static extern int RegGetValueW(IntPtr hkey, string subKey, string value, uint flags, IntPtr type, out uint data, ref uint dataSize);
}
