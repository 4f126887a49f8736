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
}
