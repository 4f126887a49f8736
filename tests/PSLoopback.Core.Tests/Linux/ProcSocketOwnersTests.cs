using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using PSLoopback.Platform.Linux;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>The /proc walk over a fixture tree: pid directories whose fd entries are symlinks as the kernel shows them.</summary>
public sealed class ProcSocketOwnersTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "pslb-sockdiag-proc-" + Guid.NewGuid().ToString("N"));

    public ProcSocketOwnersTests()
    {
        Directory.CreateDirectory(root);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    [LinuxFact]
    public void EachWantedInodeGetsTheLowestPidThatHoldsIt()
    {
        Process(300, "worker", ("3", "socket:[1001]"), ("4", "socket:[1002]"));
        Process(200, "server", ("3", "socket:[1001]"), ("5", "pipe:[1001]"), ("6", "/dev/null"));
        Process(400, "other", ("3", "socket:[1003]"));
        Directory.CreateDirectory(Path.Combine(root, "self"));
        Directory.CreateDirectory(Path.Combine(root, "500")); // no fd directory: a process that ended

        var owners = new Dictionary<uint, int> { [1001] = 0, [1002] = 0, [1004] = 0 };
        ProcSocketOwners.Find(root, owners);

        Assert.Equal(200, owners[1001]);
        Assert.Equal(300, owners[1002]);
        Assert.Equal(0, owners[1004]);
        Assert.False(owners.ContainsKey(1003));
        Assert.Equal("server", ProcSocketOwners.ReadProcessName(root, 200));
        Assert.Null(ProcSocketOwners.ReadProcessName(root, 999));
    }

    [Theory]
    [InlineData("socket:[12345]", true, 12345u)]
    [InlineData("socket:[4294967295]", true, 4294967295u)]
    [InlineData("socket:[4294967296]", false, 0u)]
    [InlineData("socket:[]", false, 0u)]
    [InlineData("socket:[12a]", false, 0u)]
    [InlineData("socket:[123", false, 0u)]
    [InlineData("pipe:[123]", false, 0u)]
    [InlineData("anon_inode:[eventpoll]", false, 0u)]
    public void OnlySocketLinksGiveAnInode(string link, bool isSocket, uint inode)
    {
        var bytes = Encoding.ASCII.GetBytes(link);
        Assert.Equal(isSocket, ProcSocketOwners.TryParseSocketInode(bytes, bytes.Length, out var parsed));
        Assert.Equal(inode, parsed);
    }

    [Fact]
    public void PasswdGivesTheFirstNameOfEachUid()
    {
        var text = "root:x:0:0:root:/root:/bin/bash\n# comment\n\nbroken\ntoor:x:0:0::/:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n+nis::::::\nbad:x:-1:0::/:\n";
        var names = PasswdFile.Parse(new StringReader(text));
        Assert.Equal("root", names[0]);
        Assert.Equal("www-data", names[33]);
        Assert.Equal(2, names.Count);
    }

    [LinuxFact]
    public void ACommCutAt15BytesTakesTheFullNameFromArgv0AsDotNetDoes()
    {
        // The kernel's comm of systemd-resolved, and its command line: argv[0], NUL, nothing else.
        Process(600, "systemd-resolve");
        File.WriteAllBytes(Path.Combine(root, "600", "cmdline"), Encoding.UTF8.GetBytes("/usr/lib/systemd/systemd-resolved\0"));

        // A 15-byte comm whose argv[0] was rewritten to something else keeps its comm.
        Process(601, "postgres-walwri");
        File.WriteAllBytes(Path.Combine(root, "601", "cmdline"), Encoding.UTF8.GetBytes("postgres: walwriter \0"));

        // A kernel thread: an empty command line.
        Process(602, "kworker/u8:2-ev");
        File.WriteAllBytes(Path.Combine(root, "602", "cmdline"), Array.Empty<byte>());

        // Shorter names are whole already; the command line is not read (here it would say otherwise).
        Process(603, "sshd");
        File.WriteAllBytes(Path.Combine(root, "603", "cmdline"), Encoding.UTF8.GetBytes("sshd-session\0-D\0"));

        // No cmdline to read (the process ended between the two reads): comm stands.
        Process(604, "systemd-network");

        Assert.Equal("systemd-resolved", ProcSocketOwners.ReadProcessName(root, 600));
        Assert.Equal("postgres-walwri", ProcSocketOwners.ReadProcessName(root, 601));
        Assert.Equal("kworker/u8:2-ev", ProcSocketOwners.ReadProcessName(root, 602));
        Assert.Equal("sshd", ProcSocketOwners.ReadProcessName(root, 603));
        Assert.Equal("systemd-network", ProcSocketOwners.ReadProcessName(root, 604));
    }

    private void Process(int pid, string comm, params (string Fd, string Target)[] descriptors)
    {
        var directory = Path.Combine(root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(directory, "fd"));
        File.WriteAllText(Path.Combine(directory, "comm"), comm + "\n");
        foreach (var (fd, target) in descriptors)
        {
            File.CreateSymbolicLink(Path.Combine(directory, "fd", fd), target);
        }
    }
}
