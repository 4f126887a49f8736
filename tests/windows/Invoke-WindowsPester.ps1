<#
.SYNOPSIS
    Runs the Windows suite (tests/windows/*.Tests.ps1) for one phase; Invoke-WineTests.ps1 starts it
    inside the Wine host, where $IsWindows is true.
.DESCRIPTION
    Host: the tests that need no topology, on this machine. Namespace: those and the ones tagged
    Namespace, inside the namespace New-WineTopology builds. LoopbackDown: the ones tagged LoopbackDown,
    after lo is brought down in that namespace.
    Writes the counts to -ResultPath as JSON (Passed, Failed, Skipped), a failed BeforeAll/AfterAll block
    or a test file that could not run counting as a failure. With -SkipBecause nothing runs: the tests the
    phase would run are counted as skipped, and the reason is printed (this works in pwsh on Linux too).
#>
param(
    [Parameter(Mandatory)][string]$PesterPath,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$ResultPath,
    [Parameter(Mandatory)][ValidateSet('Host', 'Namespace', 'LoopbackDown')][string]$Phase,
    [string]$SkipBecause
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:PSLOOPBACK_MODULE = $ModulePath

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
switch ($Phase) {
    'Host' { $config.Filter.ExcludeTag = 'Namespace', 'LoopbackDown' }
    'Namespace' { $config.Filter.ExcludeTag = 'LoopbackDown' }
    'LoopbackDown' { $config.Filter.Tag = 'LoopbackDown' }
}
if ($SkipBecause) {
    $config.Run.SkipRun = $true
    $config.Output.Verbosity = 'None'
}
else {
    # Failures in full, skips with their reasons (below), and the summary: not one line per passing test.
    # No NUnit XML: under Wine, Pester's writer stops the script after the XML's first lines, at <environment>.
    $config.Output.Verbosity = 'Normal'
    $config.Output.RenderMode = 'Plaintext'
}
$result = Invoke-Pester -Configuration $config

if ($SkipBecause) {
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = @($result.Tests | Where-Object ShouldRun).Count; Failures = @() }
    Write-Host "[!] The Windows suite's $Phase phase ($($counts.Skipped) tests) is skipped: $SkipBecause."
}
else {
    foreach ($test in $result.Skipped) {
        $reason = @($test.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join '; '
        Write-Host "[!] $($test.ExpandedPath) $(if ($reason) { $reason } else { 'is skipped' })"
    }
    $failures = @(& (Join-Path $PSScriptRoot '../Get-PesterFailure.ps1') $result | ForEach-Object { "$Phase phase: $_" })
    $counts = [pscustomobject]@{
        Passed   = $result.PassedCount
        Failed   = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
        # Tests the phase's tags leave out are NotRun too, but belong to another phase.
        Skipped  = $result.SkippedCount + @($result.NotRun | Where-Object ShouldRun).Count
        Failures = $failures
    }
}
$counts | ConvertTo-Json | Set-Content -Path $ResultPath
