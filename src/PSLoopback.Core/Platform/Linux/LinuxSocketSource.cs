using System;
using System.Collections.Generic;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Linux;

// SCAFFOLD: replaced by the helper that owns this source before anything lands on main.
public sealed class LinuxSocketSource : ISocketSource
{
    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request) => throw new NotImplementedException("LinuxSocketSource is not written yet.");
}
