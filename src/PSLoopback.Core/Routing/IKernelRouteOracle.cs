using System;

namespace PSLoopback.Routing;

/// <summary>Asks the running kernel the same question the resolver answers, to check the resolver.</summary>
public interface IKernelRouteOracle : IDisposable
{
    KernelRouteAnswer Ask(RouteQuery query);
}
