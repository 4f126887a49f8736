<#
    Get-NetRouteInfo -Rule's text against `ip rule show`, line by line: a namespace holds one rule of each
    selector and action ip can make, for IPv4 and for IPv6, and every line must read as ip prints it.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force

    # One rule per selector or action; the priorities keep them apart. Kept to what the kernel here accepts:
    # IPv4 takes only TOS bits 0x1e without ECN, and no backward goto; no dummy or VRF driver is assumed.
    $script:IPv4Rules = @(
        'pref 100 from 192.0.2.0/24 to 198.51.100.1 lookup 200'
        'pref 101 not from 203.0.113.0/24 lookup main'
        'pref 102 from 192.0.2.7/16 lookup 200'
        'pref 103 fwmark 0x1/0xff lookup 201'
        'pref 104 fwmark 0x5 lookup 202'
        'pref 105 fwmark 0/0xff lookup 203'
        'pref 106 fwmark 0xffffffff lookup 203'
        'pref 107 uidrange 1000-2000 lookup 204'
        'pref 108 ipproto tcp dport 80 lookup 205'
        'pref 109 ipproto udp sport 1000-2000 dport 53 lookup 205'
        'pref 110 ipproto icmp lookup 205'
        'pref 111 ipproto 253 lookup 205'
        'pref 112 tos 0x10 lookup 206'
        'pref 113 dsfield 0x08 lookup 206'
        'pref 114 l3mdev'
        'pref 115 lookup main suppress_prefixlength 0'
        'pref 116 lookup main suppress_ifgroup 0'
        'pref 117 lookup main suppress_ifgroup 5'
        'pref 118 goto 400'
        'pref 119 goto 999'
        'pref 120 nop'
        'pref 121 blackhole'
        'pref 122 unreachable'
        'pref 123 prohibit'
        'pref 124 iif lo oif r1 lookup 207'
        'pref 125 iif nosuch lookup 207'
        'pref 126 oif nosuch lookup 207'
        'pref 127 protocol static lookup 208'
        'pref 128 protocol kernel lookup 208'
        'pref 129 protocol 77 lookup 208'
        'pref 130 realms 5 lookup 209'
        'pref 131 realms 3/4 lookup 209'
        'pref 132 tun_id 42 lookup 210'
        'pref 137 tun_id 18446744073709551615 lookup 210'
        'pref 133 lookup 4000000000'
        'pref 134 sport 22 lookup 211'
        'pref 135 type throw'
        'pref 136 from 192.0.2.1 to 198.51.100.0/24 tos 0x04 fwmark 0x10/0xf0 iif lo uidrange 0-0 ipproto tcp sport 1-2 dport 3 lookup 212 suppress_prefixlength 8 protocol boot'
        'pref 400 lookup 213'
    )
    $script:IPv6Rules = @(
        'pref 100 from 2001:db8::/32 to 2001:db8::1 lookup 200'
        'pref 101 not from 2001:db8:1::/48 lookup main'
        'pref 102 from 2001:db8::5/32 lookup 200'
        'pref 103 from 2001:db8:0:1::/64 to ::ffff:10.0.0.0/104 lookup 200'
        'pref 104 fwmark 0x1/0xff lookup 201'
        'pref 105 uidrange 1000-2000 lookup 204'
        'pref 106 ipproto ipv6-icmp lookup 205'
        'pref 107 ipproto tcp dport 1000-2000 sport 443 lookup 205'
        'pref 108 tos 0x28 lookup 206'
        'pref 109 tos 0xb8 lookup 206'
        'pref 110 tos 0x10 lookup 206'
        'pref 111 l3mdev'
        'pref 112 lookup main suppress_prefixlength 0'
        'pref 113 lookup main suppress_ifgroup 0'
        'pref 114 goto 400'
        'pref 115 goto 999'
        'pref 116 nop'
        'pref 117 blackhole'
        'pref 118 unreachable'
        'pref 119 prohibit'
        'pref 120 not fwmark 0x10/0xf0 iif lo oif r1 lookup 207'
        'pref 121 iif nosuch lookup 207'
        'pref 122 protocol static lookup 208'
        'pref 123 tun_id 7 lookup 210'
        'pref 400 lookup 213'
    )

    function Get-IpRuleLine([string]$Namespace, [string]$Family) {
        # "PRIO:\tTEXT" as ip prints it, the priority apart so both sides are paired by it.
        foreach ($line in @(Invoke-Ip -n $Namespace $Family rule show)) {
            if ($line -notmatch '^(\d+):\t(.*)$') { throw "ip printed a rule line it should not: '$line'" }
            [pscustomobject]@{ Priority = [uint32]$Matches[1]; Text = $Matches[2] }
        }
    }

    function Get-OurRuleLine([string]$Namespace, [string]$Family) {
        $result = Invoke-FreshPwsh -Namespace $Namespace -Script "Get-NetRouteInfo -Rule -AddressFamily $Family | ForEach-Object { ""`$(`$_.Priority)``t`$_"" }"
        if ($result.ExitCode -ne 0) { throw "Get-NetRouteInfo -Rule failed (exit $($result.ExitCode)): $($result.Error)" }
        foreach ($line in @($result.Output -split "`n" | Where-Object { $_.Trim() })) {
            $priority, $text = $line.TrimEnd("`r") -split "`t", 2
            # ToString is "PRIORITY: TEXT"; the view shows TEXT.
            if ($text -notmatch "^$priority`: (.*)$") { throw "A rule's text does not start with its priority: '$text'" }
            [pscustomobject]@{ Priority = [uint32]$priority; Text = $Matches[1] }
        }
    }
}

Describe 'Get-NetRouteInfo -Rule text in a namespace with a rule of each kind' {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the rule text tests: $skipReason." -ForegroundColor Yellow; return }
        Remove-StaleTestNamespace
        $script:ns = New-TestNamespace 'rules'
        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $ns link add r1 type veth peer name r2 | Out-Null
        foreach ($rule in $IPv4Rules) { $words = $rule -split ' '; Invoke-Ip -n $ns -4 rule add @words | Out-Null }
        foreach ($rule in $IPv6Rules) { $words = $rule -split ' '; Invoke-Ip -n $ns -6 rule add @words | Out-Null }
        $script:lines = @{
            IPv4 = @{ Ip = @(Get-IpRuleLine $ns '-4'); Ours = @(Get-OurRuleLine $ns 'IPv4') }
            IPv6 = @{ Ip = @(Get-IpRuleLine $ns '-6'); Ours = @(Get-OurRuleLine $ns 'IPv6') }
        }
    }

    AfterAll {
        if (-not $skipReason) { Remove-TestNamespace }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'has every rule ip has, <_>, and no other' -ForEach 'IPv4', 'IPv6' {
        $expected = @($(if ($_ -eq 'IPv4') { $IPv4Rules } else { $IPv6Rules })).Count + $(if ($_ -eq 'IPv4') { 3 } else { 2 })
        $lines[$_].Ip.Count | Should -Be $expected -Because 'ip shows the rules added and the default ones'
        Compare-Object $lines[$_].Ip.Priority $lines[$_].Ours.Priority | Should -BeNullOrEmpty
    }

    It 'prints each <_> rule as ip rule show does, the whole line' -ForEach 'IPv4', 'IPv6' {
        $ours = @{}
        foreach ($line in $lines[$_].Ours) { $ours[$line.Priority] = $line.Text }
        $different = foreach ($line in $lines[$_].Ip) {
            if ($ours[$line.Priority] -cne $line.Text) { "$($line.Priority): ip '$($line.Text)', ours '$($ours[$line.Priority])'" }
        }
        $different | Should -BeNullOrEmpty
    }

    It 'shows the selectors the old text dropped' {
        $ipv4 = @{}
        foreach ($line in $lines.IPv4.Ours) { $ipv4[[int]$line.Priority] = $line.Text }
        $ipv4[107] | Should -BeExactly 'from all uidrange 1000-2000 lookup 204'
        $ipv4[109] | Should -BeExactly 'from all ipproto udp sport 1000-2000 dport 53 lookup 205'
        $ipv4[125] | Should -BeExactly 'from all iif nosuch [detached] lookup 207'
        $ipv4[119] | Should -BeExactly 'from all goto 999 [unresolved]'
    }

    It 'keeps every rule whole through a snapshot: its text, and the decisions it makes' {
        $script = @'
$path = Join-Path ([IO.Path]::GetTempPath()) "pslb-rules-snapshot-$PID.xml"
Get-NetRouteSnapshot | Export-Clixml $path
$saved = Import-Clixml $path
Remove-Item $path
$queries = '198.51.100.1', '203.0.113.9', '2001:db8::1'
[pscustomobject]@{
    LiveRules  = @(Get-NetRouteInfo -Rule | ForEach-Object Text)
    SavedRules = @($saved.Rules | ForEach-Object Text)
    Live       = @(Resolve-NetRoute $queries -Explain | ForEach-Object { "$($_.Text) | $($_.Trace)" })
    Saved      = @(Resolve-NetRoute $queries -Explain -Snapshot $saved | ForEach-Object { "$($_.Text) | $($_.Trace)" })
    Kernel     = @(Resolve-NetRoute $queries -Verify -WarningAction SilentlyContinue | ForEach-Object { "$($_.Destination): $($_.KernelAgrees) ($($_.Text); the kernel: $($_.KernelAnswer))" })
} | ConvertTo-Json -Depth 3
'@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        @($answer.SavedRules) | Should -Be @($answer.LiveRules)
        @($answer.Saved) | Should -Be @($answer.Live)
        @($answer.Kernel | Where-Object { $_ -notmatch ': True \(' }) | Should -BeNullOrEmpty -Because 'the kernel, asked the same, answers the same'
    }

    It 'shows the same text in the default view, wrapped between words at 80 columns' {
        $result = Invoke-FreshPwsh -Namespace $ns -Script 'Get-NetRouteInfo -Rule -AddressFamily IPv4 | Where-Object Priority -EQ 136 | Out-String -Width 80'
        ($result.Output -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        ($result.Output -replace '\s+', ' ') | Should -BeLike "*IPv4 136: $(($lines.IPv4.Ip | Where-Object Priority -EQ 136).Text)*"
    }
}
