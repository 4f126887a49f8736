<#
.SYNOPSIS
    Shows PSLoopback's answers on this machine: what build.ps1 -Task Demo runs.
.DESCRIPTION
    The loopback story, step by step: the interfaces (the loopback one among them), the routing tables
    that send 127.0.0.0/8 to it, where a packet to localhost, to a neighbour on the LAN and to a public
    address would go (lookups only), and real round trips through the loopback interface (the only
    traffic the demo sends, to its own listener on loopback addresses, and one connect to each of up to three
    local services that listen), and who listens where.
#>
param([Parameter(Mandatory)][string]$ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

# As wide as the terminal it runs in, and never narrower than the 80 columns the views are made for.
$width = try { [Math]::Max(80, $Host.UI.RawUI.WindowSize.Width) } catch { 80 }

function Show([string]$Title, [scriptblock]$Command) {
    Write-Host ("`n" + [PSLoopback.Output.Wrap]::Lines("== $Title", 3, $width - 1))
    Write-Host ([PSLoopback.Output.Wrap]::Lines("PS> $($Command.ToString().Trim())", 4, $width - 1)) -ForegroundColor DarkGray
    & $Command | Out-String -Width $width | Write-Host
}

Show 'The interfaces of this machine' { Get-NetInterfaceInfo }
Show 'The loopback interface, in full' { Get-NetInterfaceInfo -Loopback | Format-List }

# Windows PowerShell 5.1 has no $IsWindows: its Desktop edition runs on Windows only.
$onWindows = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
if (-not ($IsLinux -or $onWindows)) {
    Write-Host 'Routing tables are read on Linux and Windows; on this OS Resolve-NetRoute answers for tables given with -RouteTable.'
    Show 'Does loopback work? The self-check' { Test-Loopback }
    Show 'Who listens: the local servers at the end of the journey' { Get-NetSocketInfo -State Listen }
    return
}

if ($onWindows) {
    Show 'The routing table: each route''s metric is its own plus its interface''s, as Windows ranks them' { Get-NetRouteInfo }
}
else {
    Show 'The routing tables: local routes send 127.0.0.0/8, ::1 and this host''s own addresses to loopback' { Get-NetRouteInfo }
    Show 'The policy rules that choose between the tables' { Get-NetRouteInfo -Rule }
}

# A neighbour on the first LAN: the first host address of that subnet that is not this machine's own.
$lan = Get-NetInterfaceInfo -Loopback:$false -Status Up -AddressFamily IPv4 |
    ForEach-Object Addresses | Where-Object { -not $_.IPAddress.StartsWith('169.254.') -and $_.PrefixLength -le 30 } | Select-Object -First 1
$targets = @('127.0.0.1', '::1', 'localhost')
if ($lan) {
    $bytes = ([PSLoopback.Addressing.IPPrefix]::new([ipaddress]$lan.IPAddress, $lan.PrefixLength)).Network.GetAddressBytes()
    $bytes[3]++
    if ("$([ipaddress]::new($bytes))" -eq $lan.IPAddress) { $bytes[3]++ }
    $targets += "$([ipaddress]::new($bytes))"
}
$targets += '1.1.1.1', '2606:4700:4700::1111'
$answers = Resolve-NetRoute $targets -Verify -ErrorAction Continue
Show 'Where would a packet go? localhost, a neighbour on the LAN, a public address (checked against the OS''s own answer)' { $answers }
Show 'Why: the reasons' { $answers | ForEach-Object { [PSLoopback.Output.Wrap]::Lines("$($_.Destination): $($_.Reason) (the OS agrees: $($_.KernelAgrees))", 4) } }
Show 'Every step for the public address' { (Resolve-NetRoute 1.1.1.1 -Explain).Trace }

Show 'Does loopback work? The self-check: 127.0.0.1, ::1, localhost and a random 127.x, four round trips each' { Test-Loopback }
Show 'The journey of one HTTP GET to a local server, step by step' { (Test-Loopback 127.0.0.1 -Protocol Http -Count 1 -Detailed).Steps }
Show 'Where 1000 round trips of 1 KiB went: only the loopback interface''s counters move' {
    (Test-Loopback 127.0.0.1 -Count 1000 -PayloadSize 1024 -Detailed).InterfaceCounters | Format-Table InterfaceAlias, IsLoopback, SentBytes, ReceivedBytes, SentPackets -AutoSize
}
Show 'Who listens: the local servers at the end of the journey, and who else can reach them' { Get-NetSocketInfo -State Listen }
Show 'Is each local TCP service reachable where a client here connects, and who answers?' {
    Get-NetSocketInfo -Protocol Tcp -State Listen | Select-Object -First 3 | Test-Loopback -Count 1
}
Show 'For admin scripts: one Boolean' { if (Test-Loopback -Quiet) { 'loopback OK' } else { 'loopback BROKEN' } }
