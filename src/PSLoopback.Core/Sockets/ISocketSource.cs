using System.Collections.Generic;

namespace PSLoopback.Sockets;

/// <summary>Reads the host's TCP and UDP sockets, with their owners, at one moment.</summary>
public interface ISocketSource
{
    IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request);
}
