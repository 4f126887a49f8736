<#
    Resolve-NetRoute against `ip -j route get` on routes through nexthop objects (single, groups with weights,
    resilient, blackhole) with net.ipv4.nexthop_compat_mode 1 and 0, old-style multipath routes with
    fib_multipath_use_neigh 0 and 1, several IPv4 default routes of one metric, and IPv6 routers, while the
    gateways' neighbour entries are FAILED, INCOMPLETE, PERMANENT or absent. Each scenario changes the namespace
    and asks every lookup of both: type, device, gateway, source and error must agree. Where our answer has more
    than one path (a hash, or the table's last default-route choice, which no dump shows), the kernel's must be
    one of them. A mismatch prints the commands that rebuild the scenario.
#>

BeforeDiscovery {
    $lookups = @('203.0.113.10', '203.0.113.70', '203.0.113.130', '203.0.113.200', '198.18.0.9', '198.18.1.9', '192.0.2.77',
        '2001:db8:10::1', '2001:db8:11::1', '2001:db8:12::1', '2001:db8:13::1', '2001:db8:77::1')
    $g1 = '10.1.0.254 dev m1'; $g2 = '10.2.0.254 dev m2'; $h1 = '2001:db8:1::254 dev m1'; $h2 = '2001:db8:2::254 dev m2'
    # Each scenario: sysctls, then neighbour entries (replaced, so the order of scenarios does not matter to them).
    $scenarios = @(
        @{ Name = 'compat 1, no neighbour entries'; Compat = 1; UseNeigh = 0; Neighbours = @() }
        @{ Name = 'compat 0, no neighbour entries'; Compat = 0; UseNeigh = 0; Neighbours = @() }
        @{ Name = 'compat 0, G1 and H1 failed, use_neigh 0'; Compat = 0; UseNeigh = 0; Neighbours = @("$g1 nud failed", "$h1 nud failed") }
        @{ Name = 'compat 1, G1 and H1 failed, use_neigh 1'; Compat = 1; UseNeigh = 1; Neighbours = @("$g1 nud failed", "$h1 nud failed") }
        @{ Name = 'compat 0, G1 and H1 incomplete, use_neigh 1'; Compat = 0; UseNeigh = 1; Neighbours = @("$g1 nud incomplete", "$h1 nud incomplete") }
        @{ Name = 'compat 1, G1 permanent, G2 and H2 failed'; Compat = 1; UseNeigh = 1; Neighbours = @("$g1 nud permanent lladdr 02:00:00:00:01:01", "$g2 nud failed", "$h1 nud permanent lladdr 02:00:00:00:01:02", "$h2 nud failed") }
        @{ Name = 'compat 0, every gateway failed'; Compat = 0; UseNeigh = 1; Neighbours = @("$g1 nud failed", "$g2 nud failed", "$h1 nud failed", "$h2 nud failed") }
    )
    foreach ($scenario in $scenarios) { $scenario.Lookups = $lookups }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force

    # The namespace carries this suite's own tag, so suites running at the same time never share one.
    $script:ns = "pslb-state-$PID-nh"
    $script:setup = [System.Collections.Generic.List[string]]::new()

    function Invoke-Setup([string]$Words) {
        $script:setup.Add("ip -n $ns $Words")
        $arguments = @('-n', $ns) + ($Words -split ' ')
        Invoke-Ip @arguments | Out-Null
    }

    function Set-Sysctl([string]$Name, [string]$Value) {
        $script:setup.Add("ip netns exec $ns sysctl -w $Name=$Value")
        Set-NamespaceProcValue -Namespace $ns -Path ('/proc/sys/' + $Name.Replace('.', '/')) -Value $Value
    }

    function Get-KernelAnswer([string]$Destination) {
        $output = & ip -n $ns -j route get $Destination 2>&1
        if ($LASTEXITCODE -ne 0) {
            $errno = switch -Wildcard ("$output") {
                '*Invalid argument*' { 'InvalidArgument' }
                '*Network is unreachable*' { 'NetworkUnreachable' }
                '*No route to host*' { 'HostUnreachable' }
                '*Permission denied*' { 'PermissionDenied' }
                default { "Other ($output)" }
            }
            return [pscustomobject]@{ Type = $null; Dev = $null; Gateway = $null; Source = $null; Error = $errno }
        }

        $answer = @("$output" | ConvertFrom-Json)[0]
        [pscustomobject]@{
            Type = if ($answer.PSObject.Properties['type']) { $answer.type } else { 'unicast' }
            Dev = $answer.dev
            Gateway = if ($answer.PSObject.Properties['gateway']) { $answer.gateway } else { $null }
            Source = $answer.prefsrc
            Error = 'None'
        }
    }

    function Format-Ours($d) {
        "type $($d.RouteType) dev $($d.InterfaceAlias) via $($d.NextHop) src $($d.SourceAddress) error $($d.Error) paths [$($d.Paths)]"
    }

    function Format-Kernel($k) { "type $($k.Type) dev $($k.Dev) via $($k.Gateway) src $($k.Source) error $($k.Error)" }

    $script:skipReason = Get-NetnsUnavailableReason
    if ($skipReason) { Write-Host "Skipping the nexthop tests: $skipReason." -ForegroundColor Yellow; return }
    if (& ip netns list 2>$null | Where-Object { $_ -match "^$ns\b" }) { & ip netns del $ns 2>$null }
    Invoke-Ip netns add $ns | Out-Null

    Invoke-Setup 'link set lo up'
    foreach ($pair in @(@('m1', 'q1'), @('m2', 'q2'))) {
        Invoke-Setup "link add $($pair[0]) type veth peer name $($pair[1])"
        Invoke-Setup "link set $($pair[0]) up"
        Invoke-Setup "link set $($pair[1]) up"
    }
    Invoke-Setup 'addr add 10.1.0.1/24 dev m1'
    Invoke-Setup 'addr add 10.2.0.1/24 dev m2'
    Invoke-Setup '-6 addr add 2001:db8:1::1/64 dev m1 nodad'
    Invoke-Setup '-6 addr add 2001:db8:2::1/64 dev m2 nodad'
    Wait-NamespaceSettled -Namespace $ns

    Invoke-Setup 'nexthop add id 1 via 10.1.0.254 dev m1'
    Invoke-Setup 'nexthop add id 2 via 10.2.0.254 dev m2'
    Invoke-Setup 'nexthop add id 10 group 1/2'
    Invoke-Setup 'nexthop add id 11 group 1,3/2'
    Invoke-Setup 'nexthop add id 12 group 1/2 type resilient buckets 8'
    Invoke-Setup 'nexthop add id 20 blackhole'
    Invoke-Setup 'nexthop add id 41 via 2001:db8:1::254 dev m1'
    Invoke-Setup 'nexthop add id 42 via 2001:db8:2::254 dev m2'
    Invoke-Setup 'nexthop add id 43 group 41/42'
    Invoke-Setup '-6 nexthop add id 21 blackhole'
    Invoke-Setup 'route add 203.0.113.0/26 nhid 1'
    Invoke-Setup 'route add 203.0.113.64/26 nhid 10'
    Invoke-Setup 'route add 203.0.113.128/26 nhid 11'
    Invoke-Setup 'route add 203.0.113.192/26 nhid 20'
    Invoke-Setup 'route add 198.18.0.0/24 nhid 12'
    Invoke-Setup 'route add 198.18.1.0/24 nexthop via 10.1.0.254 dev m1 nexthop via 10.2.0.254 dev m2'
    # Two default routes of one metric: the second can only be appended (add refuses it as existing).
    Invoke-Setup 'route add default via 10.1.0.254 dev m1 metric 50'
    Invoke-Setup 'route append default via 10.2.0.254 dev m2 metric 50'
    Invoke-Setup '-6 route add 2001:db8:10::/48 nhid 41'
    Invoke-Setup '-6 route add 2001:db8:11::/48 nhid 43'
    Invoke-Setup '-6 route add 2001:db8:12::/48 nhid 21'
    Invoke-Setup '-6 route add 2001:db8:13::/48 via 2001:db8:1::254 dev m1'
    Invoke-Setup '-6 route add default via 2001:db8:2::254 dev m2'
    $script:baseSetup = @($setup)
}

AfterAll {
    if (-not $skipReason) { & ip netns del $ns 2>$null }
}

Describe 'Resolve-NetRoute through nexthop objects and neighbour entries: <Name>' -ForEach $scenarios {
    BeforeAll {
        if ($skipReason) { return }
        $script:setup = [System.Collections.Generic.List[string]]::new([string[]]$baseSetup)
        Set-Sysctl 'net.ipv4.nexthop_compat_mode' $Compat
        Set-Sysctl 'net.ipv4.fib_multipath_use_neigh' $UseNeigh
        # The kernel may keep an entry of an earlier scenario; each starts from none but its own.
        foreach ($gateway in @{ '10.1.0.254' = 'm1'; '10.2.0.254' = 'm2'; '2001:db8:1::254' = 'm1'; '2001:db8:2::254' = 'm2' }.GetEnumerator()) {
            & ip -n $ns neigh del $gateway.Key dev $gateway.Value 2>$null
        }
        foreach ($entry in $Neighbours) { Invoke-Setup "neigh replace $entry" }

        $script:kernel = @{}
        foreach ($destination in $Lookups) { $kernel[$destination] = Get-KernelAnswer $destination }

        # Live, and from a snapshot taken now and read back from JSON, which must answer the same.
        $child = @"
`$snapshot = Get-NetRouteSnapshot | ConvertTo-Json -Depth 8 | ConvertFrom-Json
@(foreach (`$destination in '$($Lookups -join "','")') {
    foreach (`$source in 'Live', 'Snapshot') {
        `$d = if (`$source -eq 'Live') { Resolve-NetRoute `$destination -ErrorAction SilentlyContinue } else { Resolve-NetRoute `$destination -Snapshot `$snapshot -ErrorAction SilentlyContinue }
        [pscustomobject]@{
            Key = "`$source `$destination"; RouteType = `$d.RouteType; InterfaceAlias = `$d.InterfaceAlias; NextHop = `$d.NextHop
            SourceAddress = `$d.SourceAddress; Error = `$d.Error; Paths = "`$(`$d.Paths)"
            PathList = @(`$d.Paths | ForEach-Object { "`$(`$_.NextHop) `$(`$_.InterfaceAlias)" })
        }
    }
}) + @(Get-NetRouteInfo | Where-Object DestinationPrefix -in '203.0.113.0/26', '203.0.113.64/26' | ForEach-Object { [pscustomobject]@{ Key = "Text `$(`$_.DestinationPrefix)"; Text = `$_.Text } }) + @([pscustomobject]@{ Key = 'Objects'; Text = @(Get-NetRouteInfo -NextHopObject | ForEach-Object Text) }) | ConvertTo-Json -Depth 4 -AsArray
"@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $child -TimeoutSeconds 180
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $script:ours = @{}
        foreach ($answer in @($result.Output | ConvertFrom-Json)) { $ours[$answer.Key] = $answer }
        $script:reproduction = ($setup -join "`n")
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'shows each route through a nexthop object with its nhid and the paths it takes, as ip does in compat mode 1' {
        # PSLoopback writes the protocol ip leaves out (proto boot), hence the wildcards.
        $ours['Text 203.0.113.0/26'].Text | Should -BeLike '203.0.113.0/26 nhid 1 via 10.1.0.254 dev m1*'
        $ours['Text 203.0.113.64/26'].Text | Should -BeLike "203.0.113.64/26 nhid 10*`n    nexthop via 10.1.0.254 dev m1 weight 1`n    nexthop via 10.2.0.254 dev m2 weight 1"
    }

    It 'lists the nexthop objects as ip nexthop does' {
        $expected = @(& ip -n $ns nexthop show | ForEach-Object { $_.Trim() -replace ' idle_timer .*$', '' })
        @($ours['Objects'].Text) | Should -Be $expected
    }

    It 'answers <_> as ip route get does, live and from a saved snapshot' -ForEach $Lookups {
        $destination = $_
        $k = $kernel[$destination]
        foreach ($source in 'Live', 'Snapshot') {
            $d = $ours["$source $destination"]
            $because = "$source`: ours [$(Format-Ours $d)], kernel [$(Format-Kernel $k)] for 'ip -n $ns route get $destination' after:`n$reproduction`n"
            $d.Error | Should -Be $k.Error -Because $because
            if ($k.Error -ne 'None') { continue }

            $d.RouteType | Should -Be $k.Type -Because $because
            if (@($d.PathList).Count -gt 1) {
                # A hash, or the table's last default choice, picks among these: the kernel's must be one.
                @($d.PathList) | Should -Contain "$($k.Gateway) $($k.Dev)" -Because $because
            }
            else {
                $d.InterfaceAlias | Should -Be $k.Dev -Because $because
                "$($d.NextHop)" -replace '^(0\.0\.0\.0|::)$', '' | Should -Be "$($k.Gateway)" -Because $because
                $d.SourceAddress | Should -Be $k.Source -Because $because
            }
        }
    }
}
