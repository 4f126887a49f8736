using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Reads GetAdaptersAddresses' answer: a linked list of IP_ADAPTER_ADDRESSES_LH in the caller's buffer, each
/// with a linked list of IP_ADAPTER_UNICAST_ADDRESS_LH, the strings and socket addresses they point to in the
/// same buffer. Every pointer is read as an offset from the buffer's base address and checked against its
/// length; a list is followed for at most as many entries as the buffer can hold, so a loop ends in an error.
/// Pure: tests feed it built buffers with made-up pointers.
/// </summary>
internal static class AdapterAddressesReader
{
    private static readonly int AdapterSize = Marshal.SizeOf<IP_ADAPTER_ADDRESSES_LH>();
    private static readonly int UnicastSize = Marshal.SizeOf<IP_ADAPTER_UNICAST_ADDRESS_LH>();

    /// <param name="buffer">The buffer GetAdaptersAddresses filled; empty when it answered ERROR_NO_DATA.</param>
    /// <param name="baseAddress">The buffer's address while Windows wrote it: the first adapter's, and what its pointers are relative to.</param>
    public static IReadOnlyList<AdapterEntry> Parse(byte[] buffer, long baseAddress)
    {
        var adapters = new List<AdapterEntry>();
        if (buffer.Length == 0)
        {
            return adapters;
        }

        var offset = 0L;
        while (true)
        {
            if (adapters.Count >= buffer.Length / AdapterSize)
            {
                throw new IpHelperParseException($"the adapter list has more entries than its {buffer.Length}-byte buffer can hold: its Next pointers loop.");
            }

            var adapter = NativeBuffer.Read<IP_ADAPTER_ADDRESSES_LH>(buffer, offset, $"adapter {adapters.Count + 1}");
            adapters.Add(ReadAdapter(buffer, baseAddress, adapter, adapters.Count + 1));
            if (adapter.Next == IntPtr.Zero)
            {
                return adapters;
            }

            offset = NativeBuffer.OffsetOf(buffer, baseAddress, adapter.Next, $"the Next pointer of adapter {adapters.Count}");
        }
    }

    private static AdapterEntry ReadAdapter(byte[] buffer, long baseAddress, IP_ADAPTER_ADDRESSES_LH adapter, int position)
    {
        var what = $"adapter {position} (ifIndex {adapter.IfIndex})";

        // Length says which version of the structure Windows wrote; an older, shorter one lacks fields read here.
        if (adapter.Length < AdapterSize)
        {
            throw new IpHelperParseException($"{what} is a {adapter.Length}-byte IP_ADAPTER_ADDRESSES, older than the {AdapterSize}-byte IP_ADAPTER_ADDRESSES_LH of Windows Vista and later.");
        }

        var name = NativeBuffer.WideString(buffer, baseAddress, adapter.FriendlyName, $"the FriendlyName of {what}")
            ?? throw new IpHelperParseException($"{what} has no FriendlyName.");
        what = $"adapter '{name}' (ifIndex {adapter.IfIndex})";
        if (adapter.PhysicalAddressLength > IpHelper.MAX_ADAPTER_ADDRESS_LENGTH)
        {
            throw new IpHelperParseException($"{what} has a {adapter.PhysicalAddressLength}-byte physical address, more than the {IpHelper.MAX_ADAPTER_ADDRESS_LENGTH} bytes of its field.");
        }

        var physical = new byte[adapter.PhysicalAddressLength];
        Array.Copy(adapter.PhysicalAddress, physical, physical.Length);
        return new AdapterEntry(
            adapter,
            name,
            NativeBuffer.WideString(buffer, baseAddress, adapter.Description, $"the Description of {what}"),
            NativeBuffer.WideString(buffer, baseAddress, adapter.DnsSuffix, $"the DnsSuffix of {what}"),
            physical,
            ReadUnicast(buffer, baseAddress, adapter.FirstUnicastAddress, what));
    }

    private static IReadOnlyList<AdapterAddress> ReadUnicast(byte[] buffer, long baseAddress, IntPtr first, string adapter)
    {
        var addresses = new List<AdapterAddress>();
        for (var next = first; next != IntPtr.Zero;)
        {
            var what = $"unicast address {addresses.Count + 1} of {adapter}";
            if (addresses.Count >= buffer.Length / UnicastSize)
            {
                throw new IpHelperParseException($"the unicast addresses of {adapter} are more than the buffer can hold: their Next pointers loop.");
            }

            var entry = NativeBuffer.Read<IP_ADAPTER_UNICAST_ADDRESS_LH>(buffer, NativeBuffer.OffsetOf(buffer, baseAddress, next, what), what);
            if (entry.Length < UnicastSize)
            {
                throw new IpHelperParseException($"{what} is a {entry.Length}-byte IP_ADAPTER_UNICAST_ADDRESS, older than the {UnicastSize}-byte _LH layout with OnLinkPrefixLength.");
            }

            if (entry.Address.lpSockaddr == IntPtr.Zero)
            {
                throw new IpHelperParseException($"{what} has no socket address.");
            }

            var at = NativeBuffer.OffsetOf(buffer, baseAddress, entry.Address.lpSockaddr, $"the socket address of {what}");
            var address = Sockaddr.Decode(buffer, at, entry.Address.iSockaddrLength, $"the socket address of {what}");
            MibRows.CheckPrefixLength(address, entry.OnLinkPrefixLength, $"{address}, {what},");
            addresses.Add(new AdapterAddress(address, entry.OnLinkPrefixLength, (entry.Flags & IpHelper.IP_ADAPTER_ADDRESS_DNS_ELIGIBLE) != 0));
            next = entry.Next;
        }

        return addresses;
    }
}
