# PowerShell remoting over ssh to three namespace hosts (tests/topologies/RemoteHosts.psm1), each with its
# own sshd, addresses, routes and rules, and a fourth name whose host runs no sshd. A fresh pwsh in the
# client namespace makes every call once, with PowerShell's own fan-out (Invoke-Command -HostName), and
# writes what it saw as JSON; the tests compare each host's answers with that host's ip. Needs root and
# openssh-server; elsewhere each test is skipped, saying why. Cost: building the hosts takes under 1 s;
# the client 29 to 36 s on the shared 2-core machine (load 8 to 12), about 5 s per fan-out, nearly all of
# it pwsh starting on each remote host (one per host per call) and the client's own start; 33 to 47 s
# for the whole file.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/RemoteHosts.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/SocketHosts.psm1') -Force
    $script:skipReason = Get-RemoteHostUnavailableReason
    $script:hostNames = 'h1', 'h2', 'h3'
    # 198.51.100.200 leaves h1 by its default route, h2 on its own LAN, h3 by a /24 via the client;
    # 203.0.113.77 meets h2's rule to table 100 and no route on h3; 10.20.1.1 meets h3's prohibit rule.
    $script:destinations = '198.51.100.200', '203.0.113.77', '10.20.1.1', '192.0.2.1'
    # Rules do not travel in a route table, so the local what-if is compared where no rule but main's decides.
    $script:snapshotDestinations = '198.51.100.200', '192.0.2.1'
    $script:commands = [ordered]@{
        Interfaces = 'Get-NetInterfaceInfo'
        Routes     = 'Get-NetRouteInfo'
        Rules      = 'Get-NetRouteInfo -Rule'
        Resolve    = "Resolve-NetRoute $($destinations -join ', ')"
        Loopback   = 'Test-Loopback 127.0.0.1'
        Sockets    = 'Get-NetSocketInfo -State Listen'
    }

    if ($skipReason) {
        Write-Host "Skipping the remoting tests: $skipReason." -ForegroundColor Yellow
        return
    }
    Remove-StaleRemoteHost
    $script:topology = $null
    try {
        $pwsh = Get-PwshCommand
        $script:topology = New-RemoteHostTopology -PwshCommand $pwsh
        $module = Get-ModuleUnderTest
        $resultPath = Join-Path $topology.Directory 'client.json'
        $commandTable = ($commands.GetEnumerator() | ForEach-Object { "    $($_.Key) = '$($_.Value)'" }) -join "`n"
        $client = @"
`$module = '$module'
Import-Module `$module
`$hostNames = '$($hostNames -join "', '")'
`$commands = [ordered]@{
$commandTable
}

# Every property as text (a collection as its items' text), so the parent compares values, not types.
function ConvertTo-Flat {
    param([Parameter(ValueFromPipeline)]`$InputObject)
    process {
        `$flat = [ordered]@{ TypeName = `$InputObject.PSObject.TypeNames[0] }
        foreach (`$p in `$InputObject.PSObject.Properties) {
            `$v = `$p.Value
            `$flat[`$p.Name] = if (`$null -eq `$v) { `$null } elseif (`$v -is [string]) { `$v } elseif (`$v -is [Collections.IEnumerable]) { ,@(`$v | ForEach-Object { "`$_" }) } else { "`$v" }
        }
        [pscustomobject]`$flat
    }
}

function Invoke-Remote {
    <# One Invoke-Command -HostName fan-out, timed; its objects, their table, and each error with its host. #>
    param([string[]]`$HostName, [string]`$Command, [int]`$ConnectingTimeout = 10000)
    `$failures = `$null
    `$clock = [Diagnostics.Stopwatch]::StartNew()
    `$objects = @(Invoke-Command -HostName `$HostName @Remote -ConnectingTimeout `$ConnectingTimeout -ScriptBlock ([scriptblock]::Create("Import-Module '`$module'; `$Command")) -ErrorAction Continue -ErrorVariable failures 2>`$null)
    [pscustomobject]@{
        Seconds = `$clock.Elapsed.TotalSeconds
        Raw     = `$objects
        Objects = @(`$objects | ConvertTo-Flat)
        Table   = `$objects | Format-Table | Out-String -Width 120
        Errors  = @(`$failures | ForEach-Object { [pscustomobject]@{ Target = "`$(`$_.TargetObject)"; Computer = "`$(`$_.OriginInfo.PSComputerName)"; Id = `$_.FullyQualifiedErrorId; Message = "`$_" } })
    }
}

# Resolve-NetRoute's fan-out also names h4, whose host runs no sshd: it must fail alone.
`$answers = [ordered]@{}
foreach (`$name in `$commands.Keys) {
    `$answers[`$name] = if (`$name -eq 'Resolve') { Invoke-Remote -HostName (@(`$hostNames) + 'h4') -Command `$commands[`$name] -ConnectingTimeout 5000 }
    else { Invoke-Remote -HostName `$hostNames -Command `$commands[`$name] }
}

# A remote snapshot answered here: each host's own routes, and that host's own answer.
`$snapshot = foreach (`$h in `$hostNames) {
    `$routes = @(`$answers.Routes.Raw | Where-Object PSComputerName -EQ `$h)
    `$failures = `$null
    `$local = @(Resolve-NetRoute '$($snapshotDestinations -join "', '")' -RouteTable `$routes -ErrorAction Continue -ErrorVariable failures 2>`$null)
    [pscustomobject]@{ Host = `$h; RouteCount = `$routes.Count; Local = @(`$local | ConvertTo-Flat); Errors = @(`$failures | ForEach-Object { "`$(`$_.FullyQualifiedErrorId): `$_" }) }
}

# Sessions opened once, then one call to all of them, at most one host at a time.
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$sessions = @(New-PSSession -HostName `$hostNames @Remote -ConnectingTimeout 10000)
try { `$throttled = @(Invoke-Command -Session `$sessions -ThrottleLimit 1 -ScriptBlock ([scriptblock]::Create("Import-Module '`$module'; `$(`$commands.Rules)"))) }
finally { Remove-PSSession `$sessions }
`$sessionAnswer = [pscustomobject]@{ Seconds = `$clock.Elapsed.TotalSeconds; Sessions = `$sessions.Count; Objects = @(`$throttled | ConvertTo-Flat) }

foreach (`$a in `$answers.Values) { `$a.PSObject.Properties.Remove('Raw') }
[pscustomobject]@{ Answers = `$answers; Snapshot = @(`$snapshot); Sessions = `$sessionAnswer } |
    ConvertTo-Json -Depth 8 | Set-Content -LiteralPath '$resultPath'
"@
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-RemoteHostClient -Topology $topology -PwshCommand $pwsh -Script $client -TimeoutSeconds 120
        $script:clientSeconds = $clock.Elapsed.TotalSeconds
        if ($run.ExitCode -ne 0 -or -not (Test-Path $resultPath)) {
            $logs = ($topology.Hosts.Values | Where-Object Log | ForEach-Object { "$($_.Name): $(Get-Content -Raw $_.Log -ErrorAction Ignore)" }) -join "`n"
            throw "The client pwsh failed (exit $($run.ExitCode)): $($run.Error)`n$($run.Output)`nsshd logs:`n$logs"
        }
        $script:result = Get-Content -Raw $resultPath | ConvertFrom-Json
        $calls = ($commands.Keys | ForEach-Object { '{0} {1:N1} s' -f $_, $result.Answers.$_.Seconds }) -join ', '
        Write-Host ("Remoting client: {0:N1} s in all; fan-outs: {1}; sessions {2:N1} s." -f $clientSeconds, $calls, $result.Sessions.Seconds)
    }
    catch { Remove-RemoteHostTopology $topology; throw }

    function Get-Answer([string]$Name, [string]$HostName) {
        @($result.Answers.$Name.Objects | Where-Object PSComputerName -EQ $HostName)
    }

    function Get-HostNamespace([string]$HostName) { $topology.Hosts[$HostName].Namespace }

    function Get-KernelRoute([string]$Namespace, [string]$Destination) {
        <# ip route get's dev, gateway and source, or its error when it has no route to give. #>
        $output = & ip -n $Namespace -j route get $Destination 2>&1
        if ($LASTEXITCODE -ne 0) { return [pscustomobject]@{ Error = "$output"; Dev = $null; Via = ''; Src = '' } }
        $route = @($output | ConvertFrom-Json)[0]
        [pscustomobject]@{
            Error = $null; Dev = $route.dev
            Via = if ($route.PSObject.Properties['gateway']) { $route.gateway } else { '' }
            Src = if ($route.PSObject.Properties['prefsrc']) { $route.prefsrc } else { '' }
        }
    }

    function Get-OurRoute($Decision) {
        $unspecified = '0.0.0.0', '::', ''
        [pscustomobject]@{
            Type = $Decision.RouteType; Dev = $Decision.InterfaceAlias; Src = "$($Decision.SourceAddress)"
            Via = if ("$($Decision.NextHop)" -in $unspecified) { '' } else { "$($Decision.NextHop)" }
        }
    }
}

AfterAll {
    if (-not $skipReason) { Remove-RemoteHostTopology $topology }
}

Describe 'Invoke-Command -HostName h1, h2, h3 (ssh to three namespace hosts)' {
    It 'runs every cmdlet on every host, each result named by its host, and no errors but h4''s' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($name in $commands.Keys) {
            $answer = $result.Answers.$name
            @($answer.Errors | Where-Object Target -NE 'h4' | ForEach-Object { "$($_.Computer): $($_.Message)" }) | Should -BeNullOrEmpty -Because $commands[$name]
            @($answer.Objects.PSComputerName | Sort-Object -Unique) | Should -Be $hostNames -Because $commands[$name]
            @($answer.Objects | Where-Object { $_.TypeName -notlike 'Deserialized.PSLoopback.*' }) | Should -BeNullOrEmpty -Because "$($commands[$name]) returns the module's own types"
        }
    }

    It 'Get-NetInterfaceInfo: each host''s interfaces and addresses are what its ip -j addr says' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $ip = @(Get-IpJson -Namespace (Get-HostNamespace $h) -Arguments 'addr') | ForEach-Object {
                "$($_.ifindex) $($_.ifname) mtu $($_.mtu): " + (@($_.addr_info | ForEach-Object { "$($_.local)/$($_.prefixlen)" } | Sort-Object) -join ' ')
            }
            $ours = Get-Answer Interfaces $h | ForEach-Object {
                "$($_.InterfaceIndex) $($_.Name) mtu $($_.Mtu): " + (@($_.Addresses | Sort-Object) -join ' ')
            }
            @($ours | Sort-Object) | Should -Be @($ip | Sort-Object) -Because "$h answers for its own namespace"
        }
        (Get-Answer Interfaces h1).Name | Should -Contain 'h1link'
        (Get-Answer Interfaces h2).Name | Should -Contain 'h2lan'
        (Get-Answer Interfaces h3).Name | Should -Not -Contain 'h1link'
    }

    It 'Get-NetSocketInfo: each host''s listeners, their owners among them, are what its ss -tuanpe says' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $ss = @(Get-SsSocket -Namespace (Get-HostNamespace $h) | Where-Object State -In 'LISTEN', 'UNCONN') | ForEach-Object {
                "$($_.Protocol) $($_.LocalAddress) $($_.LocalPort) $(@($_.Pids)[0])"
            }
            $ours = Get-Answer Sockets $h | ForEach-Object { "$($_.Protocol.ToLowerInvariant()) $($_.LocalAddress) $($_.LocalPort) $($_.OwningProcess)" }
            @($ours | Sort-Object) | Should -Be @($ss | Sort-Object) -Because "$h answers for its own namespace"
            @($ours).Count | Should -BeGreaterThan 0 -Because "$h's sshd listens"
        }
    }

    It 'Get-NetRouteInfo: each host''s routes are what its ip -j route show table all says' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $ns = Get-HostNamespace $h
            $ip = @(Get-RouteKeyFromIp -Family IPv4 -Routes (Get-IpJson -Namespace $ns -Arguments '-4', 'route', 'show', 'table', 'all')) +
                @(Get-RouteKeyFromIp -Family IPv6 -Routes (Get-IpJson -Namespace $ns -Arguments '-6', 'route', 'show', 'table', 'all'))
            $ours = @(Get-RouteKeyFromOurs -Routes (Get-Answer Routes $h))
            Compare-Object ($ip | Sort-Object) ($ours | Sort-Object) | ForEach-Object { "$h $($_.SideIndicator) $($_.InputObject)" } |
                Should -BeNullOrEmpty -Because '<= is only in ip, => only in the remote answer'
        }
    }

    It 'Get-NetRouteInfo -Rule: each host''s rules are what its ip -j rule says' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $ns = Get-HostNamespace $h
            $ip = @(Get-RuleKeyFromIp -Family IPv4 -Rules (Get-IpJson -Namespace $ns -Arguments 'rule')) +
                @(Get-RuleKeyFromIp -Family IPv6 -Rules (Get-IpJson -Namespace $ns -Arguments '-6', 'rule'))
            $ours = @(Get-RuleKeyFromOurs -Rules (Get-Answer Rules $h))
            Compare-Object ($ip | Sort-Object) ($ours | Sort-Object) | ForEach-Object { "$h $($_.SideIndicator) $($_.InputObject)" } |
                Should -BeNullOrEmpty
        }
        @(Get-Answer Rules h2).Priority | Should -Contain '100'
        @(Get-Answer Rules h3).Priority | Should -Contain '50'
    }

    It 'Resolve-NetRoute: each host decides as its own ip -j route get does, and the hosts differ' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $answers = Get-Answer Resolve $h
            @($answers.Destination) | Should -Be $destinations
            foreach ($a in $answers) {
                $kernel = Get-KernelRoute (Get-HostNamespace $h) $a.Destination
                $ours = Get-OurRoute $a
                if ($kernel.Error) {
                    $ours.Type | Should -BeIn 'Unreachable', 'Prohibit', 'Blackhole', 'NoRoute' -Because "ip says '$($kernel.Error)' on $h for $($a.Destination)"
                }
                else {
                    "dev $($ours.Dev) via $($ours.Via) src $($ours.Src)" | Should -Be "dev $($kernel.Dev) via $($kernel.Via) src $($kernel.Src)" -Because "$h to $($a.Destination)"
                }
            }
        }
        $first = { param($h) Get-Answer Resolve $h | Where-Object Destination -EQ '198.51.100.200' | ForEach-Object InterfaceAlias }
        @(foreach ($h in $hostNames) { & $first $h }) | Should -Be 'h1link', 'h2lan', 'h3link'
        (Get-Answer Resolve h3 | Where-Object Destination -EQ '10.20.1.1').RouteType | Should -Be 'Prohibit'
    }

    It 'Test-Loopback 127.0.0.1: succeeds on every host, through that host''s lo' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($h in $hostNames) {
            $answer = @(Get-Answer Loopback $h)
            $answer.Count | Should -Be 1
            $answer[0].Status | Should -Be 'Success' -Because "$h's lo is up: $($answer[0].Diagnosis)"
            $answer[0].RemoteAddress | Should -Be '127.0.0.1'
            $answer[0].InterfaceAlias | Should -Be (Get-KernelRoute (Get-HostNamespace $h) 127.0.0.1).Dev
        }
    }
}

Describe 'Remote results on screen (Format-Table | Out-String -Width 120)' {
    # Before the output records, a deserialized interface showed its addresses as "/ /", and at 120 columns,
    # with PSComputerName added to each table, the route table cut IPv6 link-local prefixes and the
    # decision table the rule priority.
    It 'shows every interface address of every host' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $table = $result.Answers.Interfaces.Table
        $missing = foreach ($h in $hostNames) {
            foreach ($i in @(Get-IpJson -Namespace (Get-HostNamespace $h) -Arguments 'addr')) {
                foreach ($a in $i.addr_info) { if ($table -notlike "*$($a.local)/$($a.prefixlen)*") { "$h $($i.ifname) $($a.local)/$($a.prefixlen)" } }
            }
        }
        @($missing) | Should -BeNullOrEmpty -Because "the table shows every address:`n$table"
        $table | Should -Not -Match '(^|\s)/(\s|$)' -Because 'an address without its text shows as a lone /'
    }

    It 'shows every route prefix, rule, decision and loopback target, nothing cut short' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        # Every problem at once, so one run shows which views fall short.
        $problems = [System.Collections.Generic.List[string]]::new()
        $answers = $result.Answers
        foreach ($name in $commands.Keys) {
            $cut = @($answers.$name.Table -split "`n" | Where-Object { $_ -like '*…*' })
            if ($cut) { $problems.Add("$($commands[$name]) cuts $($cut.Count) rows short, e.g. '$($cut[0].Trim())'") }
            foreach ($h in $hostNames) { if ($answers.$name.Table -notlike "*$h*") { $problems.Add("$($commands[$name]) does not name $h") } }
        }
        $expected = @(
            foreach ($r in $answers.Routes.Objects) { @{ Name = 'Routes'; Text = "$($r.DestinationPrefix)" } }
            foreach ($r in $answers.Rules.Objects) { @{ Name = 'Rules'; Text = "$($r.Priority)" } }
            @{ Name = 'Rules'; Text = '10.20.0.0/16' }
            foreach ($r in $answers.Resolve.Objects) { @{ Name = 'Resolve'; Text = "$($r.Destination)" }; if ($r.SourceAddress) { @{ Name = 'Resolve'; Text = "$($r.SourceAddress)" } } }
            @{ Name = 'Loopback'; Text = '127.0.0.1' }
        )
        foreach ($e in $expected) {
            if ($answers.($e.Name).Table -notlike "*$($e.Text)*") { $problems.Add("$($commands[$e.Name]) does not show $($e.Text)") }
        }
        @($problems | Select-Object -Unique) | Should -BeNullOrEmpty
    }
}

Describe 'A host that cannot be reached' {
    It 'fails alone in Resolve-NetRoute''s fan-out to h1..h4: one error, for h4 only, the others answer, within the connecting timeout' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $u = $result.Answers.Resolve
        @($u.Errors).Count | Should -Be 1 -Because (@($u.Errors | ForEach-Object { "$($_.Target): $($_.Message)" }) -join '; ')
        $u.Errors[0].Target | Should -Be 'h4'
        $u.Errors[0].Id | Should -Not -BeNullOrEmpty
        @($u.Objects.PSComputerName | Sort-Object -Unique) | Should -Be $hostNames
        @($u.Objects | Where-Object PSComputerName -EQ 'h2').Count | Should -Be $destinations.Count
        $u.Seconds | Should -BeLessThan 20 -Because 'ConnectingTimeout is 5 s and the other hosts answer in parallel'
    }
}

Describe 'A remote route table, answered here' {
    It 'Resolve-NetRoute -RouteTable (each host''s Get-NetRouteInfo) decides as that host does itself' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        foreach ($s in $result.Snapshot) {
            $s.Errors | Should -BeNullOrEmpty -Because "$($s.Host)'s deserialized routes are a valid -RouteTable"
            $s.RouteCount | Should -BeGreaterThan 0
            $remote = @(Get-Answer Resolve $s.Host | Where-Object Destination -In $snapshotDestinations)
            $pick = { "$($_.Destination) $($_.RouteType) $($_.DestinationPrefix) table $($_.TableName) " + ((Get-OurRoute $_) | ForEach-Object { "dev $($_.Dev) via $($_.Via) src $($_.Src)" }) }
            @($s.Local | ForEach-Object $pick) | Should -Be @($remote | ForEach-Object $pick) -Because "$($s.Host)'s table answered here"
        }
    }
}

Describe 'Sessions with -ThrottleLimit' {
    It 'New-PSSession -HostName, then Invoke-Command -Session -ThrottleLimit 1: every host answers, the same as the fan-out' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $result.Sessions.Sessions | Should -Be 3
        foreach ($h in $hostNames) {
            $mine = @($result.Sessions.Objects | Where-Object PSComputerName -EQ $h | ForEach-Object { "$($_.Priority) $($_.Action) $($_.TableName)" })
            $mine | Should -Be @(Get-Answer Rules $h | ForEach-Object { "$($_.Priority) $($_.Action) $($_.TableName)" })
        }
    }
}
