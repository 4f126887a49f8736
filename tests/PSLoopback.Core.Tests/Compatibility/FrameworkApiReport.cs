using System.Collections.Generic;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// What <see cref="FrameworkApiCheck"/> found: every reference the framework cannot satisfy, and what it
/// checked and left out of scope, so a check that looked at nothing, or not at a given reference, shows as such.
/// </summary>
internal sealed record FrameworkApiReport(
    IReadOnlyList<string> Problems,
    IReadOnlyCollection<string> CheckedTypes,
    IReadOnlyCollection<string> CheckedMembers,
    IReadOnlyCollection<string> FrameworkAssemblies,
    int OutOfScopeReferences);
