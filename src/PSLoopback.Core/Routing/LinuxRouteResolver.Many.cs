using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

// Many questions at once. At 100,000 routes and more, a one-step decision waits mostly on the lookup's cache misses,
// each read depending on the one before; within a whole decision of some hundreds of instructions the CPU cannot
// reach the next decision's reads to overlap them. So a block of questions is looked up first, then their answers'
// numbers read, then each decided: the misses of the block overlap. Each answer is the one Resolve gives.
public sealed partial class LinuxRouteResolver
{
    // Enough lookups in flight to cover a miss; few enough that a block's nodes and answers stay in the cache.
    private const int ManyBlock = 16;

    /// <summary>
    /// The decision for each of <paramref name="queries"/>, as <see cref="Resolve(RouteQuery, bool)"/> answers it, into
    /// the same place of <paramref name="decisions"/>; faster than one at a time for questions of a destination alone
    /// over a large table.
    /// </summary>
    public void Resolve(IReadOnlyList<RouteQuery> queries, RouteDecision[] decisions)
    {
        if (queries is null)
        {
            throw new ArgumentNullException(nameof(queries));
        }

        if (decisions is null)
        {
            throw new ArgumentNullException(nameof(decisions));
        }

        if (decisions.Length < queries.Count)
        {
            throw new ArgumentException("There must be a place for each query's decision.", nameof(decisions));
        }

        // Numbers only, no references: stores into these need no write barrier.
        var family = new byte[ManyBlock];
        var high = new ulong[ManyBlock];
        var low = new ulong[ManyBlock];
        var nodes = new int[ManyBlock];
        var answers = new int[ManyBlock];
        var lookups = new BlockLookups(ManyBlock);
        for (var start = 0; start < queries.Count; start += ManyBlock)
        {
            var count = Math.Min(ManyBlock, queries.Count - start);
            var sixes = 0;
            for (var i = 0; i < count; i++)
            {
                var table = queries[start + i] is RouteQuery query ? OneStepTableFor(query, out high[i], out low[i]) : null;
                family[i] = table is null ? (byte)0 : ReferenceEquals(table, oneStepIPv4) ? (byte)4 : (byte)6;
                sixes += family[i] == 6 ? 1 : 0;
            }

            if (sixes > 0)
            {
                lookups.Find(this, family, high, low, count, sixes, nodes);
            }
            else
            {
                // Only lookups in this loop: the next one's reads do not wait for the last one's.
                for (var i = 0; i < count; i++)
                {
                    nodes[i] = family[i] == 0 ? 0 : oneStepIPv4!.Table.FindNode(high[i], low[i]);
                }
            }

            for (var i = 0; i < count; i++)
            {
                answers[i] = family[i] == 0 ? 0 : ManyTable(family[i]).AnswerNumberAt(nodes[i], high[i]);
            }

            for (var i = 0; i < count; i++)
            {
                var query = queries[start + i];
                decisions[start + i] = answers[i] != 0 && ManyTable(family[i]).AnswerOf(answers[i]) is OneStepShape answer
                    ? Decide(query.Destination, answer, nodes[i], high[i], low[i])
                    : Resolve(query);
            }
        }
    }

    private OneStepTable ManyTable(byte family) => family == 4 ? oneStepIPv4! : oneStepIPv6!;

    // A block's lookups. IPv6 goes through its table's batch lookup (PrefixTable.FindNodes), stage by stage over the
    // addresses, so that their cache misses overlap even where one lookup's detour would stall the next: 0.81-0.89 of
    // the block's time at 100,000-1,000,000 routes. IPv4's batch lookup gained nothing here (1.04-1.18), so IPv4
    // questions are looked up one by one, and a block without IPv6 takes the loop of lookups alone.
    private sealed class BlockLookups
    {
        private readonly ulong[] ipv6High;
        private readonly ulong[] ipv6Low;
        private readonly int[] found;
        private readonly int[] ipv6Places;

        public BlockLookups(int size)
        {
            ipv6High = new ulong[size];
            ipv6Low = new ulong[size];
            found = new int[size];
            ipv6Places = new int[size];
        }

        /// <summary>nodes[i] for each of the block's count questions (sixes of them IPv6): its node in its family's
        /// table, 0 for none asked.</summary>
        public void Find(LinuxRouteResolver resolver, byte[] family, ulong[] high, ulong[] low, int count, int sixes, int[] nodes)
        {
            var six = 0;
            for (var i = 0; i < count; i++)
            {
                nodes[i] = family[i] == 4 ? resolver.oneStepIPv4!.Table.FindNode(high[i], low[i]) : 0;
                if (family[i] == 6)
                {
                    ipv6High[six] = high[i];
                    ipv6Low[six] = low[i];
                    ipv6Places[six++] = i;
                }
            }

            resolver.oneStepIPv6!.Table.FindNodes(ipv6High, ipv6Low, 0, sixes, found);
            for (var k = 0; k < sixes; k++)
            {
                nodes[ipv6Places[k]] = found[k];
            }
        }
    }
}
