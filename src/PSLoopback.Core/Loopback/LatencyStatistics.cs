using System;
using System.Collections.Generic;
using System.Linq;

namespace PSLoopback.Loopback;

/// <summary>Minimum, median, 99th percentile and maximum of round-trip times (nearest-rank percentiles).</summary>
public static class LatencyStatistics
{
    public static void Fill(LoopbackTestResult result, IReadOnlyCollection<double> microseconds)
    {
        if (microseconds.Count == 0)
        {
            return;
        }

        var sorted = microseconds.OrderBy(x => x).ToArray();
        result.MinimumMicroseconds = Round(sorted[0]);
        result.MedianMicroseconds = Round(Percentile(sorted, 50));
        result.P99Microseconds = Round(Percentile(sorted, 99));
        result.MaximumMicroseconds = Round(sorted[sorted.Length - 1]);
    }

    /// <summary>The nearest-rank percentile of sorted values (the median of an even count is the mean of the two middle ones).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }

        if (percent == 50 && sorted.Count % 2 == 0)
        {
            return (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Min(Math.Max(rank, 1), sorted.Count) - 1];
    }

    private static double Round(double value) => Math.Round(value, 1);
}
