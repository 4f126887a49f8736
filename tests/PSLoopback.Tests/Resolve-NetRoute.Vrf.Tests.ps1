<#
    Resolve-NetRoute -Vrf: the name is checked against the snapshot's interfaces, and a snapshot that has a VRF
    (written by hand here: this machine's kernel has no vrf driver, so no live one can be read) is answered in
    the VRF's table. What the kernel would answer is not checked here: see VrfResolverTests for the model.
#>
BeforeDiscovery {
    $script:onLinux = $IsLinux -and [bool](Get-Command ip -ErrorAction Ignore)
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    function New-Interface($Index, $Name, [string[]]$Addresses, $Master, $VrfTable, $Type = 'Ethernet') {
        [pscustomobject]@{
            InterfaceIndex = $Index; Name = $Name; InterfaceType = $Type; AdminStatus = 'Up'; Status = 'Up'
            MasterIndex = $Master; VrfTable = $VrfTable
            Addresses = @($Addresses | ForEach-Object {
                $ip, $length = $_ -split '/'
                [pscustomobject]@{ IPAddress = $ip; PrefixLength = [int]$length; Scope = if ($Type -eq 'Loopback') { 'Host' } else { 'Global' } }
            })
        }
    }

    function New-Route($Prefix, $Index, $Alias, $Table, $Type = 'Unicast', $Scope = 'Link', $Source, $NextHop) {
        [pscustomobject]@{
            AddressFamily = 'IPv4'; DestinationPrefix = $Prefix; InterfaceIndex = $Index; InterfaceAlias = $Alias
            Table = $Table; RouteType = $Type; Scope = $Scope; PreferredSource = $Source; NextHop = $NextHop; Protocol = 'Kernel'
        }
    }

    function New-Rule($Priority, $Table, [switch]$L3mdev) {
        [pscustomobject]@{ AddressFamily = 'IPv4'; Priority = $Priority; Table = $Table; L3MasterDevice = [bool]$L3mdev }
    }

    # The VRF host of fib_rule_tests.sh: eth1 enslaved to red (table 1000), eth0 in the default VRF.
    $script:vrfSnapshot = [pscustomobject]@{
        FormatVersion = 1; OperatingSystem = 'Linux'; PreferTemporaryAddresses = @()
        Interfaces = @(
            New-Interface 1 'lo' @('127.0.0.1/8') -Type 'Loopback'
            New-Interface 2 'eth0' @('192.0.2.10/24')
            New-Interface 3 'eth1' @('198.51.100.1/24') -Master 4
            New-Interface 4 'red' @() -VrfTable 1000 -Type 'Virtual'
        )
        Routes = @(
            New-Route '127.0.0.0/8' 1 'lo' 'local' -Type 'Local' -Scope 'Host' -Source '127.0.0.1'
            New-Route '192.0.2.10/32' 2 'eth0' 'local' -Type 'Local' -Scope 'Host' -Source '192.0.2.10'
            New-Route '192.0.2.0/24' 2 'eth0' 'main' -Source '192.0.2.10'
            New-Route '0.0.0.0/0' 2 'eth0' 'main' -Scope 'Global' -NextHop '192.0.2.1'
            New-Route '198.51.100.1/32' 3 'eth1' '1000' -Type 'Local' -Scope 'Host' -Source '198.51.100.1'
            New-Route '198.51.100.0/24' 3 'eth1' '1000' -Source '198.51.100.1'
        )
        Rules = @(
            New-Rule 0 'local'
            New-Rule 1000 '0' -L3mdev
            New-Rule 32766 'main'
            New-Rule 32767 'default'
        )
    }
}

Describe 'Resolve-NetRoute -Vrf' {
    It 'answers in the VRF''s table through the l3mdev rule, and without -Vrf from main' {
        $inVrf = Resolve-NetRoute 198.51.100.7 -Vrf red -Snapshot $vrfSnapshot
        $inVrf.Error | Should -Be 'None'
        $inVrf.InterfaceAlias | Should -Be 'eth1'
        $inVrf.Table | Should -Be 1000
        $inVrf.RulePriority | Should -Be 1000
        "$($inVrf.SourceAddress)" | Should -Be '198.51.100.1'

        $outside = Resolve-NetRoute 198.51.100.7 -Snapshot $vrfSnapshot
        $outside.InterfaceAlias | Should -Be 'eth0'
        $outside.TableName | Should -Be 'main'
    }

    It 'loops a local address of the VRF through the VRF device' {
        $local = Resolve-NetRoute 198.51.100.1 -Vrf red -Snapshot $vrfSnapshot
        $local.RouteType | Should -Be 'Local'
        $local.InterfaceAlias | Should -Be 'red'
    }

    It 'refuses a name that is not a VRF device' {
        { Resolve-NetRoute 198.51.100.7 -Vrf eth0 -Snapshot $vrfSnapshot -ErrorAction Stop } | Should -Throw -ErrorId 'NotAVrf,*'
    }

    It 'refuses an output interface outside the VRF' {
        { Resolve-NetRoute 198.51.100.7 -Vrf red -InterfaceAlias eth0 -Snapshot $vrfSnapshot -ErrorAction Stop } | Should -Throw -ErrorId 'InterfaceNotInVrf,*'
        (Resolve-NetRoute 198.51.100.7 -Vrf red -InterfaceAlias eth1 -Snapshot $vrfSnapshot).Table | Should -Be 1000
    }

    It 'refuses -Vrf with -InputInterface, since a forwarded packet takes the VRF of its input interface' {
        { Resolve-NetRoute 198.51.100.7 -Vrf red -InputInterface eth1 -LocalIPAddress 10.9.0.5 -Snapshot $vrfSnapshot -ErrorAction Stop } | Should -Throw -ErrorId 'VrfWithInputInterface,*'
    }

    It 'refuses a name no interface has, on this machine too' -Skip:(-not $onLinux) {
        { Resolve-NetRoute 127.0.0.1 -Vrf pslb-vrf-none -ErrorAction Stop } | Should -Throw -ErrorId 'VrfNotFound,*'
        { Resolve-NetRoute 127.0.0.1 -Vrf (Get-NetInterfaceInfo -Loopback).Name -ErrorAction Stop } | Should -Throw -ErrorId 'NotAVrf,*'
    }
}

# The part of the model this kernel can check: l3mdev rules exist (CONFIG_NET_L3_MASTER_DEV) though no VRF can.
Describe 'Resolve-NetRoute: l3mdev rules on a kernel without VRFs, against the kernel' -Skip:([bool]$skipReason) {
    BeforeAll {
        Remove-StaleTestNamespace
        $script:ns = New-TestNamespace -Tag 'vrf'
        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $ns link add v0 type veth peer name v1 | Out-Null
        Invoke-Ip -n $ns link set v0 up | Out-Null
        Invoke-Ip -n $ns link set v1 up | Out-Null
        Invoke-Ip -n $ns addr add 192.0.2.10/24 dev v0 | Out-Null
        Invoke-Ip -n $ns addr add 2001:db8:2::10/64 dev v0 nodad | Out-Null
        # main and table 200 send the same prefix to different gateways, so the answer tells which table was asked.
        Invoke-Ip -n $ns route add 198.18.0.0/15 via 192.0.2.1 dev v0 | Out-Null
        Invoke-Ip -n $ns route add 198.18.0.0/15 via 192.0.2.2 dev v0 table 200 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:18::/48 via 2001:db8:2::1 dev v0 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:18::/48 via 2001:db8:2::2 dev v0 table 200 | Out-Null
        foreach ($family in '-4', '-6') {
            Invoke-Ip -n $ns $family rule add pref 400 l3mdev | Out-Null
            Invoke-Ip -n $ns $family rule add pref 500 not l3mdev | Out-Null
            Invoke-Ip -n $ns $family rule add pref 700 lookup 200 | Out-Null
            Invoke-Ip -n $ns $family rule del pref 32766 | Out-Null
        }
        $script:answers = Invoke-PSLoopbackJson -Namespace $ns `
            -Command "Resolve-NetRoute 198.18.1.1, 2001:db8:18::1 -Verify; Resolve-NetRoute 198.18.1.1 -InterfaceAlias v0 -Verify" `
            -Select '[pscustomobject]@{ Destination = $_.Destination; RulePriority = $_.RulePriority; NextHop = "$($_.NextHop)"; KernelAgrees = $_.KernelAgrees; KernelAnswer = $_.KernelAnswer }'
    }

    AfterAll {
        Remove-TestNamespace
    }

    It 'skips the l3mdev rule for a flow in no VRF, and an inverted one looks up main, as the kernel does' {
        $answers.Count | Should -Be 3
        foreach ($a in $answers) {
            $a.KernelAgrees | Should -BeTrue -Because "the kernel answered $($a.KernelAnswer) for $($a.Destination)"
            $a.RulePriority | Should -Be 500
        }
        $answers.NextHop | Should -Be @('192.0.2.1', '2001:db8:2::1', '192.0.2.1')
    }
}

Describe 'Get-NetInterfaceInfo: VRF facts' -Skip:(-not $onLinux) {
    It 'has MasterIndex and VrfTable, empty for an interface in no VRF' {
        $lo = Get-NetInterfaceInfo -Loopback
        $lo.PSObject.Properties.Name | Should -Contain 'MasterIndex'
        $lo.PSObject.Properties.Name | Should -Contain 'VrfTable'
        $lo.MasterIndex | Should -BeNullOrEmpty
        $lo.VrfTable | Should -BeNullOrEmpty
    }
}
