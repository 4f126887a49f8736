using System;
using System.IO;
using System.Text;
using PSLoopback.Platform.Linux;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>The bare sysfs reader, over a directory laid out like /sys/class/net/NAME.</summary>
public sealed class SysfsFilesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("pslb-sysfs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("7\n", 7L)]
    [InlineData("10000\n", 10000L)]
    [InlineData("-1\n", -1L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void ReadsTheNumber(string text, long expected)
    {
        File.WriteAllText(Path.Combine(root, "speed"), text);
        using var directory = SysfsFiles.Open(root)!;
        Assert.Equal(expected, directory.ReadInteger("speed"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("fast\n")]
    [InlineData("12 34\n")]
    [InlineData("99999999999999999999\n")]
    [InlineData("000000000000000000000000000000001\n")]
    public void NoNumberIsNull(string text)
    {
        File.WriteAllText(Path.Combine(root, "speed"), text);
        using var directory = SysfsFiles.Open(root)!;
        Assert.Null(directory.ReadInteger("speed"));
    }

    [Fact]
    public void AMissingFileIsNull()
    {
        using var directory = SysfsFiles.Open(root)!;
        Assert.Null(directory.ReadInteger("speed"));
    }

    [Fact]
    public void AMissingDirectoryIsNull()
    {
        Assert.Null(SysfsFiles.Open(Path.Combine(root, "eth9")));
    }

    [Fact]
    public void ExistsSeesDirectoriesAndLinksToThem()
    {
        Directory.CreateDirectory(Path.Combine(root, "wireless"));
        Directory.CreateSymbolicLink(Path.Combine(root, "phy80211"), Path.Combine(root, "wireless"));
        using var directory = SysfsFiles.Open(root)!;
        Assert.True(directory.Exists("wireless"));
        Assert.True(directory.Exists("phy80211"));
        Assert.False(directory.Exists("bonding"));
    }

    [Fact]
    public void ParseTakesOnlyTheBytesGiven()
    {
        var text = Encoding.ASCII.GetBytes("42\nxyz");
        Assert.Equal(42L, SysfsFiles.Parse(text, 3));
        Assert.Null(SysfsFiles.Parse(text, 6));
    }
}
