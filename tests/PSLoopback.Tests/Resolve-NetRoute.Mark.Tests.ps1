<#
    Resolve-NetRoute -Mark in every form a user types, against `ip route get ... mark`: a namespace whose fwmark
    rules send 203.0.113.0/24 a different way for each mark, so a mark read wrong shows as a wrong next hop.
#>

BeforeDiscovery {
    # What the user types after -Mark, as PowerShell source, and the mark it means.
    $forms = @(
        @{ Typed = '0xFFFFFFFF'; Mark = '0xffffffff' }          # PowerShell's [int]-1
        @{ Typed = "'0xFFFFFFFF'"; Mark = '0xffffffff' }
        @{ Typed = '4294967295'; Mark = '0xffffffff' }          # PowerShell's [long]
        @{ Typed = "'4294967295'"; Mark = '0xffffffff' }
        @{ Typed = '([uint32]::MaxValue)'; Mark = '0xffffffff' }
        @{ Typed = '0x1'; Mark = '0x1' }
        @{ Typed = "'1'"; Mark = '0x1' }
        @{ Typed = "'0XfF'"; Mark = '0xff' }
        @{ Typed = '255'; Mark = '0xff' }
        @{ Typed = '0x80000000'; Mark = '0x80000000' }          # PowerShell's [int]::MinValue
        @{ Typed = '0'; Mark = '0' }
    )
    $badForms = @("'0x100000000'", '4294967296', "'abc'", "'0x1/0xff'", '([long]-1)', '1.5', "'-1'")
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force

    $script:destination = '203.0.113.9'
    # The mark each rule selects, the table it sends the packet to, and that table's next hop.
    $script:markRoutes = @(
        @{ Mark = '0xffffffff'; Table = 100; Via = '198.51.100.100' }
        @{ Mark = '0x1'; Table = 101; Via = '198.51.100.101' }
        @{ Mark = '0xff'; Table = 102; Via = '198.51.100.102' }
        @{ Mark = '0x80000000'; Table = 103; Via = '198.51.100.103' }
    )

    function Get-IpNextHop([string]$Namespace, [string]$Mark) {
        $answer = @(Invoke-Ip -n $Namespace -j route get $destination mark $Mark | ConvertFrom-Json)[0]
        "$($answer.gateway) $($answer.dev)"
    }
}

# The forms reach the run phase as this block's data, so BeforeAll and the tests see the same lists.
Describe 'Resolve-NetRoute -Mark' -ForEach @{ Forms = $forms; BadForms = $badForms } {
    BeforeAll {
        $script:skipReason = Get-NetnsUnavailableReason
        if ($skipReason) { Write-Host "Skipping the -Mark tests: $skipReason." -ForegroundColor Yellow; return }
        Remove-StaleTestNamespace
        $script:ns = New-TestNamespace 'mark'
        Invoke-Ip -n $ns link set lo up | Out-Null
        Invoke-Ip -n $ns link add m1 type veth peer name q1 | Out-Null
        Invoke-Ip -n $ns link add m2 type veth peer name q2 | Out-Null
        foreach ($link in 'm1', 'q1', 'm2', 'q2') { Invoke-Ip -n $ns link set $link up | Out-Null }
        Invoke-Ip -n $ns addr add 192.0.2.1/24 dev m1 | Out-Null
        Invoke-Ip -n $ns addr add 198.51.100.1/24 dev m2 | Out-Null
        Invoke-Ip -n $ns route add 203.0.113.0/24 via 192.0.2.254 dev m1 | Out-Null
        foreach ($route in $markRoutes) {
            Invoke-Ip -n $ns route add 203.0.113.0/24 via $route.Via dev m2 table $route.Table | Out-Null
            Invoke-Ip -n $ns rule add pref (1000 + $route.Table) fwmark $route.Mark lookup $route.Table | Out-Null
        }

        $script:kernel = @{}
        foreach ($mark in @($markRoutes.Mark) + '0') { $kernel[$mark] = Get-IpNextHop $ns $mark }

        # Every form in one child: Invoke-Expression parses what was typed as PowerShell does at a prompt.
        $calls = @($Forms.Typed) + $BadForms | ForEach-Object {
            "try { `$d = Invoke-Expression ""Resolve-NetRoute $destination -Mark $_"" -ErrorAction Stop; [pscustomobject]@{ Typed = '$($_.Replace("'", "''"))'; Answer = ""`$(`$d.NextHop) `$(`$d.InterfaceAlias)""; Error = `$null } } catch { [pscustomobject]@{ Typed = '$($_.Replace("'", "''"))'; Answer = `$null; Error = ""`$_"" } }"
        }
        $result = Invoke-FreshPwsh -Namespace $ns -Script ("@(`n" + ($calls -join "`n") + "`n) | ConvertTo-Json -AsArray")
        if ($result.ExitCode -ne 0) { throw "Resolve-NetRoute failed (exit $($result.ExitCode)): $($result.Error)" }
        $script:ours = @{}
        foreach ($answer in @($result.Output | ConvertFrom-Json)) { $ours[$answer.Typed] = $answer }
    }

    AfterAll {
        if (-not $skipReason) { Remove-TestNamespace }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'has a namespace where every mark leads elsewhere' {
        @($kernel.Values | Sort-Object -Unique).Count | Should -Be ($markRoutes.Count + 1) -Because 'each mark must matter, or the comparison proves nothing'
        $kernel['0xffffffff'] | Should -Be '198.51.100.100 m2'
    }

    It 'reads -Mark <Typed> as <Mark>, and answers as ip route get ... mark <Mark>' -ForEach $Forms {
        $ours[$Typed].Error | Should -BeNullOrEmpty
        $ours[$Typed].Answer | Should -Be $kernel[$Mark]
    }

    It 'refuses -Mark <_>, naming it and the forms it takes' -ForEach $BadForms {
        $answer = $ours[$_]
        $answer.Answer | Should -BeNullOrEmpty
        $answer.Error | Should -BeLike '*is not a firewall mark*'
        $answer.Error | Should -BeLike '*0xFFFFFFFF*'
        $answer.Error | Should -BeLike '*4294967295*'
        $shown = "$(Invoke-Expression $_)"
        $answer.Error | Should -BeLike "*'$([WildcardPattern]::Escape($shown))'*"
    }
}
