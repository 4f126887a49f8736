<#
.SYNOPSIS
    Runs the Windows suite under Wine; build.ps1 -Task Test starts it after the xunit and Pester suites.
.DESCRIPTION
    Publishes the Wine host (tests/windows/host) to -WorkPath, makes a Wine prefix for this machine and
    one for a network namespace (both kept in -WorkPath between runs), and runs Invoke-WindowsPester.ps1
    inside the host, against the built module, in three phases: on this machine (Host), in the namespace
    New-WineTopology builds (Namespace), and there again after lo is brought down (LoopbackDown). Prints
    how long each step took, and writes the summed counts to -ResultPath as JSON (Passed, Failed, Skipped).
    Without Wine every phase is skipped; without root or namespaces the two namespace phases are: the
    reason is printed and their tests are counted as skipped.
#>
param(
    [Parameter(Mandatory)][string]$PesterPath,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$WorkPath,
    [Parameter(Mandatory)][string]$ResultPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'WineHarness.psm1') -Force

$runner = Join-Path $PSScriptRoot 'Invoke-WindowsPester.ps1'
$resultsDirectory = Split-Path $ResultPath
$scratch = Join-Path $WorkPath 'scratch'
$counts = [System.Collections.Generic.List[object]]::new()

function Measure-Step {
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][scriptblock]$Action)
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    try { & $Action }
    finally { Write-Host ('Wine: {0}: {1:0.0} s' -f $Name, $clock.Elapsed.TotalSeconds) }
}

function Skip-Phase {
    <# Counts the tests of a phase as skipped, with the reason, without Wine: Pester only discovers them. #>
    param([Parameter(Mandatory)][string]$Phase, [Parameter(Mandatory)][string]$Reason)
    $path = Join-Path $resultsDirectory "wine-$($Phase.ToLowerInvariant()).json"
    & $runner -PesterPath $PesterPath -ModulePath $ModulePath -ResultPath $path -Phase $Phase -SkipBecause $Reason
    $counts.Add((Get-Content -Raw $path | ConvertFrom-Json))
}

function Invoke-Phase {
    <# Runs a phase in the Wine host; a run that fails to report its counts counts as one failure. #>
    param([Parameter(Mandatory)][string]$Phase, [Parameter(Mandatory)][string]$Prefix, [string]$Namespace)
    $path = Join-Path $resultsDirectory "wine-$($Phase.ToLowerInvariant()).json"
    Remove-Item -LiteralPath $path -ErrorAction Ignore
    Write-Host "== Wine: the Windows suite, $Phase phase$(if ($Namespace) { " (in $Namespace)" })"
    $arguments = @('-PesterPath', (ConvertTo-WinePath $PesterPath), '-ModulePath', (ConvertTo-WinePath $ModulePath),
        '-ResultPath', (ConvertTo-WinePath $path), '-Phase', $Phase)
    try {
        $run = Measure-Step "the $Phase phase" {
            Invoke-WineHost -Prefix $Prefix -HostPath $wineHost -ScriptPath $runner -ArgumentList $arguments -Namespace $Namespace `
                -Environment @{ PSLOOPBACK_WINE_SCRATCH = $scratch } -TimeoutSeconds 180
        }
        Write-Host $run.Output
        if ($run.Error) { Write-Host $run.Error }
        if (-not (Test-Path -LiteralPath $path)) { throw "The $Phase phase wrote no counts (exit code $($run.ExitCode))." }
        $counts.Add((Get-Content -Raw $path | ConvertFrom-Json))
    }
    catch {
        Write-Host "[-] The Windows suite's $Phase phase failed: $_"
        $counts.Add([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("$Phase phase: $(("$_" -split '\r?\n')[0])") })
    }
}

try {
    $reason = Get-WineUnavailableReason
    if ($reason) {
        foreach ($phase in 'Host', 'Namespace', 'LoopbackDown') { Skip-Phase $phase $reason }
        return
    }
    $null = New-Item -ItemType Directory -Force -Path $WorkPath, $scratch
    $wineHost = Measure-Step 'publishing the host (dotnet publish -r win-x64 --self-contained)' { Publish-WineHost (Join-Path $WorkPath 'host') }
    $hostPrefix = Join-Path $WorkPath 'prefix-host'
    Measure-Step 'the prefix for this machine' { Initialize-WinePrefix $hostPrefix }
    Invoke-Phase 'Host' $hostPrefix

    $reason = Get-NetnsUnavailableReason
    if ($reason) {
        foreach ($phase in 'Namespace', 'LoopbackDown') { Skip-Phase $phase $reason }
        return
    }
    $namespacePrefix = Join-Path $WorkPath 'prefix-netns'
    Remove-StaleTestNamespace
    try {
        $topology = Measure-Step 'the namespace topology' { New-WineTopology }
        Measure-Step 'the prefix for the namespace (a copy)' { Initialize-WinePrefix $namespacePrefix -CopyFrom $hostPrefix }
        Invoke-Phase 'Namespace' $namespacePrefix $topology.Host
        Invoke-Ip -n $topology.Host link set lo down | Out-Null
        Invoke-Phase 'LoopbackDown' $namespacePrefix $topology.Host
    }
    finally {
        Stop-WineServer $namespacePrefix
        Remove-TestNamespace
    }
}
catch {
    Write-Host "[-] The Windows suite could not run: $_"
    $counts.Add([pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("the suite could not run: $(("$_" -split '\r?\n')[0])") })
}
finally {
    [pscustomobject]@{
        Passed   = [int]($counts | Measure-Object Passed -Sum).Sum
        Failed   = [int]($counts | Measure-Object Failed -Sum).Sum
        Skipped  = [int]($counts | Measure-Object Skipped -Sum).Sum
        Failures = @($counts | ForEach-Object { if ($_.PSObject.Properties['Failures']) { $_.Failures } } | Where-Object { $_ })
    } | ConvertTo-Json | Set-Content -Path $ResultPath
}
