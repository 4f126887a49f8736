using System;
using System.Collections.Generic;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Windows;

// SCAFFOLD: replaced by the helper that owns this source before anything lands on main.
public sealed class WindowsSocketSource : ISocketSource
{
    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request) => throw new NotImplementedException("WindowsSocketSource is not written yet.");
}
