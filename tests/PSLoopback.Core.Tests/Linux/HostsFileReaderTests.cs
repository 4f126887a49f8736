using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Loopback;
using PSLoopback.Platform;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>
/// The hosts file reader on real files of every kind, in a temporary directory: a FIFO (which would block
/// open() forever), a directory, a missing file, a huge sparse file, an unreadable file. Linux only.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostsFileReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("pslb-hosts-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static HostsScan Read(string path, HostsLimits? limits = null, CancellationToken cancel = default) =>
        HostsFileReader.Read(path, limits ?? HostsLimits.Default, LoopbackNames.IsLoopbackName, cancel);

    [Fact]
    public void ARegularFileIsReadKeepingOnlyLoopbackNames()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        var path = Path.Combine(directory, "hosts");
        File.WriteAllText(path, "127.0.0.1 localhost\n10.0.0.1 other\n::1 localhost ip6-localhost\n");
        var scan = Read(path);
        Assert.Equal(HostsFileStatus.Read, scan.Status);
        Assert.Equal(2, scan.Entries.Count);
        Assert.Equal(3, scan.Lines);
    }

    [Fact]
    public void AFifoIsNotOpenedForReadingAndNothingWaits()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        var path = Path.Combine(directory, "fifo");
        Assert.Equal(0, Run("mkfifo", path));
        // Opening a FIFO for reading blocks until a writer comes: the read would end at the time limit as
        // TimedOut. NotRegularFile says it was told apart before any open, with no clock on a shared machine.
        var scan = Read(path);
        Assert.Equal(HostsFileStatus.NotRegularFile, scan.Status);
        Assert.Contains("FIFO", scan.Detail);
    }

    [Fact]
    public void ADirectoryAndAMissingFileAreSaidAsSuch()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        var dir = Read(directory);
        Assert.Equal(HostsFileStatus.NotRegularFile, dir.Status);
        Assert.Equal("a directory", dir.Detail);
        var missing = Read(Path.Combine(directory, "none"));
        Assert.Equal(HostsFileStatus.Missing, missing.Status);
        Assert.Equal(HostsFileStatus.Missing, Read(Path.Combine(directory, "none", "hosts")).Status);
        Assert.Equal(HostsFileStatus.NotRegularFile, Read("/dev/null").Status);
    }

    [Fact]
    public void AnUnreadableFileIsAccessDeniedForAnyoneButRoot()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        var path = Path.Combine(directory, "secret");
        File.WriteAllText(path, "127.0.0.1 localhost\n");
        File.SetUnixFileMode(path, UnixFileMode.None);
        var scan = Read(path);
        // Root reads any file; then the content is read, which is the right answer for root too.
        Assert.Equal(CurrentUser.Id() == 0 ? HostsFileStatus.Read : HostsFileStatus.AccessDenied, scan.Status);
    }

    [Fact]
    public void A200MiBSparseFileCostsTheLimitNotTheFile()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        var path = Path.Combine(directory, "huge");
        using (var file = File.Create(path))
        {
            var head = System.Text.Encoding.ASCII.GetBytes("127.0.0.1 localhost\n");
            file.Write(head);
            file.SetLength(200L * 1024 * 1024);
        }

        // Stopped by the byte limit, not by the time limit: no clock on a shared machine (the Pester test measures it).
        var scan = Read(path);
        Assert.Equal(HostsFileStatus.Read, scan.Status);
        Assert.Single(scan.Entries);
        Assert.Equal(HostsLimits.Default.MaxBytes, scan.Bytes);
        Assert.Contains("of 200 MiB", scan.StoppedBecause);

        // The scan's own allocations, on this thread (the process-wide count includes tests running beside it).
        using var stream = File.OpenRead(path);
        var before = GC.GetAllocatedBytesForCurrentThread();
        HostsFile.Scan(stream, path, HostsLimits.Default, LoopbackNames.IsLoopbackName, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void ACancelledReadReturnsAtOnce()
    {
        Assert.True(OperatingSystem.IsLinux(), "the reader's Unix path is tested on Linux");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Equal(HostsFileStatus.Cancelled, Read("/etc/hosts", cancel: cancel.Token).Status);
    }

    private static int Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            return -1;
        }

        return process.ExitCode;
    }
}
