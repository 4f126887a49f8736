using System.Collections.Generic;

namespace PSLoopback.Platform;

/// <summary>
/// A source that still answers when the OS lacks some of what it asks (a function missing, unsupported or
/// failing): <see cref="Warnings"/> says, one sentence each, which facts its last read left empty and why.
/// A cmdlet writes them with WriteWarning: <c>(source as ISourceWarnings)?.Warnings</c>. Sources that read
/// all or nothing do not implement it.
/// </summary>
public interface ISourceWarnings
{
    /// <summary>The facts the last read could not get, each naming the OS function at fault; empty when it got them all.</summary>
    IReadOnlyList<string> Warnings { get; }
}
