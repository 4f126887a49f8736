# Get-NetRouteInfo on Windows (under Wine): the IPv4 routes against `ip -j -4 route show table main` in the
# fields Wine reports truly (destination, prefix, next hop, interface). Wine fakes the route metric and the
# protocol, and lists no IPv6 or loopback routes; it lacks GetIpInterfaceTable, so no interface metric.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Get-NetRouteInfo on Windows' {
    It 'lists the IPv4 routes of ip -j -4 route show table main' {
        $warnings = $null
        $ours = @(Get-NetRouteInfo -WarningVariable warnings -WarningAction SilentlyContinue | Where-Object AddressFamily -EQ 'IPv4')
        @($ours | ForEach-Object { "$($_.DestinationPrefix) via $($_.NextHop) ifindex $($_.InterfaceIndex)" } | Sort-Object) |
            Should -Be @(Get-LinuxRouteText | Sort-Object)
    }

    It 'warns, naming GetIpInterfaceTable, that interface metrics are missing, and still lists the routes' {
        $warnings = $null
        $ours = @(Get-NetRouteInfo -WarningVariable warnings -WarningAction SilentlyContinue)
        "$warnings" | Should -Match 'GetIpInterfaceTable'
        $ours.Count | Should -BeGreaterThan 0
    }

    It 'shows the routes without the Linux-only table, scope and type, and as Windows words them' {
        $route = Get-NetRouteInfo -DestinationPrefix 0.0.0.0/0 -WarningAction SilentlyContinue | Select-Object -First 1
        $route.Table | Should -BeNullOrEmpty
        $route.Scope | Should -BeNullOrEmpty
        $route.RouteType | Should -BeNullOrEmpty
        $route.Text | Should -Match '^default via \S+ dev \S+ metric \d+'
        $route.Text | Should -Not -Match '\btable\b|\bscope\b'
    }

    It 'refuses -<Parameter>, which Windows has no use for, naming what Windows lacks' -TestCases @(
        @{ Parameter = 'Rule'; Arguments = @{ Rule = $true }; Id = 'RulesUnsupported' }
        @{ Parameter = 'Table'; Arguments = @{ Table = 'main' }; Id = 'TablesUnsupported' }
        @{ Parameter = 'RouteType'; Arguments = @{ RouteType = 'Local' }; Id = 'RouteTypesUnsupported' }
    ) {
        $err = { Get-NetRouteInfo @Arguments -WarningAction SilentlyContinue -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -Match "-$Parameter does not apply"
    }
}
