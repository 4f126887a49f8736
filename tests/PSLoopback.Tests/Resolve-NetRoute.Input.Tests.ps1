<#
    Resolve-NetRoute -InputInterface against `ip -j route get ... iif DEV`: a namespace router whose input links
    each carry other sysctls (forwarding off, rp_filter 1 and 2, accept_local, route_localnet, bc_forwarding, no
    IPv4 address, one link down), asked for every destination (forwarded, local, broadcast, multicast, martian,
    unreachable) from every kind of source (on the input's link, behind it, behind another link, unroutable, the
    host's own, loopback, multicast), first with the default rules, then with rules of its own (which make the
    kernel check sources by lookup) and marked packets (src_valid_mark). Type, interface, gateway, source and error
    must equal the kernel's, and -Verify must agree. A mismatch prints the ip commands that rebuild the router and
    the lookup that differed.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # The input links: name, IPv4 sysctls (besides forwarding 1 and rp_filter 0 everywhere), and whether it has IPv4.
    $script:inputs = @(
        @{ Name = 'e1'; Settings = @{} }
        @{ Name = 'e2'; Settings = @{ forwarding = 0 } }
        @{ Name = 'e3'; Settings = @{ rp_filter = 1 } }
        @{ Name = 'e4'; Settings = @{ rp_filter = 2 } }
        @{ Name = 'e5'; Settings = @{ accept_local = 1 } }
        @{ Name = 'e6'; Settings = @{ route_localnet = 1 } }
        @{ Name = 'e7'; Settings = @{ accept_local = 1; rp_filter = 1 } }
        @{ Name = 'e8'; Settings = @{ rp_filter = 2 }; NoIPv4 = $true }
        @{ Name = 'e9'; Settings = @{}; Down = $true }
        @{ Name = 'e10'; Settings = @{ bc_forwarding = 1; forwarding = 0 } }
    )

    function Invoke-Setup {
        param([Parameter(ValueFromRemainingArguments)][string[]]$Words)
        # Every command that builds the router is kept, so that a mismatch can print how to rebuild it.
        $script:setup.Add("ip $($Words -join ' ')")
        Invoke-Ip @Words | Out-Null
    }

    function Set-Sysctl([string]$Name, [string]$Value) {
        $script:setup.Add("ip netns exec $ns sysctl -qw $Name=$Value")
        & ip netns exec $ns sysctl -qw "$Name=$Value"
        if ($LASTEXITCODE -ne 0) { throw "sysctl -w $Name=$Value failed in $ns." }
    }

    function Get-Lookups([string]$Iif, [int]$N, [uint32]$Mark = 0) {
        # Every destination from every source, for one input link (N numbers its subnets).
        $destinations = @('203.0.113.9', '198.51.100.7', '198.51.100.1', '198.51.100.255', '255.255.255.255', '0.0.0.0',
            '127.0.0.1', '224.0.0.1', '239.1.1.1', '10.1.1.1', '10.2.1.1', '10.3.1.1', '8.8.8.8', '0.1.2.3',
            "172.16.$N.1", "172.16.$N.255", "172.17.$N.9")
        $sources = @('', "172.16.$N.5", "172.17.$N.5", '198.51.100.5', '8.8.8.8', '10.1.0.5', '198.51.100.1', "172.16.$N.1",
            '127.0.0.1', '224.0.0.1', '0.1.2.3')
        foreach ($source in $sources) { @{ Iif = $Iif; Source = $source; Mark = $Mark; Destinations = $destinations } }
        foreach ($source in '', '2001:db8:1::5', '::1') {
            @{ Iif = $Iif; Source = $source; Mark = $Mark; Destinations = @('2001:db8:99::9', '2001:db8:98::9', '2001:db8:ff::1', '2001:db8:dead::1', '2001:db8:77::1', '::1', 'fe80::1') }
        }
    }

    function Get-KernelAnswer([string]$Destination, [string]$Source, [string]$Iif, [uint32]$Mark) {
        # ip's answer in the words compared: type, dev, gateway, source (IPv4: the packet's; IPv6: a route's prefsrc), error.
        $words = @('-n', $ns, '-j', 'route', 'get', $Destination) + $(if ($Source) { 'from', $Source }) + @('iif', $Iif) + $(if ($Mark) { 'mark', $Mark })
        $output = & ip @words 2>&1
        if ($LASTEXITCODE -ne 0) {
            $text = "$output" -replace '^RTNETLINK answers: ', ''
            $errors = @{ 'Invalid argument' = 'InvalidArgument'; 'No route to host' = 'HostUnreachable'; 'Network is unreachable' = 'NetworkUnreachable'; 'Permission denied' = 'PermissionDenied'; 'No such device' = 'NoSuchDevice' }
            $name = if ($errors.ContainsKey($text)) { $errors[$text] } else { "Other($text)" }
            return "error $name"
        }
        $answer = @($output | ConvertFrom-Json)[0]
        $type = if ($answer.PSObject.Properties['type']) { $answer.type } else { 'unicast' }
        $gateway = if ($answer.PSObject.Properties['gateway']) { $answer.gateway } else { '' }
        $sourceShown = if ($answer.PSObject.Properties['prefsrc']) { $answer.prefsrc } elseif ($Source -and $Destination -notmatch ':') { $Source } else { '' }
        if ($Source -and $Destination -match ':') { $sourceShown = '-' }
        "$type dev $($answer.dev) via $gateway src $sourceShown"
    }

    function Invoke-Grid([object[]]$Lookups, [string]$Scenario) {
        <#
            Asks the kernel every lookup, then Resolve-NetRoute -Verify in one child (one call per input and
            source, all destinations at once), and returns the lookups whose answers differ, with how to repeat them.
        #>
        $kernel = @{}
        foreach ($lookup in $Lookups) {
            foreach ($destination in $lookup.Destinations) {
                $kernel["$($lookup.Iif)|$($lookup.Source)|$($lookup.Mark)|$destination"] = Get-KernelAnswer $destination $lookup.Source $lookup.Iif $lookup.Mark
            }
        }

        $script:outcomes += @($kernel.Values)
        $grid = ($Lookups | ConvertTo-Json -Depth 4 -Compress).Replace("'", "''")
        $childScript = @"
`$grid = '$grid' | ConvertFrom-Json -AsHashtable
@(foreach (`$lookup in `$grid) {
    `$parameters = @{ InputInterface = `$lookup.Iif }
    if (`$lookup.Source) { `$parameters.LocalIPAddress = `$lookup.Source }
    if (`$lookup.Mark) { `$parameters.Mark = `$lookup.Mark }
    `$answers = @(Resolve-NetRoute `$lookup.Destinations @parameters -Verify -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue)
    foreach (`$d in `$answers) {
        `$gateway = if (`$d.NextHop -and `$d.NextHop -notin '0.0.0.0', '::') { `$d.NextHop } else { '' }
        `$source = if (`$lookup.Source -and `$d.RemoteIPAddress -match ':') { '-' } else { "`$(`$d.SourceAddress)" }
        `$text = if (`$d.Error -ne 'None') { "error `$(`$d.Error)" } else { "`$(`$d.RouteType.ToLowerInvariant()) dev `$(`$d.InterfaceAlias) via `$gateway src `$source" }
        [pscustomobject]@{
            Key = "`$(`$lookup.Iif)|`$(`$lookup.Source)|`$(`$lookup.Mark)|`$(`$d.RemoteIPAddress)"; Answer = `$text; KernelAgrees = `$d.KernelAgrees
            Reason = `$d.Reason; Warning = "`$(`$warned | Where-Object { `$_.Message -like "*(`$(`$d.RemoteIPAddress))*" })"
        }
    }
    foreach (`$e in `$failed) { [pscustomobject]@{ Key = "`$(`$lookup.Iif)|`$(`$lookup.Source)|`$(`$lookup.Mark)|error"; Answer = "`$e"; KernelAgrees = `$false; Reason = ''; Warning = '' } }
}) | ConvertTo-Json -AsArray
"@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $childScript -TimeoutSeconds 300
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $ours = @{}
        foreach ($answer in @($result.Output | ConvertFrom-Json)) { $ours[$answer.Key] = $answer }

        foreach ($key in $kernel.Keys | Sort-Object) {
            $iif, $source, $mark, $destination = $key -split '\|'
            $mine = $ours[$key]
            $ask = "ip -n $ns route get $destination$(if ($source) { " from $source" }) iif $iif$(if ($mark -ne '0') { " mark $mark" })"
            if ($null -eq $mine) {
                "[$Scenario] $ask`n    kernel: $($kernel[$key])`n    ours:   (no answer)"
            } elseif ($mine.Answer -ne $kernel[$key] -or $mine.KernelAgrees -ne $true -or $mine.Warning) {
                "[$Scenario] $ask`n    kernel: $($kernel[$key])`n    ours:   $($mine.Answer) (KernelAgrees $($mine.KernelAgrees)) $($mine.Warning)`n    reason: $($mine.Reason)"
            }
        }
        foreach ($key in $ours.Keys | Where-Object { $_ -like '*|error' }) { "[$Scenario] $key $($ours[$key].Answer)" }
    }

    function Format-Mismatches([string[]]$Mismatches) {
        "$($Mismatches.Count) lookups differ. Rebuild the router with:`n  $($setup -join "`n  ")`n`n$($Mismatches -join "`n")"
    }
}

Describe 'Resolve-NetRoute -InputInterface against ip route get ... iif' {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the input route tests: $skipReason." -ForegroundColor Yellow; return }

        # Namespaces carry this file's tag and the pid, so a killed run's leftovers can be told from a live one's.
        foreach ($line in @(& ip netns list 2>$null)) {
            if ($line -match '^(pslb-input-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) { & ip netns del $Matches[1] 2>$null }
        }
        $script:ns = "pslb-input-$PID-router"
        $script:peer = "pslb-input-$PID-peer"
        $script:setup = [System.Collections.Generic.List[string]]::new()
        Invoke-Setup netns add $ns
        Invoke-Setup netns add $peer
        Set-Sysctl net.ipv6.conf.all.accept_dad 0
        Set-Sysctl net.ipv6.conf.default.accept_dad 0
        Invoke-Setup -n $ns link set lo up
        foreach ($link in @($inputs.Name) + 'o1') {
            Invoke-Setup -n $ns link add $link type veth peer name "p$link" netns $peer
            Invoke-Setup -n $peer link set "p$link" up
            if (-not ($inputs | Where-Object { $_.Name -eq $link -and $_.Down })) { Invoke-Setup -n $ns link set $link up }
        }
        Invoke-Setup -n $ns addr add 198.51.100.1/24 dev o1
        Invoke-Setup -n $ns -6 addr add 2001:db8:2::1/64 dev o1 nodad
        Invoke-Setup -n $ns -6 addr add 2001:db8:ff::1/64 dev o1 nodad
        Invoke-Setup -n $ns -6 addr add 2001:db8:1::1/64 dev e1 nodad
        for ($i = 0; $i -lt $inputs.Count; $i++) {
            $n = $i + 1
            $link = $inputs[$i].Name
            if (-not $inputs[$i].NoIPv4) {
                Invoke-Setup -n $ns addr add "172.16.$n.1/24" dev $link
                # A link that is down has no subnet route, so no gateway on it can be reached.
                if (-not $inputs[$i].Down) { Invoke-Setup -n $ns route add "172.17.$n.0/24" via "172.16.$n.254" dev $link }
            } else {
                Invoke-Setup -n $ns route add "172.17.$n.0/24" dev $link
            }
        }
        Invoke-Setup -n $ns route add 203.0.113.0/24 via 198.51.100.254 dev o1
        Invoke-Setup -n $ns route add unreachable 10.1.0.0/16
        Invoke-Setup -n $ns route add prohibit 10.2.0.0/16
        Invoke-Setup -n $ns route add blackhole 10.3.0.0/16
        Invoke-Setup -n $ns -6 route add 2001:db8:99::/48 via 2001:db8:2::254 dev o1
        # Two routes of one metric, one through e1: a packet arriving on e1 takes that one.
        Invoke-Setup -n $ns -6 route add 2001:db8:98::/48 via 2001:db8:2::254 dev o1 metric 100
        Invoke-Setup -n $ns -6 route append 2001:db8:98::/48 dev e1 metric 100
        Invoke-Setup -n $ns -6 route add unreachable 2001:db8:dead::/48

        # Writing "all" sets every interface's forwarding; the per-interface settings come after.
        Set-Sysctl net.ipv4.conf.all.forwarding 1
        Set-Sysctl net.ipv4.conf.all.rp_filter 0
        # bc_forwarding takes both "all" and the interface, so only e10 forwards directed broadcasts.
        Set-Sysctl net.ipv4.conf.all.bc_forwarding 1
        foreach ($link in $inputs) {
            foreach ($setting in $link.Settings.Keys) { Set-Sysctl "net.ipv4.conf.$($link.Name).$setting" $link.Settings[$setting] }
        }
        Wait-NamespaceSettled $ns, $peer

        $script:outcomes = @()
        $script:lookups = @(for ($i = 0; $i -lt $inputs.Count; $i++) { Get-Lookups $inputs[$i].Name ($i + 1) }) + @(Get-Lookups 'lo' 1) + @(Get-Lookups 'o1' 1)
        $script:plain = @(Invoke-Grid $lookups 'default rules')

        # IPv6 forwarding changes no lookup; rules of the router's own make IPv4 check every source by lookup.
        Set-Sysctl net.ipv6.conf.all.forwarding 1
        Invoke-Setup -n $ns route add 203.0.113.0/24 via 172.16.1.253 dev e1 table 100
        Invoke-Setup -n $ns route add 198.51.100.0/24 via 172.16.3.253 dev e3 table 101
        Invoke-Setup -n $ns rule add pref 100 iif e4 lookup 100
        Invoke-Setup -n $ns rule add pref 101 iif lo lookup 101
        Invoke-Setup -n $ns rule add pref 102 oif o1 lookup 100
        Invoke-Setup -n $ns -6 route add 2001:db8:99::/48 via 2001:db8:1::253 dev e1 table 100
        Invoke-Setup -n $ns -6 rule add pref 100 iif o1 lookup 100
        # Marked packets go by table 103 both ways, which only src_valid_mark (on e3 and e5) lets the source check see.
        Invoke-Setup -n $ns rule add pref 99 fwmark 0x5 lookup 103
        Invoke-Setup -n $ns route add 203.0.113.0/24 via 172.16.5.253 dev e5 table 103
        Invoke-Setup -n $ns route add 172.17.0.0/16 via 198.51.100.253 dev o1 table 103
        Set-Sysctl net.ipv4.conf.e3.src_valid_mark 1
        Set-Sysctl net.ipv4.conf.e5.src_valid_mark 1
        $marked = @(Get-Lookups 'e3' 3 5) + @(Get-Lookups 'e4' 4 5) + @(Get-Lookups 'e5' 5 5) + @(Get-Lookups 'o1' 1 5)
        $script:ruled = @(Invoke-Grid (@($lookups | Where-Object { $_.Iif -in 'e1', 'e3', 'e4', 'e5', 'lo', 'o1' }) + $marked) 'own rules')
    }

    AfterAll {
        if (-not $skipReason) {
            & ip netns del $ns 2>$null
            & ip netns del $peer 2>$null
        }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'meets every outcome the router can give' {
        # Else a check could be wrong without any lookup showing it.
        $answers = @($outcomes | Sort-Object -Unique)
        foreach ($outcome in 'error InvalidArgument', 'error HostUnreachable', 'error NetworkUnreachable', 'error PermissionDenied', 'local dev lo*', 'broadcast dev lo*', 'multicast dev lo*', 'unicast dev o1 via 198.51.100.254*', 'unicast dev e1 via 172.16.1.254*', 'unicast dev e1 via  src*', 'unicast dev e5 via 172.16.5.253*', 'broadcast dev o1*') {
            @($answers | Where-Object { $_ -like $outcome }).Count | Should -BeGreaterThan 0 -Because "some lookup must give '$outcome'"
        }
    }

    It 'answers every lookup as the kernel does, with the default rules' {
        if ($plain.Count) { throw (Format-Mismatches $plain) }
    }

    It 'answers every lookup as the kernel does, with rules of its own' {
        if ($ruled.Count) { throw (Format-Mismatches $ruled) }
    }
}

Describe 'Resolve-NetRoute -InputInterface parameters' {
    BeforeAll {
        $script:table = @(
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 }
            [pscustomobject]@{ DestinationPrefix = '198.51.100.0/24'; NextHop = '0.0.0.0'; InterfaceAlias = 'eth1'; InterfaceIndex = 3; Table = 254 }
        )
    }

    It 'writes an error naming an interface that does not exist, for each destination, and goes on' {
        $answers = @(Resolve-NetRoute 203.0.113.9, 203.0.113.10 -RouteTable $table -InputInterface nosuch -ErrorVariable failed -ErrorAction SilentlyContinue)
        $answers | Should -BeNullOrEmpty
        $failed.Count | Should -Be 2
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'InputInterfaceNotFound*'
        "$($failed[0])" | Should -BeLike "*'nosuch'*203.0.113.9*"
    }

    It 'refuses an input interface together with an output interface' {
        { Resolve-NetRoute 203.0.113.9 -RouteTable $table -InputInterface eth1 -InterfaceAlias eth0 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*-InputInterface*not both*'
    }

    It 'takes the alias iif and answers a forwarding decision for the routes given' {
        $d = Resolve-NetRoute 203.0.113.9 -RouteTable $table -iif eth1 -LocalIPAddress 198.51.100.7
        # Routes alone carry no sysctls: forwarding is the kernel's default, off, and the answer says so.
        $d.Error | Should -Be 'HostUnreachable'
        $d.Reason | Should -BeLike '*eth1 does not forward (net.ipv4.conf.eth1.forwarding = 0, the default*'
    }

    It 'completes -InputInterface with interface names' {
        $line = 'Resolve-NetRoute 192.0.2.1 -InputInterface '
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        @($completion.CompletionMatches).Count | Should -BeGreaterThan 0
        @($completion.CompletionMatches.CompletionText) | Should -Contain 'lo'
    }
}
