using System.Net;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// One address object for an address many routes repeat: a full table's million routes go through a few gateways and
/// name a few preferred sources, and a snapshot then holds a few objects where it held a million (each one more for
/// the collector to copy while the table is read). A cache of 256 slots, an address in the slot its bytes pick: it
/// stays small whatever the table, and an address it misses is only made anew.
/// </summary>
/// <remarks>Shared as IPAddress.Any already is: nothing sets a route's address after the build.</remarks>
internal sealed class SharedAddresses
{
    private const int Slots = 256;

    private readonly byte[]?[] keys = new byte[Slots][];
    private readonly IPAddress?[] addresses = new IPAddress[Slots];

    public IPAddress Of(byte[] bytes)
    {
        var slot = Slot(bytes);
        if (keys[slot] is byte[] key && Bytes.Same(key, bytes))
        {
            return addresses[slot]!;
        }

        var address = new IPAddress(bytes);
        keys[slot] = bytes;
        addresses[slot] = address;
        return address;
    }

    private static int Slot(byte[] bytes)
    {
        var hash = 0;
        foreach (var b in bytes)
        {
            hash = (hash * 31) + b;
        }

        return hash & (Slots - 1);
    }
}
