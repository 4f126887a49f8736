# Get-NetSocketInfo against ss -tuanpe: on this host (the sockets both ss reads around ours agree on), and in a
# namespace whose every socket is known: listeners on 127.0.0.1, ::1, :: with and without IPV6_V6ONLY, 0.0.0.0,
# one bound to a device, a UDP socket, and 2,000 connections. Then the filters, the pipeline, the exports, jobs,
# the views and bad input.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:noSs = if (-not $IsLinux) { 'ss and sock_diag are Linux''s' } elseif (-not (Get-Command ss -ErrorAction Ignore)) { 'iproute2''s ss is not installed' } else { $null }
    $script:noNamespace = if ($noSs) { $noSs } else { Get-NetnsUnavailableReason }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/SocketHosts.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force

    # Our sockets from a fresh pwsh (in a namespace when named), flattened to what ss shows.
    function Get-OurSocket([string]$Namespace, [string]$Command = 'Get-NetSocketInfo') {
        $script = "@($Command | ForEach-Object { [pscustomobject]@{ Protocol = `$_.Protocol; State = `$_.State; SsState = (-split `$_.Text)[1]; ReceiveQueue = `$_.ReceiveQueue; SendQueue = `$_.SendQueue; LocalAddress = `$_.LocalAddress; LocalPort = `$_.LocalPort; Device = `$_.BoundInterfaceAlias; RemoteAddress = `$_.RemoteAddress; RemotePort = `$_.RemotePort; OwningProcess = `$_.OwningProcess; ProcessName = `$_.ProcessName; Uid = `$_.Uid; Inode = `$_.Inode; IPv6Only = `$_.IPv6Only; TakesIPv4 = `$_.TakesIPv4; Exposure = `$_.Exposure; Text = `$_.Text } }) | ConvertTo-Json -Depth 3 -AsArray"
        $result = Invoke-FreshPwsh -Namespace $Namespace -Script $script -TimeoutSeconds 120
        if ($result.ExitCode -ne 0) { throw "'$Command' failed (exit $($result.ExitCode)): $($result.Error)" }
        @($result.Output | ConvertFrom-Json)
    }

    function Get-SocketKey($Socket) {
        $device = if ($Socket.Device) { $Socket.Device } else { '' }
        $inode = if ($Socket.Inode) { $Socket.Inode } else { 0 }
        "$("$($Socket.Protocol)".ToLowerInvariant()) $($Socket.LocalAddress) $($Socket.LocalPort) $device $($Socket.RemoteAddress) $($Socket.RemotePort) ino $inode"
    }

    <#
        Each socket both ss reads hold against ours: present, the same state, owner pid, uid, inode, v6only and,
        where both reads agree, queues. With -Exact, ours must also hold nothing else. One line per difference.
    #>
    function Compare-SocketWithSs([object[]]$Ours, [object[]]$Before, [object[]]$After, [switch]$Exact) {
        $problems = [System.Collections.Generic.List[string]]::new()
        $ourByKey = @{}; foreach ($o in $Ours) { $ourByKey[(Get-SocketKey $o)] = $o }
        $afterByKey = @{}; foreach ($a in $After) { $afterByKey[(Get-SocketKey $a)] = $a }
        $compared = 0
        foreach ($ss in $Before) {
            $key = Get-SocketKey $ss
            $later = $afterByKey[$key]
            if (-not $later) { continue }
            $o = $ourByKey[$key]
            if (-not $o) { $problems.Add("missing: $($ss.Line)"); continue }
            $compared++
            if ($ss.State -eq $later.State -and $o.SsState -ne $ss.State) { $problems.Add("${key}: state ss=$($ss.State) ours=$($o.SsState) ($($o.State))") }
            foreach ($queue in 'ReceiveQueue', 'SendQueue') {
                $ourQueue = if ($null -eq $o.$queue) { 0 } else { $o.$queue }
                if ($ss.$queue -eq $later.$queue -and $ourQueue -ne $ss.$queue) { $problems.Add("${key}: $queue ss=$($ss.$queue) ours=$($o.$queue)") }
            }
            $expectedPid = if ($ss.Pids.Count) { $ss.Pids } else { @() }
            if ($null -eq $o.OwningProcess) {
                if ($expectedPid.Count) { $problems.Add("${key}: owner ss=$($expectedPid -join ',') ours=none") }
            }
            elseif ($expectedPid -notcontains $o.OwningProcess) { $problems.Add("${key}: owner ss=$($expectedPid -join ',') ours=$($o.OwningProcess)") }
            # ss shows comm, cut at 15 bytes; ours is the full name then, as Get-Process gives it.
            $sameName = @($ss.Names | Where-Object { $_ -ceq $o.ProcessName -or ([Text.Encoding]::UTF8.GetByteCount($_) -eq 15 -and "$($o.ProcessName)".StartsWith($_, [StringComparison]::Ordinal)) }).Count
            if ($null -ne $o.OwningProcess -and $ss.Names.Count -and -not $sameName) { $problems.Add("${key}: name ss=$($ss.Names -join ',') ours=$($o.ProcessName)") }
            # Strict: no uid ($null, a time-wait or request socket) is not root's 0.
            if ("$($o.Uid)" -ne "$($ss.Uid)") { $problems.Add("${key}: uid ss=$($ss.Uid) ours=$($o.Uid)") }
            if (($o.IPv6Only -eq $true) -ne $ss.V6Only) { $problems.Add("${key}: v6only ss=$($ss.V6Only) ours=$($o.IPv6Only)") }
        }
        if ($Exact) {
            $ssKeys = @{}; foreach ($s in @($Before) + @($After)) { $ssKeys[(Get-SocketKey $s)] = $true }
            foreach ($key in $ourByKey.Keys) { if (-not $ssKeys[$key]) { $problems.Add("extra: $($ourByKey[$key].Text)") } }
            if (@($Ours).Count -ne @($Before).Count) { $problems.Add("count: ss=$(@($Before).Count) ours=$(@($Ours).Count)") }
        }
        if ($compared -eq 0) { $problems.Add('no socket was in both ss reads: nothing was compared') }
        $problems
    }
}

Describe 'Get-NetSocketInfo: the module' {
    It 'exports the cmdlet with its output type' {
        $command = Get-Command Get-NetSocketInfo
        $command.CommandType | Should -Be 'Cmdlet'
        $command.OutputType.Name | Should -Contain 'PSLoopback.Output.NetSocket'
    }

    It 'takes pids as Id and Pid, and both pids and process names from the pipeline by property name' {
        $parameters = (Get-Command Get-NetSocketInfo).Parameters
        $parameters.OwningProcess.Aliases | Should -Be 'Id', 'Pid'
        foreach ($name in 'OwningProcess', 'ProcessName') {
            @($parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
        }
    }

    It 'has full help with examples' {
        $help = Get-Help Get-NetSocketInfo -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
        (($help.parameters.parameter | Where-Object name -EQ 'LocalAddress').description.Text -join ' ') | Should -Match '0\.0\.0\.0 is the IPv4 wildcard'
        ($help | Out-String) | Should -Match 'sock_diag'
    }

    It 'completes process names' {
        $completion = TabExpansion2 -inputScript 'Get-NetSocketInfo -ProcessName ' -cursorColumn 31
        @($completion.CompletionMatches).Count | Should -BeGreaterThan 0
    }

    It 'refuses a port out of range, naming it' {
        { Get-NetSocketInfo -LocalPort 70000 } | Should -Throw '*70000*'
        { Get-NetSocketInfo -RemotePort -1 } | Should -Throw '*-1*'
    }
}

Describe 'Get-NetSocketInfo on this host, against ss -tuanpe' -Skip:([bool]$noSs) {
    It 'gives every socket both ss reads around ours hold, with its state, queues, owner, uid and inode' {
        $before = @(Get-SsSocket)
        $ours = @(Get-OurSocket)
        $after = @(Get-SsSocket)
        $problems = @(Compare-SocketWithSs $ours $before $after)
        $problems | Should -BeNullOrEmpty -Because "ss read $($before.Count) and $($after.Count) sockets, we $($ours.Count)"
    }
}

Describe 'Get-NetSocketInfo in a namespace with known sockets' -Skip:([bool]$noNamespace) {
    BeforeAll {
        Remove-StaleSocketHost
        $script:socketHost = New-SocketHost -Tag cmd
        $script:ns = $socketHost.Namespace
        $script:listener = Start-SocketListener -Namespace $ns -Seconds 600 -Socket @(
            @{ Protocol = 'Tcp'; Address = '127.0.0.1'; Port = 3001 }
            @{ Protocol = 'Tcp'; Address = '::1'; Port = 3002 }
            @{ Protocol = 'Tcp'; Address = '::'; Port = 3003; IPv6Only = $false }
            @{ Protocol = 'Tcp'; Address = '::'; Port = 3004; IPv6Only = $true }
            @{ Protocol = 'Tcp'; Address = '0.0.0.0'; Port = 3005 }
            @{ Protocol = 'Tcp'; Address = '0.0.0.0'; Port = 3006; Device = $socketHost.Device }
            @{ Protocol = 'Udp'; Address = '0.0.0.0'; Port = 3007 }
            @{ Protocol = 'Tcp'; Address = $socketHost.IPv6; Port = 3008 }
            @{ Protocol = 'Tcp'; Address = '127.0.0.1'; Port = 3010; Connections = 2000 }
        )
        $script:ssBefore = @(Get-SsSocket -Namespace $ns)
        $script:ours = @(Get-OurSocket -Namespace $ns)
        $script:ssAfter = @(Get-SsSocket -Namespace $ns)
        $script:listenerName = @($ssBefore | Where-Object { $_.Pids -contains $listener.Pid } | ForEach-Object Names | Select-Object -Unique)[0]
    }

    AfterAll {
        $listener | Stop-SocketListener
        Remove-SocketHost
    }

    It 'equals ss -tuanpe exactly: every socket, its state, addresses, ports, owner, queues' {
        $ssBefore.Count | Should -Be 4009 -Because '9 listeners and 2,000 connections with both their ends'
        $problems = @(Compare-SocketWithSs $ours $ssBefore $ssAfter -Exact)
        $problems | Should -BeNullOrEmpty
    }

    It 'counts the 2,000 connections and their states as ss does' {
        $ourConnections = @($ours | Where-Object { $_.LocalPort -eq 3010 -or $_.RemotePort -eq 3010 } | Where-Object State -EQ 'Established')
        $ssConnections = @($ssBefore | Where-Object { $_.LocalPort -eq 3010 -or $_.RemotePort -eq 3010 } | Where-Object State -EQ 'ESTAB')
        $ourConnections.Count | Should -Be 4000
        $ourConnections.Count | Should -Be $ssConnections.Count
        @($ours | Group-Object SsState | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object) |
            Should -Be @($ssBefore | Group-Object State | ForEach-Object { "$($_.Name)=$($_.Count)" } | Sort-Object)
    }

    It 'says who can reach each listener, and which take IPv4' {
        $byPort = @{}; foreach ($o in $ours | Where-Object State -EQ 'Listen') { $byPort[[int]$o.LocalPort] = $o }
        $expected = @{
            3001 = 'LoopbackOnly 127.0.0.1 False'; 3002 = 'LoopbackOnly ::1 False'; 3003 = 'AllInterfaces :: True'
            3004 = 'AllInterfaces :: False'; 3005 = 'AllInterfaces 0.0.0.0 False'; 3006 = 'Interface 0.0.0.0 False'
            3007 = 'AllInterfaces 0.0.0.0 False'; 3008 = "Interface $($socketHost.IPv6) False"
        }
        foreach ($port in $expected.Keys) {
            "$($byPort[$port].Exposure) $($byPort[$port].LocalAddress) $($byPort[$port].TakesIPv4)" | Should -Be $expected[$port] -Because "port $port"
        }
        $byPort[3003].IPv6Only | Should -BeFalse
        $byPort[3004].IPv6Only | Should -BeTrue
        $byPort[3005].IPv6Only | Should -BeNullOrEmpty
        $byPort[3006].Device | Should -Be $socketHost.Device
        $byPort[3007].Protocol | Should -Be 'Udp'
        $byPort[3001].OwningProcess | Should -Be $listener.Pid
        $byPort[3001].Text | Should -Be "tcp LISTEN 0 4096 127.0.0.1:3001 0.0.0.0:* users:((`"$listenerName`",pid=$($listener.Pid))) uid:0 ino:$($byPort[3001].Inode)"
        $byPort[3003].Text | Should -Match '^tcp LISTEN 0 4096 \*:3003 \*:\* .* v6only:0$'
        $byPort[3006].Text | Should -Match "^tcp LISTEN 0 4096 0\.0\.0\.0%$($socketHost.Device):3006 0\.0\.0\.0:\* "
    }

    It 'filters by protocol, state, port, address, prefix and owner' {
        $script = @'
[pscustomobject]@{
    Udp = @(Get-NetSocketInfo -Protocol Udp).LocalPort
    Listen = @(Get-NetSocketInfo -State Listen).Count
    Ports = @(Get-NetSocketInfo -LocalPort 3001, 3002 | Sort-Object LocalPort).LocalPort
    Wildcard4 = @(Get-NetSocketInfo -LocalAddress '0.0.0.0' | Sort-Object LocalPort).LocalPort
    Wildcard6 = @(Get-NetSocketInfo -LocalAddress '::' | Sort-Object LocalPort).LocalPort
    WhereWildcard = @(Get-NetSocketInfo | Where-Object LocalAddress -eq '0.0.0.0' | Sort-Object LocalPort).LocalPort
    Prefix = @(Get-NetSocketInfo -State Listen -LocalAddress 127.0.0.0/8, ::1 | Sort-Object LocalPort).LocalPort
    Remote = @(Get-NetSocketInfo -RemotePort 3010).Count
    RemoteAddress = @(Get-NetSocketInfo -RemoteAddress 127.0.0.1).Count
    TimeWaitOrListen = @(Get-NetSocketInfo -State Listen, TimeWait -Protocol Tcp).Count
    ByPid = @(Get-NetSocketInfo -OwningProcess PID_HERE).Count
    ByName = @(Get-NetSocketInfo -ProcessName 'NAME_HERE*').Count
    ByNoName = @(Get-NetSocketInfo -ProcessName 'no-such-process').Count
} | ConvertTo-Json
'@ -replace 'PID_HERE', $listener.Pid -replace 'NAME_HERE', $listenerName.Substring(0, 3)
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.Udp | Should -Be 3007
        $answer.Listen | Should -Be 9
        $answer.Ports | Should -Be 3001, 3002
        $answer.Wildcard4 | Should -Be 3005, 3006, 3007
        $answer.Wildcard6 | Should -Be 3003, 3004
        $answer.WhereWildcard | Should -Be 3005, 3006, 3007
        $answer.Prefix | Should -Be 3001, 3002, 3010
        $answer.Remote | Should -Be 2000
        $answer.RemoteAddress | Should -Be 4000
        $answer.TimeWaitOrListen | Should -Be 8
        $answer.ByPid | Should -Be 4009
        $answer.ByName | Should -Be 4009
        $answer.ByNoName | Should -Be 0
    }

    It 'takes processes from Get-Process, reading the sockets once for all of them' {
        $script = @'
$verbose = @(Get-Process -Id PID_HERE, $PID | Get-NetSocketInfo -Verbose 4>&1)
$records = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
[pscustomobject]@{
    Sockets = @($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count
    Reads = @($records | Where-Object { "$_" -match '^Read \d+ sockets' }).Count
    ById = @([pscustomobject]@{ Id = PID_HERE } | Get-NetSocketInfo -LocalPort 3001).Count
    ByName = @([pscustomobject]@{ ProcessName = 'NAME_HERE' } | Get-NetSocketInfo -LocalPort 3001).Count
} | ConvertTo-Json
'@ -replace 'PID_HERE', $listener.Pid -replace 'NAME_HERE', $listenerName
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.Sockets | Should -Be 4009
        $answer.Reads | Should -Be 1
        $answer.ById | Should -Be 1
        $answer.ByName | Should -Be 1
    }

    It 'carries text addresses into CSV and JSON' {
        $script = @'
$file = Join-Path ([IO.Path]::GetTempPath()) "pslb-sock-$PID.csv"
try {
    Get-NetSocketInfo -State Listen | Export-Csv $file -NoTypeInformation
    [pscustomobject]@{
        Csv = Get-Content -Raw $file
        Rows = @(Import-Csv $file | Where-Object LocalAddress -eq '::1' | ForEach-Object { "$($_.LocalPort) $($_.State) $($_.Protocol)" })
        Json = Get-NetSocketInfo -LocalPort 3002 | ConvertTo-Json | ConvertFrom-Json | ForEach-Object { "$($_.LocalAddress) $($_.RemoteAddress) $($_.State) $($_.Exposure) $($_.AddressFamily)" }
    } | ConvertTo-Json
}
finally { Remove-Item $file -ErrorAction Ignore }
'@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.Csv | Should -Not -Match 'System\.|PSLoopback\.'
        $answer.Rows | Should -Be '3002 Listen Tcp'
        $answer.Json | Should -Be '::1 :: Listen LoopbackOnly IPv6'
    }

    It 'keeps values and the view through a job' {
        $script = @'
$module = (Get-Module PSLoopback).Path | Split-Path
$received = @(Start-Job { Import-Module $using:module; Get-NetSocketInfo -LocalPort 3002, 3006 } | Wait-Job -Timeout 60 | Receive-Job)
[pscustomobject]@{
    Types = @($received | ForEach-Object { $_.PSObject.TypeNames[0] } | Sort-Object -Unique)
    Addresses = @($received | Sort-Object LocalPort | ForEach-Object { "$($_.LocalAddress) $($_.BoundInterfaceAlias) $($_.Exposure)" })
    View = $received | Sort-Object LocalPort | Out-String -Width 80
} | ConvertTo-Json
'@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.Types | Should -Be 'Deserialized.PSLoopback.Output.NetSocket'
        $answer.Addresses | Should -Be "::1  LoopbackOnly", "0.0.0.0 $($socketHost.Device) Interface"
        $answer.View | Should -Match '(?m)^tcp +Listen +0 +4096 \[::1\]:3002 '
        $answer.View | Should -Match "0\.0\.0\.0%$($socketHost.Device):3006"
    }

    It 'shows every socket whole at 80 and 120 columns, long IPv6 addresses and device zones included' {
        # The widest endpoint: the long address on a device whose name has the 15 characters Linux allows. It
        # cannot fit beside the other columns in 80, so the view breaks it at its zone, and only there.
        $device = 'sockdev-fifteen'
        & ip -n $ns link add $device type veth peer name sockdev1p
        $zoned = Start-SocketListener -Namespace $ns -Seconds 120 -Socket @{ Protocol = 'Tcp'; Address = $socketHost.IPv6; Port = 3009; Device = $device }
        try {
            $result = Invoke-FreshPwsh -Namespace $ns -Script '$all = @(Get-NetSocketInfo -State Listen); [pscustomobject]@{ Endpoints = @($all.LocalEndpoint); Narrow = $all | Out-String -Width 80; Wide = $all | Out-String -Width 120 } | ConvertTo-Json'
        }
        finally { $zoned | Stop-SocketListener }
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.Endpoints | Should -Contain "[$($socketHost.IPv6)]:3008"
        $answer.Endpoints | Should -Contain "[$($socketHost.IPv6)]%${device}:3009"
        foreach ($view in @{ Width = 80; Text = $answer.Narrow }, @{ Width = 120; Text = $answer.Wide }) {
            $lines = @($view.Text -split "`r?`n")
            @($lines | Where-Object { $_.TrimEnd().Length -ge $view.Width }) | Should -BeNullOrEmpty -Because "no line may reach $($view.Width) columns"
            $words = @($lines | ForEach-Object { -split $_ })
            foreach ($endpoint in $answer.Endpoints) {
                # Whole as one word, or its address ending a line and its zone and port beginning the next, indented
                # past the column's start so that it reads as the same endpoint's.
                $zone = $endpoint.IndexOf('%', $endpoint.LastIndexOf(']') + 1)
                $broken = @(for ($i = 0; $zone -gt 0 -and $i + 1 -lt $lines.Count; $i++) {
                        $address = $lines[$i].TrimEnd()
                        if ($address.EndsWith(" $($endpoint.Substring(0, $zone))") -and $lines[$i + 1] -match "^( +)$([regex]::Escape($endpoint.Substring($zone))) " -and
                            $Matches[1].Length -gt $address.LastIndexOf(' ') + 1) { $i }
                    })
                ($words -ccontains $endpoint -or $broken.Count -eq 1) | Should -BeTrue -Because "$endpoint must be whole, or broken only at its zone, at $($view.Width) columns:`n$($view.Text)"
            }
            @($lines | Where-Object { $_ -match "\($($listener.Pid)\)" }).Count | Should -Be 9
            @($lines | Where-Object { $_ -match "\($($zoned.Pid)\)" }).Count | Should -Be 1
        }
        $answer.Narrow | Should -Match "(?m)^tcp +Listen +0 +4096 \[$([regex]::Escape($socketHost.IPv6))\]\r?\n +%${device}:3009 \S+\($($zoned.Pid)\)"
    }

    It 'names bad input in its errors and goes on, without hanging' {
        $script = @'
$null = Get-NetSocketInfo -LocalAddress nope, 127.0.0.1 -ErrorVariable a -ErrorAction SilentlyContinue -OutVariable found
$null = Get-NetSocketInfo -ProcessName 'x[' -ErrorVariable b -ErrorAction SilentlyContinue
$null = [pscustomobject]@{ Id = 'not-a-pid' }, [pscustomobject]@{ Id = PID_HERE } | Get-NetSocketInfo -LocalPort 3001 -ErrorVariable c -ErrorAction SilentlyContinue -OutVariable piped
[pscustomobject]@{
    AddressError = "$($a[0].FullyQualifiedErrorId) $($a[0].TargetObject) $($a[0])"
    Found = @($found).Count
    PatternError = "$($b[0].FullyQualifiedErrorId) $($b[0].TargetObject)"
    PipedErrors = @($c).Count
    Piped = @($piped).LocalPort
} | ConvertTo-Json
'@ -replace 'PID_HERE', $listener.Pid
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script -TimeoutSeconds 60
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $answer.AddressError | Should -Match '^InvalidAddress,.* nope .*''nope'''
        $answer.Found | Should -Be 4002 -Because '127.0.0.1 still selects its two listeners and both ends of the 2,000 connections'
        $answer.PatternError | Should -Match '^InvalidWildcardPattern,.* x\[$'
        $answer.PipedErrors | Should -Be 1
        $answer.Piped | Should -Be 3001
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
    }

    # Last in this block: its connections leave sockets behind (CloseWait, TimeWait) that the tests above count.
    It 'pipes a listener into Test-Loopback, which tests that service, and refuses a socket that does not listen' {
        $script = @'
$answers = @(Get-NetSocketInfo -State Listen -LocalPort 3001, 3002, 3003 | Test-Loopback -Count 1 | ForEach-Object { "$($_.RemoteAddress) $($_.Port) $($_.Status) $($_.Listener.ProcessName)" })
$refused = @(Get-NetSocketInfo -Protocol Udp | Select-Object -First 1 | Test-Loopback -ErrorVariable failed -ErrorAction SilentlyContinue).Count
[pscustomobject]@{ Answers = $answers; Refused = $refused; Errors = @($failed | ForEach-Object FullyQualifiedErrorId) } | ConvertTo-Json
'@
        $result = Invoke-FreshPwsh -Namespace $ns -Script $script
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $answer = $result.Output | ConvertFrom-Json
        $name = $listenerName
        # The :: listener without v6only is tried where a client here reaches it: ::1.
        @($answer.Answers | Sort-Object) | Should -Be @("127.0.0.1 3001 Success $name", "::1 3002 Success $name", "::1 3003 Success $name" | Sort-Object)
        $answer.Refused | Should -Be 0
        @($answer.Errors) | Should -Be 'NotAListener,PSLoopback.Commands.TestLoopbackCommand'
    }
}
