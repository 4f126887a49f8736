<#
    Remote test hosts for PowerShell remoting over ssh, built from network namespaces (NetnsTopology.psm1).
    A client namespace is joined by one veth pair to each host namespace; each host runs its own sshd,
    listening only on its own veth address, whose powershell subsystem starts the pwsh the tests use.
    The client, not the test process, makes the connections, so the root namespace gets no link or address.
    Keys (the client's and every host's) are made fresh per run in a directory named after this process;
    the client knows each host key from a private known_hosts and checks it strictly, and resolves the host
    names through a private /etc/hosts (Invoke-WithPrivateFile), so nothing on the machine changes.
#>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'NetnsTopology.psm1')

$script:Sshd = '/usr/sbin/sshd'

function Get-RemoteHostUnavailableReason {
    <# Why remote hosts cannot be built here, or $null when they can. #>
    $reason = Get-NetnsUnavailableReason
    if ($reason) { return $reason }
    if (-not (Test-Path $script:Sshd)) { return "openssh-server's $($script:Sshd) is not installed" }
    foreach ($command in 'ssh', 'ssh-keygen') {
        if (-not (Get-Command $command -ErrorAction Ignore)) { return "openssh-client's $command is not installed" }
    }
    Get-MountNamespaceUnavailableReason
}

function Remove-StaleRemoteHost {
    <#
        A killed run leaves sshd (and its sessions) running inside its namespaces, which would keep them
        alive after the name is gone: end the processes of namespaces whose run is gone, then the rest.
    #>
    foreach ($line in @(& ip netns list 2>$null)) {
        if ($line -match '^(pslb-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) {
            foreach ($processId in @(& ip netns pids $Matches[1] 2>$null)) { Stop-Process -Id ([int]$processId) -Force -ErrorAction Ignore }
        }
    }
    Remove-StaleTestNamespace
    foreach ($directory in Get-ChildItem ([IO.Path]::GetTempPath()) -Directory -Filter 'pslb-*-remoting' -ErrorAction Ignore) {
        if ($directory.Name -match '^pslb-(\d+)-remoting$' -and -not (Get-Process -Id ([int]$Matches[1]) -ErrorAction Ignore)) {
            Remove-Item -LiteralPath $directory.FullName -Recurse -Force -ErrorAction Ignore
        }
    }
}

function New-KeyPair {
    param([Parameter(Mandatory)][string]$Path)
    # A fresh path, so ssh-keygen never stops to ask about overwriting; no passphrase.
    $output = & ssh-keygen -q -t ed25519 -N '' -C (Split-Path -Leaf $Path) -f $Path 2>&1
    if ($LASTEXITCODE -ne 0) { throw "ssh-keygen for $Path failed: $output" }
}

function Wait-Listening {
    <# Waits (bounded) until something listens on Address:Port inside a namespace. #>
    param([string]$Namespace, [string]$Address, [int]$Port, [System.Diagnostics.Process]$Process, [string]$Log, [int]$TimeoutSeconds = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($Process.HasExited) { throw "sshd in $Namespace exited ($($Process.ExitCode)): $(Get-Content -Raw $Log -ErrorAction Ignore)" }
        if (@(& ip netns exec $Namespace ss -Hltn 2>$null) -match [regex]::Escape("${Address}:$Port")) { return }
        Start-Sleep -Milliseconds 100
    }
    throw "sshd in $Namespace did not listen on ${Address}:$Port within $TimeoutSeconds s: $(Get-Content -Raw $Log -ErrorAction Ignore)"
}

function New-RemoteHostTopology {
    <#
        A client namespace and four hosts, each on its own /30 to the client:
          h1  192.0.2.2/30 and 2001:db8:1::2/64 on h1link; default via the client 192.0.2.1.
          h2  198.51.100.2/30 on h2link, default via the client; a second veth pair h2lan/h2lanpeer (both up)
              with 198.51.100.129/25; a rule 'to 203.0.113.0/24 lookup 100' and a route in table 100.
          h3  203.0.113.2/30 on h3link; 198.51.100.0/24 via the client 203.0.113.1; unreachable 10.0.0.0/8;
              a rule 'to 10.20.0.0/16 prohibit'.
          h4  192.0.2.6/30 on h4link, and no sshd: connections to it are refused.
        So a packet to 198.51.100.200 leaves h1 by its default route, h2 on its own LAN, h3 by a /24.
        Every host but h4 runs sshd on its link address only, port -Port, root by key only, with a
        powershell subsystem that starts -PwshCommand (an argument list) as 'pwsh -sshs'.
    #>
    param([Parameter(Mandatory)][string[]]$PwshCommand, [int]$Port = 2200 + $PID % 1000)

    $directory = Join-Path ([IO.Path]::GetTempPath()) "pslb-$PID-remoting"
    if (Test-Path $directory) { Remove-Item -LiteralPath $directory -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $directory
    # sshd refuses to start without its privilege separation directory; the service unit makes it at boot.
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory -Path /run/sshd }

    $client = New-TestNamespace 'rclient'
    Invoke-Ip -n $client link set lo up | Out-Null
    $plan = @(
        [pscustomobject]@{ Name = 'h1'; Net = '192.0.2'; Base = 0; Sshd = $true; Six = '2001:db8:1::' }
        [pscustomobject]@{ Name = 'h2'; Net = '198.51.100'; Base = 0; Sshd = $true; Six = $null }
        [pscustomobject]@{ Name = 'h3'; Net = '203.0.113'; Base = 0; Sshd = $true; Six = $null }
        [pscustomobject]@{ Name = 'h4'; Net = '192.0.2'; Base = 4; Sshd = $false; Six = $null }
    )
    $hosts = foreach ($h in $plan) {
        $ns = New-TestNamespace "r$($h.Name)"
        $link = "$($h.Name)link"
        $gateway = "$($h.Net).$($h.Base + 1)"
        $address = "$($h.Net).$($h.Base + 2)"
        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $client link add "to$($h.Name)" type veth peer name $link netns $ns | Out-Null
        Invoke-Ip -n $client addr add "$gateway/30" dev "to$($h.Name)" | Out-Null
        Invoke-Ip -n $ns addr add "$address/30" dev $link | Out-Null
        if ($h.Six) {
            Invoke-Ip -n $client addr add "$($h.Six)1/64" dev "to$($h.Name)" nodad | Out-Null
            Invoke-Ip -n $ns addr add "$($h.Six)2/64" dev $link nodad | Out-Null
        }
        Invoke-Ip -n $client link set "to$($h.Name)" up | Out-Null
        Invoke-Ip -n $ns link set $link up | Out-Null
        [pscustomobject]@{ Name = $h.Name; Namespace = $ns; Address = $address; Link = $link; Gateway = $gateway; HasSshd = $h.Sshd; Process = $null; Log = $null }
    }
    $byName = @{}; foreach ($h in $hosts) { $byName[$h.Name] = $h }

    $h1 = $byName.h1.Namespace; $h2 = $byName.h2.Namespace; $h3 = $byName.h3.Namespace
    Invoke-Ip -n $h1 route add default via 192.0.2.1 dev h1link | Out-Null
    Invoke-Ip -n $h2 route add default via 198.51.100.1 dev h2link | Out-Null
    Invoke-Ip -n $h2 link add h2lan type veth peer name h2lanpeer | Out-Null
    Invoke-Ip -n $h2 addr add 198.51.100.129/25 dev h2lan | Out-Null
    Invoke-Ip -n $h2 link set h2lan up | Out-Null
    Invoke-Ip -n $h2 link set h2lanpeer up | Out-Null
    Invoke-Ip -n $h2 route add 203.0.113.0/24 via 198.51.100.1 dev h2link table 100 | Out-Null
    Invoke-Ip -n $h2 rule add to 203.0.113.0/24 lookup 100 priority 100 | Out-Null
    Invoke-Ip -n $h3 route add 198.51.100.0/24 via 203.0.113.1 dev h3link | Out-Null
    Invoke-Ip -n $h3 route add unreachable 10.0.0.0/8 | Out-Null
    Invoke-Ip -n $h3 rule add to 10.20.0.0/16 prohibit priority 50 | Out-Null

    $clientKey = Join-Path $directory 'client_ed25519'
    New-KeyPair $clientKey
    $authorizedKeys = Join-Path $directory 'authorized_keys'
    Copy-Item "$clientKey.pub" $authorizedKeys

    # sshd's Subsystem takes one command line: a script that becomes the tests' pwsh in server mode.
    $subsystem = Join-Path $directory 'pwsh-sshs.sh'
    $quoted = @($PwshCommand | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    [IO.File]::WriteAllText($subsystem, "#!/bin/sh`nexec $quoted -sshs -NoLogo -NoProfile`n")
    & chmod 0755 $subsystem

    $knownHosts = [System.Collections.Generic.List[string]]::new()
    foreach ($h in $hosts | Where-Object HasSshd) {
        $hostKey = Join-Path $directory "$($h.Name)_host_ed25519"
        New-KeyPair $hostKey
        $keyType, $key = ((Get-Content "$hostKey.pub") -split ' ')[0..1]
        $knownHosts.Add("[$($h.Name)]:$Port,[$($h.Address)]:$Port $keyType $key")
        $config = Join-Path $directory "$($h.Name)_sshd_config"
        # StrictModes off: the keys live under the world-writable temporary directory.
        [IO.File]::WriteAllLines($config, [string[]]@(
                "ListenAddress $($h.Address):$Port", "HostKey $hostKey", 'PidFile none',
                'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes', 'PasswordAuthentication no',
                'KbdInteractiveAuthentication no', 'UsePAM no', 'UseDNS no', 'StrictModes no',
                "AuthorizedKeysFile $authorizedKeys", 'AllowUsers root', 'MaxStartups 20:30:40',
                "Subsystem powershell $subsystem"))
        $h.Log = Join-Path $directory "$($h.Name)_sshd.log"
        $start = [System.Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($argument in 'netns', 'exec', $h.Namespace, $script:Sshd, '-D', '-E', $h.Log, '-f', $config) { $start.ArgumentList.Add($argument) }
        $h.Process = [System.Diagnostics.Process]::Start($start)
    }
    foreach ($h in $hosts | Where-Object HasSshd) {
        Wait-Listening -Namespace $h.Namespace -Address $h.Address -Port $Port -Process $h.Process -Log $h.Log
    }
    $knownHostsFile = Join-Path $directory 'known_hosts'
    [IO.File]::WriteAllLines($knownHostsFile, $knownHosts)

    $hostsFile = (Get-Content -Raw /etc/hosts) + "`n" + (($hosts | ForEach-Object { "$($_.Address) $($_.Name)" }) -join "`n") + "`n"
    Wait-NamespaceSettled (@($client) + @($hosts.Namespace))
    [pscustomobject]@{
        Client     = $client
        Hosts      = $byName
        Port       = $Port
        KeyFile    = $clientKey
        KnownHosts = $knownHostsFile
        HostsFile  = $hostsFile
        Directory  = $directory
    }
}

function Stop-RemoteHostSshd {
    <# Ends every process inside one host's namespace (its sshd and any session left), bounded in time. #>
    param([Parameter(Mandatory)]$RemoteHost)
    $processIds = @(@(& ip netns pids $RemoteHost.Namespace 2>$null) | ForEach-Object { [int]$_ })
    foreach ($processId in $processIds) { Stop-Process -Id $processId -Force -ErrorAction Ignore }
    foreach ($processId in $processIds) {
        $process = Get-Process -Id $processId -ErrorAction Ignore
        if ($process) { $null = $process.WaitForExit(5000) }
    }
}

function Remove-RemoteHostTopology {
    <# Stops every sshd and session, removes the namespaces and the key directory; safe on a half-built topology. #>
    param($Topology)
    if ($Topology) {
        foreach ($h in $Topology.Hosts.Values) { Stop-RemoteHostSshd $h }
    }
    else {
        foreach ($line in @(& ip netns list 2>$null)) {
            if ($line -match "^(pslb-$PID-r\S+)") { foreach ($processId in @(& ip netns pids $Matches[1] 2>$null)) { Stop-Process -Id ([int]$processId) -Force -ErrorAction Ignore } }
        }
    }
    Remove-TestNamespace
    Remove-Item -LiteralPath (Join-Path ([IO.Path]::GetTempPath()) "pslb-$PID-remoting") -Recurse -Force -ErrorAction Ignore
}

function Invoke-RemoteHostClient {
    <#
        Runs a script in a fresh pwsh inside the client namespace, where the host names resolve through the
        topology's private /etc/hosts. The script finds the connection settings in $Remote (HostName-ready
        options: Port, UserName, KeyFilePath, Options with the private known_hosts, strict checking).
        Returns ExitCode, Output and Error; a hung client is killed after -TimeoutSeconds.
    #>
    param([Parameter(Mandatory)]$Topology, [Parameter(Mandatory)][string]$Script, [Parameter(Mandatory)][string[]]$PwshCommand, [int]$TimeoutSeconds = 90)
    $prelude = @"
`$ProgressPreference = 'SilentlyContinue'
`$Remote = @{
    Port = $($Topology.Port); UserName = 'root'; KeyFilePath = '$($Topology.KeyFile)'
    Options = @{ UserKnownHostsFile = '$($Topology.KnownHosts)'; GlobalKnownHostsFile = '/dev/null'; StrictHostKeyChecking = 'yes'; BatchMode = 'yes'; IdentitiesOnly = 'yes' }
}

"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    $command = @($PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    Invoke-WithPrivateFile -Namespace $Topology.Client -File @{ '/etc/hosts' = $Topology.HostsFile } -Command $command -TimeoutSeconds $TimeoutSeconds
}

Export-ModuleMember -Function Get-RemoteHostUnavailableReason, Remove-StaleRemoteHost, New-RemoteHostTopology, Stop-RemoteHostSshd, Remove-RemoteHostTopology, Invoke-RemoteHostClient
