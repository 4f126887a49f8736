<#
.SYNOPSIS
    Shows PSLoopback's answers on this machine: what build.ps1 -Task Demo runs.
#>
param([Parameter(Mandatory)][string]$ModulePath)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

Write-Host "`n== The interfaces of this machine (Get-NetInterfaceInfo)"
Get-NetInterfaceInfo | Format-Table | Out-String -Width 200 | Write-Host

Write-Host "== The loopback interface, in full (Get-NetInterfaceInfo -Loopback | Format-List)"
Get-NetInterfaceInfo -Loopback | Format-List | Out-String -Width 200 | Write-Host

Write-Host "== Every address, one per line (Get-NetInterfaceInfo | ForEach-Object Addresses)"
Get-NetInterfaceInfo | ForEach-Object Addresses | Format-Table | Out-String -Width 200 | Write-Host
