# Test-Loopback -Port names the server, live: listeners opened by a bounded child pwsh inside a network
# namespace this file builds (pslb-lsn-*), on 127.0.0.1 only, ::1 only, :: with and without IPV6_V6ONLY,
# 0.0.0.0, a LAN address (on a veth pair inside the namespace), 0.0.0.0 bound to the veth (SO_BINDTODEVICE), and nothing on the port
# while the same process listens on the next one. The
# cmdlet runs in a fresh pwsh in the same namespace, with a private /etc/hosts where localhost resolves to
# ::1 first. Needs root (namespaces and bind mounts); elsewhere each test is skipped, saying why.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    if (-not $skipReason) { $script:skipReason = Get-MountNamespaceUnavailableReason }
    $script:port = 3000
    $script:hosts = "::1`tlocalhost`n127.0.0.1`tlocalhost`n"
    $script:namespace = "pslb-lsn-$PID"

    function Start-Listener {
        <#
            A child pwsh in the namespace that listens on each endpoint ('address' or 'address v6only' or
            'address dual', or 'address dev:<device>' bound to that device with SO_BINDTODEVICE), says
            'ready <pid> <name>' and exits by itself after $Seconds. Returns the
            process, its pid and the name the OS gives it; the caller kills it in finally.
        #>
        param([Parameter(Mandatory)][string[]]$Endpoint, [int]$Port = $script:port, [int]$Seconds = 60)
        $opens = foreach ($e in $Endpoint) {
            $address, $mode = $e -split ' '
            $v6 = ([ipaddress]$address).AddressFamily -eq 'InterNetworkV6'
            "`$s = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::$(if ($v6) { 'InterNetworkV6' } else { 'InterNetwork' }), [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Tcp)"
            if ($v6) { "`$s.SetSocketOption([Net.Sockets.SocketOptionLevel]::IPv6, [Net.Sockets.SocketOptionName]::IPv6Only, `$$($mode -ne 'dual'))" }
            # SOL_SOCKET (1), SO_BINDTODEVICE (25), the device's name ending in NUL.
            if ($mode -like 'dev:*') { "`$s.SetRawSocketOption(1, 25, [Text.Encoding]::ASCII.GetBytes('$($mode.Substring(4))' + [char]0))" }
            "`$s.Bind([Net.IPEndPoint]::new([ipaddress]'$address', $Port)); `$s.Listen(16); `$sockets.Add(`$s)"
        }
        $script = "`$sockets = [Collections.Generic.List[object]]::new()`n$($opens -join "`n")`n'ready ' + `$PID + ' ' + (Get-Process -Id `$PID).ProcessName`nStart-Sleep -Seconds $Seconds"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $start = [Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($a in @('netns', 'exec', $namespace) + @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $start.ArgumentList.Add($a) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        $line = $process.StandardOutput.ReadLineAsync()
        if (-not $line.Wait(30000) -or $line.Result -notmatch '^ready (\d+) (\S+)$') {
            $process.Kill($true)
            throw "The listener on $($Endpoint -join ', ') did not start: $($line.Result) $($process.StandardError.ReadToEnd())"
        }
        [pscustomobject]@{ Process = $process; Id = [int]$Matches[1]; Name = $Matches[2] }
    }

    function Stop-Listener {
        param($Listener)
        if ($Listener -and -not $Listener.Process.HasExited) { $Listener.Process.Kill($true); $null = $Listener.Process.WaitForExit(10000) }
    }

    function Invoke-TestLoopback {
        <# Test-Loopback in a fresh pwsh in the namespace, localhost resolving to ::1 first: its results, warnings, and the default view at 80 and 120 columns. #>
        param([string]$Arguments = "-Port $script:port -Count 1 -TimeoutSeconds 1 -Detailed")
        $script = @"
Import-Module '$(Get-ModuleUnderTest)'
`$ProgressPreference = 'SilentlyContinue'
`$w = `$null
`$out = @(Test-Loopback $Arguments -WarningVariable w -WarningAction SilentlyContinue)
[pscustomobject]@{
    Results = @(`$out | ForEach-Object { [pscustomobject]@{ Target = `$_.Target; RemoteAddress = `$_.RemoteAddress; Status = `$_.Status; Diagnosis = `$_.Diagnosis
        ListenerPid = `$_.Listener.OwningProcess; ListenerName = `$_.Listener.ProcessName; ListenerAddress = `$_.Listener.LocalAddress; Exposure = `$_.Listener.Exposure
        Listeners = @(`$_.Listeners | ForEach-Object { "`$_" }); Steps = @(`$_.Steps | ForEach-Object { "`$(`$_.Name): `$(`$_.Detail)" }) } })
    Warnings = @(`$w | ForEach-Object { "`$_" })
    View80 = (`$out | Out-String -Width 80)
    View120 = (`$out | Out-String -Width 120)
} | ConvertTo-Json -Depth 5 -Compress
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $result = Invoke-WithPrivateFile -Namespace $namespace -File @{ '/etc/hosts' = $script:hosts } -Command $pwsh -TimeoutSeconds 60
        if ($result.ExitCode -ne 0) { throw "Test-Loopback in $namespace failed (exit $($result.ExitCode)): $($result.Error)" }
        $answer = $result.Output | ConvertFrom-Json
        $answer.Results = @($answer.Results); $answer.Warnings = @($answer.Warnings)
        $answer
    }

    function Get-ByAddress { param($Answer, [string]$Address) @($Answer.Results | Where-Object RemoteAddress -EQ $Address) }

    function Assert-ViewWhole {
        <# The default view at both widths: no line wider than the terminal, and the diagnosis words all there, in order. #>
        param($Answer)
        foreach ($width in 80, 120) {
            $view = $Answer."View$width"
            foreach ($line in $view -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual $width -Because "a line of the view at $width columns: '$line'" }
            $flat = ($view -replace '\s+', ' ')
            foreach ($r in $Answer.Results | Where-Object Diagnosis) { $flat | Should -Match ([regex]::Escape(($r.Diagnosis -replace '\s+', ' '))) }
        }
    }

    if ($skipReason) { Write-Host "Skipping the Test-Loopback listener tests: $skipReason." -ForegroundColor Yellow; return }
    & ip netns del $namespace 2>$null
    Invoke-Ip netns add $namespace | Out-Null
    try {
        Invoke-Ip -n $namespace link set lo up | Out-Null
        # A veth pair inside the namespace gives it a LAN address that no other host shares.
        Invoke-Ip -n $namespace link add v0 type veth peer name v1 | Out-Null
        Invoke-Ip -n $namespace addr add 192.0.2.10/24 dev v0 | Out-Null
        Invoke-Ip -n $namespace link set v0 up | Out-Null
        Invoke-Ip -n $namespace link set v1 up | Out-Null
    }
    catch { & ip netns del $namespace 2>$null; throw }
}

AfterAll {
    if (-not $skipReason) { & ip netns del $namespace 2>$null }
}

Describe 'Test-Loopback -Port names the server that listens' {
    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $script:listener = $null
    }
    AfterEach { Stop-Listener $listener }

    It '127.0.0.1 only: ::1 is refused, naming the process, its pid and address, localhost''s ::1-first order and the advice; -Detailed ends at the server' {
        $script:listener = Start-Listener '127.0.0.1'
        $answer = Invoke-TestLoopback
        $answer.Warnings | Should -BeNullOrEmpty -Because 'a loopback-only listener is not exposed'
        $v6 = Get-ByAddress $answer '::1'
        $v6.Count | Should -BeGreaterThan 0
        foreach ($r in $v6) {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "$($listener.Name) (pid $($listener.Id)) listens on 127.0.0.1:3000, not on ``[::1``]:3000; localhost resolves to ::1 first here*it listens on IPv4 only; make it listen on both 127.0.0.1 and ::1*connect to 127.0.0.1:3000."
            $r.ListenerPid | Should -BeNullOrEmpty
            @($r.Listeners) | Should -Be @("$($listener.Name) (pid $($listener.Id)) on 127.0.0.1:3000")
        }
        foreach ($r in Get-ByAddress $answer '127.0.0.1') {
            $r.Status | Should -Be 'Success' -Because $r.Diagnosis
            $r.ListenerPid | Should -Be $listener.Id
            $r.ListenerName | Should -Be $listener.Name
            $r.Steps[-1] | Should -Be "server process: $($listener.Name) (pid $($listener.Id)) listening on 127.0.0.1:3000 (backlog 16)"
        }
        $ss = & ip netns exec $namespace ss -ltnpH 'sport = :3000'
        "$ss" | Should -Match "pid=$($listener.Id)," -Because 'ss names the same process'
        Assert-ViewWhole $answer
        $answer.View80 | Should -Match ([regex]::Escape("Tcp port 3000 ($($listener.Name) pid $($listener.Id))"))
    }

    It '::1 only: 127.0.0.1 is refused, saying most clients work since localhost prefers ::1, and to connect to [::1]:3000' {
        $script:listener = Start-Listener '::1 v6only'
        $answer = Invoke-TestLoopback
        $answer.Warnings | Should -BeNullOrEmpty
        foreach ($r in Get-ByAddress $answer '127.0.0.1') {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "$($listener.Name) (pid $($listener.Id)) listens on ``[::1``]:3000, not on 127.0.0.1:3000; localhost resolves to ::1 first here, so most clients work, but any that pick 127.0.0.1 fail: it listens on IPv6 only; make it listen on both 127.0.0.1 and ::1, or connect to ``[::1``]:3000."
        }
        foreach ($r in Get-ByAddress $answer '::1') { $r.Status | Should -Be 'Success'; $r.ListenerPid | Should -Be $listener.Id }
        Assert-ViewWhole $answer
    }

    It ':: without IPV6_V6ONLY takes both families, and the warning says other hosts can reach it' {
        $script:listener = Start-Listener ':: dual'
        $answer = Invoke-TestLoopback
        foreach ($r in $answer.Results) {
            $r.Status | Should -Be 'Success' -Because "$($r.RemoteAddress): $($r.Diagnosis)"
            $r.ListenerPid | Should -Be $listener.Id
            $r.ListenerAddress | Should -Be '::'
            $r.Exposure | Should -Be 'AllInterfaces'
            $r.Steps[-1] | Should -BeLike "server process: $($listener.Name) (pid $($listener.Id)) listening on ``[::``]:3000 (IPv4 too)*"
        }
        @($answer.Warnings) | Should -Be @("$($listener.Name) (pid $($listener.Id)) listens on [::]:3000 (IPv4 too): other hosts can reach it through every interface, not only this machine, unless a firewall stops them. If only this machine should use it, make it listen on 127.0.0.1 and ::1 instead.")
    }

    It ':: with IPV6_V6ONLY: 127.0.0.1 is refused, naming IPV6_V6ONLY and Linux''s bindv6only, and it is exposed' {
        $script:listener = Start-Listener ':: v6only'
        $answer = Invoke-TestLoopback
        foreach ($r in Get-ByAddress $answer '127.0.0.1') {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "$($listener.Name) (pid $($listener.Id)) listens on ``[::``]:3000 (IPv6 only), not on 127.0.0.1:3000;*takes no IPv4: clear IPV6_V6ONLY*net.ipv6.bindv6only*connect to ``[::1``]:3000."
            $r.Diagnosis | Should -Not -Match 'DualMode' -Because 'the advice is Linux''s here'
        }
        @($answer.Warnings).Count | Should -Be 1
        $answer.Warnings[0] | Should -BeLike '*listens on `[::`]:3000 (IPv6 only): other hosts can reach it through every interface*'
        Assert-ViewWhole $answer
    }

    It '0.0.0.0: IPv4 works through the wildcard, ::1 is refused, and the warning says other hosts can reach it' {
        $script:listener = Start-Listener '0.0.0.0'
        $answer = Invoke-TestLoopback
        foreach ($r in Get-ByAddress $answer '127.0.0.1') { $r.Status | Should -Be 'Success'; $r.ListenerAddress | Should -Be '0.0.0.0'; $r.ListenerPid | Should -Be $listener.Id }
        foreach ($r in Get-ByAddress $answer '::1') {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "$($listener.Name) (pid $($listener.Id)) listens on 0.0.0.0:3000, not on ``[::1``]:3000; localhost resolves to ::1 first here*"
        }
        @($answer.Warnings) | Should -Be @("$($listener.Name) (pid $($listener.Id)) listens on 0.0.0.0:3000: other hosts can reach it through every interface, not only this machine, unless a firewall stops them. If only this machine should use it, make it listen on 127.0.0.1 instead.")
    }

    It 'a LAN address only: loopback is refused, saying to connect to 192.0.2.10:3000, and that hosts reaching it can connect' {
        $script:listener = Start-Listener '192.0.2.10'
        $answer = Invoke-TestLoopback
        foreach ($r in $answer.Results) {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "$($listener.Name) (pid $($listener.Id)) listens on 192.0.2.10:3000, not on *: make it listen on * too, or connect to 192.0.2.10:3000."
        }
        @($answer.Warnings) | Should -Be @("$($listener.Name) (pid $($listener.Id)) listens on 192.0.2.10:3000: hosts that can reach 192.0.2.10 can connect to it, not only this machine, unless a firewall stops them. If only this machine should use it, make it listen on 127.0.0.1 instead.")
        $own = Invoke-TestLoopback '192.0.2.10 -Port 3000 -Count 1 -TimeoutSeconds 1'
        $own.Results[0].Status | Should -Be 'Success'
        $own.Results[0].ListenerPid | Should -Be $listener.Id
        $own.Warnings | Should -BeNullOrEmpty -Because 'the user asked about the LAN address itself, not loopback'
    }

    It 'bound to v0 (SO_BINDTODEVICE): a connect to v0''s own address reaches it and the step names the device; loopback is refused, saying why' {
        $script:listener = Start-Listener '0.0.0.0 dev:v0'
        $own = Invoke-TestLoopback '192.0.2.10 -Port 3000 -Count 1 -TimeoutSeconds 1 -Detailed'
        $own.Results[0].Status | Should -Be 'Success' -Because $own.Results[0].Diagnosis
        $own.Results[0].ListenerPid | Should -Be $listener.Id
        $own.Results[0].Steps[-1] | Should -Be "server process: $($listener.Name) (pid $($listener.Id)) listening on 0.0.0.0:3000 on v0 (backlog 16)"
        $own.Warnings | Should -BeNullOrEmpty -Because 'the user asked about v0''s address itself, not loopback'
        $loopback = Invoke-TestLoopback '127.0.0.1 -Port 3000 -Count 1 -TimeoutSeconds 1'
        $loopback.Results[0].Status | Should -Be 'Refused'
        $loopback.Results[0].Diagnosis | Should -Be "$($listener.Name) (pid $($listener.Id)) listens on 0.0.0.0:3000 on v0, not on 127.0.0.1:3000: 0.0.0.0:3000 on v0 is bound to v0 (SO_BINDTODEVICE), so it takes only connections to v0's own addresses: connect to 192.0.2.10:3000, or drop the binding, or make it listen on 127.0.0.1 too."
        @($loopback.Warnings) | Should -Be @("$($listener.Name) (pid $($listener.Id)) listens on 0.0.0.0:3000 on v0: hosts on v0's network can reach it, not only this machine, unless a firewall stops them. If only this machine should use it, make it listen on 127.0.0.1 instead.")
        Assert-ViewWhole $loopback
    }

    It 'nothing on the port: says so and names the same process listening on the next port' {
        $script:listener = Start-Listener '127.0.0.1', '::1 v6only' -Port 3001
        $answer = Invoke-TestLoopback
        $answer.Warnings | Should -BeNullOrEmpty
        $answer.Results.Count | Should -BeGreaterThan 1
        foreach ($r in $answer.Results) {
            $r.Status | Should -Be 'Refused'
            $r.Diagnosis | Should -BeLike "Nothing listens on TCP port 3000 on any address of this host, so the connection to * was refused. The nearest ports root's processes listen on: $($listener.Name) (pid $($listener.Id)) on 127.0.0.1:3001 and ``[::1``]:3001. Is the service set to another port?"
            @($r.Listeners) | Should -BeNullOrEmpty
        }
        Assert-ViewWhole $answer
    }

    It '-Quiet reads no sockets and still answers one Boolean' {
        $script:listener = Start-Listener '127.0.0.1'
        $result = Invoke-WithPrivateFile -Namespace $namespace -File @{ '/etc/hosts' = $script:hosts } -TimeoutSeconds 60 -Command (@(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$(Get-ModuleUnderTest)'; `$o = @(Test-Loopback -Port 3000 -Count 1 -TimeoutSeconds 1 -Quiet -Verbose 4>&1 3>&1); `$o | ForEach-Object { `"`$_`" }"))
        $lines = @($result.Output -split "`n" | Where-Object { $_ })
        $lines[-1] | Should -Be 'False' -Because '::1 is refused'
        $lines | Should -Not -Match 'listening TCP sockets' -Because 'the listeners do not change the Boolean, so they are not read'
    }
}
