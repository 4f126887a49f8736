using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace PSLoopback.Core.Tests.Support;

/// <summary>Runs iproute2's ip for the live tests, bounded in time: the OS's own answer to compare with.</summary>
internal static class IpCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <param name="allowFailure">Whether a non-zero exit is an answer (route get's errors) rather than a failure.</param>
    public static async Task<(string Output, string Error)> RunAsync(bool allowFailure, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip");
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(allowFailure || process.ExitCode == 0, $"ip {string.Join(" ", arguments)} exited with {process.ExitCode}: {await error}");
            return (await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"ip {string.Join(" ", arguments)} did not finish within {Timeout.TotalSeconds} s");
        }
    }
}
