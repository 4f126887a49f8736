using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// The bare longest-prefix match of the destinations a resolver benchmark decides, in a PrefixTable of the same
/// prefixes: the same-run baseline both resolver benchmarks compare a whole decision with.
/// </summary>
public sealed class TableLookups
{
    private readonly PrefixTable<object> table;
    private readonly bool ipv4;
    private readonly ulong[] high;
    private readonly ulong[] low;

    public TableLookups(IPAddressFamily family, IEnumerable<KeyValuePair<IPPrefix, object>> prefixes, RouteQuery[] queries)
    {
        table = PrefixTable<object>.Build(family, prefixes);
        ipv4 = family == IPAddressFamily.IPv4;
        var numbers = queries.Select(q => RandomRoutes.Numbers(q.Destination)).ToArray();
        high = numbers.Select(n => n.High).ToArray();
        low = numbers.Select(n => n.Low).ToArray();
    }

    /// <summary>Looks every destination up; returns how many have a prefix.</summary>
    public int Count()
    {
        var found = 0;
        for (var i = 0; i < high.Length; i++)
        {
            if ((ipv4 ? table.LongestMatch((uint)(high[i] >> 32)) : table.LongestMatch(high[i], low[i])) is not null)
            {
                found++;
            }
        }

        return found;
    }
}
