# Get-NetInterfaceInfo on Windows (under Wine) against iproute2, read on the Linux side of the same host
# (or namespace) just before and just after: names, indexes, addresses with their prefix lengths, MTU, MAC,
# status and counters, the facts Wine's IP Helper reports truly. Wine numbers interfaces by their Linux
# ifindex, so the indexes compare as they are.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'WindowsTestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
    $script:before = Get-IpJson -s addr
    $warnings = $null
    $script:ours = @(Get-NetInterfaceInfo -WarningVariable warnings -WarningAction SilentlyContinue)
    $script:after = Get-IpJson -s addr
    $script:byName = @{}
    foreach ($interface in $ours) { $byName[$interface.Name] = $interface }
}

Describe 'Get-NetInterfaceInfo on Windows' {
    It 'lists the same interfaces, by name and index, as ip -j addr' {
        @($ours | ForEach-Object { "$($_.InterfaceIndex) $($_.Name)" } | Sort-Object) |
            Should -Be @($after | ForEach-Object { "$($_.ifindex) $($_.ifname)" } | Sort-Object)
    }

    It 'gives each interface the addresses and prefix lengths of ip -j addr' {
        foreach ($link in $after) {
            $expected = @($link.addr_info | ForEach-Object { "$($_.local)/$($_.prefixlen)" } | Sort-Object)
            $actual = @($byName[$link.ifname].Addresses | ForEach-Object { "$($_.IPAddress -replace '%.*$', '')/$($_.PrefixLength)" } | Sort-Object)
            $actual | Should -Be $expected -Because "$($link.ifname) has these addresses in Linux"
        }
    }

    It 'gives each interface the MTU of ip -j addr' {
        foreach ($link in $after) {
            $byName[$link.ifname].Mtu | Should -Be $link.mtu -Because "$($link.ifname) has MTU $($link.mtu) in Linux"
        }
    }

    It 'gives each interface the MAC address of ip -j addr (none for the loopback)' {
        foreach ($link in $after) {
            ConvertTo-HexMac $byName[$link.ifname].MacAddress | Should -Be (ConvertTo-HexMac $link.address) -Because $link.ifname
        }
    }

    It 'marks the loopback interface, and only it, as loopback' {
        @($ours | Where-Object IsLoopback | ForEach-Object Name) | Should -Be @($after | Where-Object link_type -EQ 'loopback' | ForEach-Object ifname)
    }

    It 'shows each interface Up or Down as Linux has it' {
        foreach ($link in $after) {
            $expected = Get-ExpectedStatus $link
            if ($null -eq $expected) { continue }
            "$($byName[$link.ifname].Status)" | Should -Be $expected -Because "$($link.ifname) is $($link.operstate) with flags $($link.flags -join ',') in Linux"
        }
    }

    It 'warns, naming GetIpInterfaceTable, that the per-family IP settings are missing' {
        "$warnings" | Should -Match 'GetIpInterfaceTable'
    }

    It 'counts bytes and packets within what ip -j -s addr counted before and after' {
        foreach ($link in $after) {
            $first = $before | Where-Object ifname -EQ $link.ifname
            $interface = $byName[$link.ifname]
            foreach ($pair in @(
                    @('ReceivedBytes', 'rx', 'bytes'), @('SentBytes', 'tx', 'bytes'),
                    @('ReceivedPackets', 'rx', 'packets'), @('SentPackets', 'tx', 'packets'))) {
                $value = $interface.($pair[0])
                $because = "$($link.ifname) $($pair[0]) is $value; Linux counted $($first.stats64.($pair[1]).($pair[2])) then $($link.stats64.($pair[1]).($pair[2]))"
                $value | Should -BeGreaterOrEqual $first.stats64.($pair[1]).($pair[2]) -Because $because
                $value | Should -BeLessOrEqual $link.stats64.($pair[1]).($pair[2]) -Because $because
            }
        }
    }
}
