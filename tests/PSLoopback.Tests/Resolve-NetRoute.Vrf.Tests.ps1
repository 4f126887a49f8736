<#
    Resolve-NetRoute -Vrf: the name is checked against the snapshot's interfaces, and a snapshot that has a VRF
    (written by hand here: this machine's kernel has no vrf driver, so no live one can be read) is answered in
    the VRF's table. What the kernel would answer is not checked here: see VrfResolverTests for the model.
#>
BeforeDiscovery {
    $script:onLinux = $IsLinux -and [bool](Get-Command ip -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
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

    It 'refuses a name no interface has, on this machine too' -Skip:(-not $onLinux) {
        { Resolve-NetRoute 127.0.0.1 -Vrf pslb-vrf-none -ErrorAction Stop } | Should -Throw -ErrorId 'VrfNotFound,*'
        { Resolve-NetRoute 127.0.0.1 -Vrf (Get-NetInterfaceInfo -Loopback).Name -ErrorAction Stop } | Should -Throw -ErrorId 'NotAVrf,*'
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
