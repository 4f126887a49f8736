# The idioms the module exists for: objects that filter with the strings users type, export to JSON and CSV
# as text, travel through jobs whole, pipe from one cmdlet into the next, and views that never cut a value.

BeforeDiscovery {
    # -Skip is decided at discovery, so the fact it reads must be known then.
    $script:ipv6 = (Get-Content /proc/sys/net/ipv6/conf/lo/disable_ipv6 -ErrorAction Ignore) -eq '0'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Filtering with the strings users type' {
    It 'matches on-link routes with NextHop -eq ''0.0.0.0''' {
        $onLink = @(Get-NetRouteInfo -AddressFamily IPv4 | Where-Object NextHop -eq '0.0.0.0')
        $onLink.Count | Should -BeGreaterThan 0
        $expected = @(Get-IpJson -Arguments '-4', 'route', 'show', 'table', 'all' | Where-Object { -not $_.PSObject.Properties['gateway'] -and -not $_.PSObject.Properties['nexthops'] })
        $onLink.Count | Should -Be $expected.Count
    }

    It 'matches Test-Loopback results on RemoteAddress -eq ''::1''' -Skip:(-not $ipv6) {
        @(Test-Loopback ::1 | Where-Object RemoteAddress -eq '::1').Count | Should -Be 1
    }

    It 'has ifIndex and InterfaceAlias on interfaces, addresses, routes, decisions and loopback results' {
        (Get-NetInterfaceInfo | Where-Object ifIndex -eq 1).Name | Should -Be 'lo'
        (Get-NetInterfaceInfo | Where-Object InterfaceAlias -eq 'lo').ifIndex | Should -Be 1
        (Get-NetInterfaceInfo lo).Addresses[0].ifIndex | Should -Be 1
        @(Get-NetRouteInfo -Table local | Where-Object InterfaceAlias -eq 'lo' | Where-Object ifIndex -eq 1).Count | Should -BeGreaterThan 0
        (Resolve-NetRoute 127.0.0.1).ifIndex | Should -Be 1
        (Test-Loopback 127.0.0.1).ifIndex | Should -Be 1
        (Test-Loopback 127.0.0.1).InterfaceAlias | Should -Be 'lo'
    }

    It 'compares address lists with -contains and -in' {
        $lo = Get-NetInterfaceInfo lo
        $lo.IPv4Address -contains '127.0.0.1' | Should -BeTrue
        '127.0.0.1' -in $lo.Addresses.IPAddress | Should -BeTrue
        "$($lo.Addresses)" | Should -Match '127\.0\.0\.1/8'
    }

    It 'compares prefixes and route types as text' {
        @(Get-NetRouteInfo -Table local | Where-Object { $_.DestinationPrefix -eq '127.0.0.0/8' -and $_.RouteType -eq 'Local' }).Count | Should -Be 1
    }
}

Describe 'JSON and CSV carry text' {
    It 'writes a decision''s addresses, prefix and enums as strings, the same at any -Depth' {
        $shallow = Resolve-NetRoute 127.0.0.1 | ConvertTo-Json -Depth 1 -WarningAction Ignore | ConvertFrom-Json
        $deep = Resolve-NetRoute 127.0.0.1 | ConvertTo-Json -Depth 10 | ConvertFrom-Json
        $shallow.SourceAddress | Should -Be '127.0.0.1'
        $shallow.NextHop | Should -Be '0.0.0.0'
        $shallow.DestinationPrefix | Should -Be '127.0.0.1/32'
        $shallow.RouteType | Should -Be 'Local'
        $shallow.InterfaceAlias | Should -Be 'lo'
        ($shallow.PSObject.Properties.Name -join ',') | Should -Be ($deep.PSObject.Properties.Name -join ',')
        foreach ($name in 'SourceAddress', 'NextHop', 'DestinationPrefix', 'RouteType', 'Error', 'Reason', 'Text') {
            $shallow.$name | Should -Be $deep.$name
        }
    }

    It 'writes the same JSON for one object at the default -Depth as at any deeper one, and for a list from -Depth 3' {
        # A list of records is the deepest thing in any object, and ConvertTo-Json counts a piped list as one level more.
        $commands = { Get-NetInterfaceInfo }, { Get-NetRouteInfo }, { Get-NetRouteInfo -Rule }, { Resolve-NetRoute 127.0.0.1, ::1 -Explain }, { Test-Loopback 127.0.0.1 -Count 1 -Detailed }, { Get-NetSocketInfo -State Listen }
        foreach ($command in $commands) {
            $objects = @(& $command)
            $deep = $objects | ConvertTo-Json -Compress -Depth 20
            $objects | ConvertTo-Json -Compress -Depth 3 | Should -Be $deep -Because "$command must not change shape past -Depth 3"
            foreach ($one in $objects) {
                $default = ConvertTo-Json -InputObject $one -Compress -WarningVariable truncated -WarningAction SilentlyContinue
                @($truncated) | Should -BeNullOrEmpty -Because "one object of $command fits the default depth"
                $default | Should -Be (ConvertTo-Json -InputObject $one -Compress -Depth 20)
            }
        }
    }

    It 'keeps an IPv6 address (it came out null)' -Skip:(-not $ipv6) {
        (Resolve-NetRoute ::1 | ConvertTo-Json | ConvertFrom-Json).SourceAddress | Should -Be '::1'
    }

    It 'writes an interface''s addresses with every fact, and lifetimes as seconds' {
        $json = Get-NetInterfaceInfo lo | ConvertTo-Json | ConvertFrom-Json
        $json.Addresses[0].IPAddress | Should -Be '127.0.0.1'
        $json.Addresses[0].PrefixLength | Should -Be 8
        $json.Addresses[0].Scope | Should -Be 'Host'
        $json.Addresses[0].ValidLifetimeSeconds | Should -Be 4294967295
        $json.Status | Should -BeOfType [string]
        $json.IPv4Address | Should -Contain '127.0.0.1'
    }

    It 'exports to CSV with one value per cell and no type names' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "psl-csv-$PID.csv"
        try {
            foreach ($command in { Get-NetInterfaceInfo }, { Get-NetRouteInfo }, { Get-NetRouteInfo -Rule }, { Resolve-NetRoute 127.0.0.1, 10.255.255.1 }, { Test-Loopback 127.0.0.1 }, { Get-NetSocketInfo -State Listen }) {
                & $command | Export-Csv -Path $file -NoTypeInformation
                Get-Content -Raw $file | Should -Not -Match 'System\.|PSLoopback\.' -Because "$command must export values"
            }
            Get-NetInterfaceInfo lo | Export-Csv -Path $file -NoTypeInformation
            $row = Import-Csv $file
            $row.Addresses | Should -Match '^127\.0\.0\.1/8( ::1/128)?$'
            $row.ifIndex | Should -Be '1'
        }
        finally { Remove-Item $file -ErrorAction Ignore }
    }
}

Describe 'Through a job, objects keep their values and views' {
    BeforeAll {
        $module = Get-ModuleUnderTest
        $script:received = Start-Job { Import-Module $using:module; Get-NetInterfaceInfo lo; Resolve-NetRoute 127.0.0.1; Test-Loopback 127.0.0.1 } |
            Wait-Job -Timeout 60 | Receive-Job
    }

    It 'keeps an interface''s addresses as records' {
        $lo = $received[0]
        $lo.PSObject.TypeNames[0] | Should -Be 'Deserialized.PSLoopback.Output.NetInterface'
        $lo.Addresses[0].IPAddress | Should -Be '127.0.0.1'
        $lo.Addresses[0].PrefixLength | Should -Be 8
    }

    It 'shows every address of a deserialized interface (it showed / /)' {
        $text = $received[0] | Out-String -Width 80
        $text | Should -Match '127\.0\.0\.1/8'
        $text | Should -Not -Match '(^|\s)/(\s|$)'
    }

    It 'answers a deserialized interface''s addresses with Resolve-NetRoute' {
        $answers = @($received[0] | Resolve-NetRoute)
        $answers.Count | Should -Be $received[0].Addresses.Count
        $answers[0].RouteType | Should -Be 'Local'
    }

    It 'shows a deserialized decision and loopback result in their views, naming the machine they came from' {
        ($received[1] | Out-String -Width 80).Trim() | Should -Match "^$($received[1].PSComputerName): 127\.0\.0\.1 local dev lo src 127\.0\.0\.1 table local"
        ($received[2] | Out-String -Width 80).Trim() | Should -Match "^$($received[2].PSComputerName): 127\.0\.0\.1 Success via lo"
    }
}

Describe 'Pipelines between the cmdlets' {
    It 'takes interface indexes by value' {
        @(1 | Get-NetInterfaceInfo).Name | Should -Be 'lo'
    }

    It 'tests an interface''s addresses, not its name' {
        $results = @(Get-NetInterfaceInfo lo | Test-Loopback -Count 1)
        $results.RemoteAddress | Should -Contain '127.0.0.1'
        $results.Target | Should -Not -Contain 'lo'
    }

    It 'resolves an interface''s addresses, not its name' {
        $answers = @(Get-NetInterfaceInfo lo | Resolve-NetRoute -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors | Should -BeNullOrEmpty
        $answers.RemoteIPAddress | Should -Contain '127.0.0.1'
        $answers.RouteType | Sort-Object -Unique | Should -Be 'Local'
    }

    It 'takes address objects and address text with a prefix length' {
        (Get-NetInterfaceInfo lo).Addresses[0] | Resolve-NetRoute | ForEach-Object RemoteIPAddress | Should -Be '127.0.0.1'
        ('127.0.0.1/8' | Resolve-NetRoute).RemoteIPAddress | Should -Be '127.0.0.1'
        ('127.0.0.1/8' | Test-Loopback -Count 1).RemoteAddress | Should -Be '127.0.0.1'
    }

    It 'skips an interface with no address, live or deserialized, with a message naming it' {
        $lo = Get-NetInterfaceInfo lo
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($lo))
        $empty = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($lo))
        $empty.Name = 'empty0'
        $empty.Addresses = @()
        $answers = @($copy, $empty | Resolve-NetRoute -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
        $answers.RemoteIPAddress | Should -Contain '127.0.0.1'
        $errors | Should -BeNullOrEmpty
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Be 'Interface empty0 (ifIndex 1) has no IP address: skipped.'
        @($copy | Test-Loopback -Count 1).RemoteAddress | Should -Be @($lo.Addresses.IPAddress)
    }

    It 'takes an array of interfaces piped as one object as their addresses, live or deserialized (it resolved their names)' {
        $lo = Get-NetInterfaceInfo lo
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($lo))
        foreach ($pair in @($lo, $lo), @($copy, $copy)) {
            $answers = @(, $pair | Resolve-NetRoute -ErrorVariable errors -ErrorAction SilentlyContinue)
            $errors | Should -BeNullOrEmpty
            $answers.RemoteIPAddress | Should -Be (@($lo.Addresses.IPAddress) * 2)
            $results = @(, $pair | Test-Loopback -Count 1 -ErrorVariable errors -ErrorAction SilentlyContinue)
            $errors | Should -BeNullOrEmpty
            $results.RemoteAddress | Should -Be (@($lo.Addresses.IPAddress) * 2)
        }
    }

    It 'lands in the parameter set its input asks for (-InputObject is not mandatory, so the sets are told apart by what binds)' {
        $lo = Get-NetInterfaceInfo lo
        $sets = @{}
        foreach ($case in @(
                @{ Name = 'no argument'; Run = { try { Resolve-NetRoute } catch { $script:missing = $_ } } }
                @{ Name = 'a destination by position'; Run = { Resolve-NetRoute 127.0.0.1 } }
                @{ Name = 'piped text'; Run = { '127.0.0.1' | Resolve-NetRoute } }
                @{ Name = 'a piped interface'; Run = { $lo | Resolve-NetRoute } }
                @{ Name = 'an interface named'; Run = { Resolve-NetRoute -InputObject $lo } })) {
            $null = Trace-Command -Name ParameterBinding -Expression $case.Run -ListenerOption None -FilePath (Join-Path $TestDrive 'binding.log')
            $log = Get-Content (Join-Path $TestDrive 'binding.log') -Raw
            Remove-Item (Join-Path $TestDrive 'binding.log')
            $sets[$case.Name] = if ($log -match 'to param \[InputObject\] SUCCESSFUL') { 'Interface' } elseif ($log -match 'to param \[RemoteIPAddress\] SUCCESSFUL') { 'Destination' } else { 'none' }
        }
        $missing.FullyQualifiedErrorId | Should -BeLike 'DestinationMissing,*'
        $sets['no argument'] | Should -Be 'none'
        $sets['a destination by position'] | Should -Be 'Destination'
        $sets['piped text'] | Should -Be 'Destination'
        $sets['a piped interface'] | Should -Be 'Interface'
        $sets['an interface named'] | Should -Be 'Interface'
    }

    It 'says how to use an interface''s addresses when its name is given as a destination' {
        $null = Resolve-NetRoute (Get-NetInterfaceInfo lo) -ErrorVariable problems -ErrorAction SilentlyContinue
        "$($problems[0])" | Should -Match "^The host name 'lo' does not resolve: .+\. If you meant the interface 'lo' \(ifIndex 1\), pipe the interface in to use its addresses \(Get-NetInterfaceInfo lo \| \.\.\.\)\.$"
        $problems[0].TargetObject | Should -Be 'lo'
    }

    It 'selects routes by a piped interface' {
        $routes = @(Get-NetInterfaceInfo lo | Get-NetRouteInfo)
        $routes.Count | Should -BeGreaterThan 0
        $routes.InterfaceAlias | Sort-Object -Unique | Should -Be 'lo'
    }
}

Describe 'Errors and input' {
    It 'reports a bad wildcard by name and still answers the other names' {
        $found = @(Get-NetInterfaceInfo 'lo[', 'lo' -ErrorVariable errors -ErrorAction SilentlyContinue)
        $found.Name | Should -Be 'lo'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidWildcardPattern,*'
        $errors[0].TargetObject | Should -Be 'lo['
    }

    It 'takes both families for -AddressFamily' {
        @(Get-NetInterfaceInfo -AddressFamily IPv4, IPv6).Name | Should -Be @(Get-NetInterfaceInfo | Where-Object { $_.Addresses.Count -gt 0 }).Name
        @(Get-NetInterfaceInfo -AddressFamily IPv4, IPv6 | ForEach-Object Addresses).Count | Should -Be @(Get-NetInterfaceInfo | ForEach-Object Addresses).Count
        @(Get-NetRouteInfo -AddressFamily IPv4, IPv6).Count | Should -Be @(Get-NetRouteInfo).Count
        @(Get-NetRouteInfo -AddressFamily IPv4).AddressFamily | Sort-Object -Unique | Should -Be 'IPv4'
    }

    It 'says what it read with -Verbose' {
        $verbose = Get-NetRouteInfo -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$verbose" | Should -Match 'Read \d+ routes, \d+ rules and \d+ interfaces in [\d.]+ ms'
    }
}

Describe 'Sorting in address order' {
    It 'sorts routes by prefix in address order through the prefix type' {
        $table = @(
            [pscustomobject]@{ DestinationPrefix = '10.0.0.0/8' }
            [pscustomobject]@{ DestinationPrefix = '9.0.0.0/8' }
            [pscustomobject]@{ DestinationPrefix = '::/0' }
            [pscustomobject]@{ DestinationPrefix = '192.0.2.0/24' }
        )
        $decisions = Resolve-NetRoute 10.1.1.1, 9.1.1.1, 192.0.2.1, 2001:db8::1 -RouteTable $table
        ($decisions | Sort-Object { [PSLoopback.Addressing.IPPrefix]$_.DestinationPrefix }).DestinationPrefix |
            Should -Be '9.0.0.0/8', '10.0.0.0/8', '192.0.2.0/24', '::/0'
        ($decisions | Sort-Object { [PSLoopback.Addressing.IPPrefix]$_.RemoteIPAddress }).RemoteIPAddress |
            Should -Be '9.1.1.1', '10.1.1.1', '192.0.2.1', '2001:db8::1'
    }
}

Describe 'One answer for an address, whichever cmdlet is asked' {
    It 'answers ::ffff:127.0.0.1 for the IPv4 packet a socket sends, in both cmdlets' -Skip:(-not $ipv6) {
        $decision = Resolve-NetRoute ::ffff:127.0.0.1
        $decision.Destination | Should -Be '::ffff:127.0.0.1'
        $decision.RemoteIPAddress | Should -Be '127.0.0.1'
        $decision.InterfaceAlias | Should -Be 'lo'
        $decision.RouteType | Should -Be 'Local'
        $loopback = Test-Loopback ::ffff:127.0.0.1 -Count 1
        $loopback.InterfaceAlias | Should -Be $decision.InterfaceAlias
        $loopback.StaysOnHost | Should -Be $decision.StaysOnHost
    }

    It 'reads a mapped source and a mapped unspecified address as their IPv4 selves' -Skip:(-not $ipv6) {
        (Resolve-NetRoute ::ffff:127.0.0.1 -LocalIPAddress ::ffff:127.0.0.1).SourceAddress | Should -Be '127.0.0.1'
        $mapped = Test-Loopback ::ffff:0.0.0.0 -Count 1
        $plain = Test-Loopback 0.0.0.0 -Count 1
        $mapped.Status | Should -Be $plain.Status
        $mapped.StaysOnHost | Should -Be $plain.StaysOnHost
        $mapped.Diagnosis | Should -Match '127\.0\.0\.1'
    }

    It 'reads ::1%1 as ::1 in both cmdlets (the kernel ignores a zone on a non-link-local address)' -Skip:(-not $ipv6) {
        (Resolve-NetRoute '::1%1').InterfaceAlias | Should -Be 'lo'
        (Test-Loopback '::1%1' -Count 1).Status | Should -Be 'Success'
    }

    It 'refuses a zone no interface has, in both cmdlets, naming it' -Skip:(-not $ipv6) {
        $null = Resolve-NetRoute 'fe80::1%nosuch', ::1 -ErrorVariable routeErrors -ErrorAction SilentlyContinue
        $null = Test-Loopback 'fe80::1%nosuch' -Count 1 -ErrorVariable loopErrors -ErrorAction SilentlyContinue
        foreach ($e in @($routeErrors) + @($loopErrors)) {
            $e.TargetObject | Should -Be 'fe80::1%nosuch'
            "$e" | Should -Match 'nosuch'
        }
        @($routeErrors).Count | Should -Be 1
        @($loopErrors).Count | Should -Be 1
    }
}
