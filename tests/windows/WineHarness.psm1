<#
    The Linux side of the Windows suite: the PowerShell host published for win-x64, Wine prefixes, and runs
    of that host under Wine, on this machine or inside a network namespace. Every run is bounded in time.
#>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1')

function Get-WineEnvironment {
    <#
        The variables every Wine command here runs with, for $Prefix, with $Extra's on top. mshtml is
        overridden: no Gecko to install. mscoree is not, at run time: overriding it breaks .NET programs.
        .NET's W^X (executable memory mapped twice) is off: under Wine 8 the runtime dies freeing the
        dynamic methods that importing Pester makes ("Internal CLR error", DynamicResolver+DestroyScout).
    #>
    param([Parameter(Mandatory)][string]$Prefix, [hashtable]$Extra = @{})
    $environment = @{ WINEPREFIX = $Prefix; WINEDLLOVERRIDES = 'mshtml='; WINEDEBUG = '-all'; DOTNET_EnableWriteXorExecute = '0' }
    foreach ($name in $Extra.Keys) { $environment[$name] = $Extra[$name] }
    $environment
}

function Get-WineUnavailableReason {
    <# Why Wine cannot run the Windows suite here, or $null when it can. #>
    if (-not $IsLinux) { return 'the Windows suite runs under Wine on Linux' }
    if (-not (Get-Command wine -ErrorAction Ignore)) { return "Wine is not installed (build.ps1 -Task Test installs Debian's wine when run as root)" }
    return $null
}

function ConvertTo-WinePath {
    <# A Linux path as a program under Wine sees it: drive Z: is the root of the Linux file system. #>
    param([Parameter(Mandatory)][string]$Path)
    'Z:' + ($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path) -replace '/', '\')
}

function Publish-WineHost {
    <# Publishes tests/windows/host (self-contained, win-x64) to $OutputPath; returns the exe's path. #>
    param([Parameter(Mandatory)][string]$OutputPath, [string]$Configuration = 'Release')
    $project = Join-Path $PSScriptRoot 'host/PSLoopback.WineHost.csproj'
    $result = Invoke-BoundedProcess -TimeoutSeconds 300 -Description 'dotnet publish of the Wine host' -ArgumentList @(
        'dotnet', 'publish', $project, '-c', $Configuration, '-o', $OutputPath, '-nologo', '-v', 'quiet')
    if ($result.ExitCode -ne 0) { throw "dotnet publish of the Wine host failed:`n$($result.Output)$($result.Error)" }
    Join-Path $OutputPath 'pslb-pwsh.exe'
}

function Stop-WineServer {
    <# Ends the wineserver of a prefix and every Windows process under it, and waits until it is gone. #>
    param([Parameter(Mandatory)][string]$Prefix)
    # A prefix that does not exist has no wineserver to stop.
    if (-not (Test-Path -LiteralPath $Prefix)) { return }
    $environment = Get-WineEnvironment $Prefix
    # Exit code 1 only means no wineserver was running for this prefix.
    $null = Invoke-BoundedProcess -ArgumentList 'wineserver', '-k' -Environment $environment -TimeoutSeconds 30
    $null = Invoke-BoundedProcess -ArgumentList 'wineserver', '-w' -Environment $environment -TimeoutSeconds 30
}

function Initialize-WinePrefix {
    <#
        Makes $Path a Wine prefix (wineboot -i, about 10 to 30 s), or a copy of the prefix $CopyFrom (a few
        seconds), unless it already is one made by this Wine version: a prefix is kept between runs.
        mscoree is overridden only here, so wineboot does not ask for Wine Mono.
    #>
    param([Parameter(Mandatory)][string]$Path, [string]$CopyFrom)
    # Debian's wine wrapper adds a hint about wine32 on stderr.
    $version = (& wine --version 2>$null).Trim()
    $stamp = Join-Path $Path '.pslb-wine-version'
    if ((Test-Path $stamp) -and (Get-Content -Raw $stamp).Trim() -eq $version) {
        Stop-WineServer $Path
        return
    }
    if (Test-Path $Path) {
        Stop-WineServer $Path
        Remove-Item -LiteralPath $Path -Recurse -Force
    }
    if ($CopyFrom) {
        Stop-WineServer $CopyFrom
        & cp -a $CopyFrom $Path
        if ($LASTEXITCODE -ne 0) { throw "Could not copy the Wine prefix $CopyFrom to $Path." }
    }
    else {
        $environment = Get-WineEnvironment $Path @{ WINEDLLOVERRIDES = 'mscoree,mshtml=' }
        $result = Invoke-BoundedProcess -ArgumentList 'wineboot', '-i' -Environment $environment -TimeoutSeconds 300 -Description 'wineboot -i'
        if ($result.ExitCode -ne 0) { throw "wineboot -i failed for $Path (exit $($result.ExitCode)): $($result.Error)" }
        # The registry reaches the prefix's files when the wineserver exits.
        Stop-WineServer $Path
    }
    Set-Content -Path $stamp -Value $version
}

function Invoke-WineHost {
    <#
        Runs a script in the Wine host: `wine pslb-pwsh.exe SCRIPT args`, inside $Namespace when one is
        named, so that the wineserver starts there and Wine shows that namespace's interfaces and routes.
        Paths in $ArgumentList are Windows paths (ConvertTo-WinePath). The prefix's wineserver is ended
        before (it must start in the namespace) and after (nothing of the run is left behind), even on a
        time-out. Returns ExitCode, Output and Error.
    #>
    param(
        [Parameter(Mandatory)][string]$Prefix, [Parameter(Mandatory)][string]$HostPath,
        [Parameter(Mandatory)][string]$ScriptPath, [string[]]$ArgumentList = @(),
        [string]$Namespace, [hashtable]$Environment = @{}, [int]$TimeoutSeconds = 900
    )
    $argv = @('wine', $HostPath, (ConvertTo-WinePath $ScriptPath)) + $ArgumentList
    if ($Namespace) { $argv = @('ip', 'netns', 'exec', $Namespace) + $argv }
    # PSModulePath from this pwsh holds Linux paths, which PowerShell on Windows would split at the colons.
    $all = Get-WineEnvironment $Prefix (@{ PSModulePath = $null } + $Environment)
    Stop-WineServer $Prefix
    try {
        Invoke-BoundedProcess -ArgumentList $argv -Environment $all -TimeoutSeconds $TimeoutSeconds -Description "The Wine host running $ScriptPath"
    }
    finally {
        Stop-WineServer $Prefix
    }
}

function New-WineTopology {
    <#
        The namespace the Windows suite runs in: lo up; v0 with 192.0.2.10/24 and v1 with 198.51.100.10/24
        (MTU 1400) and 2001:db8:1::10/64, veth links whose peers (192.0.2.1, 198.51.100.1) are up in a second
        namespace; a default route via 192.0.2.1 and 203.0.113.128/25 via 198.51.100.1. DAD is off, so no
        address is tentative while the suite reads.
    #>
    $h = New-TestNamespace 'win'
    $peer = New-TestNamespace 'winpeer'
    foreach ($ns in $h, $peer) {
        Set-NamespaceProcValue $ns /proc/sys/net/ipv6/conf/all/accept_dad 0
        Set-NamespaceProcValue $ns /proc/sys/net/ipv6/conf/default/accept_dad 0
    }
    Invoke-Ip -n $h link set lo up | Out-Null
    foreach ($i in 0, 1) {
        Invoke-Ip -n $h link add "v$i" type veth peer name "p$i" netns $peer | Out-Null
    }
    $commands = @(
        "-n $h link set v1 mtu 1400",
        "-n $h addr add 192.0.2.10/24 dev v0", "-n $peer addr add 192.0.2.1/24 dev p0",
        "-n $h addr add 198.51.100.10/24 dev v1", "-n $peer addr add 198.51.100.1/24 dev p1",
        "-n $h addr add 2001:db8:1::10/64 dev v1 nodad",
        "-n $h link set v0 up", "-n $h link set v1 up", "-n $peer link set p0 up", "-n $peer link set p1 up",
        "-n $h route add default via 192.0.2.1 dev v0",
        "-n $h route add 203.0.113.128/25 via 198.51.100.1 dev v1"
    )
    foreach ($command in $commands) {
        $words = $command -split ' '
        Invoke-Ip @words | Out-Null
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (@('v0', 'v1' | Where-Object { (@(& ip -n $h -j link show dev $_ | ConvertFrom-Json))[0].operstate -ne 'UP' }).Count) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "The veth links of $h did not come up within 10 s." }
        Start-Sleep -Milliseconds 100
    }
    Wait-NamespaceSettled $h, $peer
    [pscustomobject]@{ Host = $h; Peer = $peer }
}

# With the namespace functions it builds on, from this one instance of NetnsTopology, which keeps the list
# of namespaces that Remove-TestNamespace removes.
Export-ModuleMember -Function Get-WineUnavailableReason, ConvertTo-WinePath, Publish-WineHost, Stop-WineServer, Initialize-WinePrefix, Invoke-WineHost, New-WineTopology,
    Get-NetnsUnavailableReason, Remove-StaleTestNamespace, Remove-TestNamespace, Invoke-Ip
