using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// Lays out a GetAdaptersAddresses answer in one buffer: the adapters first, then each one's strings, unicast
/// entries and socket addresses, every pointer written as <see cref="Base"/> plus an offset, as if Windows
/// had filled a buffer at that address.
/// </summary>
internal sealed class AdapterListBuilder
{
    public const long Base = 0x7ff6_1234_0000;

    private readonly List<(IP_ADAPTER_ADDRESSES_LH Adapter, string Name, string? Description, string? DnsSuffix, (string Address, byte Prefix)[] Unicast)> adapters = new();

    public static int AdapterSize => Marshal.SizeOf<IP_ADAPTER_ADDRESSES_LH>();

    public static int UnicastSize => Marshal.SizeOf<IP_ADAPTER_UNICAST_ADDRESS_LH>();

    public static int Offset(string field) => Marshal.OffsetOf<IP_ADAPTER_ADDRESSES_LH>(field).ToInt32();

    public static int UnicastOffset(string field) => Marshal.OffsetOf<IP_ADAPTER_UNICAST_ADDRESS_LH>(field).ToInt32();

    /// <summary>Where each piece went, so a test can break exactly one.</summary>
    public List<long> UnicastOffsets { get; } = new();

    /// <summary>Addresses Windows would not register in DNS (temporary ones); the rest are DNS-eligible, as most are.</summary>
    public HashSet<string> NotDnsEligible { get; } = new();

    public List<long> SockaddrOffsets { get; } = new();

    public List<long> NameOffsets { get; } = new();

    public AdapterListBuilder Adapter(
        uint index,
        string name,
        ulong luid,
        uint ifType = 6,
        uint operStatus = 1,
        byte[]? mac = null,
        uint mtu = 1500,
        string? description = null,
        string? dnsSuffix = "",
        uint flags = 0,
        params (string Address, byte Prefix)[] unicast)
    {
        var adapter = IpHelperBytes.Blank<IP_ADAPTER_ADDRESSES_LH>();
        adapter.Length = (uint)AdapterSize;
        adapter.IfIndex = index;
        adapter.Ipv6IfIndex = index;
        adapter.Luid = luid;
        adapter.IfType = ifType;
        adapter.OperStatus = operStatus;
        adapter.Mtu = mtu;
        adapter.Flags = flags;
        mac ??= Array.Empty<byte>();
        mac.CopyTo(adapter.PhysicalAddress, 0);
        adapter.PhysicalAddressLength = (uint)mac.Length;
        adapters.Add((adapter, name, description ?? name, dnsSuffix, unicast));
        return this;
    }

    public byte[] Build()
    {
        var heap = new MemoryStream();
        heap.Write(new byte[adapters.Count * AdapterSize]);
        var built = new List<IP_ADAPTER_ADDRESSES_LH>();
        foreach (var (adapter, name, description, dnsSuffix, unicast) in adapters)
        {
            var a = adapter;
            NameOffsets.Add(heap.Position);
            a.FriendlyName = Pointer(Append(heap, IpHelperBytes.WideString(name)));
            a.Description = description is null ? IntPtr.Zero : Pointer(Append(heap, IpHelperBytes.WideString(description)));
            a.DnsSuffix = dnsSuffix is null ? IntPtr.Zero : Pointer(Append(heap, IpHelperBytes.WideString(dnsSuffix)));
            a.FirstUnicastAddress = AppendUnicast(heap, unicast);
            built.Add(a);
        }

        var buffer = heap.ToArray();
        for (var i = 0; i < built.Count; i++)
        {
            var a = built[i];
            a.Next = i + 1 < built.Count ? Pointer((i + 1) * AdapterSize) : IntPtr.Zero;
            IpHelperBytes.ToBytes(a).CopyTo(buffer, i * AdapterSize);
        }

        return buffer;
    }

    public static IntPtr Pointer(long offset) => new(Base + offset);

    public static void WritePointer(byte[] buffer, long at, long value) => BitConverter.GetBytes(value).CopyTo(buffer, at);

    private static long Append(MemoryStream heap, byte[] bytes)
    {
        // Windows aligns what it places in the buffer; 8 keeps every structure where the marshaler expects it.
        var at = (heap.Length + 7) & ~7L;
        heap.SetLength(at);
        heap.Position = at;
        heap.Write(bytes);
        return at;
    }

    private IntPtr AppendUnicast(MemoryStream heap, (string Address, byte Prefix)[] unicast)
    {
        var offsets = new long[unicast.Length];
        var sockaddrs = new long[unicast.Length];
        for (var i = 0; i < unicast.Length; i++)
        {
            var ip = IPAddress.Parse(unicast[i].Address);
            var sockaddr = IpHelperBytes.ToBytes(IpHelperBytes.Sockaddr(unicast[i].Address));
            var length = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 16 : 28;
            sockaddrs[i] = Append(heap, sockaddr[..length]);
            offsets[i] = Append(heap, new byte[UnicastSize]);
        }

        for (var i = 0; i < unicast.Length; i++)
        {
            var entry = IpHelperBytes.Blank<IP_ADAPTER_UNICAST_ADDRESS_LH>();
            entry.Length = (uint)UnicastSize;
            entry.Next = i + 1 < unicast.Length ? Pointer(offsets[i + 1]) : IntPtr.Zero;
            entry.Address.lpSockaddr = Pointer(sockaddrs[i]);
            entry.Address.iSockaddrLength = IPAddress.Parse(unicast[i].Address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 16 : 28;
            entry.OnLinkPrefixLength = unicast[i].Prefix;
            entry.Flags = NotDnsEligible.Contains(unicast[i].Address) ? 0 : IpHelper.IP_ADAPTER_ADDRESS_DNS_ELIGIBLE;
            heap.Position = offsets[i];
            heap.Write(IpHelperBytes.ToBytes(entry));
        }

        heap.Position = heap.Length;
        UnicastOffsets.AddRange(offsets);
        SockaddrOffsets.AddRange(sockaddrs);
        return unicast.Length == 0 ? IntPtr.Zero : Pointer(offsets[0]);
    }
}
