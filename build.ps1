<#
.SYNOPSIS
    Builds, tests, demonstrates and packages PSLoopback.
.DESCRIPTION
    Build (the default) leaves an importable module in out/PSLoopback.
    Test packages, runs the xunit tests, then the Pester tests in a fresh pwsh -NoProfile against
    out/PSLoopback and the package, then the Windows suite (tests/windows) in a win-x64 PowerShell under
    Wine, and ends with the line "N passed, N failed, N skipped" counting all three. Only failures (with their details), skips and the summaries are printed.
    Demo builds and shows this machine's answers. Package builds and packs the module into
    out/PSLoopback.<version>.nupkg with PSResourceGet. Clean removes build output.
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

# CI pipes the log to a file: no colour codes there. NO_COLOR reaches every child (pwsh 7.4+, Pester, the tests' own pwsh).
if ([Console]::IsOutputRedirected) {
    $env:NO_COLOR = '1'
    if (Get-Variable PSStyle -ErrorAction Ignore) { $PSStyle.OutputRendering = 'PlainText' }
}

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
    foreach ($file in 'PSLoopback.dll', 'PSLoopback.Core.dll', 'PSLoopback.Format.ps1xml', 'PSLoopback.Types.ps1xml') {
        Copy-Item (Join-Path $bin $file) $ModuleOut
    }
    Copy-Item (Join-Path $Root 'PSLoopback.psd1') $ModuleOut
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut
    $null = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'en-US')
    Copy-Item (Join-Path $Root 'docs/about_PSLoopback.help.txt') (Join-Path $ModuleOut 'en-US')

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
    # reach namespace hosts through PowerShell remoting over ssh (an sshd per namespace, ssh-keygen), check
    # the Windows structure and constant declarations against mingw-w64's Windows headers (its C compiler), and run the
    # Windows code under Wine.
    if (-not $IsLinux) { return }
    $needed = [ordered]@{
        iproute2 = 'ip'; strace = 'strace'; 'openssh-server' = '/usr/sbin/sshd'; 'openssh-client' = 'ssh-keygen'
        'gcc-mingw-w64-x86-64' = 'x86_64-w64-mingw32-gcc'; wine = 'wine'
    }
    $missing = @($needed.GetEnumerator() | Where-Object { -not (Get-Command $_.Value -ErrorAction Ignore) } | ForEach-Object Key)
    if (-not $missing) { return }
    if ((id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Warning "Missing $($missing -join ', ') and cannot install them here; the tests that need them will be skipped."
        return
    }
    Write-Host "== Installing $($missing -join ', ') for the tests"
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get @('update', '-qq')
    Invoke-Native apt-get (@('install', '-y', '-qq', '--no-install-recommends') + $missing)
    Write-Host ('Installed in {0:0.0} s' -f $clock.Elapsed.TotalSeconds)
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

function Read-TrxResult {
    <# The counts of a TRX file and the failed tests' names; XPath, as a crashed test host's file lacks whole elements. #>
    param([string]$Path)
    $xml = [xml](Get-Content -Raw $Path)
    $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
    $ns.AddNamespace('t', 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010')
    $counters = $xml.SelectSingleNode('/t:TestRun/t:ResultSummary/t:Counters', $ns)
    $count = { param($name) if ($counters -and $counters.GetAttribute($name)) { [int]$counters.GetAttribute($name) } else { 0 } }
    $failures = @(foreach ($result in $xml.SelectNodes('/t:TestRun/t:Results/t:UnitTestResult[@outcome!="Passed" and @outcome!="NotExecuted"]', $ns)) {
        $message = $result.SelectSingleNode('t:Output/t:ErrorInfo/t:Message', $ns)
        $first = if ($message) { ($message.InnerText.Trim() -split '\r?\n')[0] } else { '' }
        "$($result.GetAttribute('testName')) ($($result.GetAttribute('outcome')))$(if ($first) { ": $first" })"
    })
    # An aborted run (a crashed test host) has no result for the test that was running: its errors say what happened.
    $failures += @(foreach ($info in $xml.SelectNodes('/t:TestRun/t:ResultSummary/t:RunInfos/t:RunInfo[@outcome="Error"]/t:Text', $ns)) {
        ($info.InnerText.Trim() -split '\r?\n')[0]
    })
    [pscustomobject]@{
        Passed   = & $count 'passed'
        Failed   = (& $count 'failed') + (& $count 'error') + (& $count 'timeout') + (& $count 'aborted')
        Skipped  = & $count 'notExecuted'
        Failures = $failures
    }
}

function Invoke-Test {
    # The package is built first: Package.Tests.ps1 installs it the way a user would.
    Invoke-Package
    Install-TestPrerequisite
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $ResultsDir

    Write-Host '== xunit: PSLoopback.Core.Tests'
    & dotnet test (Join-Path $Root 'tests/PSLoopback.Core.Tests') -c $Configuration --no-build -nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $ResultsDir
    $xunitExit = $LASTEXITCODE
    $trx = Join-Path $ResultsDir 'xunit.trx'
    $xunit = if (Test-Path $trx) { Read-TrxResult $trx } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("no TRX file was written (dotnet test exit code $xunitExit)") } }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }

    Write-Host '== Pester: tests/PSLoopback.Tests, in a fresh pwsh -NoProfile'
    $pesterJson = Join-Path $ResultsDir 'pester.json'
    $pwsh = Get-PwshInvocation
    # Tests start pwsh in namespaces; they take the same (local tool) PowerShell from here.
    $env:PSLOOPBACK_PWSH = ConvertTo-Json -Compress @($pwsh)
    $env:PSLOOPBACK_NUPKG = Join-Path $Out "PSLoopback.$Version.nupkg"
    $pesterPath = Get-PesterModulePath
    $pesterArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/PSLoopback.Tests/Invoke-PesterTests.ps1'),
        '-PesterPath', $pesterPath, '-ModulePath', $ModuleOut, '-ResultPath', $pesterJson)
    & $pwsh[0] @(@($pwsh | Select-Object -Skip 1) + $pesterArgs)
    $pesterExit = $LASTEXITCODE
    $pester = if (Test-Path $pesterJson) { Get-Content -Raw $pesterJson | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("no results were written (exit code $pesterExit)") } }
    if ($pesterExit -ne 0 -and $pester.Failed -eq 0) { $pester.Failed = 1 }

    # The Windows code path, in PowerShell for Windows under Wine (tests/windows); skipped, saying why, without Wine.
    Write-Host '== Wine: tests/windows, in a win-x64 PowerShell under Wine'
    $wineJson = Join-Path $ResultsDir 'wine.json'
    $wineArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'tests/windows/Invoke-WineTests.ps1'),
        '-PesterPath', $pesterPath, '-ModulePath', $ModuleOut, '-WorkPath', (Join-Path $Out 'wine'), '-ResultPath', $wineJson)
    & $pwsh[0] @(@($pwsh | Select-Object -Skip 1) + $wineArgs)
    $wineExit = $LASTEXITCODE
    $wine = if (Test-Path $wineJson) { Get-Content -Raw $wineJson | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Failures = @("no results were written (exit code $wineExit)") } }
    if ($wineExit -ne 0 -and $wine.Failed -eq 0) { $wine.Failed = 1 }

    # Named last, so the tail of a long run (all a CI log may keep) says which tests failed.
    foreach ($suite in ('xunit', $xunit), ('Pester', $pester), ('Wine', $wine)) {
        $names = @(if ($suite[1].PSObject.Properties['Failures']) { $suite[1].Failures | Where-Object { $_ } })
        foreach ($failure in $names) { Write-Host "[-] $($suite[0]): $failure" }
        if ($suite[1].Failed -gt $names.Count) {
            Write-Host "[-] $($suite[0]): $($suite[1].Failed - $names.Count) failure(s) its results do not name; its output above says more"
        }
    }
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
    Write-Host ("Wine: {0} passed, {1} failed, {2} skipped" -f $wine.Passed, $wine.Failed, $wine.Skipped)
    $suites = $xunit, $pester, $wine
    $failed = [int]($suites | Measure-Object Failed -Sum).Sum
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f ($suites | Measure-Object Passed -Sum).Sum, $failed, ($suites | Measure-Object Skipped -Sum).Sum)
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $pwsh = Get-PwshInvocation
    $demo = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Root 'docs/Show-Demo.ps1'), '-ModulePath', $ModuleOut)
    Invoke-Native $pwsh[0] (@($pwsh | Select-Object -Skip 1) + $demo)
}

function Invoke-IsolatedPwsh {
    <#
        Runs a script file in a child pwsh whose per-user folders all lie under $HomePath, so what
        PSResourceGet writes there (its repository list, installed modules) never reaches the user's own.
    #>
    param([string]$HomePath, [string]$ScriptPath, [string[]]$ArgumentList)
    $isolated = [ordered]@{
        HOME = $HomePath; USERPROFILE = $HomePath
        XDG_DATA_HOME = Join-Path $HomePath '.local/share'; XDG_CONFIG_HOME = Join-Path $HomePath '.config'; XDG_CACHE_HOME = Join-Path $HomePath '.cache'
        LOCALAPPDATA = Join-Path $HomePath 'AppData/Local'; APPDATA = Join-Path $HomePath 'AppData/Roaming'
        # Recomputed by the child from its own home, so no module path of the user's is searched.
        PSModulePath = $null
        POWERSHELL_TELEMETRY_OPTOUT = '1'; POWERSHELL_UPDATECHECK = 'Off'
    }
    # .NET answers '' for a per-user folder that does not exist, and PSResourceGet then writes into the working directory.
    foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'LOCALAPPDATA', 'APPDATA') {
        $null = New-Item -ItemType Directory -Force -Path $isolated[$name]
    }
    $saved = @{}
    foreach ($name in $isolated.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $isolated[$name])
    }
    $pwsh = Get-PwshInvocation
    Push-Location $HomePath
    try {
        Invoke-Native $pwsh[0] (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $ScriptPath) + $ArgumentList)
    }
    finally {
        Pop-Location
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

function Invoke-Package {
    <#
        Packs out/PSLoopback with PSResourceGet itself (Publish-PSResource to a temporary local repository),
        so the .nupkg is one Install-PSResource accepts, and leaves it in out/.
    #>
    Invoke-Build
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "pslb-package-$([guid]::NewGuid().ToString('n'))"
    $repository = Join-Path $scratch 'repository'
    try {
        $null = New-Item -ItemType Directory -Path $repository
        $publish = Join-Path $scratch 'Publish.ps1'
        # Unregistered in finally as well: on Windows the per-user folder does not follow the environment.
        Set-Content -Path $publish -Value @'
param([string]$ModulePath, [string]$RepositoryPath)
$ErrorActionPreference = 'Stop'
$name = "PSLoopbackBuild$PID"
Register-PSResourceRepository -Name $name -Uri $RepositoryPath -Trusted
try { Publish-PSResource -Path $ModulePath -Repository $name }
finally { Unregister-PSResourceRepository -Name $name }
'@
        Invoke-IsolatedPwsh -HomePath $scratch -ScriptPath $publish -ArgumentList $ModuleOut, $repository
        $package = @(Get-ChildItem -Path $repository -Filter "PSLoopback.$Version.nupkg")
        if ($package.Count -ne 1) { throw "Publish-PSResource left no PSLoopback.$Version.nupkg in $repository." }
        Get-ChildItem -Path $Out -Filter 'PSLoopback.*.nupkg' | Remove-Item
        Copy-Item $package[0].FullName $Out
        Write-Host "Packaged $(Join-Path $Out $package[0].Name)"
    }
    finally {
        Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction Ignore
    }
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
