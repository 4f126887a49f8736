<#
    A snapshot taken inside a routing namespace, carried out of it (Export-Clixml, a job), must make
    Resolve-NetRoute in the root namespace answer as that namespace's kernel does (ip -n NS route get) and
    as Resolve-NetRoute inside it does: type, interface, next hop and source address.
#>
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # Destinations that reach every kind of answer the topology has; with a source, the from rules too.
    $script:Queries = @(
        '192.0.2.77', '198.51.100.7', '203.0.113.7', '203.0.113.200', '10.1.2.3', '10.2.1.1', '10.3.1.1', '10.5.1.1',
        '10.6.1.1', '10.7.1.1', '10.8.1.1', '10.9.1.1', '8.8.8.8', '127.0.0.1', '127.5.5.5', '192.0.2.10', '198.51.100.11',
        '2001:db8:99::1', '2001:db8:dead::1', '2001:db8:1::99', '2001:db8:2::99', '2001:db8:7::1', '::1'
    ) | ForEach-Object { [pscustomobject]@{ Destination = $_; From = $null } }
    $script:Queries += @(
        @('8.8.8.8', '198.51.100.11'), @('203.0.113.7', '198.51.100.11'), @('8.8.8.8', '192.0.2.10'), @('10.9.1.1', '198.51.100.10'),
        @('2001:db8:99::1', '2001:db8:2::10'), @('2001:db8:7::1', '2001:db8:2::10'), @('2001:db8:7::1', '2001:db8:1::10')
    ) | ForEach-Object { [pscustomobject]@{ Destination = $_[0]; From = $_[1] } }

    function Get-KernelAnswer([string]$Namespace, $Query) {
        $words = @('-n', $Namespace, '-j', 'route', 'get', $Query.Destination) + @(if ($Query.From) { 'from', $Query.From })
        $json = & ip @words 2>$null
        if ($LASTEXITCODE -ne 0) { return 'error' }
        $r = @($json | ConvertFrom-Json)[0]
        $type = if ($r.PSObject.Properties['type']) { $r.type } else { 'unicast' }
        $unspecified = if ($Query.Destination -match ':') { '::' } else { '0.0.0.0' }
        $gateway = if ($r.PSObject.Properties['gateway']) { $r.gateway } else { $unspecified }
        $source = if ($r.PSObject.Properties['prefsrc']) { $r.prefsrc } else { $Query.From }
        "$type dev $($r.dev) via $gateway src $source"
    }

    function Format-Answer($Answer) {
        if ($Answer.Error -ne 'None') { return 'error' }
        "$("$($Answer.RouteType)".ToLowerInvariant()) dev $($Answer.InterfaceAlias) via $($Answer.NextHop) src $($Answer.SourceAddress)"
    }

    # A multipath route's flow goes by a hash: the kernel's path must be one of the answer's paths.
    function Test-Agrees([string]$Kernel, $Answer) {
        if ((Format-Answer $Answer) -eq $Kernel) { return $true }
        @($Answer.Paths).Count -gt 1 -and @($Answer.Paths | Where-Object { "unicast dev $($_.InterfaceAlias) via $($_.NextHop) src $($_.SourceAddress)" -eq $Kernel }).Count -eq 1
    }

    function Resolve-Queries($Snapshot) {
        foreach ($q in $Queries) {
            $extra = if ($q.From) { @{ LocalIPAddress = $q.From } } else { @{} }
            Resolve-NetRoute $q.Destination -Snapshot $Snapshot @extra
        }
    }
}

Describe 'Resolve-NetRoute -Snapshot: another machine, whole' -Skip:([bool]$skipReason) {
    BeforeAll {
        Remove-StaleTestNamespace
        $script:topology = New-RoutingTopology
        $ns = $topology.Host
        $script:xml = Join-Path ([IO.Path]::GetTempPath()) "pslb-snapshot-$PID.xml"
        $script:jobXml = Join-Path ([IO.Path]::GetTempPath()) "pslb-snapshot-job-$PID.xml"
        $module = Get-ModuleUnderTest
        $queriesJson = ($Queries | ConvertTo-Json -Compress) -replace "'", "''"
        $inside = Invoke-FreshPwsh -Namespace $ns -Script @"
Get-NetRouteSnapshot | Export-Clixml '$xml'
Start-Job { Import-Module '$module'; Get-NetRouteSnapshot } | Wait-Job -Timeout 60 | Receive-Job | Export-Clixml '$jobXml'
@('$queriesJson' | ConvertFrom-Json | ForEach-Object {
    `$extra = if (`$_.From) { @{ LocalIPAddress = `$_.From } } else { @{} }
    `$a = Resolve-NetRoute `$_.Destination @extra
    if (`$a.Error -ne 'None') { 'error' } else { "`$("`$(`$a.RouteType)".ToLowerInvariant()) dev `$(`$a.InterfaceAlias) via `$(`$a.NextHop) src `$(`$a.SourceAddress)" }
}) | ConvertTo-Json -AsArray
"@
        if ($inside.ExitCode -ne 0) { throw "pwsh in $ns failed: $($inside.Error)" }
        $script:insideAnswers = @($inside.Output | ConvertFrom-Json)
        $script:kernel = @($Queries | ForEach-Object { Get-KernelAnswer $ns $_ })
        $script:snapshot = Import-Clixml $xml
    }

    AfterAll {
        Remove-Item $xml, $jobXml -ErrorAction Ignore
        Remove-TestNamespace
    }

    It 'says where and when it was taken, and holds every interface, route and rule of the namespace' {
        $snapshot.pstypenames[0] | Should -Be 'Deserialized.PSLoopback.Output.NetRouteSnapshot'
        $snapshot.OperatingSystem | Should -Be 'Linux'
        $snapshot.ComputerName | Should -Be ([Environment]::MachineName)
        $snapshot.TakenAt | Should -BeOfType [string]
        [DateTime]::Parse($snapshot.TakenAt, [Globalization.CultureInfo]::InvariantCulture, 'RoundtripKind') | Should -BeGreaterThan ([DateTime]::UtcNow.AddMinutes(-10))
        @($snapshot.Interfaces.Name | Sort-Object) | Should -Be @((Get-IpJson -Namespace $topology.Host -Arguments 'link').ifname | Sort-Object)
        $routeCount = @(Get-IpJson -Namespace $topology.Host -Arguments '-4', 'route', 'show', 'table', 'all').Count + @(Get-IpJson -Namespace $topology.Host -Arguments '-6', 'route', 'show', 'table', 'all').Count
        @($snapshot.Routes).Count | Should -Be $routeCount
        @($snapshot.Rules).Count | Should -Be (@(Get-IpJson -Namespace $topology.Host -Arguments 'rule').Count + @(Get-IpJson -Namespace $topology.Host -Arguments '-6', 'rule').Count)
        $e2 = $snapshot.Interfaces | Where-Object Name -eq 'e2'
        @($e2.Addresses.IPAddress) | Should -Contain '198.51.100.11'
        ($e2.Addresses | Where-Object IPAddress -eq '198.51.100.11').Flags | Should -Match 'Secondary'
    }

    It 'answers every query in the root namespace as the namespace''s kernel does' {
        $answers = @(Resolve-Queries $snapshot)
        $answers.Count | Should -Be $Queries.Count
        $wrong = for ($i = 0; $i -lt $Queries.Count; $i++) {
            if (-not (Test-Agrees $kernel[$i] $answers[$i])) { "$($Queries[$i].Destination) from $($Queries[$i].From): ours '$(Format-Answer $answers[$i])', ip '$($kernel[$i])'" }
        }
        $wrong | Should -BeNullOrEmpty
        @($kernel | Where-Object { $_ -ne 'error' }).Count | Should -BeGreaterThan 15
        @($kernel | Where-Object { $_ -eq 'error' }).Count | Should -BeGreaterThan 2
    }

    It 'answers as Resolve-NetRoute inside the namespace does' {
        $answers = @(Resolve-Queries $snapshot | ForEach-Object { Format-Answer $_ })
        $answers | Should -Be $insideAnswers
    }

    It 'answers alike from a snapshot that came back from a job, and from its JSON' {
        $fromJob = Import-Clixml $jobXml
        @($fromJob.Interfaces)[0].Addresses[0].IPAddress | Should -Not -BeNullOrEmpty
        @($fromJob.Interfaces)[0].Addresses[0] | Should -Not -BeOfType [string]
        @(Resolve-Queries $fromJob | ForEach-Object { Format-Answer $_ }) | Should -Be $insideAnswers

        $json = $snapshot | ConvertTo-Json -Depth 6 | ConvertFrom-Json
        @(Resolve-Queries $json | ForEach-Object { Format-Answer $_ }) | Should -Be $insideAnswers

        $received = Start-Job { param($path, $module) Import-Module $module; Import-Clixml $path } -ArgumentList $xml, (Get-ModuleUnderTest) | Wait-Job -Timeout 60 | Receive-Job
        @(Resolve-Queries $received | ForEach-Object { Format-Answer $_ }) | Should -Be $insideAnswers
    }

    It 'lets -LocalIPAddress work with a bare route list, as far as its local table tells' {
        $answer = Resolve-NetRoute 192.0.2.77 -RouteTable $snapshot.Routes -LocalIPAddress 198.51.100.11
        $answer.Error | Should -Be 'None'
        $answer.SourceAddress | Should -Be '198.51.100.11'
        (Resolve-NetRoute 192.0.2.77 -RouteTable $snapshot.Routes).SourceAddress | Should -Be '192.0.2.10'
        (Resolve-NetRoute 192.0.2.77 -RouteTable $snapshot.Routes -LocalIPAddress 203.0.113.99).Error | Should -Not -Be 'None'
    }

    It 'reads a route list back from Export-Csv, multipath next hops included, with the answers the routes give' {
        $csv = Join-Path ([IO.Path]::GetTempPath()) "pslb-snapshot-routes-$PID.csv"
        try {
            $snapshot.Routes | Export-Csv -Path $csv -NoTypeInformation
            $rows = @(Import-Csv $csv)
            # A live list writes its cell with '; ' between hops; a deserialized one, as here, with spaces alone.
            (($rows | Where-Object DestinationPrefix -eq '203.0.113.128/25').NextHops -replace ';', '') | Should -Be 'via 192.0.2.1 dev e1 weight 1 via 198.51.100.1 dev e2 weight 1'
            $fromCsv = Resolve-NetRoute 203.0.113.200, 203.0.113.7, 8.8.8.8 -RouteTable $rows
            $fromRecords = Resolve-NetRoute 203.0.113.200, 203.0.113.7, 8.8.8.8 -RouteTable $snapshot.Routes
            @($fromCsv | ForEach-Object { "$($_.Text)" }) | Should -Be @($fromRecords | ForEach-Object { "$($_.Text)" })
            @($fromCsv[0].Paths.InterfaceAlias) | Should -Be 'e1', 'e2'
            @($fromCsv[0].Paths.InterfaceIndex) | Should -Be @($fromRecords[0].Paths.InterfaceIndex)
        }
        finally { Remove-Item $csv -ErrorAction Ignore }
    }

    Context 'refusals, naming the item and the field' {
        BeforeAll {
            function New-Edited([scriptblock]$Edit) {
                $copy = [pscustomobject]@{ FormatVersion = 1; OperatingSystem = 'Linux'; Interfaces = @($snapshot.Interfaces); Routes = @($snapshot.Routes); Rules = @($snapshot.Rules); PreferTemporaryAddresses = @() }
                & $Edit $copy
                $copy
            }
        }

        It 'refuses a route through an interface the snapshot does not have' {
            $bad = New-Edited { param($s) $s.Routes += [pscustomobject]@{ DestinationPrefix = '10.50.0.0/16'; InterfaceIndex = 99; InterfaceAlias = 'nope' } }
            { Resolve-NetRoute 10.50.1.1 -Snapshot $bad -ErrorAction Stop } | Should -Throw "*Route $(@($snapshot.Routes).Count + 1) of the snapshot*InterfaceIndex 99*Cannot find device*"
        }

        It 'refuses a snapshot of another OS, one too new, and one too shallow' {
            { Resolve-NetRoute 10.1.1.1 -Snapshot (New-Edited { param($s) $s.OperatingSystem = 'macOS' }) -ErrorAction Stop } | Should -Throw "*macOS*only Linux's and Windows'*"
            { Resolve-NetRoute 10.1.1.1 -Snapshot (New-Edited { param($s) $s.OperatingSystem = 'Windows' }) -ErrorAction Stop } | Should -Throw "*Route 1 of the snapshot*Protocol 'Boot'*"
            { Resolve-NetRoute 10.1.1.1 -Snapshot (New-Edited { param($s) $s.FormatVersion = 99 }) -ErrorAction Stop } | Should -Throw '*FormatVersion 99*'
            { Resolve-NetRoute 10.1.1.1 -Snapshot ($snapshot | ConvertTo-Json -Depth 2 -WarningAction Ignore | ConvertFrom-Json) -ErrorAction Stop } | Should -Throw '*Interface 1 of the snapshot*Addresses*-Depth*'
        }

        It 'refuses a snapshot given to -RouteTable, and both parameters at once' {
            { Resolve-NetRoute 10.1.1.1 -RouteTable $snapshot -ErrorAction Stop } | Should -Throw '*Route 1 of -RouteTable*-Snapshot*'
            { Resolve-NetRoute 10.1.1.1 -RouteTable $snapshot.Routes -Snapshot $snapshot -ErrorAction Stop } | Should -Throw '*not both*'
        }

        It 'refuses rows ip route add refuses: <Why>' -ForEach @(
            @{ Why = 'host bits'; Row = @{ DestinationPrefix = '192.0.2.1/24'; InterfaceIndex = 2; InterfaceAlias = 'e1' }; Expected = '*DestinationPrefix*192.0.2.1/24*Invalid prefix for given prefix length*' }
            @{ Why = 'weight 0'; Row = @{ DestinationPrefix = '10.1.0.0/16'; NextHops = @(@{ NextHop = '192.0.2.1'; InterfaceIndex = 2; Weight = 0 }) }; Expected = '*Weight 0*"weight" is invalid*' }
            @{ Why = 'table 0'; Row = @{ DestinationPrefix = '10.1.0.0/16'; InterfaceIndex = 2; Table = 0 }; Expected = '*Table is 0*' }
            @{ Why = 'blackhole via'; Row = @{ DestinationPrefix = '10.2.0.0/16'; RouteType = 'Blackhole'; NextHop = '192.0.2.1' }; Expected = '*Gateway, device and multipath can not be specified*' }
            @{ Why = 'local via'; Row = @{ DestinationPrefix = '10.4.0.1/32'; RouteType = 'Local'; NextHop = '192.0.2.1'; InterfaceIndex = 2 }; Expected = '*host scope can not have a gateway*' }
            @{ Why = 'IPv4 gateway for IPv6'; Row = @{ DestinationPrefix = '2001:db8:5::/48'; NextHop = '192.0.2.1'; InterfaceIndex = 2 }; Expected = '*IPv6 does not support RTA_VIA*' }
        ) {
            { Resolve-NetRoute 10.1.1.1 -RouteTable @([pscustomobject]$Row) -ErrorAction Stop } | Should -Throw "*Route 1 of -RouteTable*$Expected"
            # ip says the same in the namespace: the message quotes it.
            $words = switch ($Why) {
                'host bits' { 'route', 'add', '192.0.2.1/24', 'dev', 'e1' }
                'weight 0' { 'route', 'add', '10.1.0.0/16', 'nexthop', 'via', '192.0.2.1', 'dev', 'e1', 'weight', '0' }
                'table 0' { $null }
                'blackhole via' { 'route', 'add', 'blackhole', '10.2.0.0/16', 'via', '192.0.2.1' }
                'local via' { 'route', 'add', 'local', '10.4.0.1', 'via', '192.0.2.1', 'dev', 'e1' }
                'IPv4 gateway for IPv6' { '-6', 'route', 'add', '2001:db8:5::/48', 'via', 'inet', '192.0.2.1', 'dev', 'e1' }
            }
            if ($words) {
                $said = & ip -n $topology.Host @words 2>&1
                $LASTEXITCODE | Should -Not -Be 0
                $quoted = ($Expected -split '\*' | Where-Object { $_ -match ' ' } | Select-Object -Last 1)
                "$said" | Should -BeLike "*$quoted*"
            }
        }
    }
}
