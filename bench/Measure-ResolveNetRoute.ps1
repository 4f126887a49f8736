<#
.SYNOPSIS
    Benchmarks Resolve-NetRoute on 100,000 destinations against `ip -batch` with the same 100,000
    `route get` lines, in one network namespace with one table, in the same run; the answers must be identical.
.DESCRIPTION
    Needs root (it builds a namespace with a veth link and a table of random routes, and removes it on every
    path). Inside the namespace one pwsh runs, interleaved for -Rounds rounds:

      array   Resolve-NetRoute -RemoteIPAddress $all          (one array argument)
      piped   $all | Resolve-NetRoute                        (one pipeline object per destination)
      floor   $all | Write-Output                            (PowerShell's own cost of piping the strings)
      ip      ip -j -batch <file>                            (a process answering the same lines)

    Each round is printed. Warm-up rounds are not counted: at least -Warmup (2), then more until three rounds in a
    row agree within 15 % for piped and for floor (so it settles at the third round at the earliest) (so a slow drift, each round a little faster than the one before,
    does not pass for a plateau), at most -MostWarmup (10). -MostSeconds (1200) bounds each namespace's run in time
    too: warm-up stops at half of it, the timed rounds at all of it after one; the result says when either did. .NET is still recompiling the hot code
    then, ours and PowerShell's own, and in some processes PowerShell's per-object pipeline code reaches its fast
    form only after five rounds. It reports the first (cold) round, the median of the timed rounds, the ratios to
    ip, the piped cost per destination above the floor (the part that is ours), and the GC pause time of each mode.
    It needs PowerShell 7.3 or later ([GC]::GetTotalPauseDuration). Targets (issue 11): array at most 0.25, piped at most
    0.5, whatever the routes' gateways. Every one of our answers is compared with ip's (type, interface,
    gateway, source) once.

    -Gateways says how the routes' gateways are spread: Few (each route through one of 9 gateways), Own (each
    route through a gateway of its own, on a /15 link) or Both (the default: one namespace for each, in turn).
    Many gateways cost the resolver and the route reading more than a few do, so both are measured.

    Run after a build, as root:  dotnet pwsh -NoProfile -File bench/Measure-ResolveNetRoute.ps1
#>
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/PSLoopback'),
    [ValidateRange(1000, 1000000)][int]$Destinations = 100000,
    [ValidateRange(0, 1000000)][int]$Routes = 10000,
    [ValidateRange(1, 20)][int]$Rounds = 5,
    [ValidateRange(0, 10)][int]$Warmup = 2,
    [ValidateRange(0, 30)][int]$MostWarmup = 10,
    [ValidateRange(10, 7200)][int]$MostSeconds = 1200,
    [int]$Seed = 1,
    [ValidateSet('Few', 'Own', 'Both')][string]$Gateways = 'Both'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
if (-not $IsLinux -or (id -u) -ne '0') { throw 'This benchmark builds a network namespace: run it as root on Linux.' }

$module = (Resolve-Path $ModulePath).Path
$MostWarmup = if ($Warmup -eq 0) { 0 } else { [Math]::Max($MostWarmup, $Warmup) }
Import-Module $module
$work = Join-Path ([IO.Path]::GetTempPath()) "pslb-bench-$PID"
$null = New-Item -ItemType Directory -Force $work

function Invoke-Ip { & ip @args; if ($LASTEXITCODE -ne 0) { throw "ip $args failed" } }

try {
    $inner = Join-Path $work 'inner.ps1'
    Set-Content $inner @'
param([string]$Module, [string]$Work, [int]$Destinations, [int]$Rounds, [int]$Warmup, [int]$MostWarmup, [int]$MostSeconds, [int]$Seed)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$rng = [Random]::new($Seed + 1)
$all = [string[]]::new($Destinations)
for ($i = 0; $i -lt $all.Length; $i++) { $all[$i] = '{0}.{1}.{2}.{3}' -f $rng.Next(1, 224), $rng.Next(256), $rng.Next(256), $rng.Next(1, 255) }
$batch = Join-Path $Work 'get.txt'
Set-Content $batch ($all | ForEach-Object { "route get $_" })

function Invoke-IpBatch {
    $start = [System.Diagnostics.ProcessStartInfo]::new('ip', "-j -batch $batch")
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $text = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    if ($process.ExitCode -ne 0) { throw "ip -batch exited with $($process.ExitCode)" }
    $text
}

# Each round times four things in turn. "floor" pipes the same strings into Write-Output: what PowerShell itself
# costs to hand 100,000 objects one by one to a compiled cmdlet and collect the 100,000 it writes, as piped does, so piped minus floor is
# the part of the piped figure that is ours (binding our parameters, reading, deciding, the output object).
# Warm-up rounds are reported but not counted: they run while .NET is still recompiling the hot methods with
# their profile (tiered compilation), ours and PowerShell's, and how long that takes depends on how busy the machine
# is. Warm-up ends after -Warmup rounds once the last three rounds' piped times agree within 15 %, and their floor
# times too (a plateau: two rounds alone let a slow drift pass), or after -MostWarmup rounds or half of -MostSeconds.
$modes = 'array', 'piped', 'floor', 'ip'
$times = @{}; $pauses = @{}; $last = @{}; $cold = $null
foreach ($mode in $modes) { $times[$mode] = [Collections.Generic.List[double]]::new(); $pauses[$mode] = [Collections.Generic.List[double]]::new() }
function Test-Plateau([double[]]$Values) {
    $Values.Count -ge 3 -and ($Values | Measure-Object -Maximum).Maximum -le 1.15 * ($Values | Measure-Object -Minimum).Minimum
}
$clock = [Diagnostics.Stopwatch]::new()
$spent = [Diagnostics.Stopwatch]::StartNew()
$history = [Collections.Generic.List[hashtable]]::new()
$warming = $Warmup -gt 0
$round = 0
$outOfTime = $false
while ($times.ip.Count -lt $Rounds) {
    if ($times.ip.Count -ge 1 -and $spent.Elapsed.TotalSeconds -ge $MostSeconds) { $outOfTime = $true; break }
    $round++
    foreach ($mode in $modes) {
        [GC]::Collect()
        $paused = [GC]::GetTotalPauseDuration()
        $clock.Restart()
        switch ($mode) {
            'array' { $array = Resolve-NetRoute -RemoteIPAddress $all }
            'piped' { $piped = $all | Resolve-NetRoute }
            'floor' { $floorOut = $all | Write-Output }
            'ip' { $ipText = Invoke-IpBatch }
        }
        $clock.Stop()
        if (-not $warming) {
            $times[$mode].Add($clock.Elapsed.TotalMilliseconds)
            $pauses[$mode].Add(([GC]::GetTotalPauseDuration() - $paused).TotalMilliseconds)
        }
        $last[$mode] = $clock.Elapsed.TotalMilliseconds
    }
    $kind = if ($warming) { 'warm-up' } else { 'timed' }
    Write-Host ("  round {0,2} ({1,-7}) array {2,6:n0} ms  piped {3,6:n0} ms  floor {4,6:n0} ms  ip {5,6:n0} ms" -f $round, $kind, $last.array, $last.piped, $last.floor, $last.ip)
    if ($round -eq 1) { $cold = $last.Clone() }
    $history.Add($last.Clone())
    if ($warming -and $round -ge $Warmup) {
        $recent = @($history | Select-Object -Last 3)
        $settled = (Test-Plateau @($recent | ForEach-Object { $_.piped })) -and (Test-Plateau @($recent | ForEach-Object { $_.floor }))
        $late = $spent.Elapsed.TotalSeconds -ge $MostSeconds / 2
        if ($settled -or $round -ge $MostWarmup -or $late) {
            $warming = $false; $warmedIn = $round
            $unsettled = if ($settled) { $null } elseif ($late) { 'half of -MostSeconds spent, not settled' } else { 'the most allowed, not settled' }
        }
    }
}
if ($Warmup -eq 0) { $warmedIn = 0; $unsettled = $null }

# Identical answers: every destination, once.
$ipLines = $ipText -split "`n" | Where-Object { $_.StartsWith('[') }
if ($ipLines.Count -ne $all.Length) { throw "ip answered $($ipLines.Count) of $($all.Length) lines" }
$mismatches = 0
for ($i = 0; $i -lt $all.Length; $i++) {
    $k = [System.Text.Json.JsonDocument]::Parse($ipLines[$i]).RootElement[0]
    $get = { param($name) $p = [System.Text.Json.JsonElement]::new(); if ($k.TryGetProperty($name, [ref]$p)) { $p.GetString() } else { $null } }
    $type = & $get 'type'; if (-not $type) { $type = 'unicast' }
    $via = & $get 'gateway'; if (-not $via) { $via = '0.0.0.0' }
    $theirs = "$type $(& $get 'dev') $via $(& $get 'prefsrc')"
    foreach ($answer in $array[$i], $piped[$i]) {
        $ours = "$("$($answer.RouteType)".ToLowerInvariant()) $($answer.InterfaceAlias) $($answer.NextHop) $($answer.SourceAddress)"
        if ($ours -ne $theirs) { $mismatches++; if ($mismatches -le 5) { Write-Host "MISMATCH $($all[$i]): ours '$ours', ip '$theirs'" } }
    }
}

function Median($values) { $s = @($values | Sort-Object); $m = [int][Math]::Floor($s.Count / 2); if ($s.Count % 2) { $s[$m] } else { ($s[$m - 1] + $s[$m]) / 2 } }
$ip = Median $times.ip
$arrayMs = Median $times.array; $pipedMs = Median $times.piped; $floorMs = Median $times.floor
[pscustomobject]@{
    Destinations = $all.Length; Rounds = "$($times.ip.Count) timed$(if ($outOfTime) { " of $Rounds (-MostSeconds reached)" }) after $warmedIn warm-up$(if ($unsettled) { " ($unsettled)" })"; Mismatches = $mismatches
    ColdRoundMs = 'array {0:n0}, piped {1:n0}, floor {2:n0}, ip {3:n0}' -f $cold.array, $cold.piped, $cold.floor, $cold.ip
    ColdPipedToIp = [Math]::Round($cold.piped / $cold.ip, 3)
    IpBatchMs = [Math]::Round($ip); ArrayMs = [Math]::Round($arrayMs); PipedMs = [Math]::Round($pipedMs); FloorMs = [Math]::Round($floorMs)
    ArrayToIp = [Math]::Round($arrayMs / $ip, 3); PipedToIp = [Math]::Round($pipedMs / $ip, 3)
    PipedOursUsEach = [Math]::Round(($pipedMs - $floorMs) * 1000 / $all.Length, 2)
    GcPauseMs = 'array {0:n0}, piped {1:n0}, floor {2:n0}' -f (Median $pauses.array), (Median $pauses.piped), (Median $pauses.floor)
} | Format-List | Out-String | Write-Host
if ($mismatches) { exit 1 }
'@
    $pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
    foreach ($mode in @(if ($Gateways -eq 'Both') { 'Few', 'Own' } else { $Gateways })) {
        $ns = "pslb-cmdlet-$PID-bench"
        $peer = "pslb-cmdlet-$PID-benchpeer"
        try {
            Invoke-Ip netns add $ns
            Invoke-Ip netns add $peer
            Invoke-Ip -n $ns link set lo up
            Invoke-Ip -n $ns link add e1 type veth peer name p1 netns $peer
            Invoke-Ip -n $peer link set p1 up
            Invoke-Ip -n $ns link set e1 up
            Invoke-Ip -n $ns addr add 192.0.2.10/24 dev e1
            Invoke-Ip -n $ns route add default via 192.0.2.1 dev e1

            # Own: a second, /15 link (198.18.0.0/15, set aside for benchmarks) holds a gateway for every route;
            # no random prefix may overlap it, so every gateway stays on-link.
            $ownLink = [PSLoopback.Addressing.IPPrefix]::Parse('198.18.0.0/15')
            if ($mode -eq 'Own') { Invoke-Ip -n $ns addr add 198.18.0.10/15 dev e1 }

            # A table of random routes through gateways on the link, loaded in one `ip -batch`.
            $rng = [Random]::new($Seed)
            $lines = [System.Collections.Generic.Dictionary[string, string]]::new()
            $ownGateways = 0
            while ($lines.Count -lt $Routes) {
                $length = $rng.Next(8, 29)
                $prefix = [PSLoopback.Addressing.IPPrefix]::new([ipaddress]::new([byte[]]@($rng.Next(1, 224), $rng.Next(256), $rng.Next(256), $rng.Next(256))), $length)
                if ($prefix.Contains([ipaddress]'127.0.0.1') -or $prefix.Contains([ipaddress]'192.0.2.10')) { continue }
                if ($mode -eq 'Own') {
                    if ($prefix.Contains($ownLink) -or $ownLink.Contains($prefix)) { continue }
                    $n = ++$ownGateways + 10
                    $via = "198.18.$($n -shr 8).$($n -band 255)"
                }
                else {
                    $via = "192.0.2.$($rng.Next(1, 10))"
                }
                $lines["$prefix"] = "route add $prefix via $via dev e1 metric $($rng.Next(0, 3))"
            }
            Set-Content (Join-Path $work 'routes.txt') @($lines.Values)
            Invoke-Ip -n $ns -batch (Join-Path $work 'routes.txt')

            $gatewayCount = @($lines.Values | ForEach-Object { ($_ -split ' ')[4] } | Sort-Object -Unique).Count
            $load = (Get-Content /proc/loadavg -Raw).Trim()
            Write-Host "Gateways ${mode}: namespace $ns, $Routes random routes through $gatewayCount gateways + default; $Destinations destinations; $Warmup to $MostWarmup warm-up and $Rounds timed rounds; $([Environment]::ProcessorCount) cores; load $load; $(Get-Date -Format s)"
            & ip netns exec $ns @pwsh -NoProfile -NonInteractive -File $inner -Module $module -Work $work -Destinations $Destinations -Rounds $Rounds -Warmup $Warmup -MostWarmup $MostWarmup -MostSeconds $MostSeconds -Seed $Seed
            if ($LASTEXITCODE -ne 0) { throw "the benchmark found answers that differ from ip's (exit $LASTEXITCODE)" }
        }
        finally {
            & ip netns del $ns 2>$null
            & ip netns del $peer 2>$null
        }
    }
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
