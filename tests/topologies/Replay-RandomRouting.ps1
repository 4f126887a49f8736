<#
.SYNOPSIS
    Builds the random routing host of one seed (as the differential test does) and leaves it for poking.
.DESCRIPTION
    For debugging a disagreement that Resolve-NetRoute.Differential.Tests.ps1 reported: the same seed builds
    the same links, addresses, routes and rules. The namespaces stay until you remove them (the commands to
    do so are printed); they are named pslb-<pid>-rr<seed>, and a later test run removes them as stale once
    this script's process has gone (so poke at them while it runs, or soon after). Rules that iproute2 6.1 cannot
    write (dscp/mask, flowlabel/mask, port masks) are written over rtnetlink as the test writes them, and listed as
    "netlink RTM_NEWRULE {...}". Needs root.
.PARAMETER Seed
    The seed the test named.
.PARAMETER ShowQueries
    Also print every query of the seed as the `ip route get` command and the Resolve-NetRoute call.
.PARAMETER Module
    The PSLoopback module to suggest importing (default: the build in out/PSLoopback).
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/topologies/Replay-RandomRouting.ps1 -Seed 3 -ShowQueries
#>
param(
    [Parameter(Mandatory)][int]$Seed,
    [switch]$ShowQueries,
    [int]$QueryCount = 250,
    [string]$Module = (Join-Path $PSScriptRoot '../../out/PSLoopback')
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'RandomRouting.psm1') -Force

$routingHost = New-RandomRoutingHost -Seed $Seed -QueryCount $QueryCount
$ns = $routingHost.HostNamespace
$module = [System.IO.Path]::GetFullPath($Module)

Write-Host "Seed $Seed is built: host namespace $ns, peer namespace $($routingHost.PeerNamespace)." -ForegroundColor Green
Write-Host "Commands ($(@($routingHost.Commands).Count) run, $(@($routingHost.Failed).Count) refused by the kernel):"
Format-RandomRoutingCommands $routingHost | ForEach-Object { "  $_" }

if ($ShowQueries) {
    Write-Host "`nQueries ($(@($routingHost.Queries).Count)):"
    foreach ($q in $routingHost.Queries) {
        $words = Get-RandomRoutingQueryWords $q
        # iproute2 6.1 has no flowlabel word: such a query is for Resolve-NetRoute -Verify, which asks over rtnetlink.
        $ip = if ($words.IpAsks) { "ip -n $ns route get $($q.Destination) $($words.Ip -join ' ')" } else { '(ip cannot ask: use -Verify)' }
        "  {0,-4} {1,-75} {2} -Verify   # {3}" -f $q.Id, $ip, $words.Command, $q.Why
    }
}

Write-Host @"

Poke at it:
  ip -n $ns route get <address> [from <source>] [iif <link>] [oif <link>] [mark <mark>] [tos <tos>] [ipproto <p> sport <n> dport <n>] [uid <n>]
  ip -n $ns route show table all; ip -n $ns rule; ip -n $ns -6 rule
  ip netns exec $ns dotnet pwsh -NoProfile -c "Import-Module '$module'; Resolve-NetRoute <address> -Explain | Format-List *"
Remove it when done:
  ip netns del $ns; ip netns del $($routingHost.PeerNamespace)
"@
