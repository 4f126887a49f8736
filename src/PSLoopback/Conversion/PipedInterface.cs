using System.Collections.Generic;

namespace PSLoopback.Conversion;

/// <summary>
/// An interface piped into Resolve-NetRoute or Test-Loopback, live or deserialized (a job, remoting,
/// Import-Clixml): the name and index to name it by, and the addresses it stands for.
/// </summary>
public sealed class PipedInterface
{
    internal PipedInterface(string name, int interfaceIndex, IReadOnlyList<string> addresses)
    {
        Name = name;
        InterfaceIndex = interfaceIndex;
        Addresses = addresses;
    }

    public string Name { get; }

    public int InterfaceIndex { get; }

    public IReadOnlyList<string> Addresses { get; }

    public override string ToString() => Name;
}
