using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace PSLoopback.Output;

/// <summary>
/// A list property of an output object. ConvertTo-Json writes it as an array, and Export-Csv, which can
/// only call ToString, gets the items joined into one cell instead of the list's type name.
/// </summary>
public sealed class TextList<T> : ReadOnlyCollection<T>
{
    private readonly string separator;

    internal TextList(IEnumerable<T> items, string separator = " ")
        : base(items.ToList())
    {
        this.separator = separator;
    }

    public override string ToString() => string.Join(separator, this.Select(item => item?.ToString()));
}
