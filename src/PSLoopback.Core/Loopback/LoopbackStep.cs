namespace PSLoopback.Loopback;

/// <summary>One step of the packet's journey (with -Detailed), and when it ended after the check began.</summary>
public sealed class LoopbackStep
{
    public LoopbackStep(string name, string detail, double elapsedMicroseconds)
    {
        Name = name;
        Detail = detail;
        // A tenth of a microsecond is finer than a stopwatch reading means; more digits are noise in JSON and CSV.
        ElapsedMicroseconds = System.Math.Round(elapsedMicroseconds, 1);
    }

    public string Name { get; }

    public string Detail { get; }

    /// <summary>Microseconds from the start of the check to the end of this step.</summary>
    public double ElapsedMicroseconds { get; }

    public override string ToString() => $"{ElapsedMicroseconds,10:F1} us  {Name}: {Detail}";
}
