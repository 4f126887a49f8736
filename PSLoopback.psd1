@{
    # The one version source: build.ps1 passes it to dotnet build as the assemblies' version.
    ModuleVersion        = '0.1.0'
    GUID                 = '2513d3f8-ba3d-4d35-923c-ce9107cc7040'
    RootModule           = 'PSLoopback.dll'
    Author               = 'PSLoopback contributors'
    CompanyName          = 'PSLoopback'
    Copyright            = '(c) PSLoopback contributors. MIT licence.'
    Description          = 'Interfaces, routes and the loopback path as PowerShell objects: which interfaces this machine has, which way a packet to X goes and why, and whether localhost really works.'
    PowerShellVersion    = '5.1'
    # Windows PowerShell 5.1 loads the netstandard2.0 assemblies only on .NET Framework 4.7.2 or later (4.6.2
    # has no netstandard.dll). A statement, not a guard: Windows PowerShell 5.1 checks versions up to 4.5 only
    # and lets a later one through (-Verbose says so); PowerShell 7 ignores the key.
    DotNetFrameworkVersion = '4.7.2'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('PSLoopback.Format.ps1xml')
    TypesToProcess       = @('PSLoopback.Types.ps1xml')
    CmdletsToExport      = @('Get-NetInterfaceInfo', 'Get-NetRouteInfo', 'Get-NetRouteSnapshot', 'Resolve-NetRoute', 'Test-Loopback', 'Get-NetSocketInfo')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('network', 'networking', 'loopback', 'localhost', 'interface', 'routing', 'netlink', 'Linux', 'Windows', 'macOS', 'PSEdition_Core', 'PSEdition_Desktop')
            LicenseUri   = 'https://github.com/psloopback/PSLoopback/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/psloopback/PSLoopback'
            ReleaseNotes = 'Get-NetInterfaceInfo: interfaces, addresses and counters; exact on Linux (rtnetlink).'
        }
    }
}
