<#
.SYNOPSIS
    Benchmarks Get-NetSocketInfo on 10,000 sockets against `ss -tuanp` as a process and against .NET's
    IPGlobalProperties.GetActiveTcpConnections() + GetActiveTcpListeners(), in one network namespace, in the
    same run; every contender must count the same sockets.
.DESCRIPTION
    Needs root on Linux (it builds a network namespace, pslb-bench-<pid>, and removes it on every path).
    It compiles bench/sockholder.c (cc -O2, into a temp directory) and starts it inside the namespace, with
    `ulimit -n` raised for it: one listener on 127.0.0.1 and -Clients connections to it, both ends held, so
    1 + 2 * Clients TCP sockets (10,001 by default) that nothing changes while the bench runs. Then one pwsh
    inside the namespace imports the module, warms every contender up (3 calls each) and times each
    -Rounds times, interleaved (the order rotates from round to round, a GC before each call, outside the
    timing):

      cmdlet          Get-NetSocketInfo | Measure-Object                       (warm: the import is not timed)
      core            [PSLoopback.Platform.SocketSources]::ForCurrentOS().GetSockets(<all, with owners>)
      core-noowners   the same with IncludeOwners = $false (information: what finding the owners costs)
      ss              ss -tuanp as a process, its output read whole
      dotnet          GetActiveTcpConnections().Length + GetActiveTcpListeners().Length, compiled (Add-Type),
                      so PowerShell adds nothing to the baseline; it gives no owners

    The report gives each contender's median, the ratios of the medians to ss and to dotnet (with the range
    of the per-round ratios), the sockets it counted and how many of them it attributed to the holder's pid.
    Targets (issue 10): cmdlet / ss < 1 and cmdlet / dotnet < 1, while returning the owners (every held
    socket attributed to the holder, as ss does); the same is shown for core. A missed target is printed,
    never an error: the exit code is non-zero only when something failed or the contenders' counts (or ours
    and ss's owner counts) disagree. Compare within a run, not across runs: the machine is shared.

    Run after a build, as root:  dotnet pwsh -NoProfile -File bench/Measure-SocketInfo.ps1
.PARAMETER Clients
    Client connections the holder makes to its listener (it holds 1 + 2 * Clients sockets).
.PARAMETER Rounds
    Timed calls per contender.
.PARAMETER Contender
    Which contenders to run; with pwsh -File give several as one string: -Contender 'ss,dotnet'.
.PARAMETER HolderSeconds
    The longest the socket holder lives; it also ends when the bench closes its input, and is killed in finally.
    The worker gets as long, and is killed and reported as failed past it.
.PARAMETER Worker
    Internal: the pwsh inside the namespace runs this script with -Worker and prints one JSON line.
.PARAMETER HolderPid
    Internal: the holder's pid, whose sockets the worker counts as owned.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/PSLoopback'),
    [ValidateRange(1, 30000)][int]$Clients = 5000,
    [ValidateRange(1, 200)][int]$Rounds = 15,
    [string[]]$Contender = @('cmdlet', 'core', 'core-noowners', 'ss', 'dotnet'),
    [ValidateRange(10, 3600)][int]$HolderSeconds = 600,
    [switch]$Worker,
    [int]$HolderPid
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$known = 'cmdlet', 'core', 'core-noowners', 'ss', 'dotnet'
# pwsh -File passes '-Contender ss,dotnet' as one string: split it.
$Contender = @($Contender | ForEach-Object { $_ -split '[,; ]' } | Where-Object { $_ })
foreach ($name in $Contender) { if ($name -notin $known) { throw "Unknown contender '$name'; known: $($known -join ', ')." } }
# Always in the same order, so the rotation below is the only thing that changes who runs first.
$Contender = @($known | Where-Object { $_ -in $Contender })

function Get-Median([double[]]$Values) {
    $sorted = [double[]]@($Values | Sort-Object)
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

if ($Worker) {
    if ($Contender -match '^(cmdlet|core)') { Import-Module $ModulePath }
    Add-Type -TypeDefinition @'
using System.Net.NetworkInformation;
public static class DotNetTcpTable
{
    public static int Count()
    {
        var properties = IPGlobalProperties.GetIPGlobalProperties();
        return properties.GetActiveTcpConnections().Length + properties.GetActiveTcpListeners().Length;
    }
}
'@
    $ss = (Get-Command ss -CommandType Application | Select-Object -First 1).Source
    $ownerMark = "pid=$HolderPid,"

    # Each contender: the timed call, then (untimed) what it counted and how many it attributed to the holder.
    $runs = @{
        cmdlet          = { Get-NetSocketInfo | Measure-Object }
        core            = { [PSLoopback.Platform.SocketSources]::ForCurrentOS().GetSockets([PSLoopback.Sockets.SocketRequest]::new()) }
        'core-noowners' = { [PSLoopback.Platform.SocketSources]::ForCurrentOS().GetSockets([PSLoopback.Sockets.SocketRequest]@{ IncludeOwners = $false }) }
        ss              = {
            $start = [System.Diagnostics.ProcessStartInfo]::new($ss, '-tuanp')
            $start.RedirectStandardOutput = $true
            $process = [System.Diagnostics.Process]::Start($start)
            $text = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            if ($process.ExitCode -ne 0) { throw "ss -tuanp exited with $($process.ExitCode)" }
            $process.Dispose()
            $text
        }
        dotnet          = { [DotNetTcpTable]::Count() }
    }
    $tally = @{
        cmdlet          = { param($r) $r.Count }
        core            = { param($r) $r.Count }
        'core-noowners' = { param($r) $r.Count }
        ss              = { param($r) @($r -split "`n" | Select-Object -Skip 1 | Where-Object { $_ }).Count }
        dotnet          = { param($r) $r }
    }
    # The cmdlet's timed call keeps only the count; its owners come from one more, untimed, call.
    $owned = @{
        cmdlet          = { param($r) @(Get-NetSocketInfo | Where-Object OwningProcess -EQ $HolderPid).Count }
        core            = { param($r) @($r | Where-Object OwningProcess -EQ $HolderPid).Count }
        'core-noowners' = { param($r) @($r | Where-Object OwningProcess -EQ $HolderPid).Count }
        ss              = { param($r) @($r -split "`n" | Where-Object { $_.Contains($ownerMark) }).Count }
        dotnet          = { param($r) $null }
    }

    foreach ($name in $Contender) { foreach ($i in 1..3) { $null = & $runs[$name] } }
    $ms = @{}; $counts = @{}; $owners = @{}
    foreach ($name in $Contender) {
        $ms[$name] = [System.Collections.Generic.List[double]]::new()
        $counts[$name] = [System.Collections.Generic.List[int]]::new()
    }
    $clock = [System.Diagnostics.Stopwatch]::new()
    for ($round = 0; $round -lt $Rounds; $round++) {
        for ($k = 0; $k -lt $Contender.Count; $k++) {
            $name = $Contender[($round + $k) % $Contender.Count]
            [GC]::Collect()
            [GC]::WaitForPendingFinalizers()
            $clock.Restart()
            $result = & $runs[$name]
            $clock.Stop()
            $ms[$name].Add($clock.Elapsed.TotalMilliseconds)
            $counts[$name].Add((& $tally[$name] $result))
            if ($round -eq $Rounds - 1) { $owners[$name] = & $owned[$name] $result }
        }
    }
    [pscustomobject]@{ ms = $ms; counts = $counts; owners = $owners } | ConvertTo-Json -Compress -Depth 4
    return
}

if (-not $IsLinux -or (id -u) -ne '0') { throw 'This benchmark builds a network namespace: run it as root on Linux.' }
$cc = Get-Command cc -CommandType Application -ErrorAction Ignore | Select-Object -First 1
if (-not $cc) { throw 'cc not found: the socket holder cannot be built.' }
$module = (Resolve-Path $ModulePath).Path
$ns = "pslb-bench-$PID"
$work = Join-Path ([IO.Path]::GetTempPath()) "pslb-bench-$PID"
$holder = $null
$workerProcess = $null

function Invoke-Ip { & ip @args; if ($LASTEXITCODE -ne 0) { throw "ip $args failed" } }

try {
    $null = New-Item -ItemType Directory -Force $work
    $binary = Join-Path $work 'sockholder'
    & $cc.Source -O2 -o $binary (Join-Path $PSScriptRoot 'sockholder.c')
    if ($LASTEXITCODE -ne 0) { throw "cc -O2 sockholder.c failed ($LASTEXITCODE)." }

    Invoke-Ip netns add $ns
    Invoke-Ip -n $ns link set lo up

    # ip netns exec and sh both exec, so the process started here is the holder itself (its pid is the owner).
    $start = [System.Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($argument in 'netns', 'exec', $ns, 'sh', '-c', "ulimit -n $(2 * $Clients + 64) && exec `"`$0`" `"`$@`"", $binary, "$Clients", "$HolderSeconds") {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $holder = [System.Diagnostics.Process]::Start($start)
    # Read as it comes, so the holder never blocks on a full pipe; it is shown only when the holder fails.
    $holderErrors = $holder.StandardError.ReadToEndAsync()
    $line = $holder.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds(120))) { throw 'The socket holder was not ready within 120 s.' }
    if ($line.Result -notmatch '^ready pid=(\d+) port=(\d+) sockets=(\d+)$') {
        $holder.WaitForExit(5000) | Out-Null
        throw "The socket holder failed: $($line.Result) $(if ($holderErrors.Wait(5000)) { $holderErrors.Result })"
    }
    $holderPid = [int]$Matches[1]
    $port = [int]$Matches[2]
    $expected = [int]$Matches[3]
    if ($holderPid -ne $holder.Id) { throw "The holder reports pid $holderPid, started as $($holder.Id)." }

    $pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
    $header = "Namespace ${ns}: sockholder pid $holderPid holds $expected TCP sockets (1 listener on 127.0.0.1:$port, $Clients connections, both ends);"
    Write-Host "$header $Rounds rounds; $([Environment]::ProcessorCount) cores, load average $(((Get-Content /proc/loadavg) -split " ")[0..2] -join " "); $(& ss -V); .NET $([Environment]::Version); $(Get-Date -Format s)"
    $workerStart = [System.Diagnostics.ProcessStartInfo]::new('ip')
    $workerArguments = @('netns', 'exec', $ns) + $pwsh + @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath, '-Worker',
        '-ModulePath', $module, '-Rounds', "$Rounds", '-Contender', ($Contender -join ','), '-HolderPid', "$holderPid")
    foreach ($argument in $workerArguments) { $workerStart.ArgumentList.Add($argument) }
    $workerStart.RedirectStandardOutput = $true
    $workerProcess = [System.Diagnostics.Process]::Start($workerStart)
    $output = $workerProcess.StandardOutput.ReadToEndAsync()
    # Bounded by the holder's life: a measurement that outlasts it would count sockets that are gone.
    if (-not $workerProcess.WaitForExit($HolderSeconds * 1000)) { throw "The benchmark worker did not finish within $HolderSeconds s (-HolderSeconds)." }
    $workerProcess.WaitForExit()
    if ($workerProcess.ExitCode -ne 0) { throw "The benchmark worker failed (exit $($workerProcess.ExitCode))." }
    $data = @($output.Result -split "`n" | Where-Object { $_.Trim() })[-1] | ConvertFrom-Json -AsHashtable
    if ($holder.HasExited) { throw "The socket holder ended (exit $($holder.ExitCode)) before the measurement did." }

    $medians = @{}
    foreach ($name in $Contender) { $medians[$name] = Get-Median $data.ms[$name] }
    # The range of the per-round ratios (round i of one against round i of the other): how far noise moves them.
    $ratio = {
        param($name, $base)
        if ($name -eq $base -or $base -notin $Contender) { return '' }
        $each = for ($i = 0; $i -lt $Rounds; $i++) { $data.ms[$name][$i] / $data.ms[$base][$i] }
        $range = $each | Measure-Object -Minimum -Maximum
        '{0:N3} ({1:N2}-{2:N2})' -f ($medians[$name] / $medians[$base]), $range.Minimum, $range.Maximum
    }
    $rows = foreach ($name in $Contender) {
        $distinct = @($data.counts[$name] | Sort-Object -Unique)
        [pscustomobject]@{
            Contender = $name
            MedianMs  = [Math]::Round($medians[$name], 2)
            ToSs      = & $ratio $name 'ss'
            ToDotNet  = & $ratio $name 'dotnet'
            Sockets   = $distinct -join '/'
            Owned     = if ($null -eq $data.owners[$name]) { 'none (API has no owner)' } else { $data.owners[$name] }
        }
    }
    Write-Host 'Medians in ms; ToSs, ToDotNet = ratio of the medians (range of the per-round ratios); Sockets = what it counted (every round);'
    Write-Host "Owned = sockets it attributed to the holder's pid (last round)."
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    $problems = [System.Collections.Generic.List[string]]::new()
    foreach ($row in $rows) {
        if ($row.Sockets -ne "$expected") { $problems.Add("$($row.Contender) counted $($row.Sockets) sockets, the holder holds $expected") }
    }
    foreach ($name in @('cmdlet', 'core') | Where-Object { $_ -in $Contender }) {
        foreach ($base in @('ss', 'dotnet') | Where-Object { $_ -in $Contender }) {
            $verdict = if ($medians[$name] -lt $medians[$base]) { 'met' } else { 'MISSED' }
            Write-Host ("Target {0} faster than {1}: {2} (ratio {3:N3})" -f $name, $base, $verdict, ($medians[$name] / $medians[$base]))
        }
        $verdict = if ($data.owners[$name] -eq $expected) { 'met' } else { 'MISSED' }
        Write-Host ("Target {0} returns the owners: {1} ({2} of {3} held sockets attributed to pid {4})" -f $name, $verdict, $data.owners[$name], $expected, $holderPid)
    }
    foreach ($name in @('cmdlet', 'core') | Where-Object { $_ -in $Contender -and 'ss' -in $Contender }) {
        if ($data.owners[$name] -ne $data.owners.ss) { $problems.Add("$name attributed $($data.owners[$name]) sockets to the holder, ss $($data.owners.ss)") }
    }
    if ($problems.Count) { throw "The contenders disagree: $($problems -join '; ')." }
    Write-Host "Counts agree: every contender counted $expected sockets in every round."
}
finally {
    if ($workerProcess) {
        if (-not $workerProcess.HasExited) { $workerProcess.Kill($true); $workerProcess.WaitForExit(5000) | Out-Null }
        $workerProcess.Dispose()
    }
    if ($holder) {
        if (-not $holder.HasExited) {
            $holder.StandardInput.Close()
            if (-not $holder.WaitForExit(5000)) { $holder.Kill() }
        }
        $holder.Dispose()
    }
    & ip netns del $ns 2>$null
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
