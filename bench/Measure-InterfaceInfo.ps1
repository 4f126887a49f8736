<#
.SYNOPSIS
    Benchmarks Get-NetInterfaceInfo against .NET's own interface enumeration and against `ip -j -s addr`,
    and measures what Import-Module adds to a pwsh start.
.DESCRIPTION
    All contenders run interleaved in one pwsh, in the same run, in an order that rotates each round, so that a
    noisy machine slows them alike; the report gives medians and ratios to the .NET baseline of the same rounds,
    never a bare time as a verdict. The in-process contenders are measured twice: among themselves (warm), then
    with ip interleaved (each call after a process start, from colder caches).

      cmdlet      $null = Get-NetInterfaceInfo                      (warm, in-process, through the pipeline)
      core        the Core source alone, as a C# caller would use it
      dotnet      NetworkInterface.GetAllNetworkInterfaces() with GetIPProperties() and GetIPStatistics()
                  on each interface, compiled (Add-Type), so PowerShell adds nothing to the baseline
      ip          `ip -j -s addr` as a process, its output read whole

    Target (issue 2): cmdlet / dotnet <= 1.0, while returning more (scope, flags, lifetimes, link kind); issue 11:
    <= 0.5 warm.
    Import-Module's cost: pwsh -NoProfile starts interleaved, bare, importing a module PowerShell ships
    (Microsoft.PowerShell.Utility: what the import machinery itself costs any module), and importing
    PSLoopback; the differences of the medians. Target (issue 2): PSLoopback adds at most 50 ms to a start.

    Run after a build:  dotnet pwsh -NoProfile -File bench/Measure-InterfaceInfo.ps1
.PARAMETER Iterations
    Timed calls per contender and table (after 20 warm-up calls each).
.PARAMETER Starts
    pwsh starts per variant for the import measurement; 0 skips it.
#>
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/PSLoopback'),
    [ValidateRange(10, 100000)][int]$Iterations = 500,
    [ValidateRange(0, 200)][int]$Starts = 15
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

Add-Type -TypeDefinition @'
using System.Net.NetworkInformation;
public static class DotNetEnumeration
{
    public static int Run()
    {
        var count = 0;
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var properties = nic.GetIPProperties();
            var statistics = nic.GetIPStatistics();
            count += properties.UnicastAddresses.Count + (statistics.BytesReceived > 0 ? 1 : 0);
        }
        return count;
    }
}
'@

function Get-Median([double[]]$Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

$source = [PSLoopback.Platform.InterfaceSources]::ForCurrentOS()
$ip = if ($IsLinux) { (Get-Command ip -ErrorAction Ignore).Source }
$contenders = [ordered]@{
    cmdlet = { $null = Get-NetInterfaceInfo }
    core   = { $null = $source.GetInterfaces() }
    dotnet = { $null = [DotNetEnumeration]::Run() }
}
if ($ip) {
    $contenders.ip = {
        $start = [System.Diagnostics.ProcessStartInfo]::new($ip, '-j -s addr')
        $start.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $null = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $process.Dispose()
    }
}

foreach ($run in $contenders.Values) { foreach ($i in 1..20) { & $run } }
$clock = [System.Diagnostics.Stopwatch]::new()

# Rounds of the named contenders; each round starts one contender later, so that each follows each other equally
# often. Prints the medians and their ratios to the .NET baseline of the same rounds.
function Measure-Rounds([string[]]$Names, [string]$Title) {
    $samples = @{}
    foreach ($name in $Names) { $samples[$name] = [System.Collections.Generic.List[double]]::new() }
    foreach ($i in 1..$Iterations) {
        foreach ($step in 0..($Names.Count - 1)) {
            $name = $Names[($i + $step) % $Names.Count]
            $clock.Restart()
            & $contenders[$name]
            $clock.Stop()
            $samples[$name].Add($clock.Elapsed.TotalMilliseconds * 1000)
        }
    }

    $baseline = Get-Median $samples['dotnet']
    Write-Host $Title
    $Names | ForEach-Object {
        $median = Get-Median $samples[$_]
        [pscustomobject]@{
            Contender          = $_
            MedianMicroseconds = [Math]::Round($median, 1)
            RatioToDotNet      = [Math]::Round($median / $baseline, 3)
        }
    } | Format-Table -AutoSize | Out-String | Write-Host
}

Write-Host "Interfaces: $(@(Get-NetInterfaceInfo).Count); iterations: $Iterations; $([Environment]::ProcessorCount) cores; $(Get-Date -Format s)"
# Warm means back to back in one process. A contender that blocks for milliseconds (ip's process start and
# exit, or a bare 3 ms sleep: measured alike) leaves the next calls to run from cold caches on a busy machine,
# which costs PowerShell's pipeline more than a compiled loop; so the in-process contenders are measured
# without it first, then all of them together as before.
Measure-Rounds -Names @('cmdlet', 'core', 'dotnet') -Title 'Warm, in-process contenders only:'
if ($ip) {
    Measure-Rounds -Names @($contenders.Keys) -Title 'All contenders, ip interleaved:'
}

if ($Starts -gt 0) {
    $pwsh = @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
    $module = (Resolve-Path $ModulePath).Path
    $variants = [ordered]@{
        bare    = 'exit 0'
        builtin = 'Import-Module Microsoft.PowerShell.Utility; exit 0'
        import  = "Import-Module '$module'; exit 0"
    }
    $times = @{}
    foreach ($name in $variants.Keys) { $times[$name] = [System.Collections.Generic.List[double]]::new() }
    foreach ($i in 1..$Starts) {
        foreach ($name in $variants.Keys) {
            $clock.Restart()
            & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $variants[$name]
            $clock.Stop()
            $times[$name].Add($clock.Elapsed.TotalMilliseconds)
        }
    }
    $bare = Get-Median $times['bare']
    $builtin = Get-Median $times['builtin']
    $import = Get-Median $times['import']
    Write-Host ("pwsh -NoProfile start, median of {0}: bare {1:N0} ms; importing Microsoft.PowerShell.Utility {2:N0} ms; importing PSLoopback {3:N0} ms" -f $Starts, $bare, $builtin, $import)
    Write-Host ("Import-Module PSLoopback adds {0:N0} ms to a start (ratio {1:N3}); {2:N0} ms more than importing the built-in module" -f ($import - $bare), ($import / $bare), ($import - $builtin))
}
