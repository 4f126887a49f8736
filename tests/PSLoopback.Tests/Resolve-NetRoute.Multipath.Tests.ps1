<#
    Which path of a multipath route the kernel takes, asked of `ip -j route get` and of Resolve-NetRoute -Verify
    in one namespace: routes of their own next hops and nexthop groups (equal, weighted, resilient), both
    families, with and without a source and an output interface: with net.ipv4.fib_multipath_hash_seed set (the
    resolver computes the hash, but for the resilient group's buckets), once more so under the layer-4 policy
    (no protocol or ports given: what `ip route get` hashes then), and with the namespace's random seed. Where the decision says the choice is not a hash it cannot compute,
    its headline must be the kernel's path; where it says hash, the kernel's path must be one of its Paths.
    -Verify must never call a different path agreement, and must say HashChoseOtherPath when the kernel's hash
    took another path.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force

    # The host, as the commands that build it: printed with every mismatch, so it can be rebuilt by hand.
    $script:setup = @(
        'link set lo up'
        'link add v1 type veth peer name p1'
        'link add v2 type veth peer name p2'
        'link set v1 up', 'link set p1 up', 'link set v2 up', 'link set p2 up'
        'addr add 198.51.100.1/32 dev lo'
        'addr add 10.1.1.1/24 dev v1'
        # An address of v1 that is not the source of v1's path (that is 10.1.1.1, in the gateway's subnet).
        'addr add 10.9.9.1/24 dev v1'
        'addr add 10.2.2.1/24 dev v2'
        '-6 addr add 2001:db8:1::1/64 dev v1 nodad'
        '-6 addr add 2001:db8:2::1/64 dev v2 nodad'
        'route add 203.0.113.0/24 nexthop via 10.1.1.2 dev v1 nexthop via 10.2.2.2 dev v2'
        '-6 route add 2001:db8:99::/48 nexthop via 2001:db8:1::2 dev v1 nexthop via 2001:db8:2::2 dev v2'
        'nexthop add id 3 via 10.1.1.2 dev v1'
        'nexthop add id 4 via 10.2.2.2 dev v2'
        'nexthop add id 11 group 3/4'
        'route add 192.0.2.0/24 nhid 11'
        'nexthop add id 1 via 2001:db8:1::2 dev v1'
        'nexthop add id 2 via 2001:db8:2::2 dev v2'
        'nexthop add id 10 group 1/2'
        '-6 route add 2001:db8:77::/48 nhid 10'
        'nexthop add id 12 group 3,3/4'
        'route add 198.18.0.0/24 nhid 12'
        'nexthop add id 13 group 3/4 type resilient buckets 8'
        'route add 198.18.1.0/24 nhid 13'
    )
    # A set seed makes the kernel's hash computable, and the same on every run; 0 asks for a random one.
    $script:seeds = [ordered]@{
        Set = @('net.ipv4.fib_multipath_hash_seed=20251201')
        Layer4 = @('net.ipv4.fib_multipath_hash_seed=20251201', 'net.ipv4.fib_multipath_hash_policy=1', 'net.ipv6.fib_multipath_hash_policy=1')
        Random = @('net.ipv4.fib_multipath_hash_seed=0', 'net.ipv4.fib_multipath_hash_policy=0', 'net.ipv6.fib_multipath_hash_policy=0')
    }

    # Eight flows to each route: enough that a hash over two paths takes both.
    $script:queries = [System.Collections.Generic.List[object]]::new()
    $targets = @(
        @{ Prefix = '203.0.113.'; Family = 'IPv4'; Froms = @($null, '10.1.1.1', '10.2.2.1', '10.9.9.1', '198.51.100.1') }
        @{ Prefix = '192.0.2.'; Family = 'IPv4'; Froms = @($null, '10.1.1.1', '10.2.2.1') }
        @{ Prefix = '2001:db8:99::'; Family = 'IPv6'; Froms = @($null, '2001:db8:1::1', '2001:db8:2::1') }
        @{ Prefix = '2001:db8:77::'; Family = 'IPv6'; Froms = @($null, '2001:db8:2::1') }
        @{ Prefix = '198.18.0.'; Family = 'IPv4'; Froms = @($null, '10.2.2.1') }
        @{ Prefix = '198.18.1.'; Family = 'IPv4'; Froms = @($null) }
    )
    foreach ($target in $targets) {
        foreach ($n in 1..8) {
            foreach ($from in $target.Froms) {
                foreach ($oif in $null, 'v2') {
                    $queries.Add([pscustomobject]@{ Id = $queries.Count; Destination = "$($target.Prefix)$n"; Family = $target.Family; From = $from; Oif = $oif })
                }
            }
        }
    }

    function Get-KernelPath([string]$Namespace, $Query) {
        $arguments = @('-n', $Namespace, '-j', 'route', 'get', $Query.Destination)
        if ($Query.From) { $arguments += 'from', $Query.From }
        if ($Query.Oif) { $arguments += 'oif', $Query.Oif }
        $answer = @(& ip @arguments 2>&1)
        if ($LASTEXITCODE -ne 0) { return [pscustomobject]@{ Error = "$answer"; Command = "ip $($arguments -join ' ')" } }
        $route = @($answer | ConvertFrom-Json)[0]
        # With a source given, IPv4's answer carries it (prefsrc is left out); IPv6's shows what it would have chosen.
        $src = if ($Query.From -and $Query.Family -eq 'IPv4') { $Query.From } elseif ($Query.From) { $null } else { "$($route.prefsrc)" }
        [pscustomobject]@{ Error = $null; Dev = $route.dev; Via = "$($route.gateway)"; Src = $src; Command = "ip $($arguments -join ' ')" }
    }

    function Test-SamePath($Path, $Kernel) {
        $Path.Dev -eq $Kernel.Dev -and $Path.Via -eq $Kernel.Via -and ($null -eq $Kernel.Src -or $Path.Src -eq $Kernel.Src)
    }

    # What is wrong with our answer to one query, or nothing when it is right.
    function Get-Mismatch($Query, $Kernel, $Ours) {
        if ($Kernel.Error) { return "the kernel refused: $($Kernel.Error)" }
        if (-not $Ours -or $Ours.Failure) { return "no answer from Resolve-NetRoute: $($Ours.Failure)" }
        $headline = [pscustomobject]@{ Dev = $Ours.Dev; Via = $Ours.Via; Src = $Ours.Src }
        $onHeadline = Test-SamePath $headline $Kernel
        $problems = @()
        if ($Ours.PathChoice -eq 'Hash') {
            if (-not @($Ours.Paths | Where-Object { Test-SamePath $_ $Kernel })) { $problems += 'the kernel hashed onto a path that is not among ours' }
        }
        elseif (-not $onHeadline) { $problems += "the choice is $($Ours.PathChoice), not a hash, but the kernel took another path" }
        if ($Ours.KernelAgrees -and -not $onHeadline) { $problems += '-Verify calls a different path agreement' }
        if ($onHeadline -and $Ours.KernelVerdict -ne 'Agrees') { $problems += "-Verify says $($Ours.KernelVerdict) on the kernel's own path" }
        if (-not $onHeadline -and $Ours.PathChoice -eq 'Hash' -and $Ours.KernelVerdict -ne 'HashChoseOtherPath') { $problems += "-Verify says $($Ours.KernelVerdict), not HashChoseOtherPath" }
        $problems -join '; '
    }

    # Asks the kernel and Resolve-NetRoute -Verify (one child pwsh inside the namespace) every query.
    function Invoke-Round([string]$Namespace, [string]$Exchange, [string]$Name) {
        $kernel = @{}
        foreach ($query in $queries) { $kernel[$query.Id] = Get-KernelPath $Namespace $query }
        $in = Join-Path $Exchange 'queries.json'
        $out = Join-Path $Exchange "ours-$Name.json"
        ConvertTo-Json -InputObject $queries.ToArray() -Depth 3 | Set-Content -LiteralPath $in
        $script = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$rows = foreach (`$q in @(Get-Content -Raw -LiteralPath '$in' | ConvertFrom-Json)) {
    `$p = @{ RemoteIPAddress = `$q.Destination; Verify = `$true; WarningAction = 'SilentlyContinue' }
    if (`$q.From) { `$p.LocalIPAddress = `$q.From }
    if (`$q.Oif) { `$p.InterfaceAlias = `$q.Oif }
    try {
        `$a = Resolve-NetRoute @p
        [pscustomobject]@{
            Id = `$q.Id; Dev = `$a.InterfaceAlias; Via = "`$(`$a.NextHop)"; Src = "`$(`$a.SourceAddress)"; Reason = `$a.Reason
            PathChoice = `$a.PathChoice; KernelAgrees = `$a.KernelAgrees; KernelVerdict = `$a.KernelVerdict
            Paths = @(`$a.Paths | ForEach-Object { [pscustomobject]@{ Dev = `$_.InterfaceAlias; Via = "`$(`$_.NextHop)"; Src = "`$(`$_.SourceAddress)" } })
        }
    }
    catch { [pscustomobject]@{ Id = `$q.Id; Failure = "Resolve-NetRoute threw: `$_" } }
}
ConvertTo-Json -InputObject @(`$rows) -Depth 4 | Set-Content -LiteralPath '$out'
"@
        $result = Invoke-FreshPwsh -Namespace $Namespace -Script $script -TimeoutSeconds 300
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $ours = @{}
        foreach ($row in @(Get-Content -Raw -LiteralPath $out | ConvertFrom-Json)) { $ours[[int]$row.Id] = $row }
        [pscustomobject]@{ Kernel = $kernel; Ours = $ours }
    }

    function Format-Reproduction([string]$Namespace, $Query, $Kernel, $Ours, [string]$Problem) {
        @(
            "query $($Query.Id): $Problem"
            "    $($Kernel.Command)  ->  dev $($Kernel.Dev) via $($Kernel.Via) src $($Kernel.Src)"
            "    Resolve-NetRoute $($Query.Destination)$(if ($Query.From) { " -LocalIPAddress $($Query.From)" })$(if ($Query.Oif) { " -InterfaceAlias $($Query.Oif)" }) -Verify"
            "    ours: dev $($Ours.Dev) via $($Ours.Via) src $($Ours.Src) choice $($Ours.PathChoice) verdict $($Ours.KernelVerdict) paths: " +
            ((@($Ours.Paths) | ForEach-Object { "dev $($_.Dev) via $($_.Via) src $($_.Src)" }) -join ' | ') + " -- $($Ours.Reason)"
        ) -join "`n"
    }
}

Describe 'Resolve-NetRoute on multipath routes, against the kernel' {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the multipath tests: $skipReason." -ForegroundColor Yellow; return }
        # The namespace carries this suite's tag, so suites running at the same time never share one.
        $script:ns = "pslb-paths-$PID"
        & ip netns del $ns 2>$null
        Invoke-Ip netns add $ns | Out-Null
        $script:exchange = Join-Path ([System.IO.Path]::GetTempPath()) "pslb-paths-$PID"
        $null = New-Item -ItemType Directory -Force -Path $exchange
        foreach ($command in $setup) { $words = @('-n', $ns) + ($command -split ' '); Invoke-Ip @words | Out-Null }
        Wait-NamespaceSettled -Namespace $ns
        $script:rounds = @{}
        foreach ($name in $seeds.Keys) {
            $words = @('netns', 'exec', $ns, 'sysctl', '-qw') + $seeds[$name]
            Invoke-Ip @words | Out-Null
            $rounds[$name] = Invoke-Round $ns $exchange $name
        }
    }

    AfterAll {
        if (-not $skipReason) {
            & ip netns del $ns 2>$null
            Remove-Item -LiteralPath $exchange -Recurse -Force -ErrorAction Ignore
        }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'takes the path the kernel takes unless the choice is a hash it cannot compute, and names that hash (seed <_>)' -ForEach 'Set', 'Layer4', 'Random' {
        $round = $rounds[$_]
        $mismatches = foreach ($query in $queries) {
            $problem = Get-Mismatch $query $round.Kernel[$query.Id] $round.Ours[$query.Id]
            if ($problem) { Format-Reproduction $ns $query $round.Kernel[$query.Id] $round.Ours[$query.Id] $problem }
        }
        if ($mismatches) {
            $rebuild = "to rebuild the host: ip netns add $ns; " + (($setup | ForEach-Object { "ip -n $ns $_" }) -join '; ') + "; ip netns exec $ns sysctl -w $($seeds[$_] -join ' ')"
            $mismatches = @($rebuild) + $mismatches
            Write-Host ($mismatches -join "`n")
        }
        @($mismatches).Count | Should -Be 0 -Because "of $($queries.Count) lookups these differ (after the first line):`n$($mismatches -join "`n")"
    }

    It 'asked questions whose answers tell the choices apart' {
        $set = $rounds.Set.Ours.Values
        $random = $rounds.Random.Ours.Values
        @($set | Group-Object PathChoice -NoElement | ForEach-Object Name) | Should -Be 'ComputedHash', 'Hash', 'OutputInterface', 'SourceAddress'
        @($set | Where-Object PathChoice -EQ 'Hash' | ForEach-Object { $queries[[int]$_.Id].Destination } | Where-Object { $_ -notlike '198.18.1.*' }) |
            Should -BeNullOrEmpty -Because 'with the seed set only the resilient group, whose buckets are the kernel''s, is a hash not computed'
        @($rounds.Layer4.Ours.Values | Where-Object PathChoice -EQ 'ComputedHash')[0].Reason | Should -BeLike '*fib_multipath_hash_policy=1*'
        $weighted = @($queries | Where-Object { $_.Destination -like '198.18.0.*' -and -not $_.From -and -not $_.Oif })
        @($weighted | ForEach-Object { $rounds.Set.Kernel[$_.Id].Dev } | Sort-Object -Unique) | Should -Be 'v1', 'v2' -Because 'eight flows over a 3:1 group take both members'
        @($random | Group-Object PathChoice -NoElement | ForEach-Object Name) | Should -Be 'Hash', 'OutputInterface', 'SourceAddress'
        @($random | Where-Object KernelVerdict -EQ 'HashChoseOtherPath').Count | Should -BeGreaterThan 0 -Because 'a hundred hashed flows over two paths take both'
        @($set | Where-Object PathChoice -EQ 'ComputedHash' | Where-Object { $rounds.Set.Kernel[[int]$_.Id].Dev -eq 'v2' }).Count | Should -BeGreaterThan 0 -Because 'a computed hash must sometimes take the second path'
        @($set | Where-Object PathChoice -EQ 'ComputedHash')[0].Reason | Should -BeLike "*$($seeds.Set)*"
        $fromV2 = @($queries | Where-Object { $_.Destination -like '203.0.113.*' -and $_.From -eq '10.2.2.1' -and -not $_.Oif })
        @($fromV2 | Where-Object { $rounds.Random.Kernel[$_.Id].Dev -ne 'v2' }).Count | Should -Be 0 -Because "the kernel takes the path of the source's device"
        # 10.9.9.1 is v1's, but not the source of v1's path: the kernel does not prefer v1 for it, it hashes.
        $fromOther = @($queries | Where-Object { $_.Destination -like '203.0.113.*' -and $_.From -eq '10.9.9.1' -and -not $_.Oif })
        @($fromOther | ForEach-Object { $rounds.Set.Kernel[$_.Id].Dev } | Sort-Object -Unique) | Should -Be 'v1', 'v2'
    }
}
