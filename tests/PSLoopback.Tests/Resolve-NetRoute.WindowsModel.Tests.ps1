<#
    Routes and snapshots from a Windows machine are answered by the Windows decision model on any OS:
    longest prefix, then route metric plus interface metric, then the source by Windows' rules over the
    chosen interface's addresses. Here, on Linux, from rows as Get-NetRouteInfo writes them on Windows.
#>
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    function New-WindowsRoute([string]$Prefix, [string]$NextHop, [int]$Index, [string]$Alias, [int]$RouteMetric, [int]$InterfaceMetric) {
        [pscustomobject]@{
            DestinationPrefix = $Prefix; NextHop = $NextHop; InterfaceIndex = $Index; InterfaceAlias = $Alias
            RouteMetric = $RouteMetric; InterfaceMetric = $InterfaceMetric; Protocol = 'NetMgmt'; Origin = 'Manual'
        }
    }

    # Wi-Fi's default route has the lower route metric, Ethernet's interface the much lower interface metric.
    $script:Routes = @(
        New-WindowsRoute '0.0.0.0/0' '192.0.2.1' 12 'Ethernet' 10 5
        New-WindowsRoute '0.0.0.0/0' '198.51.100.1' 7 'Wi-Fi' 0 50
        New-WindowsRoute '192.0.2.0/24' '0.0.0.0' 12 'Ethernet' 256 5
        New-WindowsRoute '198.51.100.0/24' '0.0.0.0' 7 'Wi-Fi' 256 50
        New-WindowsRoute '127.0.0.0/8' '0.0.0.0' 1 'Loopback Pseudo-Interface 1' 256 75
    )

    function New-WindowsSnapshot([object[]]$Rules = @()) {
        $interface = {
            param($Index, $Name, $Type, $Metric, [string[]]$Addresses)
            [pscustomobject]@{
                InterfaceIndex = $Index; Name = $Name; InterfaceType = $Type; AdminStatus = 'Up'
                Addresses      = @($Addresses | ForEach-Object {
                        $ip, $length = $_ -split '/'
                        [pscustomobject]@{ IPAddress = $ip; PrefixLength = [int]$length; Flags = 'None'; SkipAsSource = $false }
                    })
                IPInterfaces   = @([pscustomobject]@{ AddressFamily = 'IPv4'; InterfaceMetric = $Metric; Connected = $true; WeakHostSend = $false })
            }
        }
        [pscustomobject]@{
            FormatVersion = 1; OperatingSystem = 'Windows'; ComputerName = 'win1'; TakenAt = '2026-12-01T00:00:00.000Z'
            Interfaces    = @(
                & $interface 1 'Loopback Pseudo-Interface 1' 'Loopback' 75 '127.0.0.1/8'
                & $interface 7 'Wi-Fi' 'Wireless' 50 '198.51.100.20/24'
                & $interface 12 'Ethernet' 'Ethernet' 5 '192.0.2.20/24', '192.0.2.30/24'
            )
            Routes        = $script:Routes
            Rules         = $Rules
        }
    }
}

Describe 'Resolve-NetRoute -RouteTable with Windows routes' {
    It 'ranks routes of one prefix by route metric plus interface metric, as Windows does' {
        $answer = Resolve-NetRoute 8.8.8.8 -RouteTable $script:Routes
        $answer.InterfaceAlias | Should -Be 'Ethernet'
        $answer.NextHop | Should -Be '192.0.2.1'
        $answer.RouteMetric | Should -Be 10
        $answer.InterfaceMetric | Should -Be 5
        $answer.Table | Should -BeNullOrEmpty
        $answer.Route | Should -Be 'default via 192.0.2.1 dev Ethernet metric 10+5 proto NetMgmt'
        $answer.Reason | Should -Match '10 \+ 5 = 15'
    }

    It 'sends 127.0.0.1 to the loopback pseudo-interface and keeps it on the host' {
        $answer = Resolve-NetRoute 127.0.0.1 -RouteTable $script:Routes
        $answer.RouteType | Should -Be 'Local'
        $answer.InterfaceIndex | Should -Be 1
        $answer.StaysOnHost | Should -BeTrue
    }

    It 'refuses a table that mixes Linux and Windows routes, naming both rows' {
        $mixed = @($script:Routes[0], [pscustomobject]@{ DestinationPrefix = '10.0.0.0/8'; InterfaceIndex = 2; Table = 'main' })
        { Resolve-NetRoute 8.8.8.8 -RouteTable $mixed -ErrorAction Stop } | Should -Throw -ExpectedMessage '*route 2 names a table*route 1 has an interface metric*'
    }

    It 'refuses a Windows route with a Linux-only field, naming the row and the field' {
        $bad = @(New-WindowsRoute '10.0.0.0/8' '0.0.0.0' 12 'Ethernet' 0 5) + [pscustomobject]@{ DestinationPrefix = '10.1.0.0/16'; InterfaceIndex = 12; InterfaceMetric = 5; RouteType = 'Blackhole' }
        $err = { Resolve-NetRoute 10.1.2.3 -RouteTable $bad -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidRouteTable,*'
        $err.Exception.Message | Should -BeLike 'Route 2 of -RouteTable*RouteType*'
    }
}

Describe 'Resolve-NetRoute -Snapshot of a Windows machine' {
    It 'answers with the source Windows would choose, also after a JSON round trip' {
        $live = New-WindowsSnapshot
        $copy = $live | ConvertTo-Json -Depth 6 | ConvertFrom-Json
        foreach ($snapshot in $live, $copy) {
            $answer = Resolve-NetRoute 8.8.8.8, 198.51.100.9 -Snapshot $snapshot
            $answer[0].InterfaceAlias | Should -Be 'Ethernet'
            # KB969029: the address that shares the longest prefix with the next hop 192.0.2.1 (192.0.2.20 and .30 tie; the first wins).
            $answer[0].SourceAddress | Should -Be '192.0.2.20'
            $answer[1].InterfaceAlias | Should -Be 'Wi-Fi'
            $answer[1].NextHop | Should -Be '0.0.0.0'
            $answer[1].SourceAddress | Should -Be '198.51.100.20'
        }
    }

    It 'sends by the strong host model: a source on Wi-Fi leaves by Wi-Fi' {
        $answer = Resolve-NetRoute 8.8.8.8 -Snapshot (New-WindowsSnapshot) -LocalIPAddress 198.51.100.20
        $answer.InterfaceAlias | Should -Be 'Wi-Fi'
        $answer.NextHop | Should -Be '198.51.100.1'
    }

    It 'knows a Windows alias typed in another case, as Windows does, in the hint for a name that is no host' {
        $answers = @(Resolve-NetRoute 'wi-fi', 8.8.8.8 -Snapshot (New-WindowsSnapshot) -ErrorAction SilentlyContinue -ErrorVariable problems)
        $answers.Count | Should -Be 1
        $problems.Count | Should -Be 1
        "$($problems[0])" | Should -BeLike "*'wi-fi'*If you meant the interface 'wi-fi' (ifIndex 7), give its addresses instead."
    }

    It 'refuses a Windows snapshot that has policy rules' {
        $rules = @([pscustomobject]@{ AddressFamily = 'IPv4'; Priority = 100; Table = '100' })
        $err = { Resolve-NetRoute 8.8.8.8 -Snapshot (New-WindowsSnapshot -Rules $rules) -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidSnapshot,*'
        $err.Exception.Message | Should -BeLike '*taken on Windows, which has no policy rules, yet it holds 1*'
    }
}
