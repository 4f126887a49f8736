<#
    The rule selectors of newer kernels (flowlabel with a mask from 6.14; dscp and port masks from 6.15) and suppress_ifgroup
    against the kernel. iproute2 6.1 cannot write those rules, so they are sent over rtnetlink (NetlinkRules.psm1);
    it cannot ask `ip route get ... flowlabel` either, so flow label lookups are checked against the kernel by
    -Verify alone (RTM_GETROUTE with RTA_FLOWLABEL), every other one against `ip -j route get` and -Verify.
#>

BeforeDiscovery {
    function New-Query([string]$Destination, [int]$Dscp, [int]$SourcePort, [int]$DestinationPort, [int]$FlowLabel, [string]$Oif) {
        $words = @('tos', ('0x{0:x2}' -f ($Dscp -shl 2)))
        $parameters = [ordered]@{ Dscp = $Dscp }
        if ($SourcePort) { $words += 'sport', $SourcePort; $parameters.SourcePort = $SourcePort }
        if ($DestinationPort) { $words += 'dport', $DestinationPort; $parameters.DestinationPort = $DestinationPort }
        if ($Oif) { $words += 'oif', $Oif; $parameters.InterfaceAlias = $Oif }
        if ($Destination.Contains(':')) { $parameters.FlowLabel = $FlowLabel }
        @{
            Destination = $Destination; Words = ($words -join ' '); Parameters = $parameters; FlowLabel = $FlowLabel
            Key = "$Destination $($words -join ' ') flowlabel $FlowLabel"
        }
    }

    $ports = @(@(0, 0), @(0x125, 0), @(0x130, 0), @(0, 0x7704), @(0, 5))
    $queries = @(foreach ($destination in '203.0.113.9', '203.0.113.200', '2001:db8:99::9', '2001:db8:99:8000::9') {
        foreach ($dscp in 0, 0x10, 0x1F, 0x20, 46) {
            foreach ($pair in $ports) { New-Query $destination $dscp $pair[0] $pair[1] 0 '' }
        }
    })
    $queries += @(foreach ($destination in '2001:db8:99::9', '2001:db8:99:8000::9') {
        foreach ($label in 0x12345, 0x12400, 0x5, 0x10005) {
            foreach ($dscp in 0, 0x10) {
                foreach ($pair in @(@(0, 0), @(0x125, 0))) { New-Query $destination $dscp $pair[0] $pair[1] $label '' }
            }
        }
    })
    # A multipath route whose first next hop is in the suppressed group: IPv4 judges that one, IPv6 the path taken.
    $queries += @(foreach ($destination in '198.18.0.9', '2001:db8:18::9') {
        foreach ($oif in 'm1', 'm2') { New-Query $destination 0 0 0 0 $oif }
    })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetlinkRules.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # ip's answer as "gateway dev table", or "error Reason" in RouteError's words when the kernel refuses.
    function Get-IpAnswer([string]$Namespace, [string]$Destination, [string]$Words) {
        $arguments = @('-n', $Namespace, '-j', 'route', 'get', $Destination) + ($Words -split ' ')
        $output = & ip @arguments 2>&1
        if ($LASTEXITCODE -ne 0) {
            $reason = switch -Wildcard ("$output") {
                '*Network is unreachable*' { 'NetworkUnreachable' }
                '*No route to host*' { 'HostUnreachable' }
                '*Permission denied*' { 'PermissionDenied' }
                '*Invalid argument*' { 'InvalidArgument' }
                default { throw "ip $($arguments -join ' ') failed: $output" }
            }
            return "error $reason"
        }
        $answer = @($output | ConvertFrom-Json)[0]
        $table = if ($answer.PSObject.Properties['table']) { $answer.table } else { 'main' }
        "$($answer.gateway) $($answer.dev) $table"
    }

    function Get-SkipReason {
        if (-not $IsLinux) { return 'network namespaces exist only on Linux' }
        if ((id -u) -ne '0') { return 'building network namespaces needs root' }
        if (-not (Get-Command ip -ErrorAction Ignore)) { return "iproute2's ip command is not installed" }
        $null
    }
}

Describe 'Resolve-NetRoute with dscp, flowlabel and port masks and suppress_ifgroup' -ForEach @{ Queries = $queries } {
    BeforeAll {
        $script:skipReason = Get-SkipReason
        if ($skipReason) { Write-Host "Skipping the rule selector tests: $skipReason." -ForegroundColor Yellow; return }
        # Namespaces of this file carry the pslb-rules- tag; one left by a dead run of it goes first.
        foreach ($line in @(& ip netns list 2>$null)) {
            if ($line -match '^(pslb-rules-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) { & ip netns del $Matches[1] 2>$null }
        }
        $script:ns = "pslb-rules-$PID-sel"
        & ip netns add $ns 2>$null
        if ($LASTEXITCODE -ne 0) { $script:skipReason = "'ip netns add' failed: namespaces are not permitted here"; return }
        $script:created = $true

        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $ns link add m1 type veth peer name q1 | Out-Null
        Invoke-Ip -n $ns link add m2 type veth peer name q2 | Out-Null
        foreach ($link in 'm1', 'q1', 'm2', 'q2') { Invoke-Ip -n $ns link set $link up | Out-Null }
        Invoke-Ip -n $ns link set m2 group 5 | Out-Null
        Invoke-Ip -n $ns addr add 192.0.2.1/24 dev m1 | Out-Null
        Invoke-Ip -n $ns addr add 198.51.100.1/24 dev m2 | Out-Null
        Invoke-Ip -n $ns -6 addr add 2001:db8:1::1/64 dev m1 nodad | Out-Null
        Invoke-Ip -n $ns -6 addr add 2001:db8:2::1/64 dev m2 nodad | Out-Null

        Invoke-Ip -n $ns route add 203.0.113.0/24 via 192.0.2.254 dev m1 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:99::/48 via 2001:db8:1::254 dev m1 | Out-Null
        Invoke-Ip -n $ns route add 198.18.0.0/24 via 192.0.2.254 dev m1 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:18::/48 via 2001:db8:1::254 dev m1 | Out-Null
        foreach ($table in 100..105) {
            Invoke-Ip -n $ns route add 203.0.113.0/24 via "198.51.100.$table" dev m2 table $table | Out-Null
            Invoke-Ip -n $ns -6 route add 2001:db8:99::/48 via "2001:db8:2::$table" dev m2 table $table | Out-Null
        }
        # Table 106 answers the low half by m2 (group 5: suppressed) and the high half by m1 (group 0: kept).
        Invoke-Ip -n $ns route add 203.0.113.0/25 via 198.51.100.106 dev m2 table 106 | Out-Null
        Invoke-Ip -n $ns route add 203.0.113.128/25 via 192.0.2.106 dev m1 table 106 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:99::/49 via 2001:db8:2::106 dev m2 table 106 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:99:8000::/49 via 2001:db8:1::106 dev m1 table 106 | Out-Null
        Invoke-Ip -n $ns route add 198.18.0.0/24 table 107 nexthop via 198.51.100.107 dev m2 nexthop via 192.0.2.107 dev m1 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:18::/48 table 107 nexthop via 2001:db8:2::107 dev m2 nexthop via 2001:db8:1::107 dev m1 | Out-Null

        $rules = [System.Collections.Generic.List[hashtable]]::new()
        foreach ($family in 'IPv4', 'IPv6') {
            $rules.Add(@{ Family = $family; Priority = 900; Table = 106; SuppressInterfaceGroup = 5 })
            $rules.Add(@{ Family = $family; Priority = 1000; Table = 100; Dscp = 0x10; DscpMask = 0x30 })
            $rules.Add(@{ Family = $family; Priority = 1001; Table = 101; Dscp = 46 })
            $rules.Add(@{ Family = $family; Priority = 1002; Table = 102; SourcePort = 0x120; SourcePortMask = 0xFFF0 })
            $rules.Add(@{ Family = $family; Priority = 1003; Table = 103; DestinationPort = 0x4; DestinationPortMask = 0xFF })
        }
        $rules.Add(@{ Family = 'IPv6'; Priority = 1004; Table = 104; FlowLabel = 0x12300; FlowLabelMask = 0xFFF00 })
        $rules.Add(@{ Family = 'IPv6'; Priority = 1005; Table = 105; FlowLabel = 0x5 })
        $written = Invoke-FreshPwsh -Namespace $ns -NoImport -Script (Get-NetlinkRuleScript -Rule $rules) -TimeoutSeconds 120
        if ($written.ExitCode -ne 0) { throw "Writing the rules over rtnetlink failed (exit $($written.ExitCode)): $($written.Error)" }
        foreach ($family in '-4', '-6') {
            Invoke-Ip -n $ns $family rule add pref 901 to $(if ($family -eq '-4') { '198.18.0.0/24' } else { '2001:db8:18::/48' }) lookup 107 suppress_ifgroup 5 | Out-Null
        }

        $script:kernel = @{}
        foreach ($query in $Queries | Where-Object FlowLabel -eq 0) { $kernel[$query.Key] = Get-IpAnswer $ns $query.Destination $query.Words }

        $grid = @($Queries | ForEach-Object { @{ Key = $_.Key; Destination = $_.Destination; Parameters = $_.Parameters } })
        $childScript = @"
`$grid = '$(($grid | ConvertTo-Json -Depth 4 -Compress).Replace("'", "''"))' | ConvertFrom-Json -AsHashtable
`$saved = Get-NetRouteSnapshot | ConvertTo-Json -Depth 6 | ConvertFrom-Json
`$answers = @(foreach (`$query in `$grid) {
    `$parameters = `$query.Parameters
    `$d = Resolve-NetRoute `$query.Destination @parameters -Verify -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue
    # In ip's words: no gateway for an on-link answer, and main where ip names no table (the on-link answer of oif without a route).
    `$table = if (`$null -eq `$d.Table -or `$d.Table -eq 254) { 'main' } else { "`$(`$d.Table)" }
    `$via = if ("`$(`$d.NextHop)" -in '0.0.0.0', '::') { '' } else { "`$(`$d.NextHop)" }
    `$text = if (`$d.Error -ne 'None') { "error `$(`$d.Error)" } else { "`$via `$(`$d.InterfaceAlias) `$table" }
    `$fromSaved = Resolve-NetRoute `$query.Destination @parameters -Snapshot `$saved
    [pscustomobject]@{ Key = `$query.Key; Answer = `$text; Saved = "`$(`$fromSaved.NextHop) `$(`$fromSaved.InterfaceAlias) `$(`$fromSaved.Table) `$(`$fromSaved.Error)"; Live = "`$(`$d.NextHop) `$(`$d.InterfaceAlias) `$(`$d.Table) `$(`$d.Error)"; KernelAgrees = `$d.KernelAgrees; KernelAnswer = `$d.KernelAnswer; Warning = "`$warned"; Error = "`$failed" }
})
[pscustomobject]@{
    Answers = `$answers
    Rules = @(Get-NetRouteInfo -Rule | Where-Object { `$_.Priority -ge 900 -and `$_.Priority -le 1005 } | ForEach-Object { "`$(`$_.AddressFamily) `$(`$_.Text)" })
    Groups = @(Get-NetInterfaceInfo | Where-Object Name -in 'm1', 'm2' | Sort-Object Name | ForEach-Object { "`$(`$_.Name) `$(`$_.Group)" })
} | ConvertTo-Json -Depth 4
"@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $childScript -TimeoutSeconds 300
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $script:child = $result.Output | ConvertFrom-Json
        $script:ours = @{}
        foreach ($answer in @($child.Answers)) { $ours[$answer.Key] = $answer }
    }

    AfterAll {
        if ($created) { & ip netns del $ns 2>$null }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'reads the rules the kernel holds, printed as current iproute2 prints them' {
        $child.Rules | Should -Contain 'IPv4 900: from all lookup 106 suppress_ifgroup 5'
        $child.Rules | Should -Contain 'IPv4 1000: from all lookup 100 dscp 0x10/0x30'
        $child.Rules | Should -Contain 'IPv6 1001: from all lookup 101 dscp EF'
        $child.Rules | Should -Contain 'IPv4 1002: from all sport 0x120/0xfff0 lookup 102'
        $child.Rules | Should -Contain 'IPv6 1003: from all dport 0x4/0xff lookup 103'
        $child.Rules | Should -Contain 'IPv6 1004: from all lookup 104 flowlabel 0x12300/0xfff00'
        $child.Rules | Should -Contain 'IPv6 1005: from all lookup 105 flowlabel 0x5'
    }

    It 'reads the interface groups (IFLA_GROUP)' {
        $child.Groups | Should -Be @('m1 0', 'm2 5')
    }

    It 'has a namespace where every selector leads elsewhere' {
        $nextHops = @($ours.Values | ForEach-Object { ($_.Answer -split ' ')[0] } | Sort-Object -Unique)
        foreach ($table in 100..105) {
            $nextHops | Should -Contain "2001:db8:2::$table" -Because "IPv6 table $table's rule must be met by some query, or it is not tested"
            if ($table -lt 104) { $nextHops | Should -Contain "198.51.100.$table" -Because "IPv4 table $table's rule must be met by some query" }
        }
        foreach ($via in '192.0.2.254', '2001:db8:1::254', '192.0.2.106', '2001:db8:1::106') { $nextHops | Should -Contain $via }
    }

    It 'answers <Destination> <Words> flowlabel <FlowLabel> as the kernel does' -ForEach $Queries {
        $answer = $ours[$Key]
        $answer.Error | Should -BeNullOrEmpty
        $answer.Warning | Should -BeNullOrEmpty
        $answer.KernelAgrees | Should -BeTrue -Because "the kernel answered $($answer.KernelAnswer)"
        if ($FlowLabel -eq 0) { $answer.Answer | Should -Be $kernel[$Key] }
    }

    It 'answers the same from a snapshot saved as JSON, which keeps the groups and the masks' {
        $differing = @($ours.Values | Where-Object { $_.Saved -ne $_.Live } | ForEach-Object { "$($_.Key): live $($_.Live), saved $($_.Saved)" })
        $differing | Should -BeNullOrEmpty
    }
}

Describe 'Resolve-NetRoute -FlowLabel' {
    It 'refuses <Arguments>: <Expected>' -ForEach @(
        @{ Arguments = '-FlowLabel 0x100000'; Expected = '*FlowLabel*1048575*' }
        @{ Arguments = '-FlowLabel -1'; Expected = '*FlowLabel*' }
    ) {
        $table = @([pscustomobject]@{ DestinationPrefix = '::/0'; NextHop = 'fe80::1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 })
        { Invoke-Expression "Resolve-NetRoute 2001:db8::7 -RouteTable `$table $Arguments -ErrorAction Stop" } | Should -Throw -ExpectedMessage $Expected
    }

    It 'reports an IPv4 destination, naming it, and answers the IPv6 one' {
        $table = @(
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 }
            [pscustomobject]@{ DestinationPrefix = '::/0'; NextHop = 'fe80::1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 }
        )
        $answers = @(Resolve-NetRoute 198.51.100.7, 2001:db8::7 -RouteTable $table -FlowLabel 0x12345 -ErrorVariable failed -ErrorAction SilentlyContinue)
        $answers.Count | Should -Be 1
        $answers[0].NextHop | Should -Be 'fe80::1'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'FlowLabelNotIPv6*'
        $failed[0].TargetObject | Should -Be '198.51.100.7'
        "$($failed[0])" | Should -BeLike '*198.51.100.7*IPv6*'
    }
}
