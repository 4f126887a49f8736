<#
    Hosts with known sockets, for the socket tests and benchmarks: a network namespace (pslb-sock-<pid>-<tag>)
    with lo and a veth device holding documentation addresses, listeners opened by a bounded child pwsh
    inside it, and `ss -tuanpe` parsed for comparison. A namespace whose creating process is gone is stale
    and may be removed by any later run (Remove-StaleSocketHost); a live run's are never touched.
#>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'NetnsTopology.psm1')

$script:Hosts = [System.Collections.Generic.List[string]]::new()

# A long address, so views are seen with the widest IPv6 text an endpoint without a zone can have but for the port.
$script:DeviceIPv4 = '192.0.2.1'
$script:DeviceIPv6 = '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'

function New-SocketHost {
    <# A namespace with lo up and a veth device (sockdev0, its peer sockdev0p) holding 192.0.2.1/24 and a long 2001:db8 address. #>
    param([Parameter(Mandatory)][string]$Tag, [string]$Device = 'sockdev0')
    $name = "pslb-sock-$PID-$Tag"
    Invoke-Ip netns add $name | Out-Null
    $script:Hosts.Add($name)
    & ip netns exec $name sh -c 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad'
    Invoke-Ip -n $name link set lo up | Out-Null
    # A veth pair, not a dummy device: the dummy driver need not be built or loadable here.
    Invoke-Ip -n $name link add $Device type veth peer name "${Device}p" | Out-Null
    Invoke-Ip -n $name link set "${Device}p" up | Out-Null
    Invoke-Ip -n $name addr add "$script:DeviceIPv4/24" dev $Device | Out-Null
    Invoke-Ip -n $name addr add "$script:DeviceIPv6/64" dev $Device nodad | Out-Null
    Invoke-Ip -n $name link set $Device up | Out-Null
    Wait-NamespaceSettled $name
    [pscustomobject]@{ Namespace = $name; Device = $Device; IPv4 = $script:DeviceIPv4; IPv6 = $script:DeviceIPv6 }
}

function Remove-SocketHost {
    <# Removes the namespaces this process made (their devices go with them). #>
    foreach ($name in @($script:Hosts)) {
        & ip netns del $name 2>$null
        $script:Hosts.Remove($name) | Out-Null
    }
}

function Remove-StaleSocketHost {
    foreach ($line in @(& ip netns list 2>$null)) {
        if ($line -match '^(pslb-sock-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) {
            & ip netns del $Matches[1] 2>$null
        }
    }
}

function Get-SocketHostPwsh {
    <# The PowerShell that runs the tests (build.ps1 passes it), so children use the same version. #>
    if ($env:PSLOOPBACK_PWSH) { return @($env:PSLOOPBACK_PWSH | ConvertFrom-Json) }
    @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
}

function Start-SocketListener {
    <#
        Opens sockets in a child pwsh (inside $Namespace when given) and returns once they are open, with the
        child's Process and Pid. Each -Socket is a hashtable: Protocol (Tcp, Udp), Address, Port, and
        optionally IPv6Only ($true/$false: IPV6_V6ONLY set either way; absent: the kernel's default), Device
        (SO_BINDTODEVICE) and Connections (a TCP listener: that many client connections made to it and
        accepted, so both ends are Established and owned by the child). The child exits on its own after
        $Seconds; Stop-SocketListener ends it sooner.
    #>
    param(
        [string]$Namespace,
        [Parameter(Mandatory)][hashtable[]]$Socket,
        [int]$Seconds = 300,
        [int]$ReadyTimeoutSeconds = 60
    )
    $specs = ConvertTo-Json -InputObject @($Socket) -Compress -Depth 3
    $script = @"
`$ErrorActionPreference = 'Stop'
`$held = [System.Collections.Generic.List[System.Net.Sockets.Socket]]::new()
foreach (`$spec in (ConvertFrom-Json '$($specs -replace "'", "''")')) {
    `$address = [System.Net.IPAddress]::Parse(`$spec.Address)
    `$tcp = `$spec.Protocol -eq 'Tcp'
    `$kind = if (`$tcp) { [System.Net.Sockets.SocketType]::Stream } else { [System.Net.Sockets.SocketType]::Dgram }
    `$proto = if (`$tcp) { [System.Net.Sockets.ProtocolType]::Tcp } else { [System.Net.Sockets.ProtocolType]::Udp }
    `$s = [System.Net.Sockets.Socket]::new(`$address.AddressFamily, `$kind, `$proto)
    if (`$spec.PSObject.Properties['IPv6Only']) {
        `$s.SetSocketOption([System.Net.Sockets.SocketOptionLevel]::IPv6, [System.Net.Sockets.SocketOptionName]::IPv6Only, [bool]`$spec.IPv6Only)
    }
    if (`$spec.PSObject.Properties['Device']) {
        `$s.SetRawSocketOption(1, 25, [System.Text.Encoding]::ASCII.GetBytes(`$spec.Device + [char]0))
    }
    `$s.Bind([System.Net.IPEndPoint]::new(`$address, [int]`$spec.Port))
    `$held.Add(`$s)
    if (-not `$tcp) { continue }
    `$s.Listen(4096)
    `$count = if (`$spec.PSObject.Properties['Connections']) { [int]`$spec.Connections } else { 0 }
    for (`$i = 0; `$i -lt `$count; `$i++) {
        `$client = [System.Net.Sockets.Socket]::new(`$address.AddressFamily, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
        `$client.Connect([System.Net.IPEndPoint]::new(`$address, [int]`$spec.Port))
        `$held.Add(`$client)
        `$held.Add(`$s.Accept())
    }
}
[Console]::Out.WriteLine("READY `$PID")
[Console]::Out.Flush()
# Bounded: gone after `$Seconds even if nobody stops it, or as soon as the parent closes our standard input.
`$stdin = [Console]::In.ReadLineAsync()
`$null = `$stdin.Wait([TimeSpan]::FromSeconds($Seconds))
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
    $command = @(Get-SocketHostPwsh) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    if ($Namespace) { $command = @('ip', 'netns', 'exec', $Namespace) + $command }

    $start = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in $command | Select-Object -Skip 1) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $errors = $process.StandardError.ReadToEndAsync()
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds($ReadyTimeoutSeconds)) -or "$($line.Result)" -notmatch '^READY (\d+)') {
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.WaitForExit()
        throw "The socket listener did not open its sockets within $ReadyTimeoutSeconds s: $($line.Result) $($errors.Result)"
    }
    [pscustomobject]@{ Process = $process; Pid = [int]$Matches[1]; Namespace = $Namespace; Socket = $Socket }
}

function Stop-SocketListener {
    param([Parameter(Mandatory, ValueFromPipeline)][AllowNull()]$Listener)
    process {
        if ($null -eq $Listener -or $Listener.Process.HasExited) { return }
        $Listener.Process.StandardInput.Close()
        if (-not $Listener.Process.WaitForExit(5000)) { $Listener.Process.Kill($true); $Listener.Process.WaitForExit() }
    }
}

function ConvertFrom-SsEndpoint([string]$Text) {
    # ss writes 127.0.0.1:80, [::1]:80, 0.0.0.0%dev:80, *:80 (a `::` socket that takes IPv4), and * for port 0.
    $colon = $Text.LastIndexOf(':')
    $hostText = $Text.Substring(0, $colon)
    $portText = $Text.Substring($colon + 1)
    $device = $null
    if ($hostText -match '^(.*)%([^\]]+)$') { $hostText = $Matches[1]; $device = $Matches[2] }
    $hostText = $hostText.Trim('[', ']')
    [pscustomobject]@{
        Address = if ($hostText -eq '*') { '::' } else { [System.Net.IPAddress]::Parse($hostText).ToString() }
        Port    = if ($portText -eq '*') { 0 } else { [int]$portText }
        Device  = $device
    }
}

function Get-SsSocket {
    <#
        `ss -tuanpe` (in $Namespace when given) as objects: Protocol (tcp, udp), State (ss's word),
        ReceiveQueue, SendQueue, LocalAddress, LocalPort, Device, RemoteAddress, RemotePort, Pids, Names,
        Uid (ss leaves 0 out, so 0 when absent, but $null for a TIME-WAIT, FIN-WAIT-2 or SYN-RECV socket with ino:0:
        time-wait and request sockets, which have no uid of their own), Inode, V6Only, and Line (ss's own text).
    #>
    param([string]$Namespace)
    $prefix = if ($Namespace) { @('ip', 'netns', 'exec', $Namespace) } else { @() }
    # ss complains on stderr, once a socket, that a namespace has no cgroup2 mount; the sockets are all on stdout.
    $lines = if ($prefix) { & $prefix[0] @($prefix | Select-Object -Skip 1) ss -tuanpeH 2>$null } else { & ss -tuanpeH 2>$null }
    if ($LASTEXITCODE -ne 0) { throw "ss -tuanpeH failed$(if ($Namespace) { " in $Namespace" })." }
    foreach ($line in $lines) {
        $fields = -split $line
        if ($fields.Count -lt 6) { continue }
        $local = ConvertFrom-SsEndpoint $fields[4]
        $peer = ConvertFrom-SsEndpoint $fields[5]
        $rest = ($fields | Select-Object -Skip 6) -join ' '
        $inode = if ($rest -match '(^| )ino:(\d+)') { [long]$Matches[2] } else { 0 }
        [pscustomobject]@{
            Protocol      = $fields[0]
            State         = $fields[1]
            ReceiveQueue  = [long]$fields[2]
            SendQueue     = [long]$fields[3]
            LocalAddress  = $local.Address
            LocalPort     = $local.Port
            Device        = $local.Device
            RemoteAddress = $peer.Address
            RemotePort    = $peer.Port
            Pids          = @([regex]::Matches($rest, 'pid=(\d+)') | ForEach-Object { [int]$_.Groups[1].Value } | Sort-Object -Unique)
            Names         = @([regex]::Matches($rest, '\("([^"]*)",pid=') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
            Uid           = if ($rest -match '(^| )uid:(\d+)') { [long]$Matches[2] } elseif ($inode -or $fields[1] -notin 'TIME-WAIT', 'FIN-WAIT-2', 'SYN-RECV') { 0 } else { $null }
            Inode         = $inode
            V6Only        = $rest -match '(^| )v6only:1'
            Line          = $line
        }
    }
}

Export-ModuleMember -Function New-SocketHost, Remove-SocketHost, Remove-StaleSocketHost, Start-SocketListener, Stop-SocketListener, Get-SsSocket
