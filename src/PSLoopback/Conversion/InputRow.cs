using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Conversion;

/// <summary>
/// One item the user passed (an output object, its deserialized or JSON copy, a CSV row, a hashtable): its
/// fields by name, read as the types the model wants. A value that does not fit its field is an error that
/// names the item and the field.
/// </summary>
internal sealed class InputRow
{
    private readonly PSObject item;

    /// <param name="label">How errors name the item: "Route 3 of -RouteTable".</param>
    public InputRow(object input, string label)
    {
        item = PSObject.AsPSObject(input);
        Label = label;
    }

    public string Label { get; }

    public object? Value(string name) =>
        item.BaseObject is IDictionary dictionary
            ? dictionary.Keys.Cast<object>().Where(k => string.Equals(k?.ToString(), name, StringComparison.OrdinalIgnoreCase)).Select(k => dictionary[k]).FirstOrDefault()
            : item.Properties[name]?.Value;

    public bool Has(string name) =>
        item.BaseObject is IDictionary dictionary
            ? dictionary.Keys.Cast<object>().Any(k => string.Equals(k?.ToString(), name, StringComparison.OrdinalIgnoreCase))
            : item.Properties[name] is not null;

    /// <summary>A deserialized value (Import-Clixml, remoting) keeps its original ToString, which is what is wanted.</summary>
    public string? Text(string name)
    {
        var text = Value(name)?.ToString();
        return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }

    public IPAddress? Address(string name)
    {
        var text = Text(name);
        return text is null ? null : Destination.TryParseAddress(text, out var address) ? address : throw Bad($"its {name} '{text}' is not an IP address");
    }

    public IPPrefix? Prefix(string name)
    {
        var text = Text(name);
        return text is null ? null : IPPrefix.TryParse(text, out var prefix) ? prefix : throw Bad($"its {name} '{text}' is not a prefix");
    }

    public long? Number(string name, long maximum, long minimum = 0)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
            ? number
            : throw Bad($"its {name} '{text}' is not a whole number from {minimum} to {maximum}");
    }

    /// <summary>A 64-bit unsigned number, such as a rule's tun_id, which a long cannot hold.</summary>
    public ulong? UnsignedNumber(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw Bad($"its {name} '{text}' is not a whole number from 0 to {ulong.MaxValue}");
    }

    public bool? Boolean(string name)
    {
        var text = Text(name);
        return text is null ? null : bool.TryParse(text, out var value) ? value : throw Bad($"its {name} '{text}' is not True or False");
    }

    /// <summary>A name of the enum (or a number that is one of its values); anything else is an error.</summary>
    public T? Enum<T>(string name)
        where T : struct
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        return System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && (IsFlags<T>() || System.Enum.IsDefined(typeof(T), value))
            ? value
            : throw Bad($"its {name} '{text}' is not one of {string.Join(", ", System.Enum.GetNames(typeof(T)))}");
    }

    /// <summary>
    /// A byte the kernel keeps as it was given, of which only some values have names (a rule's proto 77, a
    /// rule's action 9): a name of the enum, or any number 0 to 255.
    /// </summary>
    public T? KernelByte<T>(string name)
        where T : struct, Enum
    {
        var text = Text(name);
        if (text is not null && byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return (T)System.Enum.ToObject(typeof(T), number);
        }

        return Enum<T>(name);
    }

    public ArgumentException Bad(string why) => new($"{Label} cannot be read: {why}.");

    private static bool IsFlags<T>() => typeof(T).IsDefined(typeof(FlagsAttribute), false);
}
