# Test-Loopback on hosts whose loopback is broken, built from network namespaces (tests/topologies): the
# loopback interface down, IPv6 disabled, only 127.0.0.1 routed, and a hosts file without localhost or
# mapping it elsewhere (a private mount namespace with its own /etc/hosts). The cmdlet runs in a fresh pwsh
# inside each namespace. Needs root; elsewhere each test is skipped, saying why.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    $script:mountSkipReason = if ($skipReason) { $skipReason } else { Get-MountNamespaceUnavailableReason }

    # What the child prints for each result: enough to judge it, as JSON.
    $script:select = '[pscustomobject]@{ Target = $_.Target; RemoteAddress = "$($_.RemoteAddress)"; AddressFamily = "$($_.AddressFamily)"; IsLoopbackAddress = $_.IsLoopbackAddress; StaysOnHost = $_.StaysOnHost; InterfaceAlias = $_.InterfaceAlias; RouteType = "$($_.RouteType)"; Status = "$($_.Status)"; RoundTrips = $_.RoundTrips; BytesSent = $_.BytesSent; Port = $_.Port; Diagnosis = $_.Diagnosis; Steps = @($_.Steps | ForEach-Object Name); Counters = @($_.InterfaceCounters | ForEach-Object { [pscustomobject]@{ Name = $_.InterfaceAlias; IsLoopback = $_.IsLoopback; Sent = $_.SentBytes; Received = $_.ReceivedBytes } }) }'

    function Get-LoopbackScript {
        <# A child script: runs each command, timed, and prints its results, errors and seconds as JSON. #>
        param([Parameter(Mandatory)][string[]]$Command, [string]$Extra = '$null')
        $fields = "Quiet = @(`$out | Where-Object { `$_ -is [bool] })`n            Results = @(`$out | Where-Object { `$_ -isnot [bool] } | ForEach-Object { $select })"
        $runs = foreach ($c in $Command) { Get-TimedCommandScript -Command $c -Fields $fields }
        "`$ProgressPreference = 'SilentlyContinue'`n[pscustomobject]@{ Runs = @(`n$($runs -join "`n")`n); Extra = $Extra } | ConvertTo-Json -Depth 6 -Compress"
    }

    function ConvertFrom-LoopbackRun {
        param($Result, [string]$Where)
        if ($Result.ExitCode -ne 0) { throw "The child pwsh in $Where failed (exit $($Result.ExitCode)): $($Result.Error)" }
        $answer = $Result.Output | ConvertFrom-Json
        foreach ($run in $answer.Runs) { $run.Results = @($run.Results); $run.Errors = @($run.Errors); $run.Quiet = @($run.Quiet) }
        $answer
    }

    function Invoke-LoopbackInNamespace {
        param([Parameter(Mandatory)][string]$Namespace, [Parameter(Mandatory)][string[]]$Command, [string]$Extra = '$null')
        $result = Invoke-FreshPwsh -Namespace $Namespace -Script (Get-LoopbackScript -Command $Command -Extra $Extra) -TimeoutSeconds 90
        ConvertFrom-LoopbackRun -Result $result -Where $Namespace
    }

    function Invoke-LoopbackWithHosts {
        <# The same, in a private mount namespace where /etc/hosts is $Hosts and DNS goes only to 127.0.0.1. #>
        param([Parameter(Mandatory)][string]$Namespace, [Parameter(Mandatory)][string]$Hosts, [Parameter(Mandatory)][string[]]$Command, [string]$Extra = '$null')
        $script = "Import-Module '$(Get-ModuleUnderTest)'`n" + (Get-LoopbackScript -Command $Command -Extra $Extra)
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $files = @{ '/etc/hosts' = $Hosts; '/etc/resolv.conf' = "nameserver 127.0.0.1`noptions timeout:1 attempts:1`n" }
        $result = Invoke-WithPrivateFile -Namespace $Namespace -File $files -Command $pwsh -TimeoutSeconds 90
        ConvertFrom-LoopbackRun -Result $result -Where "$Namespace with a private /etc/hosts"
    }

    function Get-RandomLoopbackAddress {
        # 127.0.0.0/8 but never 127.0.0.x, nor a broadcast or network address of it.
        "127.$(Get-Random -Minimum 1 -Maximum 255).$(Get-Random -Minimum 0 -Maximum 256).$(Get-Random -Minimum 1 -Maximum 255)"
    }

    if ($skipReason) {
        Write-Host "Skipping the Test-Loopback namespace tests: $skipReason." -ForegroundColor Yellow
        return
    }
    if ($mountSkipReason) { Write-Host "Skipping the hosts-file tests: $mountSkipReason." -ForegroundColor Yellow }
    Remove-StaleTestNamespace
    try { $script:topology = New-LoopbackTopology }
    catch { Remove-TestNamespace; throw }
}

AfterAll {
    if (-not $skipReason) { Remove-TestNamespace }
}

Describe 'Test-Loopback with the loopback interface down' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'self-check: 127.0.0.1 and ::1 are LoopbackDown, the diagnosis names lo, and it ends well within -TimeoutSeconds 1' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.LoopbackDown -Command 'Test-Loopback -TimeoutSeconds 1', 'Test-Loopback -TimeoutSeconds 1 -Quiet'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        $run = $answer.Runs[0]
        $run.Seconds | Should -BeLessThan 5 -Because 'a down loopback is known before anything is sent; nothing should wait for timeouts'
        $run.Errors | Should -BeNullOrEmpty
        foreach ($address in '127.0.0.1', '::1') {
            $r = @($run.Results | Where-Object { $_.Target -eq $address })
            $r.Count | Should -Be 1 -Because "the self-check tests $address"
            # LoopbackDown, or another status whose diagnosis still says that lo is down.
            $r[0].Status | Should -BeIn 'LoopbackDown', 'NotRouted', 'AddressNotAvailable' -Because $r[0].Diagnosis
            $r[0].Diagnosis | Should -Match '\blo\b'
            $r[0].Diagnosis | Should -Match '\bdown\b'
        }
        @($run.Results | Where-Object Status -EQ 'Success') | Should -BeNullOrEmpty
        $answer.Runs[1].Seconds | Should -BeLessThan 5
        $answer.Runs[1].Quiet | Should -Be @($false)
    }

    It 'explicit targets and -Port also fail fast, saying lo is down' {
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.LoopbackDown -Command 'Test-Loopback 127.0.0.1, ::1, 127.9.8.7 -Count 3 -TimeoutSeconds 1', 'Test-Loopback 127.0.0.1, ::1 -Port 9 -TimeoutSeconds 1'
        foreach ($run in $answer.Runs) {
            $run.Seconds | Should -BeLessThan 5 -Because $run.Command
            $run.Errors | Should -BeNullOrEmpty
            $run.Results.Count | Should -BeGreaterThan 1
            foreach ($r in $run.Results) {
                $r.Status | Should -BeIn 'LoopbackDown', 'NotRouted', 'AddressNotAvailable' -Because "$($run.Command): $($r.Target) said $($r.Diagnosis)"
                $r.RoundTrips | Should -Be 0
                $r.Diagnosis | Should -Match '\blo\b'
                $r.Diagnosis | Should -Match '\bdown\b'
            }
        }
    }
}

Describe 'Test-Loopback with IPv6 disabled' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It '<Setting> = 1: ::1 is FamilyDisabled, naming IPv6 and disable_ipv6, and IPv4 still succeeds' -ForEach @(
        @{ Setting = 'net.ipv6.conf.all.disable_ipv6'; Key = 'IPv6Off' }
        @{ Setting = 'net.ipv6.conf.lo.disable_ipv6'; Key = 'IPv6OffOnLo' }
    ) {
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.$Key -Command 'Test-Loopback -Count 3 -TimeoutSeconds 1', 'Test-Loopback ::1 -Count 3 -TimeoutSeconds 1'
        foreach ($run in $answer.Runs) {
            $run.Errors | Should -BeNullOrEmpty
            $run.Seconds | Should -BeLessThan 10
            $v6 = @($run.Results | Where-Object { $_.RemoteAddress -eq '::1' })
            $v6.Count | Should -Be 1 -Because "$($run.Command) tests ::1"
            $v6[0].Status | Should -Be 'FamilyDisabled' -Because $v6[0].Diagnosis
            $v6[0].Diagnosis | Should -Match 'IPv6'
            $v6[0].Diagnosis | Should -Match 'disable_ipv6'
            $v6[0].Diagnosis | Should -Match ([regex]::Escape($Setting))
        }
        $selfCheck = $answer.Runs[0].Results
        foreach ($r in $selfCheck | Where-Object AddressFamily -EQ 'IPv4') {
            $r.Status | Should -Be 'Success' -Because "$($r.Target) ($($r.RemoteAddress)): $($r.Diagnosis)"
            $r.RoundTrips | Should -Be 3
        }
        @($selfCheck | Where-Object { $_.RemoteAddress -eq '127.0.0.1' }).Count | Should -BeGreaterThan 0
    }
}

Describe 'Test-Loopback with only 127.0.0.1 routed to loopback' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It 'a random 127.x.y.z is NotRouted (or AddressNotAvailable), naming 127.0.0.0/8; 127.0.0.1 and ::1 still succeed' {
        $random = Get-RandomLoopbackAddress
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.HostRouteOnly -Command "Test-Loopback $random, 127.0.0.1, ::1 -Count 3 -TimeoutSeconds 1"
        $run = $answer.Runs[0]
        $run.Errors | Should -BeNullOrEmpty
        $run.Seconds | Should -BeLessThan 10
        $r = @($run.Results | Where-Object Target -EQ $random)
        $r.Count | Should -Be 1
        $r[0].IsLoopbackAddress | Should -BeTrue
        $r[0].Status | Should -BeIn 'NotRouted', 'AddressNotAvailable' -Because $r[0].Diagnosis
        $r[0].Diagnosis | Should -Match '127\.0\.0\.0/8'
        $r[0].RoundTrips | Should -Be 0
        foreach ($ok in $run.Results | Where-Object Target -In '127.0.0.1', '::1') {
            $ok.Status | Should -Be 'Success' -Because "$($ok.Target): $($ok.Diagnosis)"
        }
    }

    It 'the self-check''s random 127.x.y.z reports it, and -Quiet says False' {
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.HostRouteOnly -Command 'Test-Loopback -Count 2 -TimeoutSeconds 1', 'Test-Loopback -Count 2 -TimeoutSeconds 1 -Quiet'
        $run = $answer.Runs[0]
        $run.Errors | Should -BeNullOrEmpty
        $random = @($run.Results | Where-Object { $_.Target -notin '127.0.0.1', '::1', 'localhost' })
        $random.Count | Should -Be 1
        $random[0].RemoteAddress | Should -Match '^127\.'
        $random[0].Status | Should -BeIn 'NotRouted', 'AddressNotAvailable' -Because $random[0].Diagnosis
        $random[0].Diagnosis | Should -Match '127\.0\.0\.0/8'
        foreach ($r in $run.Results | Where-Object { $_ -ne $random[0] }) {
            $r.Status | Should -Be 'Success' -Because "$($r.Target) ($($r.RemoteAddress)): $($r.Diagnosis)"
        }
        $answer.Runs[1].Quiet | Should -Be @($false)
    }
}

Describe 'Test-Loopback sends nothing to an address that is not local' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It '198.51.100.7 (routed out by v0): NotLoopback for -Port and every protocol, and the link to the peer stays silent' {
        $peerBefore = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        $lanBefore = Get-LinkCounter -Namespace $topology.Lan -Name v0
        $answer = Invoke-LoopbackInNamespace -Namespace $topology.Lan -Command @(
            'Test-Loopback 198.51.100.7 -Port 9 -Detailed -TimeoutSeconds 1'
            'Test-Loopback 198.51.100.7 -Protocol Tcp -Detailed -TimeoutSeconds 1'
            'Test-Loopback 198.51.100.7 -Protocol Udp -Detailed -TimeoutSeconds 1'
            'Test-Loopback 198.51.100.7 -Protocol Http -Detailed -TimeoutSeconds 1'
        )
        $peerAfter = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        $lanAfter = Get-LinkCounter -Namespace $topology.Lan -Name v0
        foreach ($run in $answer.Runs) {
            $run.Errors | Should -BeNullOrEmpty
            $run.Results.Count | Should -Be 1
            $r = $run.Results[0]
            $r.Status | Should -Be 'NotLoopback' -Because "$($run.Command): $($r.Diagnosis)"
            $r.StaysOnHost | Should -BeFalse
            $r.InterfaceAlias | Should -Be 'v0'
            $r.BytesSent | Should -Be 0
            $r.RoundTrips | Should -Be 0
            @($r.Steps) | Should -Be @('route lookup') -Because "$($run.Command) must end at the routing decision"
        }
        ($lanAfter.TxPackets - $lanBefore.TxPackets) | Should -Be 0 -Because 'no packet (not even an ARP request) may leave by v0'
        ($peerAfter.RxPackets - $peerBefore.RxPackets) | Should -Be 0 -Because 'nothing may reach the peer'
    }
}

Describe 'Test-Loopback with a broken hosts file' {
    BeforeEach {
        if ($mountSkipReason) { Set-ItResult -Skipped -Because $mountSkipReason }
    }

    It 'without a localhost line: localhost is NameNotResolved (or not loopback), a result, not an error, and the diagnosis names /etc/hosts' {
        $hosts = "127.0.0.1`tother`n::1`tother6`n"
        $answer = Invoke-LoopbackWithHosts -Namespace $topology.Lan -Hosts $hosts -Command 'Test-Loopback localhost -Count 2 -TimeoutSeconds 1', 'Test-Loopback -Count 2 -TimeoutSeconds 1'
        foreach ($run in $answer.Runs) {
            $run.Errors | Should -BeNullOrEmpty -Because "$($run.Command): a loopback name that does not resolve is a finding, reported as a result"
            $run.Seconds | Should -BeLessThan 10
            $named = @($run.Results | Where-Object Target -EQ 'localhost')
            $named.Count | Should -BeGreaterThan 0 -Because "$($run.Command) must say what became of localhost"
            foreach ($r in $named) {
                $r.Status | Should -BeIn 'NameNotResolved', 'NotLoopback' -Because $r.Diagnosis
                $r.Diagnosis | Should -Match '/etc/hosts'
                $r.Diagnosis | Should -Match 'localhost'
            }
        }
        foreach ($r in $answer.Runs[1].Results | Where-Object Target -In '127.0.0.1', '::1') {
            $r.Status | Should -Be 'Success' -Because 'only the name is broken, not the loopback interface'
        }
    }

    It 'localhost mapped to this namespace''s own 192.0.2.77: not loopback, stays on the host, no listener, the diagnosis names /etc/hosts, and v0 stays silent' {
        $hosts = "127.0.0.1`tother`n192.0.2.77`tlocalhost`n"
        $peerBefore = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        $answer = Invoke-LoopbackWithHosts -Namespace $topology.Lan -Hosts $hosts -Command 'Test-Loopback localhost -Count 20 -PayloadSize 1000 -Detailed -TimeoutSeconds 1', 'Test-Loopback -Count 2 -TimeoutSeconds 1'
        $peerAfter = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        foreach ($run in $answer.Runs) {
            $run.Errors | Should -BeNullOrEmpty
            $named = @($run.Results | Where-Object Target -EQ 'localhost')
            $named.Count | Should -Be 1 -Because "$($run.Command): localhost resolves to 192.0.2.77 only"
            $r = $named[0]
            $r.RemoteAddress | Should -Be '192.0.2.77'
            $r.IsLoopbackAddress | Should -BeFalse
            $r.StaysOnHost | Should -BeTrue
            $r.Diagnosis | Should -Match '/etc/hosts'
            $r.Diagnosis | Should -Match '192\.0\.2\.77'
        }
        $detailed = $answer.Runs[0].Results[0]
        $detailed.Status | Should -Be 'NotLoopback' -Because 'an own LAN address gets no listener of ours (one could be reached from the network)'
        ($peerAfter.RxPackets - $peerBefore.RxPackets) | Should -Be 0
    }

    It 'localhost mapped to another machine''s 198.51.100.7: NotLoopback, nothing sent (even with -Port), the diagnosis names /etc/hosts' {
        $hosts = "127.0.0.1`tother`n198.51.100.7`tlocalhost`n"
        $peerBefore = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        $answer = Invoke-LoopbackWithHosts -Namespace $topology.Lan -Hosts $hosts -Command 'Test-Loopback localhost -Detailed -TimeoutSeconds 1', 'Test-Loopback localhost -Port 9 -Detailed -TimeoutSeconds 1', 'Test-Loopback -Port 9 -TimeoutSeconds 1'
        $peerAfter = Get-LinkCounter -Namespace $topology.LanPeer -Name p0
        foreach ($run in $answer.Runs) {
            $run.Errors | Should -BeNullOrEmpty
            $named = @($run.Results | Where-Object Target -EQ 'localhost')
            $named.Count | Should -Be 1 -Because $run.Command
            $r = $named[0]
            $r.RemoteAddress | Should -Be '198.51.100.7'
            $r.IsLoopbackAddress | Should -BeFalse
            $r.Status | Should -Be 'NotLoopback' -Because $r.Diagnosis
            $r.BytesSent | Should -Be 0
            $r.Diagnosis | Should -Match '/etc/hosts'
            $r.Diagnosis | Should -Match '198\.51\.100\.7'
        }
        @($answer.Runs[0].Results[0].Steps) | Should -Be @('name resolution', 'route lookup')
        @($answer.Runs[1].Results[0].Steps) | Should -Be @('name resolution', 'route lookup')
        ($peerAfter.RxPackets - $peerBefore.RxPackets) | Should -Be 0 -Because 'no packet to 198.51.100.7 may leave the host'
    }

    It 'Test-Loopback resolves localhost as the other programs here do (.NET has no special case for it)' {
        $hosts = "127.0.0.1`tother`n192.0.2.77`tlocalhost`n"
        $extra = '[pscustomobject]@{ Dotnet = @([Net.Dns]::GetHostAddresses("localhost") | ForEach-Object { "$_" }); Getent = @(getent ahosts localhost | ForEach-Object { ($_ -split "\s+")[0] } | Select-Object -Unique) }'
        $answer = Invoke-LoopbackWithHosts -Namespace $topology.Lan -Hosts $hosts -Command 'Test-Loopback localhost -Count 1 -TimeoutSeconds 1' -Extra $extra
        @($answer.Extra.Getent) | Should -Be @('192.0.2.77') -Because 'glibc reads the private /etc/hosts'
        @($answer.Extra.Dotnet) | Should -Be @($answer.Extra.Getent) -Because 'Dns.GetHostAddresses("localhost") goes to getaddrinfo, which reads /etc/hosts'
        @($answer.Runs[0].Results | ForEach-Object RemoteAddress) | Should -Be @($answer.Extra.Getent)
    }
}
