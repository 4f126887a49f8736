using System;
using System.Collections.Generic;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Portable;

// SCAFFOLD: replaced by the helper that owns this source before anything lands on main.
public sealed class NetworkInformationSocketSource : ISocketSource
{
    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request) => throw new NotImplementedException("NetworkInformationSocketSource is not written yet.");
}
