using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// The model's sockets from the rows of the extended tables: the request's states applied, each pid's
/// process name looked up once. Pure but for <paramref name="processName"/>, which tests give.
/// </summary>
internal static class WindowsSocketBuilder
{
    /// <param name="processName">A pid's process name, or null when it cannot be read; null to look up none.</param>
    public static IReadOnlyList<NetSocketInfo> Build(IEnumerable<SocketRow> rows, SocketRequest request, Func<int, string?>? processName)
    {
        var states = request.States is { Count: > 0 } wanted ? new HashSet<SocketState>(wanted) : null;
        var names = new Dictionary<int, string?>();
        var sockets = new List<NetSocketInfo>();
        foreach (var row in rows.Where(r => states is null || states.Contains(r.State)))
        {
            string? name = null;
            if (processName is not null && !names.TryGetValue(row.OwningProcess, out name))
            {
                name = processName(row.OwningProcess);
                names.Add(row.OwningProcess, name);
            }

            // Windows' tables say nothing of IPV6_V6ONLY, of a device a socket is bound to, of queues or
            // of a user: those stay null rather than guessed. The pid comes with every row.
            sockets.Add(new NetSocketInfo
            {
                Protocol = row.Protocol,
                LocalAddress = row.LocalAddress,
                LocalPort = row.LocalPort,
                RemoteAddress = row.RemoteAddress,
                RemotePort = row.RemotePort,
                State = row.State,
                OwningProcess = row.OwningProcess,
                ProcessName = name,
            });
        }

        return sockets;
    }
}
