<#
.SYNOPSIS
    Runs the Pester tests against the built module; build.ps1 -Task Test starts it in a fresh pwsh -NoProfile.
.DESCRIPTION
    Writes the counts to -ResultPath as JSON and exits non-zero on any failure, including a failed
    BeforeAll/AfterAll block or a test file that could not run.
#>
param(
    [Parameter(Mandatory)][string]$PesterPath,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$ResultPath
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
# Test files read the module under test from here, so they never import the source tree.
$env:PSLOOPBACK_MODULE = (Resolve-Path $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
# Failures in full, skips with their reasons (below), and the summary: not one line per passing test.
$config.Output.Verbosity = 'Normal'
if ([Console]::IsOutputRedirected -or $null -ne $env:NO_COLOR) {
    $PSStyle.OutputRendering = 'PlainText'
    $config.Output.RenderMode = 'Plaintext'
}
$config.TestResult.Enabled = $true
$config.TestResult.OutputPath = Join-Path (Split-Path $ResultPath) 'pester.xml'
$result = Invoke-Pester -Configuration $config

foreach ($test in $result.Skipped) {
    $reason = @($test.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join '; '
    Write-Host "[!] $($test.ExpandedPath) $(if ($reason) { $reason } else { 'is skipped' })"
}

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# The names go to the summary, so the last lines of a long run say what failed.
$failures = @(& (Join-Path $PSScriptRoot '../Get-PesterFailure.ps1') $result)
[pscustomobject]@{
    Passed   = $result.PassedCount
    Failed   = $failed
    Skipped  = $result.SkippedCount + $result.NotRunCount
    Failures = $failures
} | ConvertTo-Json | Set-Content -Path $ResultPath
exit ([int]($failed -gt 0))
