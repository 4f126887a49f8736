namespace PSLoopback.Routing;

/// <summary>Many lookups at once, for a caller with a block of addresses.</summary>
/// <remarks>
/// A large table's lookups first all go through the /24 level, where none waits on another, and only then do the few
/// that need their block's node go on, so no lookup's rare detour holds up the reads of the ones after it. The answers
/// are exactly <see cref="Find(uint)"/>'s. A smaller table's index stays in the caches, so its lookups go one at a time.
/// </remarks>
internal sealed partial class Ipv4Poptrie
{
    /// <summary>nodes[i] = Find(addresses[i]) for i in start..start + size.</summary>
    public void Find(uint[] addresses, int start, int size, int[] nodes)
    {
        var end = start + size;
        var level = codes;
        if (level is null)
        {
            for (var i = start; i < end; i++)
            {
                nodes[i] = Find(addresses[i]);
            }

            return;
        }

        var blockBases = bases!;
        for (var i = start; i < end; i++)
        {
            var address = addresses[i];
            var code = (int)(level[address >> 12] >> (int)((address >> 6) & 60)) & NodeCode;
            var both = blockBases[address >> 14];
            var isCover = -((code + 2) >> 4);

            // No answer is negative, so -1 marks a lookup that the pass below takes to its block's node.
            nodes[i] = code == NodeCode ? -1 : (int)(uint)both + code + ((int)(both >> 32) & isCover);
        }

        for (var i = start; i < end; i++)
        {
            if (nodes[i] < 0)
            {
                nodes[i] = Descend(addresses[i], ~direct[addresses[i] >> directShift]);
            }
        }
    }
}
