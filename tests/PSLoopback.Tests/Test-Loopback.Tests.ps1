# Test-Loopback on this host: real round trips through the loopback interface, what counts as loopback,
# -Quiet, parameter errors, -Port against listeners the test opens itself (bound to 127.0.0.1 or ::1 only),
# -Detailed's steps and counters, stopping, concurrency, file descriptors, and the help.
# Traffic goes only to loopback addresses and to this host's own address (whose route is checked to be
# local first). Name look-ups that would reach DNS run in a child whose /etc/resolv.conf names 127.0.0.1.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:module = Get-ModuleUnderTest
    Import-Module $module -Force
    $ProgressPreference = 'SilentlyContinue'

    $script:loopbackName = @(Get-NetInterfaceInfo -Loopback)[0].Name
    # What localhost resolves to here (from the hosts file); none if it does not, which the self-check must then show.
    $script:localhostAddresses = @(try { [Net.Dns]::GetHostAddresses('localhost') | ForEach-Object { "$_" } | Select-Object -Unique } catch { })
    $script:journey = 'route lookup', 'connect', 'send', 'server receive', 'reply', 'client receive'

    function Get-FdCount {
        <# This process's open sockets: what Test-Loopback opens and must close. The runtime's own descriptors (eventfds, pipes) come and go by themselves, so they are not counted. #>
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        @([IO.Directory]::GetFiles("/proc/$PID/fd") | Where-Object { ([IO.FileInfo]::new($_)).LinkTarget -like 'socket:*' }).Count
    }

    function Wait-FdCount {
        <# The descriptor count, once it is back within $Tolerance of $Baseline, or after $Seconds at most. #>
        param([int]$Baseline, [int]$Tolerance = 2, [int]$Seconds = 3)
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        do {
            $count = Get-FdCount
            if ($count -le $Baseline + $Tolerance) { return $count }
            Start-Sleep -Milliseconds 100
        } while ([DateTime]::UtcNow -lt $deadline)
        $count
    }

    function Get-StatisticsProblem {
        <# What is wrong with a successful result's round-trip numbers, one line each; none when right. #>
        param($Result, [int]$Count, [int]$PayloadSize)
        $r = $Result
        $where = "$($r.Target) ($($r.RemoteAddress), $($r.Protocol))"
        if ($r.RoundTrips -ne $Count) { "${where}: RoundTrips $($r.RoundTrips), expected $Count" }
        if ($r.Count -ne $Count) { "${where}: Count $($r.Count), expected $Count" }
        $stats = $r.MinimumMicroseconds, $r.MedianMicroseconds, $r.P99Microseconds, $r.MaximumMicroseconds
        if ($stats -contains $null) { "${where}: a latency statistic is missing: $($stats -join ' / ')" }
        elseif (-not ($stats[0] -gt 0 -and $stats[0] -le $stats[1] -and $stats[1] -le $stats[2] -and $stats[2] -le $stats[3])) {
            "${where}: latency not ordered min <= median <= p99 <= max: $($stats -join ' / ')"
        }
        if ("$($r.Protocol)" -ne 'Http') {
            if ($r.BytesSent -ne [long]$Count * $PayloadSize) { "${where}: BytesSent $($r.BytesSent), expected $([long]$Count * $PayloadSize)" }
            if ($r.BytesReceived -ne [long]$Count * $PayloadSize) { "${where}: BytesReceived $($r.BytesReceived), expected $([long]$Count * $PayloadSize)" }
        }
        else {
            if ($r.BytesSent -le 0) { "${where}: no request bytes counted" }
            if ($r.BytesReceived -lt [long]$Count * $PayloadSize) { "${where}: BytesReceived $($r.BytesReceived), expected at least the bodies, $([long]$Count * $PayloadSize)" }
        }
    }

    function Get-StepOrderProblem {
        <# The journey's steps must all be there and their times must increase in journey order. #>
        param($Result)
        $where = "$($Result.Protocol) $($Result.RemoteAddress)"
        $names = @($Result.Steps | ForEach-Object Name)
        $times = @($Result.Steps | ForEach-Object ElapsedMicroseconds)
        foreach ($step in $journey) { if ($names -notcontains $step) { "${where}: no '$step' step in: $($names -join ' > ')" } }
        $previous = $null
        foreach ($step in $journey) {
            $i = [array]::IndexOf($names, $step)
            if ($i -lt 0) { continue }
            if ($null -ne $previous -and $times[$i] -lt $previous.Time) {
                "${where}: '$step' at $($times[$i]) us comes before '$($previous.Name)' at $($previous.Time) us; steps were: " +
                (@($Result.Steps | ForEach-Object { "$($_.Name) @$([Math]::Round($_.ElapsedMicroseconds, 1))" }) -join ' > ')
            }
            $previous = @{ Name = $step; Time = $times[$i] }
        }
    }

    $script:fdSkipReason = if (-not (Test-Path -LiteralPath "/proc/$PID/fd")) { 'this OS has no /proc/<pid>/fd to count open descriptors' }

    # Children whose name look-ups may reach DNS get a resolv.conf that names only 127.0.0.1.
    $script:dnsSkipReason = Get-MountNamespaceUnavailableReason
    function Invoke-LoopbackDnsPwsh {
        param([Parameter(Mandatory)][string]$Script)
        $prelude = "`$ProgressPreference = 'SilentlyContinue'`nImport-Module '$(Get-ModuleUnderTest)'`n"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
        $command = @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $result = Invoke-WithPrivateFile -Command $command -File @{ '/etc/resolv.conf' = "nameserver 127.0.0.1`noptions timeout:1 attempts:1`n" } -TimeoutSeconds 90
        if ($result.ExitCode -ne 0) { throw "The child pwsh failed (exit $($result.ExitCode)): $($result.Error)" }
        $result.Output | ConvertFrom-Json
    }
}

Describe 'Test-Loopback on a healthy host' {
    It 'self-check: 127.0.0.1, ::1, localhost and a random 127.x.y.z all succeed, every round trip and byte back, latency ordered' {
        $results = @(Test-Loopback -Count 20 -PayloadSize 100)
        $results.Count | Should -Be (3 + $localhostAddresses.Count) -Because "the self-check tests 127.0.0.1, ::1, each of localhost's $($localhostAddresses -join ', ') and one random 127.x.y.z"
        @($results | Where-Object Target -EQ '127.0.0.1' | ForEach-Object { "$($_.RemoteAddress)" }) | Should -Be @('127.0.0.1')
        @($results | Where-Object Target -EQ '::1' | ForEach-Object { "$($_.RemoteAddress)" }) | Should -Be @('::1')
        @($results | Where-Object Target -EQ 'localhost' | ForEach-Object { "$($_.RemoteAddress)" } | Sort-Object) | Should -Be @($localhostAddresses | Sort-Object)
        $random = @($results | Where-Object { $_.Target -notin '127.0.0.1', '::1', 'localhost' })
        $random.Count | Should -Be 1
        "$($random[0].RemoteAddress)" | Should -Match '^127\.\d+\.\d+\.\d+$'
        "$($random[0].RemoteAddress)" | Should -Not -Be '127.0.0.1'
        foreach ($r in $results) {
            $r | Should -BeOfType ([PSLoopback.Output.LoopbackResult])
            "$($r.Status)" | Should -Be 'Success' -Because "$($r.Target) ($($r.RemoteAddress)): $($r.Diagnosis)"
            $r.Succeeded | Should -BeTrue
            $r.IsLoopbackAddress | Should -BeTrue
            $r.StaysOnHost | Should -BeTrue
            $r.InterfaceAlias | Should -Be $loopbackName
            $r.Diagnosis | Should -BeNullOrEmpty
            Get-StatisticsProblem -Result $r -Count 20 -PayloadSize 100 | Should -BeNullOrEmpty
        }
    }

    It 'succeeds with <Protocol> on <Address>' -ForEach @(
        @{ Protocol = 'Tcp'; Address = '127.0.0.1' }, @{ Protocol = 'Tcp'; Address = '::1' }
        @{ Protocol = 'Udp'; Address = '127.0.0.1' }, @{ Protocol = 'Udp'; Address = '::1' }
        @{ Protocol = 'Http'; Address = '127.0.0.1' }, @{ Protocol = 'Http'; Address = '::1' }
    ) {
        $results = @(Test-Loopback $Address -Protocol $Protocol -Count 10 -PayloadSize 1500)
        $results.Count | Should -Be 1
        $r = $results[0]
        "$($r.Status)" | Should -Be 'Success' -Because $r.Diagnosis
        "$($r.Protocol)" | Should -Be $Protocol
        "$($r.RemoteAddress)" | Should -Be $Address
        "$($r.AddressFamily)" | Should -Be $(if ($Address -eq '::1') { 'IPv6' } else { 'IPv4' })
        $r.Port | Should -BeGreaterThan 0 -Because 'the echo listener''s ephemeral port is reported'
        Get-StatisticsProblem -Result $r -Count 10 -PayloadSize 1500 | Should -BeNullOrEmpty
    }
}

Describe 'Test-Loopback: what is loopback, and what stays on this host' {
    It 'this host''s own non-loopback address: not loopback, stays on the host, and gets no listener of ours' {
        if (-not (Get-Command ip -ErrorAction Ignore)) { Set-ItResult -Skipped -Because "iproute2's ip command, which proves the address's route is local, is not installed"; return }
        $own = foreach ($interface in Get-NetInterfaceInfo | Where-Object { -not $_.IsLoopback -and "$($_.Status)" -eq 'Up' }) {
            foreach ($a in $interface.Addresses) {
                if ("$($a.Scope)" -ne 'Global' -or $a.IsTentative -or $a.IsDadFailed) { continue }
                # Only where the kernel itself routes the address to this host (a local route).
                $route = @(& ip -j route get "$($a.IPAddress)" 2>$null | ConvertFrom-Json)
                if ($route.Count -eq 1 -and $route[0].PSObject.Properties['type'] -and $route[0].type -eq 'local') {
                    [pscustomobject]@{ Address = "$($a.IPAddress)"; Interface = $interface.Name }
                }
            }
        }
        $own = @($own)
        if (-not $own) {
            Set-ItResult -Skipped -Because 'this host has no up, global, non-loopback address with a local route'
            return
        }

        # A listener there could be reached from the network, so the echo test answers from the route alone.
        $r = @(Test-Loopback $own[0].Address -Count 50 -Detailed)
        $r.Count | Should -Be 1
        $r[0].IsLoopbackAddress | Should -BeFalse
        $r[0].StaysOnHost | Should -BeTrue
        "$($r[0].RouteType)" | Should -Be 'Local'
        "$($r[0].Status)" | Should -Be 'NotLoopback'
        $r[0].BytesSent | Should -Be 0
        $r[0].Port | Should -BeNullOrEmpty
        $r[0].Diagnosis | Should -Match 'stay on this host'
        @($r[0].Steps.Name) | Should -Not -Contain 'listen'
    }

    It 'an address of another machine (198.51.100.7) is NotLoopback, and no traffic is attempted (<Protocol>)' -ForEach @(
        @{ Protocol = 'Tcp' }, @{ Protocol = 'Udp' }, @{ Protocol = 'Http' }
    ) {
        $ownAddresses = @(Get-NetInterfaceInfo | ForEach-Object { $_.Addresses } | ForEach-Object { "$($_.IPAddress)" })
        if ($ownAddresses -contains '198.51.100.7') {
            Set-ItResult -Skipped -Because '198.51.100.7 is an address of this host here'
            return
        }
        $r = @(Test-Loopback 198.51.100.7 -Protocol $Protocol -Detailed -TimeoutSeconds 1)
        $r.Count | Should -Be 1
        $r = $r[0]
        "$($r.Status)" | Should -Be 'NotLoopback'
        $r.Succeeded | Should -BeFalse
        $r.IsLoopbackAddress | Should -BeFalse
        $r.StaysOnHost | Should -BeFalse
        $r.BytesSent | Should -Be 0
        $r.BytesReceived | Should -Be 0
        $r.RoundTrips | Should -Be 0
        $r.Port | Should -BeNullOrEmpty -Because 'no listener was opened for it'
        $r.Diagnosis | Should -Match '198\.51\.100\.7'
        # The journey ends at the routing decision: no listener, no connect, no send.
        @($r.Steps | ForEach-Object Name) | Should -Be @('route lookup')
        @($r.InterfaceCounters).Count | Should -Be 0
    }

    It '<Target> is a loopback address and is tested' -ForEach @(
        @{ Target = '127.1.2.3'; Address = '127.1.2.3' }
        @{ Target = '::1'; Address = '::1' }
        @{ Target = '[::1]'; Address = '::1' }
    ) {
        $r = @(Test-Loopback $Target -Count 3)
        $r.Count | Should -Be 1
        "$($r[0].RemoteAddress)" | Should -Be $Address
        $r[0].IsLoopbackAddress | Should -BeTrue
        $r[0].StaysOnHost | Should -BeTrue
        "$($r[0].Status)" | Should -Be 'Success' -Because $r[0].Diagnosis
        $r[0].RoundTrips | Should -Be 3
    }

    It '::ffff:127.0.0.1 (IPv4-mapped) is loopback, stays on the host, and is tested when the stack can reach it' {
        # Can this stack reach ::ffff:127.0.0.1 at all? A dual-mode IPv6 socket pair on it, in this process.
        $reachable = $false
        $listener = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::InterNetworkV6, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Tcp)
        $client = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::InterNetworkV6, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Tcp)
        try {
            $listener.DualMode = $true; $client.DualMode = $true
            $listener.Bind([Net.IPEndPoint]::new([ipaddress]'::ffff:127.0.0.1', 0))
            $listener.Listen(1)
            $client.Connect($listener.LocalEndPoint)
            $reachable = $client.Connected
        }
        catch { $reachable = $false }
        finally { $client.Dispose(); $listener.Dispose() }

        $r = @(Test-Loopback '::ffff:127.0.0.1' -Count 3 -TimeoutSeconds 1)
        $r.Count | Should -Be 1
        $r[0].IsLoopbackAddress | Should -BeTrue
        if ($reachable) {
            $r[0].StaysOnHost | Should -BeTrue -Because 'the kernel carries ::ffff:127.0.0.1 over IPv4 loopback; it never leaves the host'
            "$($r[0].Status)" | Should -Be 'Success' -Because "a dual-mode socket reaches ::ffff:127.0.0.1 here; the cmdlet said: $($r[0].Diagnosis)"
            $r[0].RoundTrips | Should -Be 3
        }
    }

    It 'localhost: every address it resolves to is loopback and succeeds' {
        $r = @(Test-Loopback localhost -Count 3)
        @($r | ForEach-Object { "$($_.RemoteAddress)" } | Sort-Object) | Should -Be @($localhostAddresses | Sort-Object)
        foreach ($x in $r) {
            $x.Target | Should -Be 'localhost'
            $x.IsLoopbackAddress | Should -BeTrue
            "$($x.Status)" | Should -Be 'Success' -Because $x.Diagnosis
        }
    }

    It 'foo.localhost is a loopback name: loopback results if it resolves, else a NameNotResolved result with a diagnosis, not an error' {
        if ($dnsSkipReason) { Set-ItResult -Skipped -Because $dnsSkipReason; return }
        $answer = Invoke-LoopbackDnsPwsh -Script @'
$r = @(Test-Loopback foo.localhost -Count 2 -TimeoutSeconds 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
[pscustomobject]@{
    Errors = @($failures | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" })
    Results = @($r | ForEach-Object { [pscustomobject]@{ Target = $_.Target; RemoteAddress = "$($_.RemoteAddress)"; IsLoopbackAddress = $_.IsLoopbackAddress; Status = "$($_.Status)"; Diagnosis = $_.Diagnosis } })
} | ConvertTo-Json -Depth 4 -Compress
'@
        @($answer.Errors) | Should -BeNullOrEmpty -Because 'a loopback name that does not resolve is a finding, reported as a result'
        $results = @($answer.Results)
        $results.Count | Should -BeGreaterThan 0
        if (@($results | Where-Object Status -EQ 'NameNotResolved')) {
            $results.Count | Should -Be 1
            $results[0].Target | Should -Be 'foo.localhost'
            $results[0].IsLoopbackAddress | Should -BeTrue
            $results[0].Diagnosis | Should -Match 'foo\.localhost'
        }
        else {
            foreach ($x in $results) {
                $x.IsLoopbackAddress | Should -BeTrue -Because "foo.localhost resolved to $($x.RemoteAddress)"
                $x.Status | Should -Be 'Success' -Because $x.Diagnosis
            }
        }
    }
}

Describe 'Test-Loopback -Quiet' {
    It 'returns exactly one [bool] $true on a healthy host' {
        $answer = @(Test-Loopback -Quiet)
        $answer.Count | Should -Be 1
        $answer[0] | Should -BeOfType ([bool])
        $answer[0] | Should -BeTrue
    }

    It 'works in the admin-script idioms' {
        $taken = $false
        if (Test-Loopback -Quiet -Count 1) { $taken = $true }
        $taken | Should -BeTrue
        $broken = $false
        if (-not (Test-Loopback -Quiet -Count 1)) { $broken = $true }
        $broken | Should -BeFalse
    }

    It 'returns exactly one $false when any check fails' {
        $answer = @(Test-Loopback 127.0.0.1, 198.51.100.7 -Quiet -Count 1)
        $answer.Count | Should -Be 1
        $answer[0] | Should -BeOfType ([bool])
        $answer[0] | Should -BeFalse
    }
}

Describe 'Test-Loopback errors' {
    It 'rejects -<Name> <Value> at parameter binding, naming the value' -ForEach @(
        @{ Name = 'Port'; Value = 0 }, @{ Name = 'Port'; Value = 70000 }
        @{ Name = 'Count'; Value = 0 }, @{ Name = 'PayloadSize'; Value = 0 }
    ) {
        $arguments = @{ $Name = $Value }
        $output = $null
        $failure = $null
        try { $output = Test-Loopback 127.0.0.1 @arguments -ErrorAction Stop }
        catch { $failure = $_ }
        $output | Should -BeNullOrEmpty
        $failure | Should -Not -BeNullOrEmpty
        $failure.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        $failure.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $failure.Exception.Message | Should -Match "\b$Name\b"
        $failure.Exception.Message | Should -Match "\b$Value\b"
    }

    It 'a name that does not resolve gives a non-terminating error naming it, and the other targets are still tested' {
        if ($dnsSkipReason) { Set-ItResult -Skipped -Because $dnsSkipReason; return }
        $answer = Invoke-LoopbackDnsPwsh -Script @'
$r = @('no-such-host.invalid', '127.0.0.1' | Test-Loopback -Count 2 -TimeoutSeconds 1 -ErrorVariable failures -ErrorAction SilentlyContinue)
$after = 'the pipeline went on'
[pscustomobject]@{
    After = $after
    Errors = @($failures | ForEach-Object { [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; TargetObject = "$($_.TargetObject)"; Message = "$_" } })
    Results = @($r | ForEach-Object { [pscustomobject]@{ Target = $_.Target; Status = "$($_.Status)" } })
} | ConvertTo-Json -Depth 4 -Compress
'@
        $answer.After | Should -Be 'the pipeline went on'
        $errors = @($answer.Errors)
        $errors.Count | Should -Be 1
        $errors[0].Id | Should -BeLike 'NameNotResolved,*'
        $errors[0].Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be 'no-such-host.invalid'
        $errors[0].Message | Should -Match 'no-such-host\.invalid'
        $results = @($answer.Results)
        $results.Count | Should -Be 1
        $results[0].Target | Should -Be '127.0.0.1'
        $results[0].Status | Should -Be 'Success'
    }

    It '-Port with -Protocol <Protocol> is refused, and nothing connects' -ForEach @(@{ Protocol = 'Udp' }, @{ Protocol = 'Http' }) {
        $listener = [Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $output = $null
            $failure = $null
            try { $output = Test-Loopback 127.0.0.1 -Port $port -Protocol $Protocol -ErrorAction Stop }
            catch { $failure = $_ }
            $output | Should -BeNullOrEmpty
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -BeLike 'PortWithProtocol*'
            $failure.Exception.Message | Should -Match '-Port'
            $failure.Exception.Message | Should -Match $Protocol
            $listener.Pending() | Should -BeFalse -Because 'a refused call connects to nothing'
        }
        finally { $listener.Stop() }
    }
}

Describe 'Test-Loopback -Port against listeners this test opens' {
    It 'a service on 127.0.0.1 only: Success on 127.0.0.1, Refused on ::1, saying it listens on IPv4 only' {
        $listener = [Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $results = @(Test-Loopback -Port $port -TimeoutSeconds 2)
        }
        finally { $listener.Stop() }
        $v4 = @($results | Where-Object { "$($_.RemoteAddress)" -eq '127.0.0.1' })
        $v6 = @($results | Where-Object { "$($_.RemoteAddress)" -eq '::1' })
        $v4.Count | Should -BeGreaterThan 0
        $v6.Count | Should -BeGreaterThan 0
        foreach ($r in $results) { $r.Port | Should -Be $port }
        foreach ($r in $v4) { "$($r.Status)" | Should -Be 'Success' -Because $r.Diagnosis }
        foreach ($r in $v6) {
            "$($r.Status)" | Should -Be 'Refused'
            $r.Diagnosis | Should -Match 'IPv4 only'
            $r.Diagnosis | Should -Match '127\.0\.0\.1'
        }
    }

    It 'a service on ::1 only (IPv6Only): Success on ::1, Refused on 127.0.0.1, saying it listens on IPv6 only' {
        $listener = [Net.Sockets.TcpListener]::new([ipaddress]::IPv6Loopback, 0)
        $listener.Server.SetSocketOption([Net.Sockets.SocketOptionLevel]::IPv6, [Net.Sockets.SocketOptionName]::IPv6Only, $true)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $results = @(Test-Loopback -Port $port -TimeoutSeconds 2)
        }
        finally { $listener.Stop() }
        $v4 = @($results | Where-Object { "$($_.RemoteAddress)" -eq '127.0.0.1' })
        $v6 = @($results | Where-Object { "$($_.RemoteAddress)" -eq '::1' })
        $v4.Count | Should -BeGreaterThan 0
        $v6.Count | Should -BeGreaterThan 0
        foreach ($r in $v6) { "$($r.Status)" | Should -Be 'Success' -Because $r.Diagnosis }
        foreach ($r in $v4) {
            "$($r.Status)" | Should -Be 'Refused'
            $r.Diagnosis | Should -Match 'IPv6 only'
            $r.Diagnosis | Should -Match '::1'
        }
    }

    It 'nothing listening: Refused on both families, in under 2 s' {
        $listener = [Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Test-Loopback -Port $port -TimeoutSeconds 5)
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 2
        @($results | ForEach-Object { "$($_.AddressFamily)" } | Sort-Object -Unique) | Should -Be @('IPv4', 'IPv6')
        foreach ($r in $results) {
            "$($r.Status)" | Should -Be 'Refused'
            $r.Succeeded | Should -BeFalse
            $r.Diagnosis | Should -Match "$port"
        }
        @(Test-Loopback -Port $port -Quiet) | Should -Be @($false)
    }
}

Describe 'Test-Loopback -Detailed' {
    It 'Steps: route lookup, connect, send, server receive, reply, client receive, in increasing time (<Protocol>)' -ForEach @(
        @{ Protocol = 'Tcp' }, @{ Protocol = 'Udp' }, @{ Protocol = 'Http' }
    ) {
        # The first round trip's steps, fifty times per family: the order must hold every time, not by luck
        # (two threads stamp steps; a step stamped after its socket call returns can come out of order).
        $problems = foreach ($address in '127.0.0.1', '::1') {
            foreach ($i in 1..50) {
                $r = @(Test-Loopback $address -Protocol $Protocol -Count 1 -Detailed)
                if ($r.Count -ne 1 -or "$($r[0].Status)" -ne 'Success') { "$Protocol ${address}: not one successful result"; continue }
                Get-StepOrderProblem -Result $r[0]
            }
        }
        @($problems) | Select-Object -First 5 | Should -BeNullOrEmpty
    }

    It 'without -Detailed there are no steps and no counters' {
        $r = @(Test-Loopback 127.0.0.1 -Count 1)[0]
        @($r.Steps).Count | Should -Be 0
        @($r.InterfaceCounters).Count | Should -Be 0
    }

    It 'InterfaceCounters: 200 x 8 KiB went through the loopback interface, and through no other' {
        $bytes = 2L * 200 * 8192  # each payload crosses lo twice: there and back
        $attempts = foreach ($attempt in 1..5) {
            $outside = @{}
            foreach ($i in Get-NetInterfaceInfo) { $outside[$i.Name] = $i }
            $r = @(Test-Loopback 127.0.0.1 -Count 200 -PayloadSize 8192 -Detailed)[0]
            $after = @{}
            foreach ($i in Get-NetInterfaceInfo) { $after[$i.Name] = $i }
            "$($r.Status)" | Should -Be 'Success' -Because $r.Diagnosis
            $lo = @($r.InterfaceCounters | Where-Object IsLoopback)
            $lo.Count | Should -Be 1
            $lo[0].InterfaceAlias | Should -Be $loopbackName
            $lo[0].SentBytes | Should -BeGreaterOrEqual $bytes
            $lo[0].ReceivedBytes | Should -BeGreaterOrEqual $bytes
            # The cmdlet's deltas are real: no larger than what the counters moved around the whole call.
            $lo[0].SentBytes | Should -BeLessOrEqual ([long]($after[$loopbackName].SentBytes - $outside[$loopbackName].SentBytes))
            # Other interfaces: this machine may have other traffic at the same moment, so a try passes when
            # every other interface moved less than 64 KiB (the test moved 3.2 MB); five tries at most.
            $noisy = @($r.InterfaceCounters | Where-Object { -not $_.IsLoopback -and ($_.SentBytes -ge 64KB -or $_.ReceivedBytes -ge 64KB) })
            [pscustomobject]@{ Clean = $noisy.Count -eq 0; Noisy = ($noisy | ForEach-Object { "$_" }) -join '; ' }
            if ($noisy.Count -eq 0) { break }
            Start-Sleep -Milliseconds 500
        }
        @($attempts | Where-Object Clean).Count | Should -Be 1 -Because "a non-loopback interface grew in every try: $(@($attempts.Noisy) -join ' | ')"
    }
}

Describe 'Test-Loopback stopping (Ctrl+C)' {
    It 'stops a 10,000,000-round-trip <Protocol> run within seconds, and closes what it opened' -ForEach @(
        @{ Protocol = 'Tcp' }, @{ Protocol = 'Udp' }, @{ Protocol = 'Http' }
    ) {
        if ($fdSkipReason) { Set-ItResult -Skipped -Because $fdSkipReason; return }
        # A first runspace allocates what the runtime keeps for later ones; count after it.
        $warm = [powershell]::Create()
        $null = $warm.AddScript("Import-Module '$module'; Test-Loopback 127.0.0.1 -Count 1 -Protocol $Protocol")
        $null = $warm.Invoke()
        $warm.Dispose()
        $before = Get-FdCount

        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("`$ProgressPreference = 'Continue'; Import-Module '$module'; Test-Loopback 127.0.0.1 -Count 10000000 -Protocol $Protocol")
            $running = $shell.BeginInvoke()
            Start-Sleep -Milliseconds 1000
            "$($shell.InvocationStateInfo.State)" | Should -Be 'Running' -Because "the run should still be going after 1 s: $($shell.InvocationStateInfo.Reason)"
            $during = Get-FdCount
            $during | Should -BeGreaterThan $before -Because 'the listener and the client are open while it runs'

            $clock = [Diagnostics.Stopwatch]::StartNew()
            $stopping = $shell.BeginStop($null, $null)
            $stopped = $stopping.AsyncWaitHandle.WaitOne(5000)
            $clock.Stop()
            $stopped | Should -BeTrue -Because 'Stop() must end the run within 5 s'
            $shell.EndStop($stopping)
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            "$($shell.InvocationStateInfo.State)" | Should -Be 'Stopped'
            $running.IsCompleted | Should -BeTrue
        }
        finally {
            if ("$($shell.InvocationStateInfo.State)" -eq 'Running') { $shell.Stop() }
            $shell.Dispose()
        }
        Wait-FdCount -Baseline $before | Should -BeLessOrEqual ($before + 2) -Because "the process had $before sockets before the run and $during during it"
    }
}

Describe 'Test-Loopback under load' {
    It '32 concurrent calls all return $true' {
        $answers = @(1..32 | ForEach-Object -Parallel {
                Import-Module $using:module
                Test-Loopback 127.0.0.1 -Count 50 -Quiet
            } -ThrottleLimit 32 -TimeoutSeconds 120)
        $answers.Count | Should -Be 32
        @($answers | Where-Object { $_ -is [bool] -and $_ }).Count | Should -Be 32
    }

    It 'leaks no file descriptors over 10,000 round trips and 150 listeners' {
        if ($fdSkipReason) { Set-ItResult -Skipped -Because $fdSkipReason; return }
        $null = Test-Loopback 127.0.0.1 -Count 1
        $null = Test-Loopback ::1 -Count 1 -Protocol Udp
        $null = Test-Loopback 127.0.0.1 -Count 1 -Protocol Http
        $before = Get-FdCount

        $results = @(
            foreach ($i in 1..40) { Test-Loopback 127.0.0.1 -Count 100 -PayloadSize 64 }
            foreach ($i in 1..30) { Test-Loopback ::1 -Count 100 -PayloadSize 64 -Protocol Udp }
            foreach ($i in 1..30) { Test-Loopback 127.0.0.1 -Count 100 -PayloadSize 64 -Protocol Http }
        )
        # And 50 port probes that are refused, each a socket opened and closed.
        $closed = [Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $closed.Start(); $port = $closed.LocalEndpoint.Port; $closed.Stop()
        $refused = @(foreach ($i in 1..50) { Test-Loopback 127.0.0.1 -Port $port })

        @($results | Where-Object { "$($_.Status)" -ne 'Success' }).Count | Should -Be 0
        ($results | Measure-Object RoundTrips -Sum).Sum | Should -Be 10000
        @($refused | Where-Object { "$($_.Status)" -ne 'Refused' }).Count | Should -Be 0
        Wait-FdCount -Baseline $before | Should -BeLessOrEqual ($before + 2) -Because "the process had $before sockets before"
    }
}

Describe 'Test-Loopback round trips run on blocking sockets' {
    # A socket left non-blocking after connect makes every receive fail with EAGAIN and wait through the
    # runtime's event thread: 40% slower than C (bench/Measure-LoopbackLatency.ps1). strace shows it.
    It 'no receive in a 1,000-round-trip run comes back EAGAIN' -Skip:(-not ($IsLinux -and (Get-Command strace -ErrorAction Ignore))) {
        $log = [IO.Path]::GetTempFileName()
        try {
            $env:PSLOOPBACK_MODULE = Get-ModuleUnderTest
            & strace -f -e trace=recvfrom,recvmsg,read -o $log @(Get-PwshCommand) -NoProfile -NonInteractive -Command 'Import-Module $env:PSLOOPBACK_MODULE; $r = Test-Loopback 127.0.0.1 -Count 1000 -Protocol Tcp; if (-not $r.Succeeded) { exit 3 }' | Out-Null
            $LASTEXITCODE | Should -Be 0
            # .NET receives with recvmsg; a blocked call's result may come on a later "<... recvmsg resumed>" line.
            @(Get-Content $log | Where-Object { $_ -match '^\d+\s+recvmsg\(' }).Count | Should -BeGreaterOrEqual 2000 -Because 'the control: the round trips were traced'
            @(Get-Content $log | Where-Object { $_ -match 'recv(msg|from).*EAGAIN' }) | Should -BeNullOrEmpty
        }
        finally { Remove-Item $log -ErrorAction Ignore }
    }
}

Describe 'Test-Loopback help' {
    BeforeAll {
        $script:help = Get-Help Test-Loopback -Full
    }

    It 'has at least three examples, one of them the admin-script if (-not (Test-Loopback -Quiet))' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 3
        @($examples | Where-Object { $_.code -match 'if\s*\(\s*-not\s*\(\s*Test-Loopback\b[^)]*-Quiet\s*\)\s*\)' }).Count | Should -BeGreaterOrEqual 1
        foreach ($example in $examples) {
            (@($example.remarks | ForEach-Object Text) -join '').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' should say what it does"
        }
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $parameters = @((Get-Command Test-Loopback).Parameters.Keys | Where-Object { $_ -notin $common })
        $parameters | Should -Contain 'Target'
        foreach ($name in $parameters) {
            $entry = @($help.parameters.parameter | Where-Object name -EQ $name)
            $entry.Count | Should -Be 1 -Because "-$name should be in the help"
            (@($entry[0].description | ForEach-Object Text) -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$name should be described"
        }
    }
}
