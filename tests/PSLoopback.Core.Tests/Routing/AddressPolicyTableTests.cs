using System;
using System.Linq;
using System.Net;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

// Label over numbers looks at only the entries that can hold the address's first byte; it must answer as the
// label over the address, which compares every entry, longest first.
public class AddressPolicyTableTests
{
    private static readonly (string, int)[] Linux =
    {
        ("::1/128", 0), ("::/96", 3), ("::ffff:0:0/96", 4), ("2001:10::/28", 7), ("2001::/32", 6), ("2002::/16", 2), ("3ffe::/16", 12),
        ("fec0::/10", 11), ("fc00::/7", 5), ("::/0", 1),
    };

    // Entries shorter and longer than a byte, inside one another, and no ::/0, so some addresses have no label.
    private static readonly (string, int)[] Odd =
    {
        ("8000::/1", 1), ("c000::/3", 2), ("e0::/11", 3), ("2001:db8::/32", 4), ("2001:db8::1/128", 5), ("fe00::/8", 6), ("fe80::/9", 7),
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheLabelOfAnAddressAsNumbersIsItsLabel(bool linux)
    {
        var entries = linux ? Linux : Odd;
        var table = new AddressPolicyTable(entries);
        var random = new Random(3);
        var networks = entries.Select(e => AddressNumbers.Of(IPAddress.Parse(e.Item1.Split('/')[0]))).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            // Near an entry's network (a few bits flipped) or anywhere.
            var (high, low) = random.Next(3) == 0 ? (Next64(random), Next64(random)) : networks[random.Next(networks.Length)];
            for (var flips = random.Next(4); flips > 0; flips--)
            {
                var bit = random.Next(128);
                (high, low) = bit < 64 ? (high ^ (1UL << bit), low) : (high, low ^ (1UL << (bit - 64)));
            }

            var address = Address(high, low);
            Assert.True(table.Label(address) == table.Label(high, low), address.ToString());
        }
    }

    private static ulong Next64(Random random) => ((ulong)(uint)random.Next() << 33) ^ ((ulong)(uint)random.Next() << 2) ^ (uint)random.Next(4);

    private static IPAddress Address(ulong high, ulong low)
    {
        var bytes = new byte[16];
        for (var i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(high >> (56 - (8 * i)));
            bytes[8 + i] = (byte)(low >> (56 - (8 * i)));
        }

        return new IPAddress(bytes);
    }
}
