<#
.SYNOPSIS
    Benchmarks Test-Loopback's TCP round trip against a C ping-pong over 127.0.0.1 measured in the same run
    and the same CPU placement, and shows what Test-Connection -TcpPort measures next to it.
.DESCRIPTION
    Compiles bench/pingpong.c (cc -O2 -pthread, into a temp directory), then, for each of -Rounds rounds and
    each CPU placement, interleaved (the order alternates from round to round):

      c            pingpong rtt <PayloadSize> <Count>: a C echo server thread and a C client in one process,
                   TCP_NODELAY on both ends, the cmdlet's round trip (send PayloadSize bytes, read all of them
                   back), clock_gettime(CLOCK_MONOTONIC) around each; median, p99, min, max.
      cmdlet       Test-Loopback 127.0.0.1 -Count <Count> -PayloadSize <PayloadSize> -Protocol Tcp, in a fresh
                   pwsh under the same placement, after a warm-up call (-Count 2000); its own
                   MedianMicroseconds and P99Microseconds.
      tc           Test-Connection 127.0.0.1 -TcpPort <port> -Count 1 -Detailed, <TestConnectionCalls> calls in that
                   same pwsh against a TcpListener it opens on 127.0.0.1 (drained between calls, outside the
                   timing), after 20 warm-up calls. Test-Connection cannot do an echo round trip: each call is a
                   new TCP connection (handshake) and a close, plus the cmdlet call; its own Latency field is
                   whole milliseconds of the connect only. The bench reports the median wall time per call
                   (Stopwatch around the call) and the median reported Latency. NOT the same operation as a
                   round trip: it is shown for scale, against the round trip and against
      c-connect    pingpong connect <ConnectCount>: socket() + connect() to an accepting C listener, timed, then
                   close; the C floor of what Test-Connection does per call.

    A placement is a taskset CPU list (both the C program and the pwsh that runs the cmdlets start under
    `taskset -c <list>`, so every thread of either, client, echo server, runtime threads, shares it), or
    'unpinned' (no taskset: the scheduler places the threads). Default: '0' (client and server on one core)
    and 'unpinned'. The pwsh is checked to have really got the CPU list (/proc/self/status), as the C program
    is (it prints its affinity).

    Per placement the report gives the medians of the per-round medians and the verdict ratio: the median of
    the per-round ratios cmdlet / c (each round pairs the two under the same conditions); target (issue):
    <= 1.3. The verdict is taken on pinned placements only: unpinned, the scheduler puts each process's two
    threads on one CPU or on two, independently for C and for the cmdlet, and a round that pairs one of each
    compares placements, not implementations (its ratio is shown, as information). Compare within a run, not across runs: on a shared VM the
    absolute times move a lot from one run to the next.

    Requires Linux, cc, taskset (util-linux) for pinned placements. Traffic only to 127.0.0.1.
    Run after a build:  dotnet pwsh -NoProfile -File bench/Measure-LoopbackLatency.ps1
.PARAMETER Rounds
    Interleaved rounds; each round runs every contender once per placement.
.PARAMETER Count
    Round trips per C run and per Test-Loopback call (the issue: 20000).
.PARAMETER Placement
    CPU lists for taskset -c, or 'unpinned'. With pwsh -File give several as one string: -Placement '0;0,1;unpinned'.
.PARAMETER TestConnectionCalls
    Timed Test-Connection -TcpPort calls per round and placement (0 skips Test-Connection and c-connect).
.PARAMETER ConnectCount
    Connects per c-connect run.
.PARAMETER PassThru
    Also output the summary rows as objects.
.PARAMETER Worker
    Internal: the pwsh started under a placement runs this script with -Worker and prints one JSON line.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/PSLoopback'),
    [ValidateRange(1, 50)][int]$Rounds = 5,
    [ValidateRange(100, 1000000)][int]$Count = 20000,
    [ValidateRange(1, 65000)][int]$PayloadSize = 32,
    [ValidateNotNullOrEmpty()][string[]]$Placement = @('0', 'unpinned'),
    [ValidateRange(0, 2000)][int]$TestConnectionCalls = 200,
    [ValidateRange(10, 10000)][int]$ConnectCount = 1000,
    [switch]$PassThru,
    [switch]$Worker
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Get-Median([double[]]$Values) {
    $sorted = [double[]]@($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

# '0-2,5' -> '0,1,2,5' (taskset and /proc write ranges, pingpong.c writes every CPU).
function ConvertTo-CpuList([string]$List) {
    $cpus = foreach ($part in $List -split ',') {
        $from, $to = $part -split '-', 2
        if ($null -eq $to) { [int]$from } else { [int]$from..[int]$to }
    }
    (@($cpus | Sort-Object -Unique) -join ',')
}

function Get-AllowedCpus {
    $line = Get-Content /proc/self/status | Where-Object { $_ -like 'Cpus_allowed_list:*' }
    ($line -split ':', 2)[1].Trim()
}

if ($Worker) {
    # One placement, one round: Test-Loopback (warm), then Test-Connection -TcpPort; one JSON line out.
    Import-Module $ModulePath
    $warm = Test-Loopback 127.0.0.1 -Count 2000 -PayloadSize $PayloadSize -Protocol Tcp
    if ($warm.Status -ne 'Success') { throw "Test-Loopback warm-up: $($warm.Status) $($warm.Diagnosis)" }
    $result = Test-Loopback 127.0.0.1 -Count $Count -PayloadSize $PayloadSize -Protocol Tcp
    if ($result.Status -ne 'Success' -or $result.RoundTrips -ne $Count) {
        throw "Test-Loopback: $($result.Status), $($result.RoundTrips) of $Count round trips. $($result.Diagnosis)"
    }
    $out = [ordered]@{
        cpus          = Get-AllowedCpus
        medianUs      = $result.MedianMicroseconds
        p99Us         = $result.P99Microseconds
        minUs         = $result.MinimumMicroseconds
        maxUs         = $result.MaximumMicroseconds
        tcCallUs      = $null
        tcLatencyMs   = $null
        tcCalls       = 0
    }
    if ($TestConnectionCalls -gt 0) {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(1000)
        try {
            $port = ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
            $drain = { for ($k = 0; $k -lt 100 -and $listener.Pending(); $k++) { $listener.AcceptTcpClient().Dispose() } }
            $calls = [System.Collections.Generic.List[double]]::new()
            $latencies = [System.Collections.Generic.List[double]]::new()
            $clock = [System.Diagnostics.Stopwatch]::new()
            for ($i = -20; $i -lt $TestConnectionCalls; $i++) {
                $clock.Restart()
                $status = Test-Connection 127.0.0.1 -TcpPort $port -Count 1 -Detailed -TimeoutSeconds 2
                $clock.Stop()
                & $drain
                if (-not $status.Connected) { throw "Test-Connection -TcpPort $port did not connect: $($status.Status)" }
                if ($i -ge 0) {
                    $calls.Add($clock.Elapsed.TotalMilliseconds * 1000)
                    $latencies.Add($status.Latency)
                }
            }
            $out.tcCallUs = [Math]::Round((Get-Median $calls), 1)
            $out.tcLatencyMs = Get-Median $latencies
            $out.tcCalls = $calls.Count
        }
        finally {
            $listener.Stop()
        }
    }
    [pscustomobject]$out | ConvertTo-Json -Compress
    return
}

if (-not $IsLinux) { throw 'This benchmark needs Linux (taskset, cc, /proc).' }
# pwsh -File passes '-Placement 0;unpinned' as one string: split it (a comma stays, it is part of a CPU list).
$Placement = @($Placement | ForEach-Object { $_ -split '[; ]' } | Where-Object { $_ })
foreach ($cpus in $Placement) {
    if ($cpus -ne 'unpinned' -and $cpus -notmatch '^[0-9]+([-,][0-9]+)*$') { throw "Placement '$cpus' is neither a taskset CPU list nor 'unpinned'." }
}
$cc = Get-Command cc -CommandType Application -ErrorAction Ignore | Select-Object -First 1
if (-not $cc) { throw 'cc not found: the C baseline cannot be built.' }
$taskset = Get-Command taskset -CommandType Application -ErrorAction Ignore | Select-Object -First 1
if (-not $taskset) {
    Write-Warning 'taskset (util-linux) not found: only the unpinned placement is measured.'
    $Placement = @('unpinned')
}
$module = (Resolve-Path $ModulePath).Path
$pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })

$temp = Join-Path ([System.IO.Path]::GetTempPath()) "psloopback-bench-$PID"
$null = New-Item -ItemType Directory -Path $temp -Force
try {
    $pingpong = Join-Path $temp 'pingpong'
    & $cc.Source -O2 -pthread -o $pingpong (Join-Path $PSScriptRoot 'pingpong.c')
    if ($LASTEXITCODE -ne 0) { throw "cc -O2 -pthread pingpong.c failed ($LASTEXITCODE)." }

    # Runs a command under a placement; returns its standard output lines, throws on a non-zero exit.
    function Invoke-Placed([string]$Cpus, [string[]]$Command) {
        $full = if ($Cpus -eq 'unpinned') { $Command } else { @($taskset.Source, '-c', $Cpus) + $Command }
        $output = & $full[0] @($full | Select-Object -Skip 1) 2>&1
        if ($LASTEXITCODE -ne 0) { throw "'$($full -join ' ')' failed ($LASTEXITCODE): $($output -join "`n")" }
        @($output | ForEach-Object { "$_" })
    }

    function ConvertFrom-PingPong([string[]]$Lines) {
        $line = $Lines | Where-Object { $_ -match '^median_us=' } | Select-Object -Last 1
        if (-not $line) { throw "pingpong printed no result: $($Lines -join "`n")" }
        $fields = @{}
        foreach ($pair in $line -split ' ') { $key, $value = $pair -split '=', 2; $fields[$key] = $value }
        [pscustomobject]@{
            MedianUs = [double]$fields.median_us; P99Us = [double]$fields.p99_us
            MinUs = [double]$fields.min_us; MaxUs = [double]$fields.max_us; Cpus = $fields.cpus
        }
    }

    $samples = [System.Collections.Generic.List[object]]::new()
    $contenders = @('c', 'worker')
    Write-Host ("Test-Loopback vs C ping-pong: {0} round trips of {1} bytes over 127.0.0.1, {2} rounds, placements {3}; {4} CPUs; kernel {5}; {6}" -f
        $Count, $PayloadSize, $Rounds, ($Placement -join ' / '), [Environment]::ProcessorCount, (uname -r), (Get-Date -Format s))
    for ($round = 1; $round -le $Rounds; $round++) {
        $placements = if ($round % 2) { $Placement } else { @($Placement[($Placement.Count - 1)..0]) }
        foreach ($cpus in $placements) {
            $order = if ($round % 2) { $contenders } else { @($contenders[1], $contenders[0]) }
            foreach ($what in $order) {
                if ($what -eq 'c') {
                    $c = ConvertFrom-PingPong (Invoke-Placed $cpus @($pingpong, 'rtt', "$PayloadSize", "$Count"))
                    $samples.Add([pscustomobject]@{ Round = $round; Placement = $cpus; Contender = 'c'; MedianUs = $c.MedianUs; P99Us = $c.P99Us; Cpus = $c.Cpus })
                    if ($TestConnectionCalls -gt 0) {
                        $k = ConvertFrom-PingPong (Invoke-Placed $cpus @($pingpong, 'connect', "$ConnectCount"))
                        $samples.Add([pscustomobject]@{ Round = $round; Placement = $cpus; Contender = 'c-connect'; MedianUs = $k.MedianUs; P99Us = $k.P99Us; Cpus = $k.Cpus })
                    }
                }
                else {
                    $arguments = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-Worker', '-ModulePath', $module,
                        '-Count', "$Count", '-PayloadSize', "$PayloadSize", '-TestConnectionCalls', "$TestConnectionCalls")
                    $lines = Invoke-Placed $cpus $arguments
                    $json = $lines | Where-Object { $_ -match '^\{' } | Select-Object -Last 1
                    if (-not $json) { throw "The worker printed no result: $($lines -join "`n")" }
                    $w = $json | ConvertFrom-Json
                    $samples.Add([pscustomobject]@{ Round = $round; Placement = $cpus; Contender = 'cmdlet'; MedianUs = [double]$w.medianUs; P99Us = [double]$w.p99Us; Cpus = $w.cpus })
                    if ($TestConnectionCalls -gt 0) {
                        $samples.Add([pscustomobject]@{ Round = $round; Placement = $cpus; Contender = 'tc'; MedianUs = [double]$w.tcCallUs; P99Us = [double]::NaN; Cpus = $w.cpus; LatencyMs = [double]$w.tcLatencyMs })
                    }
                }
            }
            $line = $samples | Where-Object { $_.Round -eq $round -and $_.Placement -eq $cpus } |
                ForEach-Object { '{0} {1:N1}' -f $_.Contender, $_.MedianUs }
            Write-Host ("round {0} placement {1,-8}: {2} (median us)" -f $round, $cpus, ($line -join ', '))
        }
    }

    # Placement really applied? (C prints its affinity, the worker its Cpus_allowed_list.)
    foreach ($s in $samples) {
        if ($s.Placement -ne 'unpinned' -and (ConvertTo-CpuList $s.Cpus) -ne (ConvertTo-CpuList $s.Placement)) {
            Write-Warning "Round $($s.Round) $($s.Contender): asked for CPUs $($s.Placement), ran on $($s.Cpus)."
        }
    }

    $table = foreach ($cpus in $Placement) {
        $of = { param($name, $property) [double[]]@($samples | Where-Object { $_.Placement -eq $cpus -and $_.Contender -eq $name } | ForEach-Object $property) }
        $cMedians = @(& $of 'c' 'MedianUs')
        $lMedians = @(& $of 'cmdlet' 'MedianUs')
        $cMedian = Get-Median $cMedians
        $lMedian = Get-Median $lMedians
        $roundRatios = @(for ($i = 0; $i -lt $cMedians.Count; $i++) { $lMedians[$i] / $cMedians[$i] })
        $row = [ordered]@{
            Placement      = if ($cpus -eq 'unpinned') { 'unpinned' } else { "taskset -c $cpus" }
            CMedianUs      = [Math]::Round($cMedian, 1)
            CP99Us         = [Math]::Round((Get-Median (& $of 'c' 'P99Us')), 1)
            CmdletMedianUs = [Math]::Round($lMedian, 1)
            CmdletP99Us    = [Math]::Round((Get-Median (& $of 'cmdlet' 'P99Us')), 1)
            Ratio          = [Math]::Round((Get-Median $roundRatios), 2)
            RoundRatios    = '{0:N2}..{1:N2}' -f ($roundRatios | Measure-Object -Minimum).Minimum, ($roundRatios | Measure-Object -Maximum).Maximum
            Target         = if ($cpus -eq 'unpinned') { 'information only' } elseif ((Get-Median $roundRatios) -le 1.3) { 'met (<= 1.3)' } else { 'MISSED (> 1.3)' }
        }
        if ($TestConnectionCalls -gt 0) {
            $tc = Get-Median (& $of 'tc' 'MedianUs')
            $connect = Get-Median (& $of 'c-connect' 'MedianUs')
            $row.TcCallUs = [Math]::Round($tc, 1)
            $row.TcLatencyMs = Get-Median (& $of 'tc' 'LatencyMs')
            $row.CConnectUs = [Math]::Round($connect, 1)
            $row.TcPerC = [Math]::Round($tc / $cMedian, 1)
            $row.TcPerCConnect = [Math]::Round($tc / $connect, 1)
        }
        [pscustomobject]$row
    }

    Write-Host ''
    Write-Host "Medians of the $Rounds per-round medians, microseconds. Ratio = median of the per-round CmdletMedian / CMedian (same run, same placement); target <= 1.3, judged pinned."
    $table | Select-Object Placement, CMedianUs, CP99Us, CmdletMedianUs, CmdletP99Us, Ratio, RoundRatios, Target |
        Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    if ($TestConnectionCalls -gt 0) {
        Write-Host "Test-Connection 127.0.0.1 -TcpPort: a new TCP connection + close per call, not an echo round trip. TcCallUs = median wall time of one"
        Write-Host "call ($TestConnectionCalls per round); TcLatencyMs = its own Latency field (whole ms, connect only); CConnectUs = C socket()+connect() median;"
        Write-Host "TcPerC = TcCallUs / C round trip; TcPerCConnect = TcCallUs / C connect."
        $table | Select-Object Placement, TcCallUs, TcLatencyMs, CConnectUs, TcPerC, TcPerCConnect |
            Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    }
    $missed = @($table | Where-Object { $_.Target -like 'MISSED*' })
    Write-Host ("Verdict: {0}" -f $(if ($missed) { "target missed for $(($missed.Placement) -join ', ')" } else { 'target met for every placement' }))
    if ($PassThru) { $table }
}
finally {
    Remove-Item $temp -Recurse -Force -ErrorAction Ignore
}
