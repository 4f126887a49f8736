<#
.SYNOPSIS
    Runs the kernel-selftest lookups (tests/topologies/KernelSelftests) by hand and prints the figures: per
    selftest, how many lookups, how many asked of both sides, equal, different, hash not computed (the kernel
    hashed onto another of our paths by a hash the cmdlet cannot compute), cannot be asked (no parameter
    for a selector) and not asked (iproute2 6.1 cannot write the setup or ask the lookup), then each difference
    with its reproduction. Needs root. Example, after build.ps1 -Task Build:
        sudo dotnet pwsh -NoProfile -File tests/topologies/Invoke-KernelSelftests.ps1 -ModulePath out/PSLoopback
.PARAMETER Scenario
    Only these scenarios (their Name in the scenario files).
.PARAMETER ResultPath
    Also write every lookup's result there as JSON.
#>
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../../out/PSLoopback'),
    [string[]]$Scenario,
    [string]$ResultPath,
    [switch]$Quiet
)

$ErrorActionPreference = 'Stop'
# pwsh -File passes "a,b" as one string.
$Scenario = @($Scenario | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
Import-Module (Join-Path $PSScriptRoot 'KernelSelftests.psm1') -Force
$pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
$clock = [Diagnostics.Stopwatch]::StartNew()
$results = @(Invoke-KernelSelftest -ModulePath (Resolve-Path $ModulePath).Path -PwshCommand $pwsh -Scenario $Scenario)
$known = Get-KernelSelftestKnownDifference

if ($ResultPath) { ConvertTo-Json -InputObject $results -Depth 4 | Set-Content -LiteralPath $ResultPath }
if (-not $Quiet) {
    foreach ($result in $results | Where-Object Status -In 'Different', 'HashNotComputed') {
        $listed = if ($known.ContainsKey($result.Id)) { "known: $($known[$result.Id])" } else { 'NOT in KnownDifferences.psd1' }
        Write-Host "$($result.Reproduction)`n  ($($result.Status); $listed)`n"
    }
}
if (-not $results) { throw "No scenario is named $($Scenario -join ', ')." }
Measure-KernelSelftestResult -Result $results | Format-Table -AutoSize | Out-String | Write-Host
$all = Measure-KernelSelftestResult -Result $results | Where-Object Selftest -EQ 'all'
Write-Host ("Of {0} lookups, {1} cannot be asked and {2} are not asked yet; of the {3} asked, {4} are equal, {5} get a different answer from ``ip route get`` and {6} differ by a hash the cmdlet cannot compute (HashNotComputed) ({7:n0} s)." -f
    $all.Lookups, $all.CannotBeAsked, $all.NotAsked, $all.Asked, $all.Equal, $all.Different, $all.HashNotComputed, $clock.Elapsed.TotalSeconds)
