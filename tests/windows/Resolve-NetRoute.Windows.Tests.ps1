# Resolve-NetRoute on Windows (under Wine). In the namespace New-WineTopology builds (v0 192.0.2.10/24 with
# the default route via 192.0.2.1; v1 198.51.100.10/24 with 203.0.113.128/25 via 198.51.100.1; lo up), its
# interface and next hop for on-link, gateway and loopback destinations equal the Linux kernel's answer in
# that namespace (`ip -j route get`): with one routing table and no rules, Windows' choice and Linux's agree.
# Wine lacks GetBestRoute2, so -Verify must say it cannot ask, and answer all the same.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    function Get-KernelChoice {
        <# The Linux kernel's interface and next hop (0.0.0.0 on-link) for a destination, from ip -j route get. #>
        param([string]$Destination)
        $route = (Get-IpJson route get $Destination)[0]
        $via = if ($route.PSObject.Properties['gateway']) { $route.gateway } else { '0.0.0.0' }
        [pscustomobject]@{ Interface = $route.dev; NextHop = $via; Type = "$(if ($route.PSObject.Properties['type']) { $route.type } else { 'unicast' })" }
    }
}

Describe 'Resolve-NetRoute on Windows, in a namespace' -Tag 'Namespace' {
    It 'sends <Destination> (<Case>) the way the kernel does' -TestCases @(
        @{ Destination = '198.51.100.20'; Case = 'on-link'; Gateway = $false }
        @{ Destination = '203.0.113.200'; Case = 'gateway of the longest prefix'; Gateway = $true }
        @{ Destination = '203.0.113.7'; Case = 'default gateway'; Gateway = $true }
    ) {
        $kernel = Get-KernelChoice $Destination
        ($kernel.NextHop -ne '0.0.0.0') | Should -Be $Gateway -Because 'the topology makes it so'
        $ours = Resolve-NetRoute $Destination -WarningAction SilentlyContinue
        $ours.InterfaceAlias | Should -Be $kernel.Interface
        "$($ours.NextHop)" | Should -Be $kernel.NextHop
        $ours.StaysOnHost | Should -BeFalse
    }

    It 'sends 127.0.0.1 through the loopback interface, staying on the host' {
        $kernel = Get-KernelChoice '127.0.0.1'
        $kernel.Type | Should -Be 'local'
        $loopback = Get-NetInterfaceInfo -Loopback -WarningAction SilentlyContinue
        $ours = Resolve-NetRoute 127.0.0.1 -WarningAction SilentlyContinue
        $ours.InterfaceAlias | Should -Be $kernel.Interface
        $ours.InterfaceIndex | Should -Be $loopback.InterfaceIndex
        "$($ours.NextHop)" | Should -Be '0.0.0.0'
        $ours.StaysOnHost | Should -BeTrue
    }

    It 'decides on route metrics alone without GetIpInterfaceTable, and says so in the trace' {
        $ours = Resolve-NetRoute 203.0.113.7 -Explain -WarningAction SilentlyContinue
        "$($ours.NextHop)" | Should -Be '192.0.2.1'
        $ours.InterfaceMetric | Should -BeNullOrEmpty
        $ours.Reason | Should -Match 'interface metric not read'
        ($ours.Trace -join "`n") | Should -Match 'interface metric'
    }
}

Describe 'Get-NetRouteSnapshot on Windows, answered elsewhere' -Tag 'Namespace' {
    It 'is marked Windows and, carried through JSON, answers <Destination> as this machine does' -TestCases @(
        @{ Destination = '198.51.100.20' }, @{ Destination = '203.0.113.200' }, @{ Destination = '203.0.113.7' }, @{ Destination = '127.0.0.1' }
    ) {
        $snapshot = Get-NetRouteSnapshot -WarningAction SilentlyContinue
        $snapshot.OperatingSystem | Should -Be 'Windows'
        @($snapshot.Rules).Count | Should -Be 0
        $copy = $snapshot | ConvertTo-Json -Depth 6 | ConvertFrom-Json
        $live = Resolve-NetRoute $Destination -WarningAction SilentlyContinue
        $saved = Resolve-NetRoute $Destination -Snapshot $copy
        $saved.TableName | Should -BeNullOrEmpty
        $saved.Rule | Should -BeNullOrEmpty
        ($saved | Select-Object RouteType, InterfaceAlias, NextHop, SourceAddress, StaysOnHost | ConvertTo-Json -Compress) |
            Should -Be ($live | Select-Object RouteType, InterfaceAlias, NextHop, SourceAddress, StaysOnHost | ConvertTo-Json -Compress)
    }
}

Describe 'Resolve-NetRoute -Verify on Windows, where Wine has no GetBestRoute2' {
    It 'says, naming GetBestRoute2, that it cannot ask Windows, and still answers' {
        $warnings = $null
        $failures = $null
        $ours = Resolve-NetRoute 127.0.0.1 -Verify -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue
        "$warnings $failures" | Should -Match 'GetBestRoute2'
        $ours | Should -Not -BeNullOrEmpty
        $ours.KernelAgrees | Should -BeNullOrEmpty -Because 'nobody was asked'
    }
}
