# The default views at 80 and 120 columns, on a host built to strain them: interface names of 15
# characters (the kernel's limit), full-length IPv6 addresses, multipath routes of both families, long rules
# and a diagnosis. No value may be cut (…), split across lines, or pushed past the edge.

BeforeDiscovery {
    $script:widths = 80, 120
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    if ($skipReason) { return }
    Remove-StaleTestNamespace
    $script:ns = New-TestNamespace 'views'
    $peer = New-TestNamespace 'viewspeer'
    foreach ($n in $ns, $peer) { & ip netns exec $n sh -c 'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad' }
    Invoke-Ip -n $ns link set lo up | Out-Null
    $links = @{ 'veth-london-123' = 'peer-london-123'; 'veth-tokyo-9999' = 'peer-tokyo-9999' }
    foreach ($name in $links.Keys) {
        Invoke-Ip -n $ns link add $name type veth peer name $links[$name] netns $peer | Out-Null
        Invoke-Ip -n $peer link set $links[$name] up | Out-Null
        Invoke-Ip -n $ns link set $name up | Out-Null
    }
    # Left down, so it has no address at all: what a pipeline of interfaces must skip, saying so.
    Invoke-Ip -n $ns link add veth-spare type veth peer name peer-spare netns $peer | Out-Null
    $script:addresses = '192.0.2.10/24', '2001:db8:1234:5678:9abc:def0:1234:5678/64', '198.51.100.10/24', '2001:db8:ffff:eeee:dddd:cccc:bbbb:aaaa/64'
    foreach ($command in @(
            'addr add 192.0.2.10/24 dev veth-london-123'
            'addr add 2001:db8:1234:5678:9abc:def0:1234:5678/64 dev veth-london-123 nodad'
            'addr add 198.51.100.10/24 dev veth-tokyo-9999'
            'addr add 2001:db8:ffff:eeee:dddd:cccc:bbbb:aaaa/64 dev veth-tokyo-9999 nodad'
            'route add 203.0.113.0/24 nexthop via 192.0.2.1 dev veth-london-123 nexthop via 198.51.100.1 dev veth-tokyo-9999'
            '-6 route add 2001:db8:9999:8888:7777:6666:5555:0/112 nexthop via 2001:db8:1234:5678::1 dev veth-london-123 nexthop via 2001:db8:ffff:eeee::1 dev veth-tokyo-9999'
            'rule add not from 192.0.2.0/24 to 203.0.113.128/25 fwmark 0x10/0xf0 iif veth-london-123 ipproto tcp dport 8000-9000 lookup 4000 priority 32000'
        )) {
        $words = $command -split ' '
        Invoke-Ip -n $ns @words | Out-Null
    }
    Wait-NamespaceSettled $ns

    # One child renders everything at both widths; the parent checks the text.
    $render = {
        param($Width)
        @{
            Interfaces = Get-NetInterfaceInfo | Out-String -Width $Width
            Routes     = Get-NetRouteInfo | Out-String -Width $Width
            Rules      = Get-NetRouteInfo -Rule | Out-String -Width $Width
            Decisions  = Resolve-NetRoute 203.0.113.7, 2001:db8:9999:8888:7777:6666:5555:1, 192.0.2.77, 127.0.0.1 | Out-String -Width $Width
            Loopback   = Test-Loopback -Port 1 -Count 1 | Out-String -Width $Width
            Diagnosis  = @(Test-Loopback -Port 1 -Count 1 | ForEach-Object Diagnosis)
        }
    }
    $script:screens = @{}
    foreach ($width in 80, 120) {
        $result = Invoke-FreshPwsh -Namespace $ns -Script "`$PSStyle.OutputRendering = 'PlainText'; & { $render } $width | ConvertTo-Json -Depth 3"
        if ($result.ExitCode -ne 0) { throw "rendering at $width columns failed: $($result.Error)" }
        $screens[$width] = $result.Output | ConvertFrom-Json
    }
    $script:routeTokens = @((Get-IpJson -Namespace $ns -Arguments 'route', 'show', 'table', 'all') | ForEach-Object { $_.dst } | Where-Object { $_ -ne 'default' }) +
        @((Get-IpJson -Namespace $ns -Arguments '-6', 'route', 'show', 'table', 'all') | ForEach-Object { $_.dst } | Where-Object { $_ -ne 'default' })
}

AfterAll {
    if (-not $skipReason) { Remove-TestNamespace }
}

Describe 'Default views at <_> columns' -ForEach $widths {
    BeforeAll { $script:width = $_ }
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'cuts nothing in any view' {
        # Out-String never writes a line wider than -Width: what can go wrong is a value cut (…) or split
        # across lines, which the tests below look for value by value.
        foreach ($view in 'Interfaces', 'Routes', 'Rules', 'Decisions', 'Loopback') {
            $text = $screens[$width].$view
            $text | Should -Not -Match '…' -Because "the $view view must not cut a value:`n$text"
        }
    }

    It 'shows every interface name and every address whole' {
        $text = $screens[$width].Interfaces
        foreach ($token in @('veth-london-123', 'veth-tokyo-9999') + $addresses) {
            $text | Should -BeLike "*$token*" -Because "$token must appear whole:`n$text"
        }
    }

    It 'shows every route prefix and both paths of each multipath route whole' {
        $text = $screens[$width].Routes
        foreach ($token in @($routeTokens) + '192.0.2.1', '198.51.100.1', '2001:db8:1234:5678::1', '2001:db8:ffff:eeee::1', 'veth-london-123', 'veth-tokyo-9999') {
            $text | Should -BeLike "*$token*" -Because "$token must appear whole:`n$text"
        }
    }

    It 'shows the long rule whole, its priority included' {
        $expected = (& ip -n $ns rule show priority 32000) -replace '^\d+:\s*', ''
        ($screens[$width].Rules -replace '\s+', ' ').Contains("32000: $expected") | Should -BeTrue -Because $screens[$width].Rules
    }

    It 'shows each decision''s interface, next hops, source, prefix, table and rule whole' {
        $text = $screens[$width].Decisions
        foreach ($token in '203.0.113.0/24', '2001:db8:9999:8888:7777:6666:5555:0/112', '2001:db8:1234:5678:9abc:def0:1234:5678', '2001:db8:ffff:eeee::1', '198.51.100.1', 'veth-tokyo-9999', 'rule 32766', 'table main') {
            $text | Should -BeLike "*$token*" -Because "$token must appear whole:`n$text"
        }
    }

    It 'shows the whole diagnosis' {
        $collapsed = $screens[$width].Loopback -replace '\s+', ' '
        foreach ($diagnosis in $screens[$width].Diagnosis) {
            $collapsed.Contains(($diagnosis -replace '\s+', ' ')) | Should -BeTrue -Because "the diagnosis '$diagnosis' must be shown whole"
        }
    }
}

Describe 'Interfaces piped into Resolve-NetRoute and Test-Loopback, on the same host' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'sends fe80::1%<_> out of that interface in Resolve-NetRoute and Test-Loopback, as ip route get ... oif does' -ForEach 'veth-london-123', 'veth-tokyo-9999' {
        $zone = $_
        $result = Invoke-FreshPwsh -Namespace $ns -Script "[pscustomobject]@{ Route = (Resolve-NetRoute 'fe80::1%$zone').InterfaceAlias; Loopback = (Test-Loopback 'fe80::1%$zone' -Count 1).InterfaceAlias } | ConvertTo-Json"
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $kernel = (Get-IpJson -Namespace $ns -Arguments 'route', 'get', 'fe80::1', 'oif', $zone)[0].dev
        $answer.Route | Should -Be $kernel
        $answer.Loopback | Should -Be $kernel
    }

    It 'skips an interface with no address with a warning that names it, and answers the others' {
        $script = "`$w = `$null; `$answers = @(Get-NetInterfaceInfo | Resolve-NetRoute -WarningVariable w -WarningAction SilentlyContinue); [pscustomobject]@{ Warnings = @(`$w | ForEach-Object { ""`$_"" }); Answered = @(`$answers.RemoteIPAddress) } | ConvertTo-Json"
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $spare = (Get-IpJson -Namespace $ns -Arguments 'link', 'show', 'veth-spare')[0].ifindex
        @($answer.Warnings) | Should -Be "Interface veth-spare (ifIndex $spare) has no IP address: skipped."
        $answer.Answered | Should -Contain '192.0.2.10'
        $answer.Answered | Should -Contain '2001:db8:ffff:eeee:dddd:cccc:bbbb:aaaa'
    }
}
