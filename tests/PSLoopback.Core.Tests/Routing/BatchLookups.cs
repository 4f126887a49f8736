using System;
using System.Linq;

namespace PSLoopback.Core.Tests.Routing;

// Checks a batch lookup against the one-at-a-time lookup it must equal: over all the addresses at once, and over
// slices of every size around the batch's group of 16 (none, one, a group less or more one, a few groups and a
// remainder), from the first address and from others; outside its slice the batch writes nothing.
internal static class BatchLookups
{
    private const int Untouched = -7;

    public static void AgreeWithOneAtATime(int addresses, Func<int, int> one, Action<int, int, int[]> batch)
    {
        var expected = Enumerable.Range(0, addresses).Select(one).ToArray();
        Check(expected, batch, 0, addresses);
        foreach (var count in new[] { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 50 })
        {
            foreach (var start in new[] { 0, 1, 13, addresses / 2, addresses - count })
            {
                if (count <= addresses && start >= 0 && start + count <= addresses)
                {
                    Check(expected, batch, start, count);
                }
            }
        }
    }

    private static void Check(int[] expected, Action<int, int, int[]> batch, int start, int count)
    {
        var nodes = Enumerable.Repeat(Untouched, expected.Length).ToArray();
        batch(start, count, nodes);
        for (var i = 0; i < expected.Length; i++)
        {
            var want = i >= start && i < start + count ? expected[i] : Untouched;
            if (nodes[i] != want)
            {
                Assert.Fail($"Batch of {count} from {start}: address {i} got {nodes[i]}, expected {want}.");
            }
        }
    }
}
