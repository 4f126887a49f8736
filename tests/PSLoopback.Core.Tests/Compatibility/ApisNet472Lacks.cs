using System;
using System.Collections.Generic;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// References for <see cref="FrameworkApiTests"/> to find in this (net10.0) test assembly's metadata, never
/// run: of each kind a shipped assembly makes, one that .NET Framework 4.7.2 lacks beside a near one that it
/// has, so a check that matched names only, or that looked at nothing, would fail there.
/// </summary>
internal static class ApisNet472Lacks
{
    public static object[] Use(string text, Type type) =>
    [
        text.Contains('x'),                                               // an overload it lacks
        text.Contains("x"),                                               // ... beside one it has
        new Dictionary<string, int>().TryAdd("a", 1),                     // a method of a generic instantiation
        new Dictionary<string, int>(Array.Empty<KeyValuePair<string, int>>()), // a constructor it lacks
        new HashSet<int>(4),                                              // one it has (since 4.7.2), forwarded to System.Core
        type.IsByRefLike,                                                 // a property getter it lacks
        type.IsArray,                                                     // ... and one it has
        DateTime.UnixEpoch,                                               // a field it lacks
        string.Empty,                                                     // ... and one it has
        new Index(1, fromEnd: true),                                      // a type it lacks
        new Dictionary<string, int>().GetEnumerator(),                    // a nested type it has (Dictionary`2/Enumerator)
    ];
}
