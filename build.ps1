<#
.SYNOPSIS
    Builds, tests, demonstrates and packages PSLoopback.
.DESCRIPTION
    Build (the default) leaves an importable module in out/PSLoopback.
    Test builds, runs the xunit tests and then the Pester tests in a fresh pwsh -NoProfile against
    out/PSLoopback, and ends with the line "N passed, N failed, N skipped" counting both suites.
    Demo builds and shows this machine's answers. Package zips the module. Clean removes build output.
.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File ./build.ps1 -Task Demo
.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Clean')]
    [string]$Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Release'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'PSLoopback'
$ResultsDir = Join-Path $Out 'test-results'
$Manifest = Import-PowerShellDataFile (Join-Path $Root 'PSLoopback.psd1')
$Version = $Manifest.ModuleVersion
$PesterVersion = '5.7.1'

# The pwsh running this script, so child processes use the same (local dotnet tool) PowerShell.
function Get-PwshInvocation {
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if ([Environment]::ProcessPath -match 'dotnet(\.exe)?$' -and (Test-Path $dll)) {
        return @([Environment]::ProcessPath, $dll)
    }
    return @([Environment]::ProcessPath)
}

function Invoke-Native {
    param([string]$FilePath, [string[]]$ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Write-Host "== Build ($Configuration, version $Version)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'PSLoopback.sln'), '-c', $Configuration, '-nologo', '-v', 'quiet', "-p:Version=$Version")

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ModuleOut
    $bin = Join-Path $Root "src/PSLoopback/bin/$Configuration/netstandard2.0"
    foreach ($file in 'PSLoopback.dll', 'PSLoopback.Core.dll', 'PSLoopback.Format.ps1xml') {
        Copy-Item (Join-Path $bin $file) $ModuleOut
    }
    Copy-Item (Join-Path $Root 'PSLoopback.psd1') $ModuleOut

    # MAML help: the text from docs/help, the parameter facts from the built cmdlets themselves.
    $pwsh = Get-PwshInvocation
    $helpArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'docs/New-MamlHelp.ps1'),
        '-ModulePath', $ModuleOut, '-HelpSource', (Join-Path $Root 'docs/help'),
        '-OutputPath', (Join-Path $ModuleOut 'en-US/PSLoopback.dll-Help.xml'))
    Invoke-Native $pwsh[0] (@($pwsh | Select-Object -Skip 1) + $helpArgs)
    Write-Host "Module staged at $ModuleOut"
}

function Install-TestPrerequisite {
    # The tests compare with iproute2, build network namespaces with it, trace system calls with strace,
    # and reach namespace hosts through PowerShell remoting over ssh (an sshd per namespace, ssh-keygen).
    if (-not $IsLinux) { return }
    $needed = [ordered]@{ iproute2 = 'ip'; strace = 'strace'; 'openssh-server' = '/usr/sbin/sshd'; 'openssh-client' = 'ssh-keygen' }
    $missing = @($needed.GetEnumerator() | Where-Object { -not (Get-Command $_.Value -ErrorAction Ignore) } | ForEach-Object Key)
    if (-not $missing) { return }
    if ((id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Warning "Missing $($missing -join ', ') and cannot install them here; the tests that need them will be skipped."
        return
    }
    Write-Host "== Installing $($missing -join ', ') for the tests"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get @('update', '-qq')
    Invoke-Native apt-get (@('install', '-y', '-qq') + $missing)
}

function Get-PesterModulePath {
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/PSLoopback.Tests/TestDependencies.csproj'), '-nologo', '-v', 'quiet')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    }
    $path = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $PesterVersion was restored, but $path is missing." }
    return $path
}

function Read-TrxCount {
    param([string]$Path)
    $xml = [xml](Get-Content -Raw $Path)
    $counters = $xml.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

function Invoke-Test {
    Invoke-Build
    Install-TestPrerequisite
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ResultsDir

    Write-Host '== xunit: PSLoopback.Core.Tests'
    & dotnet test (Join-Path $Root 'tests/PSLoopback.Core.Tests') -c $Configuration --no-build -nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=normal' --results-directory $ResultsDir
    $xunitExit = $LASTEXITCODE
    $trx = Join-Path $ResultsDir 'xunit.trx'
    $xunit = if (Test-Path $trx) { Read-TrxCount $trx } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }

    Write-Host '== Pester: tests/PSLoopback.Tests, in a fresh pwsh -NoProfile'
    $pesterJson = Join-Path $ResultsDir 'pester.json'
    $pwsh = Get-PwshInvocation
    # Tests start pwsh in namespaces; they take the same (local tool) PowerShell from here.
    $env:PSLOOPBACK_PWSH = ConvertTo-Json -Compress @($pwsh)
    $pesterArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/PSLoopback.Tests/Invoke-PesterTests.ps1'),
        '-PesterPath', (Get-PesterModulePath), '-ModulePath', $ModuleOut, '-ResultPath', $pesterJson)
    & $pwsh[0] @(@($pwsh | Select-Object -Skip 1) + $pesterArgs)
    $pesterExit = $LASTEXITCODE
    $pester = if (Test-Path $pesterJson) { Get-Content -Raw $pesterJson | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }
    if ($pesterExit -ne 0 -and $pester.Failed -eq 0) { $pester.Failed = 1 }

    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
    $failed = $xunit.Failed + $pester.Failed
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f ($xunit.Passed + $pester.Passed), $failed, ($xunit.Skipped + $pester.Skipped))
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $pwsh = Get-PwshInvocation
    $demo = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'docs/Show-Demo.ps1'), '-ModulePath', $ModuleOut)
    Invoke-Native $pwsh[0] (@($pwsh | Select-Object -Skip 1) + $demo)
}

function Invoke-Package {
    Invoke-Build
    $zip = Join-Path $Out "PSLoopback-$Version.zip"
    Compress-Archive -Path $ModuleOut -DestinationPath $zip -Force
    Write-Host "Packaged $zip"
}

function Invoke-Clean {
    $targets = @($Out) + @(Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests'), (Join-Path $Root 'bench') -Directory -Recurse -Include bin, obj -ErrorAction Ignore | ForEach-Object FullName)
    foreach ($target in $targets) {
        if (Test-Path $target) { Remove-Item $target -Recurse -Force; Write-Host "Removed $target" }
    }
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
finally {
    Pop-Location
}
