BeforeDiscovery {
    $script:onLinux = $IsLinux -and [bool](Get-Command ip -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    function Assert-SameRoutesAndRules([string]$Namespace) {
        $ipRoutes = @(Get-RouteKeyFromIp -Family IPv4 -Routes (Get-IpJson -Namespace $Namespace -Arguments '-4', 'route', 'show', 'table', 'all')) +
            @(Get-RouteKeyFromIp -Family IPv6 -Routes (Get-IpJson -Namespace $Namespace -Arguments '-6', 'route', 'show', 'table', 'all'))
        $ours = @(Get-RouteKeyFromOurs -Routes (Get-RouteJson -Namespace $Namespace))
        Compare-Object ($ipRoutes | Sort-Object) ($ours | Sort-Object) | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" } | Should -BeNullOrEmpty -Because '<= is only in ip, => only in Get-NetRouteInfo'

        $ipRules = @(Get-RuleKeyFromIp -Family IPv4 -Rules (Get-IpJson -Namespace $Namespace -Arguments 'rule')) +
            @(Get-RuleKeyFromIp -Family IPv6 -Rules (Get-IpJson -Namespace $Namespace -Arguments '-6', 'rule'))
        $ourRules = @(Get-RuleKeyFromOurs -Rules (Get-RuleJson -Namespace $Namespace))
        Compare-Object ($ipRules | Sort-Object) ($ourRules | Sort-Object) | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" } | Should -BeNullOrEmpty
    }
}

Describe 'Get-NetRouteInfo' {
    It 'declares both output types' {
        (Get-Command Get-NetRouteInfo).OutputType.Name | Should -Contain 'PSLoopback.Output.NetRoute'
        (Get-Command Get-NetRouteInfo).OutputType.Name | Should -Contain 'PSLoopback.Output.NetRoutingRule'
    }

    It 'lists the local table, with 127.0.0.0/8 on the loopback interface' -Skip:(-not $onLinux) {
        $local = Get-NetRouteInfo -Table local -DestinationPrefix 127.0.0.0/8
        $local.RouteType | Should -Be 'Local'
        $local.InterfaceAlias | Should -Be (Get-NetInterfaceInfo -Loopback).Name
        $local.Scope | Should -Be 'Host'
    }

    It 'filters by family, table, type, prefix (exact and wildcard) and interface' -Skip:(-not $onLinux) {
        $all = @(Get-NetRouteInfo)
        @(Get-NetRouteInfo -AddressFamily IPv6).Count | Should -Be @($all | Where-Object AddressFamily -EQ 'IPv6').Count
        @(Get-NetRouteInfo -Table main).Count | Should -Be @($all | Where-Object Table -EQ 254).Count
        @(Get-NetRouteInfo -Table 254).Count | Should -Be @($all | Where-Object Table -EQ 254).Count
        @(Get-NetRouteInfo -RouteType Local).Count | Should -Be @($all | Where-Object RouteType -EQ 'Local').Count
        @(Get-NetRouteInfo -DestinationPrefix '127.*').DestinationPrefix | ForEach-Object { "$_" | Should -BeLike '127.*' }
        $lo = Get-NetInterfaceInfo -Loopback
        @($lo | Get-NetRouteInfo).InterfaceIndex | Sort-Object -Unique | Should -Be $lo.InterfaceIndex
        @(Get-NetRouteInfo -InterfaceAlias $lo.Name).Count | Should -Be @($lo | Get-NetRouteInfo).Count
    }

    It 'lists the policy rules with -Rule, the default ones included' -Skip:(-not $onLinux) {
        $rules = @(Get-NetRouteInfo -Rule -AddressFamily IPv4)
        $rules.Priority | Should -Contain 0
        $rules.Priority | Should -Contain 32766
        ($rules | Where-Object Priority -EQ 32766).TableName | Should -Be 'main'
    }

    It 'reports a bad prefix, a bad table and an unknown interface, naming them' -Skip:(-not $onLinux) {
        $null = Get-NetRouteInfo -DestinationPrefix 'not-a-prefix', '127.0.0.0/8' -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDestinationPrefix,*'
        $problems[0].TargetObject | Should -Be 'not-a-prefix'
        @(Get-NetRouteInfo -DestinationPrefix 'not-a-prefix', '127.0.0.0/8' -ErrorAction SilentlyContinue).Count | Should -BeGreaterThan 0
        { Get-NetRouteInfo -Table 'nosuchtable' -ErrorAction Stop } | Should -Throw '*nosuchtable*'
        $null = Get-NetRouteInfo -InterfaceAlias 'no-such-nic' -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].Exception.Message | Should -BeLike "*'no-such-nic'*"
    }

    It 'completes table names' {
        $line = 'Get-NetRouteInfo -Table ma'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'main'
    }

    It 'has full help with at least three examples' {
        $help = Get-Help Get-NetRouteInfo -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
        ($help.parameters.parameter | Where-Object name -EQ 'Rule').description.Text | Should -Not -BeNullOrEmpty
    }

    It 'equals `ip route show table all` and `ip rule` on this machine' -Skip:(-not $onLinux) {
        Assert-SameRoutesAndRules -Namespace ''
    }
}

Describe 'Get-NetRouteInfo in a namespace with tables, route types and rules' {
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

    It 'equals `ip -j route show table all`, `ip -j -6 route show table all`, `ip -j rule` and `ip -j -6 rule`' {
        Assert-SameRoutesAndRules -Namespace $topology.Host
    }

    It 'shows the multipath route with both next hops, and the reject routes with their types' {
        $routes = Get-RouteJson -Namespace $topology.Host
        ($routes | Where-Object DestinationPrefix -EQ '203.0.113.128/25').NextHops.NextHop | Should -Be '192.0.2.1', '198.51.100.1'
        ($routes | Where-Object DestinationPrefix -EQ '10.1.0.0/16').RouteType | Should -Be 'Unreachable'
        ($routes | Where-Object DestinationPrefix -EQ '10.0.0.0/8').RouteType | Should -Be 'Throw'
        ($routes | Where-Object DestinationPrefix -EQ '203.0.113.0/24').PreferredSource | Should -Be '198.51.100.11'
    }
}
