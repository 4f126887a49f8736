using System.Linq;
using PSLoopback.Addressing;

namespace PSLoopback.Core.Tests.Addressing;

public class IPPrefixOrderTests
{
    [Fact]
    public void SortsByFamilyThenAddressThenLength()
    {
        var texts = new[] { "::1/128", "10.0.0.0/8", "9.0.0.0/8", "10.0.0.0/16", "192.0.2.0/24", "2001:db8::/32", "0.0.0.0/0", "fe80::/64", "10.2.0.0/16" };
        var sorted = texts.Select(IPPrefix.Parse).OrderBy(p => p).Select(p => p.ToString());
        Assert.Equal(new[] { "0.0.0.0/0", "9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "10.2.0.0/16", "192.0.2.0/24", "::1/128", "2001:db8::/32", "fe80::/64" }, sorted);
    }

    [Fact]
    public void EqualPrefixesCompareEqual()
    {
        Assert.Equal(0, IPPrefix.Parse("192.0.2.77/24").CompareTo(IPPrefix.Parse("192.0.2.0/24")));
        Assert.Equal(0, ((System.IComparable)IPPrefix.Parse("::1")).CompareTo(IPPrefix.Parse("::1/128")));
    }

    [Fact]
    public void RefusesToCompareWithAnotherType()
    {
        Assert.Throws<System.ArgumentException>(() => ((System.IComparable)IPPrefix.Parse("::1")).CompareTo("::1"));
    }
}
