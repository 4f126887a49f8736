<# Shared by the Pester tests: the module under test, fresh pwsh processes, and iproute2's JSON. #>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1')

function Get-ModuleUnderTest {
    if ($env:PSLOOPBACK_MODULE) { return $env:PSLOOPBACK_MODULE }
    Join-Path $PSScriptRoot '../../out/PSLoopback'
}

function Get-PwshCommand {
    <# The PowerShell that runs the tests (build.ps1 passes it), so children use the same version. #>
    if ($env:PSLOOPBACK_PWSH) { return @($env:PSLOOPBACK_PWSH | ConvertFrom-Json) }
    @([Environment]::ProcessPath) + @(if ([Environment]::ProcessPath -match 'dotnet$') { Join-Path $PSHOME 'pwsh.dll' })
}

function Invoke-FreshPwsh {
    <#
        Runs a script in a new pwsh -NoProfile, inside a network namespace when one is named, with the
        module imported, and returns its standard output. Bounded in time: a hung child is killed.
    #>
    param(
        [Parameter(Mandatory)][string]$Script,
        [string]$Namespace,
        [switch]$NoImport,
        [int]$TimeoutSeconds = 120
    )
    $prelude = if ($NoImport) { '' } else { "Import-Module '$(Get-ModuleUnderTest)'`n" }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    $command = @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    if ($Namespace) { $command = @('ip', 'netns', 'exec', $Namespace) + $command }

    Invoke-BoundedProcess -ArgumentList $command -TimeoutSeconds $TimeoutSeconds -Description "pwsh running '$Script'"
}

function Get-TimedCommandScript {
    <#
        The text of a child-script block that runs $Command (PowerShell), timed, keeping its errors, and
        builds one object: Command, Seconds, Errors and the fields $Fields adds (PowerShell text, which may
        read `$out, the command's output).
    #>
    param([Parameter(Mandatory)][string]$Command, [Parameter(Mandatory)][string]$Fields)
    @"
    & {
        `$failures = `$null
        `$clock = [Diagnostics.Stopwatch]::StartNew()
        `$out = @($Command -ErrorVariable failures -ErrorAction SilentlyContinue)
        `$seconds = `$clock.Elapsed.TotalSeconds
        [pscustomobject]@{
            Command = '$($Command -replace "'", "''")'
            Seconds = `$seconds
            Errors = @(`$failures | ForEach-Object { "`$(`$_.FullyQualifiedErrorId): `$_" })
            $Fields
        }
    }
"@
}

function Get-InterfaceJson {
    <# Get-NetInterfaceInfo's answer from a fresh pwsh (in a namespace if named), flattened for comparison. #>
    param([string]$Namespace, [string]$Arguments = '')
    $script = @"
Get-NetInterfaceInfo $Arguments | ForEach-Object {
    [pscustomobject]@{
        ifindex = `$_.InterfaceIndex; ifname = `$_.Name; type = "`$(`$_.InterfaceType)"; operstate = "`$(`$_.Status)"
        admin = "`$(`$_.AdminStatus)"; mtu = `$_.Mtu; address = `$_.MacAddress; flags = "`$(`$_.Flags)"; alias = `$_.Description
        kind = `$_.LinkKind; loopback = `$_.IsLoopback
        rx = @{ bytes = `$_.ReceivedBytes; packets = `$_.ReceivedPackets; errors = `$_.ReceiveErrors; dropped = `$_.ReceiveDrops }
        tx = @{ bytes = `$_.SentBytes; packets = `$_.SentPackets; errors = `$_.SendErrors; dropped = `$_.SendDrops }
        addr_info = @(`$_.Addresses | ForEach-Object {
            @{ local = "`$(`$_.IPAddress)"; prefixlen = `$_.PrefixLength; scope = "`$(`$_.Scope)"; family = "`$(`$_.AddressFamily)"
               broadcast = "`$(`$_.Broadcast)"; peer = "`$(`$_.Peer)"; label = `$_.Label; flags = "`$(`$_.Flags)"
               valid = `$_.ValidLifetimeSeconds; preferred = `$_.PreferredLifetimeSeconds }
        })
    }
} | ConvertTo-Json -Depth 6 -AsArray
"@
    $result = Invoke-FreshPwsh -Script $script -Namespace $Namespace
    if ($result.ExitCode -ne 0) { throw "Get-NetInterfaceInfo failed (exit $($result.ExitCode)): $($result.Error)" }
    @($result.Output | ConvertFrom-Json)
}

function Get-IpJson {
    <# iproute2's JSON for `ip [-n ns] -j <args>`. #>
    param([string]$Namespace, [Parameter(Mandatory)][string[]]$Arguments)
    $prefix = if ($Namespace) { @('-n', $Namespace) } else { @() }
    $json = & ip @prefix -j @Arguments
    if ($LASTEXITCODE -ne 0) { throw "ip $($prefix + $Arguments -join ' ') failed." }
    @($json | ConvertFrom-Json)
}

function Compare-InterfaceWithIp {
    <#
        Every field `ip -j -s -d addr` shows, against Get-NetInterfaceInfo's answer (from Get-InterfaceJson).
        Counters and lifetimes move while we read, so ip is read before and after ours and each of our
        values must lie between its two readings. Returns one line per disagreement; none means equal.
    #>
    param([object[]]$Ours, [object[]]$Before, [object[]]$After)
    $problems = [System.Collections.Generic.List[string]]::new()
    $oursByIndex = @{}; foreach ($o in $Ours) { $oursByIndex[[int]$o.ifindex] = $o }
    $afterByIndex = @{}; foreach ($a in $After) { $afterByIndex[[int]$a.ifindex] = $a }
    $ipIndexes = @($Before.ifindex | Sort-Object)
    $ourIndexes = @($Ours.ifindex | Sort-Object)
    if (($ipIndexes -join ',') -ne ($ourIndexes -join ',')) { $problems.Add("indexes: ip has $($ipIndexes -join ','), ours $($ourIndexes -join ',')") }

    $flagNames = @{ UP = 'Up'; LOOPBACK = 'Loopback'; BROADCAST = 'Broadcast'; MULTICAST = 'Multicast'; LOWER_UP = 'LowerUp'
        NOARP = 'NoArp'; POINTOPOINT = 'PointToPoint'; PROMISC = 'Promiscuous'; DORMANT = 'Dormant'; SLAVE = 'Slave'; MASTER = 'Master' }
    foreach ($ip in $Before) {
        $o = $oursByIndex[[int]$ip.ifindex]
        $later = $afterByIndex[[int]$ip.ifindex]
        if (-not $o -or -not $later) { continue }
        $n = $ip.ifname
        $ourFlags = @("$($o.flags)" -split ',\s*')
        if ($o.ifname -ne $ip.ifname) { $problems.Add("$($ip.ifindex): name ip=$($ip.ifname) ours=$($o.ifname)") }
        if ($o.operstate.ToUpperInvariant() -ne $ip.operstate) { $problems.Add("${n}: operstate ip=$($ip.operstate) ours=$($o.operstate)") }
        if ($o.mtu -ne $ip.mtu) { $problems.Add("${n}: mtu ip=$($ip.mtu) ours=$($o.mtu)") }
        $ipMac = if ($ip.PSObject.Properties['address']) { $ip.address } else { $null }
        if ($o.address -ne $ipMac) { $problems.Add("${n}: link address ip=$ipMac ours=$($o.address)") }
        $ipAlias = if ($ip.PSObject.Properties['ifalias']) { $ip.ifalias } else { $null }
        if ($o.alias -ne $ipAlias) { $problems.Add("${n}: alias ip=$ipAlias ours=$($o.alias)") }
        $ipKind = if ($ip.PSObject.Properties['linkinfo'] -and $ip.linkinfo.PSObject.Properties['info_kind']) { $ip.linkinfo.info_kind } else { $null }
        if ($o.kind -ne $ipKind) { $problems.Add("${n}: kind ip=$ipKind ours=$($o.kind)") }
        foreach ($flag in $flagNames.Keys) {
            if (($ip.flags -contains $flag) -ne ($ourFlags -contains $flagNames[$flag])) { $problems.Add("${n}: flag $flag ip=$($ip.flags -contains $flag) ours=$($o.flags)") }
        }
        $noCarrier = ($ourFlags -contains 'Up') -and -not ($ourFlags -contains 'Running')
        if (($ip.flags -contains 'NO-CARRIER') -ne $noCarrier) { $problems.Add("${n}: NO-CARRIER ip=$($ip.flags -contains 'NO-CARRIER') ours=$($o.flags)") }

        foreach ($direction in 'rx', 'tx') {
            foreach ($counter in 'bytes', 'packets', 'errors', 'dropped') {
                $low = [decimal]$ip.stats64.$direction.$counter; $high = [decimal]$later.stats64.$direction.$counter
                $value = $o.$direction.$counter
                if ($null -eq $value -or [decimal]$value -lt $low -or [decimal]$value -gt $high) { $problems.Add("${n}: $direction $counter ours=$value, ip read $low then $high") }
            }
        }

        $ipAddresses = @(if ($ip.PSObject.Properties['addr_info']) { $ip.addr_info })
        $ourAddresses = @($o.addr_info)
        $ipSet = @($ipAddresses | ForEach-Object { "$($_.local)/$($_.prefixlen)" } | Sort-Object)
        $ourSet = @($ourAddresses | ForEach-Object { "$($_.local)/$($_.prefixlen)" } | Sort-Object)
        if (($ipSet -join ' ') -ne ($ourSet -join ' ')) { $problems.Add("${n}: addresses ip=$($ipSet -join ' ') ours=$($ourSet -join ' ')") }
        foreach ($ia in $ipAddresses) {
            $oa = $ourAddresses | Where-Object { $_.local -eq $ia.local -and $_.prefixlen -eq $ia.prefixlen } | Select-Object -First 1
            if (-not $oa) { continue }
            $key = "${n} $($ia.local)/$($ia.prefixlen)"
            if ($oa.scope.ToLowerInvariant() -ne "$($ia.scope)") { $problems.Add("${key}: scope ip=$($ia.scope) ours=$($oa.scope)") }
            $ipBroadcast = if ($ia.PSObject.Properties['broadcast']) { $ia.broadcast } else { '' }
            if ($oa.broadcast -ne $ipBroadcast) { $problems.Add("${key}: broadcast ip=$ipBroadcast ours=$($oa.broadcast)") }
            $ipPeer = if ($ia.PSObject.Properties['address']) { $ia.address } else { '' }
            if ($oa.peer -ne $ipPeer) { $problems.Add("${key}: peer ip=$ipPeer ours=$($oa.peer)") }
            $ipLabel = if ($ia.PSObject.Properties['label']) { $ia.label } else { $null }
            if ($oa.label -ne $ipLabel) { $problems.Add("${key}: label ip=$ipLabel ours=$($oa.label)") }
            $addressFlags = @("$($oa.flags)" -split ',\s*')
            $expected = @{
                secondary  = $oa.family -eq 'IPv4' -and $addressFlags -contains 'Secondary'
                temporary  = $oa.family -eq 'IPv6' -and $addressFlags -contains 'Secondary'
                nodad      = $addressFlags -contains 'NoDad'
                deprecated = $addressFlags -contains 'Deprecated'
                tentative  = $addressFlags -contains 'Tentative'
                dadfailed  = $addressFlags -contains 'DadFailed'
                dynamic    = -not ($addressFlags -contains 'Permanent')
            }
            foreach ($flag in $expected.Keys) {
                $ipHas = [bool]($ia.PSObject.Properties[$flag] -and $ia.$flag)
                if ($ipHas -ne $expected[$flag]) { $problems.Add("${key}: flag $flag ip=$ipHas ours=$($oa.flags)") }
            }
            $laterAddress = @($later.addr_info) | Where-Object { $_.local -eq $ia.local } | Select-Object -First 1
            foreach ($pair in @(@('valid', 'valid_life_time'), @('preferred', 'preferred_life_time'))) {
                $high = [decimal]$ia.($pair[1]); $low = [decimal]$laterAddress.($pair[1]); $value = $oa.($pair[0])
                if ($null -eq $value -or [decimal]$value -lt $low -or [decimal]$value -gt $high) { $problems.Add("${key}: $($pair[0]) lifetime ours=$value, ip read $high then $low") }
            }
        }
    }
    $problems
}

function Get-RouteKeyFromIp {
    <# One comparable line per route of `ip -j [-6] route show table all`, in the words ip uses. #>
    param([object[]]$Routes, [string]$Family)
    foreach ($r in $Routes) {
        $dst = if ($r.dst -eq 'default') { if ($Family -eq 'IPv4') { '0.0.0.0/0' } else { '::/0' } } elseif ($r.dst -match '/') { $r.dst } elseif ($Family -eq 'IPv4') { "$($r.dst)/32" } else { "$($r.dst)/128" }
        $hops = if ($r.PSObject.Properties['nexthops']) { @($r.nexthops | ForEach-Object { "$($_.gateway)@$($_.dev)" }) -join ',' } else { "$(if ($r.PSObject.Properties['gateway']) { $r.gateway })@$(if ($r.PSObject.Properties['dev']) { $r.dev })" }
        $type = if ($r.PSObject.Properties['type']) { $r.type } else { 'unicast' }
        $table = if ($r.PSObject.Properties['table']) { $r.table } else { 'main' }
        $metric = if ($r.PSObject.Properties['metric']) { $r.metric } else { 0 }
        $src = if ($r.PSObject.Properties['prefsrc']) { $r.prefsrc } else { '' }
        $scope = if ($r.PSObject.Properties['scope']) { $r.scope } else { 'global' }
        "$Family $table $type $dst metric $metric hops $hops src $src scope $scope"
    }
}

function Get-RouteKeyFromOurs {
    <# The same line for Get-NetRouteInfo objects; the reject types' device (lo) is not printed by ip for IPv4. #>
    param([object[]]$Routes)
    foreach ($r in $Routes) {
        $unspecified = if ("$($r.AddressFamily)" -eq 'IPv4') { '0.0.0.0' } else { '::' }
        $hops = if ($r.NextHops.Count) { @($r.NextHops | ForEach-Object { "$(if ("$($_.NextHop)" -ne $unspecified) { $_.NextHop })@$($_.InterfaceAlias)" }) -join ',' } else { "$(if ("$($r.NextHop)" -ne $unspecified) { $r.NextHop })@$($r.InterfaceAlias)" }
        $scope = switch ("$($r.Scope)") { 'Global' { 'global' } 'Link' { 'link' } 'Host' { 'host' } 'Site' { 'site' } 'Nowhere' { 'nowhere' } default { "$_" } }
        "$($r.AddressFamily) $($r.TableName) $("$($r.RouteType)".ToLowerInvariant()) $($r.DestinationPrefix) metric $($r.RouteMetric) hops $hops src $($r.PreferredSource) scope $scope"
    }
}

function Get-RuleKeyFromIp {
    param([object[]]$Rules, [string]$Family)
    foreach ($r in $Rules) {
        $action = if ($r.PSObject.Properties['action']) { $r.action } elseif ($r.PSObject.Properties['goto']) { 'goto' } else { 'lookup' }
        # ip leaves the length out of a host prefix.
        $hostLength = if ($Family -eq 'IPv4') { 32 } else { 128 }
        $from = if ($r.src -eq 'all') { 'all' } elseif ($r.PSObject.Properties['srclen']) { "$($r.src)/$($r.srclen)" } else { "$($r.src)/$hostLength" }
        $to = if ($r.PSObject.Properties['dst']) { if ($r.PSObject.Properties['dstlen']) { "$($r.dst)/$($r.dstlen)" } else { "$($r.dst)/$hostLength" } } else { '' }
        $table = if ($r.PSObject.Properties['table']) { $r.table } else { '' }
        $not = [bool]($r.PSObject.Properties['not'])
        $mark = if ($r.PSObject.Properties['fwmark']) { [Convert]::ToUInt32($r.fwmark, 16) } else { '' }
        $suppress = if ($r.PSObject.Properties['suppress_prefixlen']) { $r.suppress_prefixlen } else { '' }
        "$Family $($r.priority) not=$not from $from to $to mark $mark $action $table suppress $suppress"
    }
}

function Get-RuleKeyFromOurs {
    param([object[]]$Rules)
    foreach ($r in $Rules) {
        $action = switch ("$($r.Action)") { 'Lookup' { 'lookup' } 'Goto' { 'goto' } 'Nop' { 'nop' } default { "$_".ToLowerInvariant() } }
        $from = if ($null -eq $r.From) { 'all' } else { "$($r.From)" }
        $to = if ($null -eq $r.To) { '' } else { "$($r.To)" }
        $table = if ($r.Action -eq 'Lookup') { $r.TableName } else { '' }
        "$($r.AddressFamily) $($r.Priority) not=$($r.Not) from $from to $to mark $($r.FwMark) $action $table suppress $($r.SuppressPrefixLength)"
    }
}

function Invoke-PSLoopbackJson {
    <#
        Runs a PSLoopback pipeline in a fresh pwsh (inside a namespace when named) and returns its objects
        flattened to strings by $Select, so the parent can compare them with ip's JSON.
    #>
    param([string]$Namespace, [Parameter(Mandatory)][string]$Command, [Parameter(Mandatory)][string]$Select)
    $result = Invoke-FreshPwsh -Namespace $Namespace -Script "@($Command | ForEach-Object { $Select }) | ConvertTo-Json -Depth 5 -AsArray -EnumsAsStrings"
    if ($result.ExitCode -ne 0) { throw "'$Command' failed (exit $($result.ExitCode)): $($result.Error)" }
    @($result.Output | ConvertFrom-Json)
}

$script:RouteSelect = '[pscustomobject]@{ AddressFamily = "$($_.AddressFamily)"; TableName = $_.TableName; RouteType = "$($_.RouteType)"; DestinationPrefix = "$($_.DestinationPrefix)"; RouteMetric = $_.RouteMetric; NextHop = "$($_.NextHop)"; InterfaceAlias = $_.InterfaceAlias; PreferredSource = "$($_.PreferredSource)"; Scope = "$($_.Scope)"; NextHops = @($_.NextHops | ForEach-Object { [pscustomobject]@{ NextHop = "$($_.NextHop)"; InterfaceAlias = $_.InterfaceAlias } }) }'
$script:RuleSelect = '[pscustomobject]@{ AddressFamily = "$($_.AddressFamily)"; Priority = $_.Priority; Not = $_.Not; From = $(if ($_.From) { "$($_.From)" }); To = $(if ($_.To) { "$($_.To)" }); FwMark = $_.FwMark; Action = "$($_.Action)"; TableName = $_.TableName; SuppressPrefixLength = $_.SuppressPrefixLength }'

function Get-RouteJson {
    param([string]$Namespace, [string]$Arguments = '')
    Invoke-PSLoopbackJson -Namespace $Namespace -Command "Get-NetRouteInfo $Arguments" -Select $script:RouteSelect
}

function Get-RuleJson {
    param([string]$Namespace)
    Invoke-PSLoopbackJson -Namespace $Namespace -Command 'Get-NetRouteInfo -Rule' -Select $script:RuleSelect
}

Export-ModuleMember -Function Get-ModuleUnderTest, Get-PwshCommand, Invoke-FreshPwsh, Get-TimedCommandScript, Get-InterfaceJson, Get-IpJson, Compare-InterfaceWithIp, Get-RouteKeyFromIp, Get-RouteKeyFromOurs, Get-RuleKeyFromIp, Get-RuleKeyFromOurs, Invoke-PSLoopbackJson, Get-RouteJson, Get-RuleJson
