<#
    Test hosts built from Linux network namespaces. Every namespace is named pslb-<pid>-<tag>, so a run can
    remove what an earlier, killed run left behind (its pid is gone) without touching a concurrent run's.
    Addresses come from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
    2001:db8::/32) and live only inside these namespaces.
#>

Set-StrictMode -Version 3.0

$script:Created = [System.Collections.Generic.List[string]]::new()

function Invoke-BoundedProcess {
    <#
        Runs a process to its end, or kills it after $TimeoutSeconds; returns its exit code, output and errors.
        $Environment sets variables for it (a $null value removes one); $WorkingDirectory is where it starts.
    #>
    param(
        [Parameter(Mandatory)][string[]]$ArgumentList, [int]$TimeoutSeconds = 120, [string]$Description = $ArgumentList[0],
        [System.Collections.IDictionary]$Environment = @{}, [string]$WorkingDirectory
    )
    $start = [System.Diagnostics.ProcessStartInfo]::new($ArgumentList[0])
    foreach ($argument in $ArgumentList | Select-Object -Skip 1) { $start.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $start.Environment.Remove($name) } else { $start.Environment[$name] = $Environment[$name] }
    }
    if ($WorkingDirectory) { $start.WorkingDirectory = $WorkingDirectory }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        throw "$Description did not finish within $TimeoutSeconds s."
    }
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Error = $stderr.Result }
}

function Get-NetnsUnavailableReason {
    <# Why namespace tests cannot run here, or $null when they can. #>
    if (-not $IsLinux) { return 'network namespaces exist only on Linux' }
    if ((id -u) -ne '0') { return 'building network namespaces needs root' }
    if (-not (Get-Command ip -ErrorAction Ignore)) { return "iproute2's ip command is not installed" }
    $probe = "pslb-$PID-probe"
    & ip netns add $probe 2>$null
    if ($LASTEXITCODE -ne 0) { return "'ip netns add' failed: namespaces are not permitted here" }
    & ip netns del $probe 2>$null
    return $null
}

function Invoke-Ip {
    <# Runs ip with the arguments given and fails loudly, naming the command, when ip does. #>
    param([Parameter(ValueFromRemainingArguments)][string[]]$Arguments)
    $output = & ip @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "ip $($Arguments -join ' ') failed: $output" }
    $output
}

function New-TestNamespace {
    param([Parameter(Mandatory)][string]$Tag)
    $name = "pslb-$PID-$Tag"
    Invoke-Ip netns add $name | Out-Null
    $script:Created.Add($name)
    $name
}

function Remove-TestNamespace {
    <# Removes the namespaces this process made; their veth links go with them. #>
    foreach ($name in @($script:Created)) {
        & ip netns del $name 2>$null
        $script:Created.Remove($name) | Out-Null
    }
}

function Remove-StaleTestNamespace {
    foreach ($line in @(& ip netns list 2>$null)) {
        if ($line -match '^(pslb-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) {
            & ip netns del $Matches[1] 2>$null
        }
    }
}

function Wait-NamespaceSettled {
    <#
        Links come up and get IPv6 link-local addresses a moment after they are set up. Waits (at most
        $TimeoutSeconds) until two readings of every namespace's links and addresses, 200 ms apart, agree.
    #>
    param([string[]]$Namespace, [int]$TimeoutSeconds = 15)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $previous = $null
    while ([DateTime]::UtcNow -lt $deadline) {
        $state = ($Namespace | ForEach-Object {
                @(& ip -n $_ -j addr | ConvertFrom-Json) | ForEach-Object {
                    "$($_.ifname) $($_.operstate) $($_.flags -join ',') " + (@($_.addr_info | ForEach-Object { $_.local }) -join ',')
                }
            }) -join ';'
        if ($state -eq $previous) { return }
        $previous = $state
        Start-Sleep -Milliseconds 200
    }
    throw "The namespaces $($Namespace -join ', ') did not settle within $TimeoutSeconds s."
}

function New-InterfaceTopology {
    <#
        Host A: lo up; three veth links to host B: v1 up (IPv4 with broadcast, IPv6, MTU 1400, an alias),
        v2 up (a secondary IPv4, a point-to-point address, a NODAD IPv6, an IPv6 with finite lifetimes and
        a deprecated one), v3 administratively down with an address; and a veth pair inside A, v4 up with
        its peer v5 down (LOWERLAYERDOWN). Host B: lo left down (no addresses), the peers p1, p2 and p3 up.
        Duplicate address detection is off, so no address stays tentative while the tests read.
    #>
    $a = New-TestNamespace 'a'
    $b = New-TestNamespace 'b'
    foreach ($ns in $a, $b) {
        & ip netns exec $ns sh -c 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad'
        if ($LASTEXITCODE -ne 0) { throw "Could not turn off duplicate address detection in $ns." }
    }
    Invoke-Ip -n $a link set lo up | Out-Null
    foreach ($i in 1..3) {
        Invoke-Ip -n $a link add "v$i" type veth peer name "p$i" netns $b | Out-Null
    }
    Invoke-Ip -n $a link set v1 mtu 1400 alias uplink | Out-Null
    Invoke-Ip -n $a addr add 192.0.2.1/24 brd + dev v1 | Out-Null
    Invoke-Ip -n $a addr add 2001:db8:1::1/64 dev v1 | Out-Null
    Invoke-Ip -n $a addr add 198.51.100.1/25 dev v2 | Out-Null
    Invoke-Ip -n $a addr add 198.51.100.2/25 dev v2 | Out-Null
    Invoke-Ip -n $a addr add 192.0.2.100 peer 192.0.2.200/32 dev v2 | Out-Null
    Invoke-Ip -n $a addr add 2001:db8:2::1/64 dev v2 nodad | Out-Null
    Invoke-Ip -n $a addr add 2001:db8:2::2/64 dev v2 nodad valid_lft 3600 preferred_lft 1800 | Out-Null
    Invoke-Ip -n $a addr add 2001:db8:2::3/64 dev v2 nodad preferred_lft 0 | Out-Null
    Invoke-Ip -n $a addr add 203.0.113.1/24 dev v3 | Out-Null
    Invoke-Ip -n $a link set v1 up | Out-Null
    Invoke-Ip -n $a link set v2 up | Out-Null
    Invoke-Ip -n $a link add v4 type veth peer name v5 | Out-Null
    Invoke-Ip -n $a link set v4 up | Out-Null
    foreach ($i in 1..3) { Invoke-Ip -n $b link set "p$i" up | Out-Null }
    Wait-NamespaceSettled $a, $b
    [pscustomobject]@{ HostA = $a; HostB = $b }
}

function New-RoutingTopology {
    <#
        A host with two links (e1, e2; their peers in a second namespace), IPv4 and IPv6 addresses, routes
        of every type in main and in tables 100 and 1000 (a multipath route, a preferred source, metrics,
        IPv6 preferences), and policy rules: from, to, not, fwmark, goto, suppress_prefixlength 0 and the
        unreachable, prohibit and blackhole actions.
    #>
    $h = New-TestNamespace 'rt'
    $peer = New-TestNamespace 'rtpeer'
    foreach ($ns in $h, $peer) {
        & ip netns exec $ns sh -c 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad'
    }
    Invoke-Ip -n $h link set lo up | Out-Null
    foreach ($i in 1, 2) {
        Invoke-Ip -n $h link add "e$i" type veth peer name "p$i" netns $peer | Out-Null
        Invoke-Ip -n $peer link set "p$i" up | Out-Null
        Invoke-Ip -n $h link set "e$i" up | Out-Null
    }
    $commands = @(
        'addr add 192.0.2.10/24 dev e1', 'addr add 198.51.100.10/24 dev e2', 'addr add 198.51.100.11/24 dev e2',
        'addr add 2001:db8:1::10/64 dev e1 nodad', 'addr add 2001:db8:2::10/64 dev e2 nodad',
        'route add default via 192.0.2.1 dev e1 metric 100',
        'route add default via 198.51.100.1 dev e2 metric 200',
        'route add 203.0.113.0/24 via 198.51.100.1 dev e2 src 198.51.100.11',
        'route add 203.0.113.128/25 nexthop via 192.0.2.1 dev e1 nexthop via 198.51.100.1 dev e2',
        'route add unreachable 10.1.0.0/16', 'route add prohibit 10.2.0.0/16', 'route add blackhole 10.3.0.0/16',
        'route add default via 198.51.100.254 dev e2 table 100',
        'route add throw 10.0.0.0/8 table 100',
        'route add 10.9.0.0/16 dev e1 table 1000',
        'route add 198.51.100.128/25 dev e1 table 1000',
        '-6 route add default via 2001:db8:1::1 dev e1 metric 1024',
        '-6 route add 2001:db8:99::/48 via 2001:db8:2::1 dev e2 metric 100 pref high',
        '-6 route add 2001:db8:99::/48 via 2001:db8:1::1 dev e1 metric 200 pref low',
        '-6 route add unreachable 2001:db8:dead::/48',
        '-6 route add default via 2001:db8:2::254 dev e2 table 100',
        'rule add from 198.51.100.11 lookup 100 priority 100',
        'rule add to 10.9.0.0/16 lookup 1000 priority 200',
        'rule add fwmark 0x1/0xff lookup 1000 priority 300',
        'rule add not to 0.0.0.0/1 lookup 1000 priority 400',
        'rule add to 10.5.0.0/16 goto 32766 priority 500',
        'rule add to 10.6.0.0/16 unreachable priority 600',
        'rule add to 10.7.0.0/16 prohibit priority 601',
        'rule add to 10.8.0.0/16 blackhole priority 602',
        'rule add lookup main suppress_prefixlength 0 priority 700',
        '-6 rule add from 2001:db8:2::10 lookup 100 priority 100'
    )
    foreach ($command in $commands) {
        $words = $command -split ' '
        Invoke-Ip -n $h @words | Out-Null
    }
    Wait-NamespaceSettled $h
    [pscustomobject]@{ Host = $h; Peer = $peer }
}

function Get-MountNamespaceUnavailableReason {
    <# Why a command cannot be given private copies of files such as /etc/hosts (unshare -m, mount --bind), or $null. #>
    if (-not $IsLinux) { return 'mount namespaces exist only on Linux' }
    if ((id -u) -ne '0') { return 'bind-mounting over files in /etc needs root' }
    if (-not (Get-Command unshare -ErrorAction Ignore)) { return "util-linux's unshare command is not installed" }
    & unshare -m sh -c 'mount --bind /proc/version /proc/version' 2>$null
    if ($LASTEXITCODE -ne 0) { return "'unshare -m' with a bind mount failed: mount namespaces are not permitted here" }
    return $null
}

function Set-NamespaceProcValue {
    <# Writes a value to a file under /proc/sys as seen inside a namespace (a sysctl of that namespace only). #>
    param([Parameter(Mandatory)][string]$Namespace, [Parameter(Mandatory)][string]$Path, [Parameter(Mandatory)][string]$Value)
    if ($Path -notmatch '^/proc/sys/[A-Za-z0-9_./-]+$') { throw "Not a /proc/sys path: $Path" }
    & ip netns exec $Namespace sh -c "echo $Value > $Path" 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "Could not write $Value to $Path in $Namespace." }
}

function Invoke-WithPrivateFile {
    <#
        Runs a command (an argument list) in a private mount namespace, inside a network namespace when one
        is named, where each key of -File (a path such as /etc/hosts) shows the content given as its value:
        a temporary copy is bind-mounted over it. The mounts are private to that command (unshare -m makes
        propagation private), so the host's files never change; the copies are removed afterwards, even on
        failure. Bounded in time: a hung command is killed. Returns ExitCode, Output and Error.
    #>
    param(
        [Parameter(Mandatory)][string[]]$Command,
        [Parameter(Mandatory)][hashtable]$File,
        [string]$Namespace,
        [int]$TimeoutSeconds = 120
    )
    $directory = Join-Path ([IO.Path]::GetTempPath()) "pslb-$PID-files-$([Guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $directory
    try {
        $pairs = [System.Collections.Generic.List[string]]::new()
        $i = 0
        foreach ($target in $File.Keys) {
            $copy = Join-Path $directory "file$i"
            [IO.File]::WriteAllText($copy, [string]$File[$target])
            $pairs.Add($copy); $pairs.Add([string]$target)
            $i++
        }
        # sh: mount each copy over its target, then become the command.
        $mount = 'set -e; n=$1; shift; while [ "$n" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; n=$((n-1)); done; exec "$@"'
        $argv = @('unshare', '-m', 'sh', '-c', $mount, 'sh', "$($File.Count)") + $pairs + $Command
        if ($Namespace) { $argv = @('ip', 'netns', 'exec', $Namespace) + $argv }

        Invoke-BoundedProcess -ArgumentList $argv -TimeoutSeconds $TimeoutSeconds -Description "'$($Command -join ' ')' with private $($File.Keys -join ', ')"
    }
    finally {
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction Ignore
    }
}

function Get-LinkCounter {
    <# One link's byte and packet counters in a namespace, from `ip -s link`. #>
    param([Parameter(Mandatory)][string]$Namespace, [Parameter(Mandatory)][string]$Name)
    $link = @(& ip -n $Namespace -j -s link show dev $Name | ConvertFrom-Json)
    if ($LASTEXITCODE -ne 0 -or $link.Count -ne 1) { throw "ip -n $Namespace -s link show dev $Name failed." }
    [pscustomobject]@{
        RxBytes = [long]$link[0].stats64.rx.bytes; RxPackets = [long]$link[0].stats64.rx.packets
        TxBytes = [long]$link[0].stats64.tx.bytes; TxPackets = [long]$link[0].stats64.tx.packets
    }
}

function New-LoopbackTopology {
    <#
        Hosts whose loopback is broken in one way each, for Test-Loopback:
        LoopbackDown: lo left down (as a fresh namespace has it).
        IPv6Off: lo up, net.ipv6.conf.all.disable_ipv6 = 1. IPv6OffOnLo: lo up, only lo's disable_ipv6 = 1.
        HostRouteOnly: lo up, 'local 127.0.0.0/8' removed from table local, 'local 127.0.0.1' kept.
        Lan: lo up and a veth v0 with 192.0.2.77/24 and a default route via 192.0.2.1, the address of its
        peer p0 in LanPeer; IPv6 is off on both ends so the link stays silent, and any packet that leaves
        Lan shows on p0's counters.
    #>
    $down = New-TestNamespace 'lodown'
    $v6off = New-TestNamespace 'nov6'
    $v6offLo = New-TestNamespace 'nov6lo'
    $hostRoute = New-TestNamespace 'lo32'
    $lan = New-TestNamespace 'lan'
    $peer = New-TestNamespace 'lanpeer'

    Set-NamespaceProcValue $v6off /proc/sys/net/ipv6/conf/all/disable_ipv6 1
    Set-NamespaceProcValue $v6off /proc/sys/net/ipv6/conf/default/disable_ipv6 1
    foreach ($ns in $v6off, $v6offLo, $hostRoute, $lan) { Invoke-Ip -n $ns link set lo up | Out-Null }
    Set-NamespaceProcValue $v6offLo /proc/sys/net/ipv6/conf/lo/disable_ipv6 1

    Invoke-Ip -n $hostRoute route del local 127.0.0.0/8 dev lo table local | Out-Null
    Invoke-Ip -n $hostRoute route replace local 127.0.0.1 dev lo table local | Out-Null

    Invoke-Ip -n $lan link add v0 type veth peer name p0 netns $peer | Out-Null
    Set-NamespaceProcValue $lan /proc/sys/net/ipv6/conf/v0/disable_ipv6 1
    Set-NamespaceProcValue $peer /proc/sys/net/ipv6/conf/p0/disable_ipv6 1
    Invoke-Ip -n $lan addr add 192.0.2.77/24 dev v0 | Out-Null
    Invoke-Ip -n $peer addr add 192.0.2.1/24 dev p0 | Out-Null
    Invoke-Ip -n $lan link set v0 up | Out-Null
    Invoke-Ip -n $peer link set p0 up | Out-Null
    Invoke-Ip -n $lan route add default via 192.0.2.1 dev v0 | Out-Null

    # A veth end reports carrier a moment after its peer comes up; wait (bounded) for both ends.
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (@(@($lan, 'v0'), @($peer, 'p0') | Where-Object { (@(& ip -n $_[0] -j link show dev $_[1] | ConvertFrom-Json))[0].operstate -ne 'UP' }).Count) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "The veth pair v0/p0 between $lan and $peer did not come up within 10 s." }
        Start-Sleep -Milliseconds 100
    }
    Wait-NamespaceSettled $down, $v6off, $v6offLo, $hostRoute, $lan, $peer
    [pscustomobject]@{ LoopbackDown = $down; IPv6Off = $v6off; IPv6OffOnLo = $v6offLo; HostRouteOnly = $hostRoute; Lan = $lan; LanPeer = $peer }
}

Export-ModuleMember -Function Invoke-BoundedProcess, Get-NetnsUnavailableReason, Invoke-Ip, New-TestNamespace, Remove-TestNamespace, Remove-StaleTestNamespace, Wait-NamespaceSettled, New-InterfaceTopology, New-RoutingTopology, Get-MountNamespaceUnavailableReason, Set-NamespaceProcValue, Invoke-WithPrivateFile, Get-LinkCounter, New-LoopbackTopology
