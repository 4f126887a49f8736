using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>A row of GetIpForwardTable2 (or GetBestRoute2's route) with its prefix and next hop read.</summary>
internal sealed class ForwardRow
{
    public ForwardRow(MIB_IPFORWARD_ROW2 row, IPPrefix destination, IPAddress nextHop)
    {
        Row = row;
        Destination = destination;
        NextHop = nextHop;
    }

    public MIB_IPFORWARD_ROW2 Row { get; }

    public IPPrefix Destination { get; }

    /// <summary>The gateway, or the unspecified address of the family for an on-link route.</summary>
    public IPAddress NextHop { get; }
}
