<#
    Resolve-NetRoute -Tos, -Dscp, -IPProtocol, -SourcePort, -DestinationPort and -Uid against `ip route get ... tos
    ipproto sport dport uid`: a namespace whose rules on each selector (and an IPv4 route with a tos) send the same
    destination a different way, so a selector read or applied wrong shows as a wrong next hop or table. Every
    answer is also checked with -Verify, which must ask the kernel the same question.
#>

BeforeDiscovery {
    # Each query of the grid, as the words after `ip route get <dst>` and as Resolve-NetRoute's parameters.
    $queries = foreach ($destination in '203.0.113.9', '2001:db8:99::9') {
        foreach ($tos in 0, 0x08, 0x10, 0x12, 0x50, 0xb8) {
            foreach ($protocol in '', 'tcp', 'udp') {
                foreach ($ports in @(@(0, 0), @(0, 443), @(5005, 0), @(5005, 443))) {
                    foreach ($uid in 0, 1500) {
                        $words = @('tos', ('0x{0:x2}' -f $tos))
                        $parameters = [ordered]@{ Tos = $tos; Uid = $uid }
                        if ($protocol) { $words += 'ipproto', $protocol; $parameters.IPProtocol = $protocol }
                        if ($ports[0]) { $words += 'sport', $ports[0]; $parameters.SourcePort = $ports[0] }
                        if ($ports[1]) { $words += 'dport', $ports[1]; $parameters.DestinationPort = $ports[1] }
                        $words += 'uid', $uid
                        @{ Destination = $destination; Words = ($words -join ' '); Parameters = $parameters }
                    }
                }
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    function Get-IpAnswer([string]$Namespace, [string]$Destination, [string]$Words) {
        $arguments = @('-n', $Namespace, '-j', 'route', 'get', $Destination) + ($Words -split ' ')
        $answer = @(Invoke-Ip @arguments | ConvertFrom-Json)[0]
        $table = if ($answer.PSObject.Properties['table']) { $answer.table } else { 'main' }
        "$($answer.gateway) $($answer.dev) $table"
    }
}

Describe 'Resolve-NetRoute with tos, ipproto, port and uid selectors' -ForEach @{ Queries = $queries } {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the selector tests: $skipReason." -ForegroundColor Yellow; return }
        Remove-StaleTestNamespace
        $script:ns = New-TestNamespace 'sel'
        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $ns link add m1 type veth peer name q1 | Out-Null
        Invoke-Ip -n $ns link add m2 type veth peer name q2 | Out-Null
        foreach ($link in 'm1', 'q1', 'm2', 'q2') { Invoke-Ip -n $ns link set $link up | Out-Null }
        Invoke-Ip -n $ns addr add 192.0.2.1/24 dev m1 | Out-Null
        Invoke-Ip -n $ns addr add 198.51.100.1/24 dev m2 | Out-Null
        Invoke-Ip -n $ns -6 addr add 2001:db8:1::1/64 dev m1 nodad | Out-Null
        Invoke-Ip -n $ns -6 addr add 2001:db8:2::1/64 dev m2 nodad | Out-Null

        Invoke-Ip -n $ns route add 203.0.113.0/24 via 192.0.2.254 dev m1 | Out-Null
        # Only for packets whose TOS bits 0x1c are 0x08; 0x10 and 0x50 go by the tos rule instead.
        Invoke-Ip -n $ns route add 203.0.113.0/24 tos 0x08 via 192.0.2.253 dev m1 | Out-Null
        Invoke-Ip -n $ns -6 route add 2001:db8:99::/48 via 2001:db8:1::254 dev m1 | Out-Null
        foreach ($table in 100..104) {
            Invoke-Ip -n $ns route add 203.0.113.0/24 via "198.51.100.$table" dev m2 table $table | Out-Null
            Invoke-Ip -n $ns -6 route add 2001:db8:99::/48 via "2001:db8:2::$table" dev m2 table $table | Out-Null
        }

        foreach ($family in '-4', '-6') {
            Invoke-Ip -n $ns $family rule add pref 1000 ipproto tcp dport 443 lookup 100 | Out-Null
            Invoke-Ip -n $ns $family rule add pref 1001 uidrange 1000-2000 lookup 101 | Out-Null
            Invoke-Ip -n $ns $family rule add pref 1002 tos 0x10 lookup 102 | Out-Null
            # A port without a protocol: the rule takes any packet from these ports, of any protocol or none.
            Invoke-Ip -n $ns $family rule add pref 1003 sport 5000-5010 lookup 103 | Out-Null
            # ip route get asks an IPv4 question with no ipproto as a UDP packet, so this rule takes those too; IPv6 carries none.
            Invoke-Ip -n $ns $family rule add pref 1004 ipproto udp lookup 104 | Out-Null
        }

        $script:kernel = @{}
        foreach ($query in $Queries) { $kernel["$($query.Destination) $($query.Words)"] = Get-IpAnswer $ns $query.Destination $query.Words }

        # Every query in one child, each one's parameters splatted as a user would pass them.
        $grid = @($Queries | ForEach-Object { @{ Key = "$($_.Destination) $($_.Words)"; Destination = $_.Destination; Parameters = $_.Parameters } })
        $script:childScript = @"
`$grid = '$(($grid | ConvertTo-Json -Depth 4 -Compress).Replace("'", "''"))' | ConvertFrom-Json -AsHashtable
@(foreach (`$query in `$grid) {
    `$parameters = `$query.Parameters
    `$d = Resolve-NetRoute `$query.Destination @parameters -Verify -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue
    `$table = if (`$d.Table -eq 254) { 'main' } else { "`$(`$d.Table)" }
    [pscustomobject]@{ Key = `$query.Key; Answer = "`$(`$d.NextHop) `$(`$d.InterfaceAlias) `$table"; KernelAgrees = `$d.KernelAgrees; Warning = "`$warned"; Error = "`$failed" }
}) | ConvertTo-Json -AsArray
"@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $childScript -TimeoutSeconds 300
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $script:ours = @{}
        foreach ($answer in @($result.Output | ConvertFrom-Json)) { $ours[$answer.Key] = $answer }
    }

    AfterAll {
        if (-not $skipReason) { Remove-TestNamespace }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'has a namespace where every selector leads elsewhere' {
        $nextHops = @($kernel.Values | ForEach-Object { ($_ -split ' ')[0] } | Sort-Object -Unique)
        foreach ($via in '192.0.2.254', '192.0.2.253', '2001:db8:1::254') { $nextHops | Should -Contain $via }
        foreach ($table in 100..103) {
            $nextHops | Should -Contain "198.51.100.$table" -Because "table $table's rule must be met by some query, or it is not tested"
            $nextHops | Should -Contain "2001:db8:2::$table"
        }
    }

    It 'answers <Destination> <Words> as ip route get does, and -Verify agrees' -ForEach $Queries {
        $key = "$Destination $Words"
        $ours[$key].Error | Should -BeNullOrEmpty
        $ours[$key].Answer | Should -Be $kernel[$key]
        $ours[$key].Warning | Should -BeNullOrEmpty
        $ours[$key].KernelAgrees | Should -BeTrue
    }
}

Describe 'Resolve-NetRoute selector parameters' {
    It 'refuses <Arguments>: <Expected>' -ForEach @(
        @{ Arguments = '-Tos 16 -Dscp 4'; Expected = '*-Tos*-Dscp*not both*' }
        @{ Arguments = '-Tos 256'; Expected = '*Tos*255*' }
        @{ Arguments = '-Dscp 64'; Expected = '*Dscp*63*' }
        @{ Arguments = '-IPProtocol tcpp'; Expected = "*-IPProtocol 'tcpp' is not an IP protocol*tcp*" }
        @{ Arguments = '-IPProtocol 256'; Expected = "*-IPProtocol '256' is not an IP protocol*" }
        @{ Arguments = '-SourcePort 65536'; Expected = '*SourcePort*65535*' }
        @{ Arguments = '-DestinationPort -1'; Expected = '*DestinationPort*' }
        @{ Arguments = '-Uid -1'; Expected = '*Uid*' }
    ) {
        $table = @([pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 })
        { Invoke-Expression "Resolve-NetRoute 198.51.100.7 -RouteTable `$table $Arguments -ErrorAction Stop" } | Should -Throw -ExpectedMessage $Expected
    }

    It 'takes -Dscp as -Tos with the DSCP shifted left by two' {
        $table = @(
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.1'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254 }
            [pscustomobject]@{ DestinationPrefix = '0.0.0.0/0'; NextHop = '192.0.2.2'; InterfaceAlias = 'eth0'; InterfaceIndex = 2; Table = 254; Tos = 0x18 }
        )
        (Resolve-NetRoute 198.51.100.7 -RouteTable $table -Dscp 46).NextHop | Should -Be '192.0.2.2'
        (Resolve-NetRoute 198.51.100.7 -RouteTable $table -Tos 0xb8).NextHop | Should -Be '192.0.2.2'
        (Resolve-NetRoute 198.51.100.7 -RouteTable $table -Dscp 45).NextHop | Should -Be '192.0.2.1'
    }
}
