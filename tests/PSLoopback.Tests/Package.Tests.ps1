# The Package task's .nupkg as a user gets it: Install-PSResource from a local file repository into a
# temporary home, then a fresh pwsh -NoProfile with that home imports PSLoopback by name and runs every
# cmdlet and the help. The real user's repositories and modules are never touched: every child's per-user
# folders point into the temporary home. Traffic: Test-Loopback to 127.0.0.1 only.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:module = Get-ModuleUnderTest
    Import-Module $module -Force
    $script:version = (Import-PowerShellDataFile (Join-Path $module 'PSLoopback.psd1')).ModuleVersion
    # build.ps1 -Task Test packs before testing and names the package; alone, the Package task's place in out/.
    $script:nupkg = if ($env:PSLOOPBACK_NUPKG) { $env:PSLOOPBACK_NUPKG } else { Join-Path (Split-Path $module) "PSLoopback.$version.nupkg" }
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "No package at ${nupkg}: run ./build.ps1 -Task Package first." }

    $script:scratch = Join-Path ([IO.Path]::GetTempPath()) "pslb-pkgtest-$([guid]::NewGuid().ToString('n'))"
    $script:homePath = Join-Path $scratch 'home'
    $script:repository = Join-Path $scratch 'repository'
    $null = New-Item -ItemType Directory -Path $repository
    Copy-Item -LiteralPath $nupkg -Destination $repository

    function Invoke-IsolatedPwsh {
        <# Runs a script in a fresh pwsh -NoProfile whose home and per-user folders are $homePath; bounded in time. #>
        param([Parameter(Mandatory)][string]$Script, [int]$TimeoutSeconds = 60)
        $isolated = [ordered]@{
            HOME = $homePath; USERPROFILE = $homePath
            XDG_DATA_HOME = Join-Path $homePath '.local/share'; XDG_CONFIG_HOME = Join-Path $homePath '.config'; XDG_CACHE_HOME = Join-Path $homePath '.cache'
            LOCALAPPDATA = Join-Path $homePath 'AppData/Local'; APPDATA = Join-Path $homePath 'AppData/Roaming'
            POWERSHELL_TELEMETRY_OPTOUT = '1'; POWERSHELL_UPDATECHECK = 'Off'; NO_COLOR = '1'
        }
        # .NET answers '' for a per-user folder that does not exist, and PSResourceGet would then write into the working directory.
        foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'LOCALAPPDATA', 'APPDATA') {
            $null = New-Item -ItemType Directory -Force -Path $isolated[$name]
        }
        # Recomputed by the child from its own home, so Import-Module by name cannot find the module anywhere else.
        $isolated.PSModulePath = $null
        $isolated.PSLOOPBACK_MODULE = $null
        # A script file rather than -EncodedCommand, whose errors would come back as CLIXML.
        $file = Join-Path $scratch "child-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -LiteralPath $file -Value $Script
        $result = Invoke-BoundedProcess -ArgumentList (@(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-File', $file)) `
            -Environment $isolated -WorkingDirectory $homePath -TimeoutSeconds $TimeoutSeconds -Description 'The isolated pwsh'
        if ($result.ExitCode -ne 0) { throw "The isolated pwsh failed (exit $($result.ExitCode)): $($result.Error) $($result.Output)" }
        $result.Output
    }

    $quotedRepository = $repository -replace "'", "''"
    $script:installed = Invoke-IsolatedPwsh -Script @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name PSLoopbackTest -Uri '$quotedRepository' -Trusted
Install-PSResource PSLoopback -Repository PSLoopbackTest -Scope CurrentUser -Version '$version' -Quiet
Get-InstalledPSResource PSLoopback -Scope CurrentUser | ForEach-Object { [pscustomobject]@{ Name = `$_.Name; Version = "`$(`$_.Version)"; InstalledLocation = `$_.InstalledLocation } } | ConvertTo-Json -AsArray
"@ | ConvertFrom-Json

    $script:answers = Invoke-IsolatedPwsh -Script @'
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module PSLoopback
$interfaces = @(Get-NetInterfaceInfo)
$routes = @(Get-NetRouteInfo)
$rules = @(Get-NetRouteInfo -Rule)
$resolved = @(Resolve-NetRoute 127.0.0.1)
$snapshot = Get-NetRouteSnapshot
$fromSnapshot = @(Resolve-NetRoute 127.0.0.1 -Snapshot $snapshot)
$help = Get-Help Test-Loopback -Full
[pscustomobject]@{
    ModuleBase     = (Get-Module PSLoopback).ModuleBase
    Version        = "$((Get-Module PSLoopback).Version)"
    DotNetFramework = "$((Get-Module PSLoopback).DotNetFrameworkVersion)"
    PSModulePath   = $env:PSModulePath
    Loopback       = @($interfaces | Where-Object IsLoopback | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Addresses = @($_.Addresses | ForEach-Object { "$($_.IPAddress)" }) } })
    InterfaceCount = $interfaces.Count
    LocalRoutes    = @($routes | Where-Object { "$($_.RouteType)" -eq 'Local' } | ForEach-Object { "$($_.DestinationPrefix) $($_.InterfaceAlias)" })
    Rules          = @($rules | ForEach-Object { "$($_.AddressFamily) $($_.Priority) $($_.TableName)" })
    Resolved       = @($resolved | ForEach-Object { [pscustomobject]@{ Type = "$($_.RouteType)"; Interface = $_.InterfaceAlias; Table = $_.TableName } })
    SnapshotRoutes = @($snapshot.Routes).Count
    FromSnapshot   = @($fromSnapshot | ForEach-Object { "$($_.RouteType) $($_.InterfaceAlias) $($_.SourceAddress)" })
    Quiet          = Test-Loopback 127.0.0.1 -Quiet
    QuietType      = (Test-Loopback 127.0.0.1 -Quiet -Count 1).GetType().FullName
    Examples       = @($help.examples.example | ForEach-Object { "$($_.code)" })
    PortHelp       = @($help.parameters.parameter | Where-Object name -EQ 'Port' | ForEach-Object { $_.description.Text }) -join ' '
    About          = "$(Get-Help about_PSLoopback -ErrorAction SilentlyContinue)"
} | ConvertTo-Json -Depth 5
'@ | ConvertFrom-Json
}

AfterAll {
    if ($scratch) { Remove-Item -LiteralPath $scratch -Recurse -Force -ErrorAction Ignore }
}

Describe 'The Package task''s .nupkg' {
    It 'is a NuGet package whose nuspec carries the manifest''s id, version, author and description' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entries = @($zip.Entries.FullName)
            $reader = [IO.StreamReader]::new(($zip.Entries | Where-Object FullName -EQ 'PSLoopback.nuspec').Open())
            $nuspec = [xml]$reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $manifest = Import-PowerShellDataFile (Join-Path $module 'PSLoopback.psd1')
        $nuspec.package.metadata.id | Should -Be 'PSLoopback'
        $nuspec.package.metadata.version | Should -Be $manifest.ModuleVersion
        $nuspec.package.metadata.authors | Should -Be $manifest.Author
        $nuspec.package.metadata.description | Should -Be $manifest.Description
        foreach ($file in 'PSLoopback.psd1', 'PSLoopback.dll', 'PSLoopback.Core.dll', 'PSLoopback.Format.ps1xml', 'LICENSE', 'en-US/PSLoopback.dll-Help.xml', 'en-US/about_PSLoopback.help.txt') {
            $entries | Should -Contain $file
        }
    }

    It 'installs with Install-PSResource into the temporary home, not anywhere else' {
        @($installed).Count | Should -Be 1
        $installed[0].Version | Should -Be $version
        $installed[0].InstalledLocation | Should -BeLike "$homePath*"
    }
}

Describe 'The installed module, imported by name in a fresh pwsh -NoProfile' {
    It 'is the copy in the temporary home' {
        $answers.ModuleBase | Should -BeLike "$homePath*"
        $answers.Version | Should -Be $version
        ($answers.PSModulePath -split [IO.Path]::PathSeparator) | Should -Not -Contain (Split-Path $module)
    }

    It 'says Windows PowerShell 5.1 needs .NET Framework 4.7.2, whose reference assemblies the xunit tests check the assemblies against' {
        $answers.DotNetFramework | Should -Be '4.7.2'
    }

    It 'Get-NetInterfaceInfo finds the loopback interface with 127.0.0.1' {
        @($answers.Loopback).Count | Should -BeGreaterOrEqual 1
        @($answers.Loopback.Addresses) | Should -Contain '127.0.0.1'
        if ($IsLinux) {
            $ip = Get-IpJson -Arguments 'link'
            $answers.InterfaceCount | Should -Be @($ip).Count
            @($answers.Loopback.Name) | Should -Be @($ip | Where-Object link_type -EQ 'loopback' | ForEach-Object ifname)
        }
    }

    It 'Get-NetRouteInfo has the local routes of 127.0.0.0/8 and ::1 on the loopback interface, and -Rule the rules' -Skip:(-not $IsLinux) {
        $lo = @($answers.Loopback)[0].Name
        $answers.LocalRoutes | Should -Contain "127.0.0.0/8 $lo"
        $answers.LocalRoutes | Should -Contain "::1/128 $lo"
        $rules = @(Get-IpJson -Arguments 'rule') + @(Get-IpJson -Arguments '-6', 'rule')
        @($answers.Rules).Count | Should -Be $rules.Count
        @($answers.Rules) | Should -Contain 'IPv4 0 local'
    }

    It 'Resolve-NetRoute says 127.0.0.1 is Local, through the loopback interface, from table local' -Skip:(-not $IsLinux) {
        @($answers.Resolved).Count | Should -Be 1
        $answers.Resolved[0].Type | Should -Be 'Local'
        $answers.Resolved[0].Interface | Should -Be @($answers.Loopback)[0].Name
        $answers.Resolved[0].Table | Should -Be 'local'
    }

    It 'Get-NetRouteSnapshot captures every route, and Resolve-NetRoute -Snapshot answers from it as live' -Skip:(-not $IsLinux) {
        $answers.SnapshotRoutes | Should -Be (@(Get-IpJson -Arguments '-4', 'route', 'show', 'table', 'all').Count + @(Get-IpJson -Arguments '-6', 'route', 'show', 'table', 'all').Count)
        $answers.FromSnapshot | Should -Be "Local $(@($answers.Loopback)[0].Name) 127.0.0.1"
    }

    It 'Test-Loopback 127.0.0.1 -Quiet returns a single true' {
        $answers.Quiet | Should -BeTrue
        $answers.QuietType | Should -Be 'System.Boolean'
    }

    It 'Get-Help Test-Loopback -Full has examples, and each parameter''s limits from its attributes' {
        @($answers.Examples).Count | Should -BeGreaterOrEqual 3
        $answers.Examples | Should -Match 'Test-Loopback'
        $range = (Get-Command Test-Loopback).Parameters['Port'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateRangeAttribute] }
        $answers.PortHelp | Should -Match ([regex]::Escape("Range: $($range.MinRange) to $($range.MaxRange)."))
    }

    It 'Get-Help about_PSLoopback tells the story and names every cmdlet' {
        $answers.About | Should -Match 'about_PSLoopback'
        $answers.About | Should -Match '127\.0\.0\.0/8'
        foreach ($cmdlet in (Get-Command -Module PSLoopback -CommandType Cmdlet).Name) { $answers.About | Should -Match $cmdlet }
    }
}
