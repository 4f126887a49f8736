# Test-Loopback on Windows (under Wine): round trips through the loopback interface, and, after lo is
# brought down on the Linux side of the namespace (the LoopbackDown phase), the diagnosis in Windows terms.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Test-Loopback on Windows' {
    It 'makes round trips to <Target>' -TestCases @(@{ Target = '127.0.0.1' }, @{ Target = '::1' }) {
        $result = Test-Loopback $Target -WarningAction SilentlyContinue
        $result.Status | Should -Be 'Success'
        $result.Succeeded | Should -BeTrue
        $result.RoundTrips | Should -Be $result.Count
        $result.IsLoopbackAddress | Should -BeTrue
    }
}

Describe 'Test-Loopback on Windows: names' {
    It 'answers localhost through loopback, reading the hosts file under %SystemRoot%\System32\drivers\etc' {
        $verbose = Test-Loopback localhost -Verbose -WarningAction SilentlyContinue 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $hosts = Join-Path ([Environment]::GetFolderPath('System')) 'drivers\etc\hosts'
        ($verbose.Message -join "`n") | Should -Match ([regex]::Escape($hosts))
        $results = @(Test-Loopback localhost -WarningAction SilentlyContinue)
        $results.Count | Should -BeGreaterThan 0
        $results | ForEach-Object { $_.IsLoopbackAddress | Should -BeTrue; $_.Succeeded | Should -BeTrue }
    }
}

Describe 'Test-Loopback on Windows with the loopback interface down' -Tag 'LoopbackDown' {
    BeforeAll {
        $script:lo = (Get-IpJson link show dev lo)[0]
        $script:result = Test-Loopback 127.0.0.1 -WarningAction SilentlyContinue
    }

    It 'sees the loopback interface down, as Linux has it' {
        $lo.flags | Should -Not -Contain 'UP' -Because 'the driver brought lo down before this phase'
        (Get-NetInterfaceInfo -Loopback -WarningAction SilentlyContinue).Status | Should -Be 'Down'
    }

    It 'reports LoopbackDown' {
        $result.Status | Should -Be 'LoopbackDown'
        $result.Succeeded | Should -BeFalse
    }

    It 'names the interface, and advises in Windows terms, never with a Linux command' {
        $result.Diagnosis | Should -Match ([regex]::Escape((Get-NetInterfaceInfo -Loopback -WarningAction SilentlyContinue).Name))
        $result.Diagnosis | Should -Not -Match '\bip (link|addr|route)\b|\bsysctl\b|/etc/|/proc/'
        $result.Diagnosis | Should -Match 'Get-NetIPInterface' -Because 'Windows has its own way to look at the loopback pseudo-interface'
        $result.Diagnosis | Should -Match 'netsh int ip reset'
    }
}
