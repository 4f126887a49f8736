# Test hosts made of network namespaces (tests/topologies): Get-NetInterfaceInfo, run inside each, must
# agree with iproute2 run inside the same namespace. Needs root; elsewhere each test is skipped, saying why.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    if ($skipReason) {
        Write-Host "Skipping the namespace tests: $skipReason." -ForegroundColor Yellow
        return
    }
    Remove-StaleTestNamespace
    $script:topology = New-InterfaceTopology
}

AfterAll {
    if (-not $skipReason) { Remove-TestNamespace }
}

Describe 'Get-NetInterfaceInfo in namespaces with veth links' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'equals `ip -j -s addr` in every field, on host A' {
        $before = Get-IpJson -Namespace $topology.HostA -Arguments '-s', '-d', 'addr'
        $ours = Get-InterfaceJson -Namespace $topology.HostA
        $after = Get-IpJson -Namespace $topology.HostA -Arguments '-s', '-d', 'addr'
        $ours.Count | Should -Be 6
        Compare-InterfaceWithIp -Ours $ours -Before $before -After $after | Should -BeNullOrEmpty
    }

    It 'equals `ip -j -s addr` in every field, on host B (loopback down, a peer down)' {
        $before = Get-IpJson -Namespace $topology.HostB -Arguments '-s', '-d', 'addr'
        $ours = Get-InterfaceJson -Namespace $topology.HostB
        $after = Get-IpJson -Namespace $topology.HostB -Arguments '-s', '-d', 'addr'
        Compare-InterfaceWithIp -Ours $ours -Before $before -After $after | Should -BeNullOrEmpty
    }

    It 'reports what the topology configured on host A' {
        $ours = Get-InterfaceJson -Namespace $topology.HostA
        $v1 = $ours | Where-Object ifname -EQ 'v1'
        $v1.mtu | Should -Be 1400
        $v1.alias | Should -Be 'uplink'
        $v1.kind | Should -Be 'veth'
        $v1.type | Should -Be 'Virtual'
        ($v1.addr_info | Where-Object local -EQ '192.0.2.1').broadcast | Should -Be '192.0.2.255'
        $v2 = $ours | Where-Object ifname -EQ 'v2'
        ($v2.addr_info | Where-Object local -EQ '198.51.100.2').flags | Should -Match 'Secondary'
        ($v2.addr_info | Where-Object local -EQ '192.0.2.100').peer | Should -Be '192.0.2.200'
        ($v2.addr_info | Where-Object local -EQ '2001:db8:2::3').flags | Should -Match 'Deprecated'
        ($v2.addr_info | Where-Object local -EQ '2001:db8:2::2').valid | Should -BeLessOrEqual 3600
        ($v2.addr_info | Where-Object local -EQ '2001:db8:2::2').valid | Should -BeGreaterThan 3000
        $v3 = $ours | Where-Object ifname -EQ 'v3'
        $v3.operstate | Should -Be 'Down'
        $v3.admin | Should -Be 'Down'
        ($ours | Where-Object loopback).addr_info.local | Should -Contain '127.0.0.1'
    }

    It 'shows a veth whose peer in the same host is down as LowerLayerDown' {
        $v4 = Get-InterfaceJson -Namespace $topology.HostA -Arguments '-Name v4'
        $v4.operstate | Should -Be 'LowerLayerDown'
        $v4.admin | Should -Be 'Up'
    }

    It 'shows host B''s loopback interface down, with no addresses, and a peer without carrier' {
        $ours = Get-InterfaceJson -Namespace $topology.HostB
        $lo = $ours | Where-Object loopback
        $lo.ifname | Should -Be 'lo'
        $lo.operstate | Should -Be 'Down'
        $lo.admin | Should -Be 'Down'
        @($lo.addr_info).Count | Should -Be 0
        $p3 = $ours | Where-Object ifname -EQ 'p3'
        $p3.operstate | Should -BeIn 'Down', 'LowerLayerDown' -Because 'its peer v3 is down'
        $p3.flags | Should -Not -Match 'LowerUp'
    }

    It 'filters inside the namespace: -Status Down, -AddressFamily IPv6, -Loopback' {
        @((Get-InterfaceJson -Namespace $topology.HostA -Arguments '-Status Down').ifname) | Should -Be @('v3', 'v5')
        @((Get-InterfaceJson -Namespace $topology.HostA -Arguments '-AddressFamily IPv6').ifname) | Should -Be @((Get-IpJson -Namespace $topology.HostA -Arguments '-6', 'addr').ifname)
        (Get-InterfaceJson -Namespace $topology.HostB -Arguments '-Loopback').ifname | Should -Be 'lo'
    }

    It 'counts the datagrams sent across a veth link, as ip does' {
        & ip -n $topology.HostB addr add 192.0.2.2/24 dev p1 2>&1 | Out-Null
        $before = Get-InterfaceJson -Namespace $topology.HostA -Arguments '-Name v1'
        # Bounded: three 100-byte datagrams, to an address inside the namespace this test made.
        $send = Invoke-FreshPwsh -NoImport -Namespace $topology.HostA -Script '$u = [Net.Sockets.UdpClient]::new(); 1..3 | ForEach-Object { $null = $u.Send([byte[]]::new(100), 100, "192.0.2.2", 9) }; $u.Dispose()'
        $send.ExitCode | Should -Be 0 -Because $send.Error
        $after = Get-InterfaceJson -Namespace $topology.HostA -Arguments '-Name v1'
        ($after.tx.packets - $before.tx.packets) | Should -BeGreaterOrEqual 3
        ($after.tx.bytes - $before.tx.bytes) | Should -BeGreaterOrEqual (3 * (100 + 28))
    }
}
