namespace PSLoopback.Platform.Linux;

/// <summary>What /sys/class/net says of one interface that rtnetlink does not.</summary>
public sealed class SysfsFacts
{
    public static readonly SysfsFacts Unknown = new(null, false);

    public SysfsFacts(long? speedBitsPerSecond, bool isWireless)
    {
        SpeedBitsPerSecond = speedBitsPerSecond;
        IsWireless = isWireless;
    }

    public long? SpeedBitsPerSecond { get; }

    public bool IsWireless { get; }
}
