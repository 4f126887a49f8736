using System;
using System.Threading.Tasks;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// A live read of host state checked against the OS's own view on both sides of it: a shared host's other work
/// changes links, addresses, routes and sockets meanwhile, so the read is made again, at most a few times, while it
/// has not settled. The caller asserts on the last read, settled or not, so a real difference still fails.
/// </summary>
internal static class SettledRead
{
    public const int Attempts = 3;

    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> settled)
    {
        var last = await read();
        for (var attempt = 2; attempt <= Attempts && !settled(last); attempt++)
        {
            last = await read();
        }

        return last;
    }

    public static T Read<T>(Func<T> read, Func<T, bool> settled) =>
        ReadAsync(() => Task.FromResult(read()), settled).GetAwaiter().GetResult();
}
