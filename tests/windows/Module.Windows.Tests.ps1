# The module in PowerShell 7 on Windows (the Wine host): it imports, and the session is a Windows one.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'PSLoopback in PowerShell on Windows (under Wine)' {
    It 'runs in a Windows session of PowerShell 7.6' {
        $IsWindows | Should -BeTrue
        $PSVersionTable.Platform | Should -Be 'Win32NT'
        $PSVersionTable.PSVersion.ToString() | Should -BeLike '7.6.*'
    }

    It 'imports the built module with every cmdlet its manifest exports' {
        $manifest = Import-PowerShellDataFile (Join-Path (Get-ModuleUnderTest) 'PSLoopback.psd1')
        $module = Get-Module PSLoopback
        $module.Version | Should -Be $manifest.ModuleVersion
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }
}
