<#
    Resolve-NetRoute against `ip -j route get` once the kernel's route exception cache holds entries, re-creating
    tools/testing/selftests/net/icmp_redirect.sh (h1 on a bridge with routers r1 and r2, r1 told to reach h2 by r2
    on the same link, so it redirects h1) and the path MTU stages it shares with pmtu.sh (h2's link at MTU 1300,
    so r2 answers "fragmentation needed" / "packet too big"). All traffic stays inside the namespaces made here.
    Each stage compares type, interface, gateway, source, MTU and error for every lookup, checks that the cache
    answered where it should, that -Verify agrees, and that a saved snapshot gives the same answers.
#>

BeforeDiscovery {
    # The stages of icmp_redirect.sh's "legacy routing" run, each with the lookups asked after it and whether
    # the kernel's answer for each comes from an exception then.
    $stages = @(
        @{ Name = 'initial routes'; Cached = @() }
        @{ Name = 'redirect exception'; Cached = @('172.16.2.2', '2001:db8:16:2::2') }
        @{ Name = 'redirect exception plus mtu'; Cached = @('172.16.2.2', '2001:db8:16:2::2') }
        @{ Name = 'routing reset'; Cached = @() }
        @{ Name = 'mtu exception'; Cached = @('172.16.2.2', '2001:db8:16:2::2') }
    )
    # h2 and its neighbour without an exception, r2 on the link, and the routes with an mtu metric.
    $lookups = @('172.16.2.2', '172.16.2.3', '172.16.1.254', '10.99.0.1', '2001:db8:16:2::2', '2001:db8:16:2::3', '2001:db8:99::1')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # Named with this helper's tag and this process's id, so a concurrent run's namespaces are never touched.
    $script:prefix = "pslb-cache-$PID-"
    $script:steps = [System.Collections.Generic.List[string]]::new()

    function Step {
        # Runs ip with these arguments and keeps the command, for the reproduction a mismatch prints.
        param([Parameter(ValueFromRemainingArguments)][string[]]$Arguments)
        $script:steps.Add('ip ' + ($Arguments -join ' '))
        Invoke-Ip @Arguments | Out-Null
    }

    function Set-Sysctl([string]$Namespace, [string[]]$Settings) {
        foreach ($setting in $Settings) {
            $script:steps.Add("ip netns exec $Namespace sysctl -q -w $setting")
            $output = & ip netns exec $Namespace sysctl -q -w $setting 2>&1
            if ($LASTEXITCODE -ne 0) { throw "sysctl $setting in $Namespace failed: $output" }
        }
    }

    function Get-LinkLocal([string]$Namespace, [string]$Device) {
        $info = @(Invoke-Ip -n $Namespace -6 -j addr show dev $Device | ConvertFrom-Json)[0].addr_info
        @($info | Where-Object { $_.scope -eq 'link' })[0].local
    }

    function Send-Traffic([int]$Size) {
        <#
            UDP datagrams with DF set from h1 to h2, both families, in a child pwsh inside h1. The IPv6 socket is
            bound to br0: the kernel takes a redirect for an unbound socket's flow on no interface, and drops it.
            A send refused with EMSGSIZE means the smaller path MTU is already learned.
        #>
        $script:steps.Add("# from $($prefix)h1: UDP with DF to 172.16.2.2 and 2001:db8:16:2::2 port 9, $Size bytes, 4 each")
        $script = @"
foreach (`$to in '172.16.2.2', '2001:db8:16:2::2') {
    `$address = [Net.IPAddress]::Parse(`$to)
    `$socket = [Net.Sockets.Socket]::new(`$address.AddressFamily, 'Dgram', 'Udp')
    try {
        if (`$address.AddressFamily -eq 'InterNetwork') { `$socket.SetRawSocketOption(0, 10, [BitConverter]::GetBytes(2)) }
        else { `$socket.SetRawSocketOption(41, 23, [BitConverter]::GetBytes(2)) }
        `$socket.SetRawSocketOption(1, 25, [Text.Encoding]::ASCII.GetBytes("br0`0"))
        `$endpoint = [Net.IPEndPoint]::new(`$address, 9)
        for (`$i = 0; `$i -lt 4; `$i++) {
            try { `$null = `$socket.SendTo([byte[]]::new($Size), `$endpoint) } catch [Net.Sockets.SocketException] { }
            Start-Sleep -Milliseconds 150
        }
    } finally { `$socket.Dispose() }
}
"@
        $result = Invoke-FreshPwsh -Namespace "$($prefix)h1" -Script $script -NoImport -TimeoutSeconds 60
        if ($result.ExitCode -ne 0) { throw "Sending from h1 failed (exit $($result.ExitCode)): $($result.Error)" }
    }

    function Set-H2Mtu([int]$Mtu) {
        Step -n "$($prefix)h2" link set eth0 mtu $Mtu
        Step -n "$($prefix)r2" link set eth2 mtu $Mtu
    }

    function Get-IpAnswer([string]$Destination) {
        # type, dev, gateway, src, mtu, error as `ip -j route get` gives them; the error is the kernel's message.
        $output = & ip -n "$($prefix)h1" -j route get $Destination 2>&1
        if ($LASTEXITCODE -ne 0) { return "error $(($output | Out-String).Trim())" }
        $answer = @($output | ConvertFrom-Json)[0]
        $type = if ($answer.PSObject.Properties['type']) { $answer.type } else { 'unicast' }
        $gateway = if ($answer.PSObject.Properties['gateway']) { $answer.gateway } else { '' }
        $source = if ($answer.PSObject.Properties['prefsrc']) { $answer.prefsrc } else { '' }
        $mtu = ''
        if ($answer.PSObject.Properties['metrics']) {
            foreach ($metric in @($answer.metrics)) {
                if ($metric.PSObject.Properties['mtu']) { $mtu = "$($metric.mtu)" }
            }
        }
        "$type dev $($answer.dev) via $gateway src $source mtu $mtu"
    }

    function Get-OurAnswers {
        # Every lookup in one child inside h1, live with -Verify, and again from a snapshot carried out as JSON.
        $list = ($lookups | ForEach-Object { "'$_'" }) -join ', '
        $script = @"
function Format-Answer(`$d) {
    if (`$d.Error -ne 'None') { return "error `$(`$d.Error)" }
    `$via = if (`$d.NextHop -in '0.0.0.0', '::') { '' } else { `$d.NextHop }
    "`$(`$d.RouteType.ToLowerInvariant()) dev `$(`$d.InterfaceAlias) via `$via src `$(`$d.SourceAddress) mtu `$(`$d.Mtu)"
}
`$copy = Get-NetRouteSnapshot | ConvertTo-Json -Depth 8 | ConvertFrom-Json
`$cache = @(Get-NetRouteInfo -Cache | ForEach-Object { "`$(`$_.Destination) via `$(`$_.NextHop) dev `$(`$_.InterfaceAlias) mtu `$(`$_.Mtu)" } | Sort-Object)
`$answers = @(foreach (`$destination in $list) {
    `$live = Resolve-NetRoute `$destination -Verify -WarningAction SilentlyContinue
    `$saved = Resolve-NetRoute `$destination -Snapshot `$copy
    [pscustomobject]@{
        Destination = `$destination; Answer = Format-Answer `$live; Saved = Format-Answer `$saved; Text = `$live.Text
        FromCache = `$live.FromCache; SavedFromCache = `$saved.FromCache; KernelAgrees = `$live.KernelAgrees; KernelAnswer = `$live.KernelAnswer
    }
})
[pscustomobject]@{ Answers = `$answers; Cache = `$cache } | ConvertTo-Json -Depth 4
"@
        $result = Invoke-FreshPwsh -Namespace "$($prefix)h1" -Script $script -TimeoutSeconds 120
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $output = $result.Output | ConvertFrom-Json
        $answers = @{}
        foreach ($answer in @($output.Answers)) { $answers[$answer.Destination] = $answer }
        @{ Answers = $answers; Cache = @($output.Cache) }
    }

    function Get-IpCache {
        # `ip -j route show cache` of both families, in the words of Get-OurAnswers' cache list.
        @(foreach ($family in '-4', '-6') {
                foreach ($entry in @(Invoke-Ip -n "$($prefix)h1" $family -j route show cache | ConvertFrom-Json)) {
                    $unspecified = if ($family -eq '-6') { '::' } else { '0.0.0.0' }
                    $gateway = if ($entry.PSObject.Properties['gateway']) { $entry.gateway } else { $unspecified }
                    $mtu = ''
                    if ($entry.PSObject.Properties['metrics']) {
                        foreach ($metric in @($entry.metrics)) { if ($metric.PSObject.Properties['mtu']) { $mtu = "$($metric.mtu)" } }
                    }
                    "$($entry.dst) via $gateway dev $($entry.dev) mtu $mtu"
                }
            }) | Sort-Object
    }

    function Get-ErrorWord([string]$Message) {
        # `ip route get`'s strerror text, in Resolve-NetRoute's RouteError words.
        switch -Wildcard ($Message) {
            '*Network is unreachable*' { 'NetworkUnreachable' }
            '*No route to host*' { 'HostUnreachable' }
            '*Permission denied*' { 'PermissionDenied' }
            '*Invalid argument*' { 'InvalidArgument' }
            default { $Message }
        }
    }

    function Save-Stage([string]$Name) {
        $kernel = @{}
        foreach ($destination in $lookups) {
            $answer = Get-IpAnswer $destination
            $kernel[$destination] = if ($answer -like 'error *') { 'error ' + (Get-ErrorWord $answer) } else { $answer }
        }
        $ours = Get-OurAnswers
        $script:results[$Name] = @{
            Kernel = $kernel; Ours = $ours.Answers; OurCache = $ours.Cache; KernelCache = @(Get-IpCache); Steps = @($steps)
            Cache = @(& ip -n "$($prefix)h1" route show cache) + @(& ip -n "$($prefix)h1" -6 route show cache)
        }
    }

    function Wait-Cache([string[]]$Expected, [int]$Size) {
        # Traffic until h1's cache holds an entry for each destination expected (a redirect may need two rounds).
        for ($round = 0; $round -lt 4; $round++) {
            Send-Traffic -Size $Size
            $cache = (@(& ip -n "$($prefix)h1" route show cache) + @(& ip -n "$($prefix)h1" -6 route show cache)) -join "`n"
            if (@($Expected | Where-Object { $cache -notmatch [regex]::Escape($_) }).Count -eq 0) { return }
        }
    }
}

# icmp_redirect.sh runs its stages with routes through gateways ("legacy routing") and through nexthop objects.
Describe 'Resolve-NetRoute with the route exception cache (icmp_redirect.sh, pmtu.sh), <Variant>' -ForEach @(
    @{ Variant = 'legacy routing'; Stages = $stages; Lookups = $lookups }
    @{ Variant = 'nexthop objects'; Stages = $stages; Lookups = $lookups }
) {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if (-not $skipReason -and -not (& ip link help bridge 2>&1 | Select-String -Quiet 'bridge')) { $skipReason = 'bridge links are not available' }
        if ($skipReason) { Write-Host "Skipping the route cache tests: $skipReason." -ForegroundColor Yellow; return }

        # A killed earlier run of this file left namespaces whose process is gone: remove them.
        foreach ($line in @(& ip netns list 2>$null)) {
            if ($line -match '^(pslb-cache-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) { & ip netns del $Matches[1] 2>$null }
        }

        $script:results = @{}
        $script:steps.Clear()
        $h1 = "$($prefix)h1"; $h2 = "$($prefix)h2"; $r1 = "$($prefix)r1"; $r2 = "$($prefix)r2"
        try {
            foreach ($ns in $h1, $h2, $r1, $r2) {
                Step netns add $ns
                Step -n $ns link set lo up
                # Link-local addresses without duplicate detection, so they are usable at once.
                Set-Sysctl $ns 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'
            }
            foreach ($ns in $h1, $h2) {
                Set-Sysctl $ns 'net.ipv4.conf.all.accept_redirects=1', 'net.ipv6.conf.all.forwarding=0', 'net.ipv6.conf.all.accept_redirects=1'
            }
            foreach ($ns in $r1, $r2) {
                Set-Sysctl $ns 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=1', 'net.ipv4.conf.default.rp_filter=0',
                    'net.ipv4.conf.all.rp_filter=0', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.route.mtu_expires=10'
            }
            Step -n $h1 link add eth0 type veth peer name r1h1
            Step -n $h1 link set r1h1 netns $r1 name eth0 up
            Step -n $h1 link add eth1 type veth peer name r2h1
            Step -n $h1 link set r2h1 netns $r2 name eth0 up
            Step -n $h2 link add eth0 type veth peer name r2h2
            Step -n $h2 link set eth0 up
            Step -n $h2 link set r2h2 netns $r2 name eth2 up
            Step -n $r1 link add eth1 type veth peer name r2r1
            Step -n $r1 link set eth1 up
            Step -n $r1 link set r2r1 netns $r2 name eth1 up
            Step -n $h1 link add br0 type bridge
            Step -n $h1 link set br0 up
            Step -n $h1 addr add dev br0 172.16.1.1/24
            Step -n $h1 -6 addr add dev br0 2001:db8:16:1::1/64 nodad
            Step -n $h1 link set eth0 master br0 up
            Step -n $h1 link set eth1 master br0 up
            Step -n $h2 addr add dev eth0 172.16.2.2/24
            Step -n $h2 route add default via 172.16.2.254 dev eth0
            Step -n $h2 -6 addr add dev eth0 2001:db8:16:2::2/64 nodad
            Step -n $h2 -6 route add default via 2001:db8:16:2::254 dev eth0
            Step -n $r1 addr add dev eth0 172.16.1.253/24
            Step -n $r1 -6 addr add dev eth0 2001:db8:16:1::253/64 nodad
            Step -n $r1 addr add dev eth1 10.1.1.1/30
            Step -n $r1 -6 addr add dev eth1 2001:db8:1::1/126 nodad
            Step -n $r2 addr add dev eth0 172.16.1.254/24
            Step -n $r2 -6 addr add dev eth0 2001:db8:16:1::254/64 nodad
            Step -n $r2 addr add dev eth1 10.1.1.2/30
            Step -n $r2 -6 addr add dev eth1 2001:db8:1::2/126 nodad
            Step -n $r2 addr add dev eth2 172.16.2.254/24
            Step -n $r2 -6 addr add dev eth2 2001:db8:16:2::254/64 nodad
            Wait-NamespaceSettled -Namespace $h1, $h2, $r1, $r2
            $r1Link = Get-LinkLocal $r1 eth0
            $r2Link = Get-LinkLocal $r2 eth0
            if (-not $r1Link -or -not $r2Link) { throw "r1 or r2 has no link-local address on eth0." }

            # initial_route_legacy or initial_route_new: r1 reaches h2 by r2 over eth1, h1 by r1.
            $initialRoutes = {
                if ($Variant -eq 'legacy routing') {
                    Step -n $r1 route add 172.16.2.0/24 via 10.1.1.2 dev eth1
                    Step -n $r1 -6 route add 2001:db8:16:2::/64 via 2001:db8:1::2 dev eth1
                    Step -n $h1 route add 172.16.2.0/24 via 172.16.1.253 dev br0
                    Step -n $h1 -6 route add 2001:db8:16:2::/64 via $r1Link dev br0
                }
                else {
                    Step -n $r1 nexthop add id 1 via 10.1.1.2 dev eth1
                    Step -n $r1 route add 172.16.2.0/24 nhid 1
                    Step -n $r1 nexthop add id 2 via 2001:db8:1::2 dev eth1
                    Step -n $r1 -6 route add 2001:db8:16:2::/64 nhid 2
                    Step -n $h1 nexthop add id 1 via 172.16.1.253 dev br0
                    Step -n $h1 route add 172.16.2.0/24 nhid 1
                    Step -n $h1 nexthop add id 2 via $r1Link dev br0
                    Step -n $h1 -6 route add 2001:db8:16:2::/64 nhid 2
                }
            }
            & $initialRoutes

            # Routes with an mtu metric, which no exception overrides.
            Step -n $h1 route add 10.99.0.0/16 via 172.16.1.253 dev br0 mtu 1400
            Step -n $h1 -6 route add 2001:db8:99::/64 via $r1Link dev br0 mtu 1400
            Send-Traffic -Size 64
            Save-Stage 'initial routes'

            # replace_route_*: r1 now forwards to h2 by r2, on the link h1's packets came from.
            if ($Variant -eq 'legacy routing') {
                Step -n $r1 route replace 172.16.2.0/24 via 172.16.1.254 dev eth0
                Step -n $r1 -6 route replace 2001:db8:16:2::/64 via $r2Link dev eth0
            }
            else {
                Step -n $r1 nexthop replace id 1 via 172.16.1.254 dev eth0
                Step -n $r1 nexthop replace id 2 via $r2Link dev eth0
            }
            Wait-Cache -Expected '172.16.2.2', '2001:db8:16:2::2' -Size 64
            Save-Stage 'redirect exception'

            Set-H2Mtu 1300
            Wait-Cache -Expected 'mtu 1300' -Size 1350
            Save-Stage 'redirect exception plus mtu'

            # reset_route_*: deleting h1's routes (or nexthops) drops their exceptions.
            Set-H2Mtu 1500
            if ($Variant -eq 'legacy routing') {
                Step -n $r1 route del 172.16.2.0/24
                Step -n $r1 -6 route del 2001:db8:16:2::/64
                Step -n $h1 route del 172.16.2.0/24
                Step -n $h1 -6 route del 2001:db8:16:2::/64
            }
            else {
                Step -n $r1 nexthop flush
                Step -n $h1 nexthop flush
            }
            & $initialRoutes
            Send-Traffic -Size 64
            Save-Stage 'routing reset'

            Set-H2Mtu 1300
            Wait-Cache -Expected '172.16.2.2', '2001:db8:16:2::2' -Size 1350
            Save-Stage 'mtu exception'
        }
        catch {
            foreach ($ns in $h1, $h2, $r1, $r2) { & ip netns del $ns 2>$null }
            throw
        }
    }

    AfterAll {
        if (-not $skipReason) {
            foreach ($name in 'h1', 'h2', 'r1', 'r2') { & ip netns del "$prefix$name" 2>$null }
        }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    Context '<Name>' -ForEach $Stages {
        It 'answers <_> as ip -j route get does' -ForEach $Lookups {
            $stage = $results[$Name]
            $reproduce = "reproduce: $($stage.Steps -join '; '); ip -n $($prefix)h1 route get $_; ip netns exec $($prefix)h1 pwsh -c 'Resolve-NetRoute $_'. Cache: $($stage.Cache -join ' | '). Ours: $($stage.Ours[$_].Text)"
            $stage.Ours[$_].Answer | Should -Be $stage.Kernel[$_] -Because $reproduce
            $stage.Ours[$_].KernelAgrees | Should -BeTrue -Because "-Verify said: $($stage.Ours[$_].KernelAnswer)"
            $stage.Ours[$_].Saved | Should -Be $stage.Ours[$_].Answer -Because 'a snapshot carried out as JSON answers as the live host'
        }

        if ($Cached.Count -gt 0) {
            It 'has a kernel whose answers for <Cached> are not those of the routes alone' {
                foreach ($destination in $Cached) {
                    $results[$Name].Kernel[$destination] | Should -Not -Be $results['initial routes'].Kernel[$destination] -Because 'else the stage tests no exception'
                }
            }
        }

        It 'lists the cache as ip route show cache does' {
            ($results[$Name].OurCache -join "`n") | Should -Be ($results[$Name].KernelCache -join "`n")
        }

        It 'answers from the cache exactly for <Cached>' {
            $stage = $results[$Name]
            foreach ($destination in $Lookups) {
                $expected = $destination -in $Cached
                $stage.Ours[$destination].FromCache | Should -Be $expected -Because "$destination's answer $($stage.Ours[$destination].Text); cache: $($stage.Cache -join ' | ')"
                $stage.Ours[$destination].SavedFromCache | Should -Be $expected
            }
        }
    }
}

Describe 'Resolve-NetRoute -Snapshot reading the exception cache' -Skip:(-not $IsLinux) {
    BeforeAll {
        $script:json = Get-NetRouteSnapshot | ConvertTo-Json -Depth 8
    }

    It 'reads a snapshot saved before the cache was kept, as one with an empty cache' {
        $old = $json | ConvertFrom-Json
        $old.PSObject.Properties.Remove('Exceptions')
        (Resolve-NetRoute 127.0.0.1 -Snapshot $old).FromCache | Should -BeFalse
    }

    It 'refuses a cache entry <Why>' -ForEach @(
        @{ Why = 'without a destination'; Entry = @{ NextHop = '0.0.0.0'; InterfaceIndex = 1 }; Expected = '*Cache entry 1*no Destination*' }
        @{ Why = 'without a next hop'; Entry = @{ Destination = '192.0.2.9'; InterfaceIndex = 1 }; Expected = '*Cache entry 1*no NextHop*' }
        @{ Why = 'with an interface index of 0'; Entry = @{ Destination = '192.0.2.9'; NextHop = '0.0.0.0'; InterfaceIndex = 0 }; Expected = '*Cache entry 1*InterfaceIndex*' }
        @{ Why = 'whose time is not a time'; Entry = @{ Destination = '192.0.2.9'; NextHop = '0.0.0.0'; InterfaceIndex = 1; ReadAt = 'soon' }; Expected = "*Cache entry 1*ReadAt 'soon'*" }
    ) {
        $broken = $json | ConvertFrom-Json
        $broken.Exceptions = @([pscustomobject]$Entry)
        { Resolve-NetRoute 127.0.0.1 -Snapshot $broken -ErrorAction Stop } | Should -Throw -ExpectedMessage $Expected
    }
}
