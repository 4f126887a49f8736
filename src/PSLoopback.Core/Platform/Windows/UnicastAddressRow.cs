using System.Net;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>A row of GetUnicastIpAddressTable with its address read.</summary>
internal sealed class UnicastAddressRow
{
    public UnicastAddressRow(MIB_UNICASTIPADDRESS_ROW row, IPAddress address)
    {
        Row = row;
        Address = address;
    }

    public MIB_UNICASTIPADDRESS_ROW Row { get; }

    public IPAddress Address { get; }
}
