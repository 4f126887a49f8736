<#
    Routes through one nexthop object share the route the kernel caches on it (per CPU), made by whichever of them
    was looked up first since the last route change: the answer's MTU, and on IPv6 its source, are that route's.
    In a namespace, two routes of each family reach nexthop 10 (IPv6) or 30 (IPv4), one directly with a prefsrc and
    an mtu, one through a group with another prefsrc. The caches are made on every CPU this process may run on
    (taskset) by one route, then by the other, and Resolve-NetRoute -Verify must name the other route and call the
    kernel's answer CachedFromOtherRoute, never Agrees or Differs.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force

    $script:ns = "pslb-state-$PID-shnh"
    $script:setup = [System.Collections.Generic.List[string]]::new()
    function Invoke-Setup([string]$Words) {
        $script:setup.Add("ip -n $ns $Words")
        $arguments = @('-n', $ns) + ($Words -split ' ')
        Invoke-Ip @arguments | Out-Null
    }

    # The CPUs this process may run on, as taskset lists them ("0-1", "0,2-3").
    function Get-AllowedCpu {
        $list = ("$(& taskset -pc $PID)" -split ':')[-1].Trim()
        foreach ($part in $list -split ',') {
            $ends = @($part -split '-' | ForEach-Object { [int]$_ })
            $ends[0]..$ends[-1]
        }
    }

    # A route change empties every cached route (fib6_sernum, rt_genid); then one lookup per CPU makes them again.
    $script:changes = 0
    function Set-CachedBy([string[]]$Destination) {
        $script:changes++
        Invoke-Setup "route add 10.250.$changes.0/24 dev va"
        Invoke-Setup "-6 route add 2001:db8:250:$changes::/64 dev va"
        foreach ($cpu in Get-AllowedCpu) {
            foreach ($address in $Destination) {
                & taskset -c $cpu ip -n $ns route get $address | Out-Null
                if ($LASTEXITCODE -ne 0) { throw "taskset -c $cpu ip -n $ns route get $address failed" }
            }
        }
    }

    function Get-Kernel([string]$Destination) {
        $answer = @(& ip -n $ns -j route get $Destination | ConvertFrom-Json)[0]
        [pscustomobject]@{ Source = $answer.prefsrc; Mtu = if ($answer.PSObject.Properties['metrics']) { @($answer.metrics | ForEach-Object { $_.mtu }) -join '' } else { '' } }
    }

    function Get-Ours([string[]]$Destination) {
        $child = @"
@(Resolve-NetRoute '$($Destination -join "','")' -Verify -WarningAction SilentlyContinue | ForEach-Object {
    [pscustomobject]@{
        Destination = "`$(`$_.RemoteIPAddress)"; Source = "`$(`$_.SourceAddress)"; Mtu = "`$(`$_.Mtu)"; Verdict = "`$(`$_.KernelVerdict)"
        KernelAnswer = `$_.KernelAnswer; Reason = `$_.Reason
        Shared = @(`$_.RoutesSharingNextHop | ForEach-Object { "`$(`$_.DestinationPrefix) `$(`$_.NextHopId) `$(`$_.SourceAddress) `$(`$_.Mtu)" })
    }
}) | ConvertTo-Json -Depth 4 -AsArray
"@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $child -TimeoutSeconds 120
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $answers = @{}
        foreach ($answer in @($result.Output | ConvertFrom-Json)) { $answers[$answer.Destination] = $answer }
        $answers
    }

    $script:skipReason = Get-NetnsUnavailableReason
    if (-not $skipReason -and -not (Get-Command taskset -ErrorAction Ignore)) { $script:skipReason = 'taskset (util-linux) is not installed' }
    if ($skipReason) { Write-Host "Skipping the shared nexthop tests: $skipReason." -ForegroundColor Yellow; return }
    & ip netns del $ns 2>$null
    Invoke-Ip netns add $ns | Out-Null
    Invoke-Setup 'link set lo up'
    # No duplicate address detection: an address leaving the tentative state inserts its route, a route change
    # that would empty the caches between the test's lookups and Resolve-NetRoute's.
    $script:setup.Add("ip netns exec $ns sysctl -w net.ipv6.conf.default.accept_dad=0")
    Set-NamespaceProcValue -Namespace $ns -Path /proc/sys/net/ipv6/conf/default/accept_dad -Value 0
    Invoke-Setup 'link add va type veth peer name vb'
    Invoke-Setup 'link set va up'
    Invoke-Setup 'link set vb up'
    Invoke-Setup 'addr add 192.0.2.1/24 dev va'
    Invoke-Setup '-6 addr add 2001:db8:1::1/64 dev va nodad'
    foreach ($address in '198.51.100.5/32', '198.51.100.6/32', '2001:db8:9::5/128', '2001:db8:9::6/128') { Invoke-Setup "addr add $address dev lo" }
    Wait-NamespaceSettled -Namespace $ns
    Invoke-Setup 'nexthop add id 10 via 2001:db8:1::2 dev va'
    Invoke-Setup 'nexthop add id 20 group 10'
    Invoke-Setup 'nexthop add id 30 via 192.0.2.2 dev va'
    Invoke-Setup 'nexthop add id 31 group 30'
    Invoke-Setup '-6 route add 2001:db8:50::/64 nhid 10 src 2001:db8:9::5 mtu 1400'
    Invoke-Setup '-6 route add 2001:db8:60::/64 nhid 20 src 2001:db8:9::6'
    Invoke-Setup 'route add 203.0.113.0/26 nhid 30 src 198.51.100.5 mtu 1400'
    Invoke-Setup 'route add 203.0.113.64/26 nhid 31 src 198.51.100.6'
    $script:reproduction = "after:`n$($setup -join "`n")"
}

AfterAll {
    if (-not $skipReason) { & ip netns del $ns 2>$null }
}

Describe 'Resolve-NetRoute on routes that share a nexthop object' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'names the route whose lookup made the cache, and -Verify calls the kernel''s answer from it CachedFromOtherRoute' {
        Set-CachedBy '2001:db8:50::1', '203.0.113.5'
        # The kernel's own behaviour first: should it change, this says so before judging the cmdlet.
        $six = Get-Kernel '2001:db8:60::1'
        "$($six.Source) $($six.Mtu)" | Should -Be '2001:db8:9::5 1400' -Because "the kernel answers 2001:db8:60::1 from the route 2001:db8:50::/64 made $reproduction"
        (Get-Kernel '203.0.113.70').Mtu | Should -Be '1400' -Because "the kernel answers 203.0.113.70 with the mtu of 203.0.113.0/26 $reproduction"

        $ours = Get-Ours '2001:db8:60::1', '203.0.113.70', '2001:db8:50::1', '203.0.113.5'
        $d = $ours['2001:db8:60::1']
        $d.Source | Should -Be '2001:db8:9::6'
        $d.Mtu | Should -BeNullOrEmpty
        @($d.Shared) | Should -Be @('2001:db8:50::/64 10 2001:db8:9::5 1400')
        $d.Reason | Should -Match 'whichever route through it was looked up first'
        $d.Verdict | Should -Be 'CachedFromOtherRoute' -Because "the kernel said $($d.KernelAnswer)"
        $d = $ours['203.0.113.70']
        @($d.Shared) | Should -Be @('203.0.113.0/26 30 198.51.100.6 1400')
        $d.Verdict | Should -Be 'CachedFromOtherRoute' -Because "the kernel said $($d.KernelAnswer)"
        # The routes that made the caches are answered as they are.
        $ours['2001:db8:50::1'].Verdict | Should -Be 'Agrees' -Because "the kernel said $($ours['2001:db8:50::1'].KernelAnswer)"
        $ours['203.0.113.5'].Verdict | Should -Be 'Agrees' -Because "the kernel said $($ours['203.0.113.5'].KernelAnswer)"
    }

    It 'agrees on a route once its own lookup made the cache, and names the other answer the other way round' {
        Set-CachedBy '2001:db8:60::1', '203.0.113.70'
        $ours = Get-Ours '2001:db8:60::1', '203.0.113.70', '2001:db8:50::1', '203.0.113.5'
        foreach ($destination in '2001:db8:60::1', '203.0.113.70') {
            $ours[$destination].Verdict | Should -Be 'Agrees' -Because "the kernel said $($ours[$destination].KernelAnswer) $reproduction"
        }
        $d = $ours['2001:db8:50::1']
        @($d.Shared) | Should -Be @('2001:db8:60::/64 10 2001:db8:9::6 ')
        $d.Verdict | Should -Be 'CachedFromOtherRoute' -Because "the kernel said $($d.KernelAnswer) $reproduction"
        $ours['203.0.113.5'].Verdict | Should -Be 'CachedFromOtherRoute' -Because "the kernel said $($ours['203.0.113.5'].KernelAnswer) $reproduction"
    }
}
