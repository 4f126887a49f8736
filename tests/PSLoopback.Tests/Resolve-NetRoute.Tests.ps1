BeforeDiscovery {
    $script:onLinux = $IsLinux -and [bool](Get-Command ip -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Resolve-NetRoute: the loopback story' -Skip:(-not $onLinux) {
    It 'sends 127.0.0.1 and ::1 through the loopback interface: Local, stays on the host' {
        $answers = Resolve-NetRoute 127.0.0.1, ::1
        $answers.Count | Should -Be 2
        foreach ($a in $answers) {
            $a.RouteType | Should -Be 'Local'
            $a.InterfaceAlias | Should -Be (Get-NetInterfaceInfo -Loopback).Name
            $a.StaysOnHost | Should -BeTrue
            $a.TableName | Should -Be 'local'
        }
        $answers[0].SourceAddress | Should -Be ([ipaddress]'127.0.0.1')
    }

    It 'sends the whole of 127.0.0.0/8 to loopback' {
        (Resolve-NetRoute 127.200.3.4).DestinationPrefix.ToString() | Should -Be '127.0.0.0/8'
        (Resolve-NetRoute 127.200.3.4).RouteType | Should -Be 'Local'
    }

    It 'answers once per address a host name resolves to' {
        $expected = @([System.Net.Dns]::GetHostAddresses('localhost'))
        $answers = @(Resolve-NetRoute localhost)
        $answers.Count | Should -Be $expected.Count
        $answers | ForEach-Object { $_.Destination | Should -Be 'localhost'; $_.RouteType | Should -Be 'Local' }
    }

    It 'keeps to one family with -AddressFamily' {
        @(Resolve-NetRoute localhost -AddressFamily IPv4).AddressFamily | Sort-Object -Unique | Should -Be 'IPv4'
    }

    It 'agrees with the kernel (-Verify) on this machine''s own addresses, loopback, multicast and a public address' {
        $targets = @(Get-NetInterfaceInfo | ForEach-Object Addresses | ForEach-Object { "$($_.IPAddress)" }) + '127.0.0.1', '127.9.9.9', '::1', '0.0.0.0', '224.0.0.1', '255.255.255.255', 'ff02::1', '198.51.100.7', '2001:db8::7'
        $answers = Resolve-NetRoute $targets -Verify -WarningVariable warnings -WarningAction SilentlyContinue
        $answers.Count | Should -Be $targets.Count
        @($answers | Where-Object { -not $_.KernelAgrees } | ForEach-Object { "$($_.Destination): ours $($_.RouteType) $($_.InterfaceAlias) $($_.NextHop) $($_.SourceAddress); kernel $($_.KernelAnswer)" }) | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
    }

    It 'explains its answer with -Explain' {
        $trace = (Resolve-NetRoute 198.51.100.7 -Explain).Trace
        $trace.Count | Should -BeGreaterThan 2
        $trace[-1].Stage | Should -Be 'Result'
        (Resolve-NetRoute 198.51.100.7).Trace | Should -BeNullOrEmpty
    }
}

Describe 'Resolve-NetRoute: input and errors' {
    It 'takes destinations from the pipeline by value and by property name' -Skip:(-not $onLinux) {
        @('127.0.0.1', '::1' | Resolve-NetRoute).Count | Should -Be 2
        ([pscustomobject]@{ ComputerName = '127.0.0.1' } | Resolve-NetRoute).RouteType | Should -Be 'Local'
        ([pscustomobject]@{ Destination = '127.0.0.1' } | Resolve-NetRoute).RouteType | Should -Be 'Local'
        $addresses = @(Get-NetInterfaceInfo | ForEach-Object Addresses)
        @($addresses | Resolve-NetRoute).Count | Should -Be $addresses.Count
    }

    It 'reports a bad address or an unknown name, naming it, and answers the rest' -Skip:(-not $onLinux) {
        $answers = @(Resolve-NetRoute '10.1', '127.0.0.1', '999.1.1.1', 'no-such-host.invalid', '::1' -ErrorVariable problems -ErrorAction SilentlyContinue)
        $answers.Destination | Should -Be '127.0.0.1', '::1'
        $problems.Count | Should -Be 3
        $problems.TargetObject | Should -Be '10.1', '999.1.1.1', 'no-such-host.invalid'
        ($problems | Where-Object TargetObject -EQ 'no-such-host.invalid').CategoryInfo.Category | Should -Be 'ObjectNotFound'
        ($problems | Where-Object TargetObject -EQ '10.1').Exception.Message | Should -BeLike "*'10.1'*"
    }

    It 'refuses an address of the other family, naming it, whether typed plainly, with spaces or brackets, or with a zone' {
        $table = @([pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2 })
        $answers = @(Resolve-NetRoute '192.0.2.7', ' 2001:db8::1 ', '[2001:db8::2]', 'fe80::1%2' -AddressFamily IPv4 -RouteTable $table -ErrorVariable problems -ErrorAction SilentlyContinue)
        $answers.Destination | Should -Be '192.0.2.7'
        $problems.FullyQualifiedErrorId | Should -BeLike 'AddressFamilyMismatch*'
        $problems.TargetObject | Should -Be ' 2001:db8::1 ', '[2001:db8::2]', 'fe80::1%2'
        $problems[0].Exception.Message | Should -BeLike '* 2001:db8::1  is not an IPv4 address*'

        $mixed = @(Resolve-NetRoute '192.0.2.7', '2001:db8::1' -LocalIPAddress 192.0.2.10 -RouteTable $table -ErrorVariable wrong -ErrorAction SilentlyContinue)
        $mixed.Destination | Should -Be '192.0.2.7'
        $wrong.TargetObject | Should -Be '2001:db8::1'
        $wrong[0].Exception.Message | Should -BeLike '2001:db8::1 (2001:db8::1) is IPv6, but -LocalIPAddress 192.0.2.10 is IPv4*'
    }

    It 'stops, naming it, on a -LocalIPAddress that is not an address or an interface that does not exist' -Skip:(-not $onLinux) {
        { Resolve-NetRoute 127.0.0.1 -LocalIPAddress 'bogus' -ErrorAction Stop } | Should -Throw "*'bogus'*"
        { Resolve-NetRoute 127.0.0.1 -InterfaceAlias 'no-such-nic' -ErrorAction Stop } | Should -Throw "*'no-such-nic'*"
        { Resolve-NetRoute 127.0.0.1 -InterfaceIndex 99999 -ErrorAction Stop } | Should -Throw '*99999*'
    }

    It 'answers a table the user passes (what-if), on any OS' {
        $table = @(
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2 }
            [pscustomobject]@{ DestinationPrefix = '10.0.0.0/8'; NextHop = '192.0.2.254'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; RouteMetric = 5 }
            [pscustomobject]@{ DestinationPrefix = '10.66.0.0/16'; RouteType = 'Blackhole' }
        )
        $answers = Resolve-NetRoute 10.1.2.3, 8.8.8.8, 10.66.1.1 -RouteTable $table
        $answers[0].NextHop | Should -Be ([ipaddress]'192.0.2.254')
        $answers[0].DestinationPrefix.ToString() | Should -Be '10.0.0.0/8'
        $answers[1].NextHop | Should -Be ([ipaddress]'192.0.2.1')
        $answers[1].InterfaceAlias | Should -Be 'eth0'
        $answers[2].RouteType | Should -Be 'Blackhole'
    }

    It 'reads a table back from Export-Csv and Export-Clixml with the same answers' -Skip:(-not $onLinux) {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "pslb-routes-$PID.csv"
        $xml = Join-Path ([IO.Path]::GetTempPath()) "pslb-routes-$PID.xml"
        try {
            Get-NetRouteInfo | Export-Csv $csv
            Get-NetRouteInfo | Export-Clixml $xml
            $targets = '127.0.0.1', '198.51.100.7', '::1', '2001:db8::7'
            $live = Resolve-NetRoute $targets
            foreach ($table in @(Import-Csv $csv), @(Import-Clixml $xml)) {
                $whatIf = Resolve-NetRoute $targets -RouteTable $table
                for ($i = 0; $i -lt $targets.Count; $i++) {
                    "$($whatIf[$i].RouteType) $($whatIf[$i].InterfaceIndex) $($whatIf[$i].NextHop) $($whatIf[$i].DestinationPrefix)" |
                        Should -Be "$($live[$i].RouteType) $($live[$i].InterfaceIndex) $($live[$i].NextHop) $($live[$i].DestinationPrefix)"
                }
            }
        }
        finally { Remove-Item $csv, $xml -ErrorAction Ignore }
    }

    It 'stops on a -RouteTable row it cannot read, naming the row and the field' {
        { Resolve-NetRoute 10.1.2.3 -RouteTable @([pscustomobject]@{ DestinationPrefix = '10.0.0.0/33' }) -ErrorAction Stop } | Should -Throw '*Route 1*10.0.0.0/33*'
        { Resolve-NetRoute 10.1.2.3 -RouteTable @([pscustomobject]@{ NextHop = '10.0.0.1' }) -ErrorAction Stop } | Should -Throw '*no DestinationPrefix*'
    }

    It 'keeps multipath next hops and source routes through Export-Clixml, and refuses a multipath row from CSV' {
        $table = @(
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2 }
            [pscustomobject]@{ DestinationPrefix = '203.0.113.0/24'; NextHops = @(
                    [pscustomobject]@{ NextHop = '192.0.2.1'; InterfaceIndex = 2; InterfaceAlias = 'eth0' }
                    [pscustomobject]@{ NextHop = '198.51.100.1'; InterfaceIndex = 3; InterfaceAlias = 'eth1' }) }
        )
        $answer = Resolve-NetRoute 203.0.113.7 -RouteTable $table
        @($answer.Paths.InterfaceAlias) | Should -Be 'eth0', 'eth1'
        $answer.InterfaceAlias | Should -Be 'eth0'

        $xml = Join-Path ([IO.Path]::GetTempPath()) "pslb-multipath-$PID.xml"
        $csv = Join-Path ([IO.Path]::GetTempPath()) "pslb-multipath-$PID.csv"
        try {
            $table | Export-Clixml $xml
            @((Resolve-NetRoute 203.0.113.7 -RouteTable (Import-Clixml $xml)).Paths.NextHop) | Should -Be '192.0.2.1', '198.51.100.1'
            $table[1], $table[0] | Export-Csv $csv
            { Resolve-NetRoute 203.0.113.7 -RouteTable (Import-Csv $csv) -ErrorAction Stop } | Should -Throw '*Route 1*Export-Clixml*'
        }
        finally { Remove-Item $xml, $csv -ErrorAction Ignore }
    }

    It 'reads hashtable rows, and refuses values that do not fit their field, naming them' {
        (Resolve-NetRoute 10.1.2.3 -RouteTable @(@{ DestinationPrefix = '10.0.0.0/8'; NextHop = '192.0.2.254'; InterfaceAlias = 'eth0'; InterfaceIndex = 2 })).NextHop | Should -Be ([ipaddress]'192.0.2.254')
        { Resolve-NetRoute 10.1.2.3 -RouteTable @(@{ DestinationPrefix = '10.0.0.0/8'; InterfaceIndex = '4294967298' }) -ErrorAction Stop } | Should -Throw '*InterfaceIndex*4294967298*'
        { Resolve-NetRoute 10.1.2.3 -RouteTable @(@{ DestinationPrefix = '10.0.0.0/8'; RouteType = '77' }) -ErrorAction Stop } | Should -Throw '*RouteType*77*'
        { Resolve-NetRoute 10.1.2.3 -RouteTable @(@{ DestinationPrefix = '010.0.0.0/8' }) -ErrorAction Stop } | Should -Throw '*010.0.0.0/8*'
    }

    It 'takes an interface from the pipeline as all its addresses, not as a name to look up' -Skip:(-not $onLinux) {
        $lo = Get-NetInterfaceInfo -Loopback
        $answers = @($lo | Resolve-NetRoute -ErrorVariable problems -ErrorAction SilentlyContinue)
        $problems | Should -BeNullOrEmpty
        $answers.Count | Should -Be @($lo.Addresses).Count
        $answers | ForEach-Object { $_.RouteType | Should -Be 'Local' }
    }

    It 'refuses -Verify with -RouteTable' {
        { Resolve-NetRoute 10.1.2.3 -RouteTable @([pscustomobject]@{ DestinationPrefix = '0.0.0.0/0' }) -Verify -ErrorAction Stop } | Should -Throw '*-Verify*'
    }

    It 'has full help with at least three examples, every parameter described' {
        $help = Get-Help Resolve-NetRoute -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
        foreach ($name in (Get-Command Resolve-NetRoute).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }) {
            ($help.parameters.parameter | Where-Object name -EQ $name).description.Text | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
        (Get-Command Resolve-NetRoute).Parameters.RemoteIPAddress.Aliases | Should -Contain 'ComputerName'
    }
}

Describe 'Resolve-NetRoute: what an answer keeps' {
    It 'lets go of the resolver''s table in every answer it writes, so a kept answer does not keep every route alive' {
        # A one-step answer names its route by its node in the resolver's table until the route is read; the cmdlet
        # reads it as it writes the answer. Seen through the private fields, as nothing public shows what is held.
        $routes = @(
            [pscustomobject]@{ DestinationPrefix = '10.0.0.0/8'; NextHop = '192.0.2.1'; InterfaceIndex = 2; InterfaceAlias = 'eth0' }
            [pscustomobject]@{ DestinationPrefix = '192.0.2.0/24'; NextHop = '0.0.0.0'; InterfaceIndex = 2; InterfaceAlias = 'eth0' }
        )
        $answer = Resolve-NetRoute 10.1.2.3 -RouteTable $routes
        $private = [Reflection.BindingFlags]'NonPublic,Instance'
        $decision = $answer.GetType().GetField('decision', $private).GetValue($answer)
        $shape = $decision.GetType().GetField('shape', $private).GetValue($decision)

        $decision.GetType().GetField('node', $private).GetValue($decision) | Should -Not -Be 0 -Because 'the answer came in one step'
        $shape.GetType().GetProperty('Routes').GetValue($shape) | Should -BeNullOrEmpty
        $answer.DestinationPrefix | Should -Be '10.0.0.0/8'
        $answer.NextHop | Should -Be '192.0.2.1'
    }
}

Describe 'Resolve-NetRoute in a namespace with tables, rules and every route type' {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the namespace tests: $skipReason." -ForegroundColor Yellow; return }
        Remove-StaleTestNamespace
        $script:topology = New-RoutingTopology
    }

    AfterAll {
        if (-not $skipReason) { Remove-TestNamespace }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'agrees with the kernel for every rule and route type' {
        $ipv4 = "'192.0.2.77','198.51.100.5','198.51.100.200','203.0.113.9','203.0.113.200','10.1.0.1','10.2.0.1','10.3.0.1','10.5.0.1','10.6.0.1','10.7.0.1','10.8.0.1','10.9.1.1','8.8.8.8','192.0.2.255','224.0.0.9','127.0.0.1'"
        $ipv6 = "'2001:db8:99::1','2001:db8:dead::1','2001:db8:77::1','::1','ff02::1','fe80::99'"
        $select = '[pscustomobject]@{ D = $_.Destination; Agrees = $_.KernelAgrees; Verdict = $_.KernelVerdict; Ours = "$($_.RouteType) $($_.Error) $($_.InterfaceAlias) $($_.NextHop) $($_.SourceAddress)"; Kernel = $_.KernelAnswer }'
        $cases = @(
            @($ipv4, 17, ''), @($ipv4, 17, '-Mark 1'), @($ipv4, 17, '-LocalIPAddress 198.51.100.11'), @($ipv4, 17, '-InterfaceAlias e2'),
            @($ipv6, 6, ''), @($ipv6, 6, '-LocalIPAddress 2001:db8:2::10'), @($ipv6, 6, '-InterfaceAlias e2')
        )
        foreach ($case in $cases) {
            $answers = Invoke-PSLoopbackJson -Namespace $topology.Host -Command "Resolve-NetRoute $($case[0]) $($case[2]) -Verify -WarningAction SilentlyContinue" -Select $select
            $answers.Count | Should -Be $case[1] -Because "every destination gets one answer [$($case[2])]"
            # A multipath flow the kernel hashed onto another of our paths is its own verdict, not agreement and not a wrong route.
            @($answers | Where-Object { -not $_.Agrees -and $_.Verdict -ne 'HashChoseOtherPath' } | ForEach-Object { "[$($case[2])] $($_.D): ours $($_.Ours); kernel $($_.Kernel)" }) | Should -BeNullOrEmpty
        }
    }

    It 'follows the rules: from, fwmark, throw, goto, suppress_prefixlength and the reject actions' {
        $select = '[pscustomobject]@{ D = $_.Destination; Type = "$($_.RouteType)"; Via = "$($_.NextHop)"; Dev = $_.InterfaceAlias; Rule = $_.RulePriority; Table = $_.TableName }'
        $plain = Invoke-PSLoopbackJson -Namespace $topology.Host -Command "Resolve-NetRoute 10.6.0.1, 10.7.0.1, 10.8.0.1, 10.9.1.1, 8.8.8.8, 198.51.100.200" -Select $select
        $plain[0].Type | Should -Be 'Unreachable'
        $plain[1].Type | Should -Be 'Prohibit'
        $plain[2].Type | Should -Be 'Blackhole'
        $plain[3].Table | Should -Be '1000'
        $plain[4].Via | Should -Be '192.0.2.1'
        $plain[4].Rule | Should -Be 32766 -Because 'suppress_prefixlength 0 at 700 ignores main''s default route'
        $plain[5].Rule | Should -Be 400 -Because '"not to 0.0.0.0/1" selects the upper half of the addresses'
        $plain[5].Dev | Should -Be 'e1'
        $fromRule = Invoke-PSLoopbackJson -Namespace $topology.Host -Command "Resolve-NetRoute 8.8.8.8, 10.4.0.1 -LocalIPAddress 198.51.100.11" -Select $select
        $fromRule[0].Via | Should -Be '198.51.100.254'
        $fromRule[1].Via | Should -Be '192.0.2.1' -Because 'table 100 throws 10.0.0.0/8 back to the next rules'
    }
}
