<#
    Random routing hosts for the differential test of Resolve-NetRoute against the kernel.

    New-RandomRoutingHost -Seed N builds, from a System.Random seeded with N (so a seed replays exactly), a
    network namespace "host" and a namespace "peer" that holds the far ends of the host's veth links (so the
    links have carrier), then fills the host with addresses, routes of every type in several tables and
    policy rules, and makes up the destinations to ask about. Namespaces are named pslb-<pid>-rr<seed> and
    pslb-<pid>-rr<seed>p, like NetnsTopology's, so Remove-StaleTestNamespace removes what a killed run left.

    What a host gets: lo up; 3-5 veth links up (sometimes one whose peer is down: no carrier, its IPv6 addresses
    stay tentative; sometimes one without IPv4); per link 1-2 IPv4 subnets /8-/30 (sometimes a secondary, brd +,
    scope link) and 2001:db8:<n>::/64 or fd00:<n>::/64 addresses (nodad, sometimes deprecated); sometimes a
    global address on lo. Routes in main, 100, 200, 1000, 51820 and default: unicast via a neighbour (or onlink)
    or on-link (sometimes scope global/host), multipath, blackhole, unreachable, prohibit, throw, multicast,
    local and broadcast in table local, random metrics distinct per prefix, sometimes src, IPv6 pref and IPv6
    source-specific (from) routes; a default route in main (sometimes two) and another in 51820. Rules: from,
    to, fwmark/mask, not from, iif lo, iif/oif <link>, to ... unreachable|prohibit|blackhole, goto (sometimes
    unresolved), and wg-quick's pair (lookup main suppress_prefixlength 0 + not fwmark 0xca6c lookup 51820);
    some seeds keep a family's default rules only (IPv4's local and main then stay merged). Queries: own,
    broadcast and network addresses, 127/8, 0.0.0.0, ::1, ::, multicast, link-local, addresses inside and just
    outside every route's prefix, random public ones, and variants with from, oif, mark 1/0xca6c/0x101.

    Addresses come from private and benchmarking pools (10/8, 172.16/12, 192.168/16, 198.18/15, 2001:db8::/32,
    fd00::/8) and live only inside these namespaces. Nothing here sends a packet: `ip route get` is a lookup.
    (The kernel itself sends the usual neighbour and router solicitations on the veth links when they come up;
    they reach only the peer namespace.)
#>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'NetlinkRules.psm1')
Import-Module (Join-Path $PSScriptRoot '../PSLoopback.Tests/TestHelpers.psm1')

$script:Built = [System.Collections.Generic.List[string]]::new()
$script:Scratch = Join-Path ([System.IO.Path]::GetTempPath()) "pslb-$PID-rr-netlink"

$script:V4Pools = @('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15')
# The query fields beyond destination, from, oif and mark, in the order ip and Resolve-NetRoute take them.
$script:SelectorNames = @('Iif', 'Tos', 'IPProtocol', 'SourcePort', 'DestinationPort', 'Uid', 'FlowLabel')
$script:Metrics = @(0, 1, 10, 100, 256, 1024, 5000)
# Table "default" (253) is looked up last, by rule 32767, and only when main has no answer.
$script:TableWeights = [ordered]@{ main = 34; '100' = 15; '200' = 15; '1000' = 12; '51820' = 15; default = 5 }

#region address arithmetic (every address is a BigInteger, so both families share the code)

function ConvertTo-AddressInteger([string]$Address) {
    $bytes = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    [System.Numerics.BigInteger]::new([byte[]]$bytes, $true, $true)
}

function ConvertFrom-AddressInteger([System.Numerics.BigInteger]$Value, [int]$Bits) {
    $length = $Bits / 8
    $raw = $Value.ToByteArray($true, $true)
    $bytes = [byte[]]::new($length)
    [Array]::Copy($raw, 0, $bytes, $length - $raw.Length, $raw.Length)
    [System.Net.IPAddress]::new($bytes).ToString()
}

function Get-HostMask([int]$Length, [int]$Bits) { ([System.Numerics.BigInteger]::One -shl ($Bits - $Length)) - 1 }

function Get-NetMask([int]$Length, [int]$Bits) { (([System.Numerics.BigInteger]::One -shl $Bits) - 1) -bxor (Get-HostMask $Length $Bits) }

function New-Prefix([System.Numerics.BigInteger]$Value, [int]$Length, [int]$Bits) {
    $net = $Value -band (Get-NetMask $Length $Bits)
    [pscustomobject]@{
        Bits = $Bits; Net = $net; Length = $Length
        Last = $net -bor (Get-HostMask $Length $Bits)
        Text = "$(ConvertFrom-AddressInteger $net $Bits)/$Length"
    }
}

function ConvertTo-Prefix([string]$Text) {
    $address, $length = $Text -split '/'
    $bits = if ($address.Contains(':')) { 128 } else { 32 }
    New-Prefix (ConvertTo-AddressInteger $address) ([int]$length) $bits
}

function Test-PrefixContains($Prefix, [System.Numerics.BigInteger]$Value) {
    ($Value -band (Get-NetMask $Prefix.Length $Prefix.Bits)) -eq $Prefix.Net
}

function Get-RandomInteger($Rng, [int]$Bits) {
    $bytes = [byte[]]::new($Bits / 8)
    $Rng.NextBytes($bytes)
    [System.Numerics.BigInteger]::new($bytes, $true, $true)
}

function Get-RandomInPrefix($Rng, $Prefix) {
    $Prefix.Net -bor ((Get-RandomInteger $Rng $Prefix.Bits) -band (Get-HostMask $Prefix.Length $Prefix.Bits))
}

function Get-RandomHost($Rng, $Prefix) {
    <# An address of the prefix that is neither its first nor (IPv4) its last; small host numbers for IPv6. #>
    $hostBits = $Prefix.Bits - $Prefix.Length
    if ($Prefix.Bits -eq 128 -and $hostBits -ge 16) { return $Prefix.Net + $Rng.Next(1, 0x10000) }
    if ($hostBits -le 1) { return $Prefix.Net }
    $span = ([System.Numerics.BigInteger]::One -shl $hostBits) - 2
    $offset = (Get-RandomInteger $Rng 64) % $span
    $Prefix.Net + 1 + $offset
}

#endregion

#region the generator's state and its ip commands

function Invoke-GeneratorCommand {
    <# Runs one command of the build, records it (with its error, if any) and says whether it worked. #>
    param($State, [string]$Kind, [string[]]$Command)
    $output = & $Command[0] @($Command | Select-Object -Skip 1) 2>&1
    $ok = $LASTEXITCODE -eq 0
    $State.Commands.Add([pscustomobject]@{
            Kind = $Kind
            Text = ($Command | ForEach-Object { if ($_ -match '[\s''"<>|&;]') { "'$_'" } else { $_ } }) -join ' '
            Ok = $ok
            Error = if ($ok) { $null } else { ("$output" -replace '\s+', ' ').Trim() }
        })
    if (-not $ok -and $Kind -eq 'setup') { throw "Building seed $($State.Seed) failed at: $($Command -join ' '): $output" }
    $ok
}

function Invoke-HostIp {
    param($State, [string]$Kind, [Parameter(ValueFromRemainingArguments)][string[]]$Arguments)
    Invoke-GeneratorCommand $State $Kind (@('ip', '-n', $State.HostNamespace) + $Arguments)
}

function Get-Pick($Rng, $Items) {
    $list = @($Items)
    $list[$Rng.Next($list.Count)]
}

function Get-Chance($Rng, [double]$Probability) { $Rng.NextDouble() -lt $Probability }

function Get-Weighted($Rng, [System.Collections.Specialized.OrderedDictionary]$Weights) {
    $total = 0; foreach ($w in $Weights.Values) { $total += $w }
    $roll = $Rng.Next($total)
    foreach ($key in $Weights.Keys) {
        if ($roll -lt $Weights[$key]) { return $key }
        $roll -= $Weights[$key]
    }
}

#endregion

#region links and addresses

function New-LinkAddresses {
    param($State)
    $rng = $State.Rng
    foreach ($link in $State.Links) {
        if (-not $link.NoIPv4) {
            $subnets = 1 + [int](Get-Chance $rng 0.3)
            for ($s = 0; $s -lt $subnets; $s++) {
                $pool = ConvertTo-Prefix (Get-Pick $rng $script:V4Pools)
                $length = $rng.Next([Math]::Max(8, $pool.Length), 31)
                $subnet = New-Prefix (Get-RandomInPrefix $rng $pool) $length 32
                if (@($State.V4Subnets | Where-Object { $_.Prefix.Text -eq $subnet.Text }).Count) { continue }
                $count = if ($s -eq 0 -and (Get-Chance $rng 0.35)) { 2 } else { 1 }
                # Now and then a link-scoped subnet: never the source of a packet that leaves the link. (All
                # addresses of a subnet share the primary's scope; the kernel refuses a secondary's other scope.)
                $scope = @(if (Get-Chance $rng 0.08) { 'scope', 'link' })
                $used = @()
                for ($k = 0; $k -lt $count; $k++) {
                    $address = ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet) 32
                    if ($used -contains $address -or $State.V4Own.Contains($address)) { continue }
                    $extra = @(if (Get-Chance $rng 0.5) { 'brd', '+' }) + $scope
                    if (Invoke-HostIp $State 'address' addr add "$address/$length" @extra dev $link.Name) {
                        $used += $address
                        $State.V4Own.Add($address) | Out-Null
                    }
                }
                if ($used.Count) { $State.V4Subnets.Add([pscustomobject]@{ Link = $link.Name; Prefix = $subnet; Addresses = $used }) }
            }
        }

        $v6Kinds = @(if (Get-Chance $rng 0.8) { '2001:db8' }; if (Get-Chance $rng 0.6) { 'fd00' })
        if (-not $v6Kinds) { $v6Kinds = @('2001:db8') }
        foreach ($kind in $v6Kinds) {
            $n = '{0:x}' -f $rng.Next(1, 0xffff)
            $subnet = ConvertTo-Prefix "${kind}:${n}::/64"
            $count = if (Get-Chance $rng 0.2) { 2 } else { 1 }
            $used = @()
            for ($k = 0; $k -lt $count; $k++) {
                $address = ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet) 128
                if ($used -contains $address) { continue }
                $extra = @(if (Get-Chance $rng 0.1) { 'preferred_lft', '0' })
                if (Invoke-HostIp $State 'address' addr add "$address/64" dev $link.Name nodad @extra) { $used += $address }
            }
            if ($used.Count) { $State.V6Subnets.Add([pscustomobject]@{ Link = $link.Name; Prefix = $subnet; Addresses = $used }) }
        }
    }

    # Now and then a global address on lo: the one inet_select_addr falls back to before other interfaces.
    if (Get-Chance $rng 0.3) {
        $address = ConvertFrom-AddressInteger (Get-RandomHost $rng (ConvertTo-Prefix '198.18.0.0/15')) 32
        if (Invoke-HostIp $State 'address' addr add "$address/32" dev lo) { $State.V4Own.Add($address) | Out-Null }
    }
}

function Wait-RoutingHostSettled {
    <# Two readings of links and addresses, 200 ms apart, that agree; at most $TimeoutSeconds. #>
    param([string[]]$Namespace, [int]$TimeoutSeconds = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $previous = $null
    while ([DateTime]::UtcNow -lt $deadline) {
        $state = ($Namespace | ForEach-Object { & ip -n $_ -j addr }) -join ''
        $state = $state -replace '"(valid|preferred)_life_time":\d+', ''
        if ($state -eq $previous) { return }
        $previous = $state
        Start-Sleep -Milliseconds 200
    }
    Write-Warning "The namespaces $($Namespace -join ', ') did not settle within $TimeoutSeconds s."
}

#endregion

#region routes

function New-RandomV4Prefix {
    param($State)
    $rng = $State.Rng
    for ($attempt = 0; $attempt -lt 20; $attempt++) {
        $roll = $rng.NextDouble()
        $prefix = if ($roll -lt 0.45 -and $State.V4Subnets.Count) {
            $subnet = (Get-Pick $rng $State.V4Subnets).Prefix
            $length = [Math]::Min(32, [Math]::Max(0, $subnet.Length + $rng.Next(-6, 9)))
            New-Prefix (Get-RandomInPrefix $rng $subnet) $length 32
        }
        elseif ($roll -lt 0.7) {
            $pool = ConvertTo-Prefix (Get-Pick $rng $script:V4Pools)
            New-Prefix (Get-RandomInPrefix $rng $pool) ($rng.Next($pool.Length, 33)) 32
        }
        elseif ($roll -lt 0.92) {
            $value = (ConvertTo-AddressInteger "$($rng.Next(1, 224)).0.0.0") + (Get-RandomInteger $rng 32) % 16777216
            New-Prefix $value ($rng.Next(4, 33)) 32
        }
        else {
            New-Prefix (Get-RandomInteger $rng 32) ($rng.Next(0, 8)) 32
        }
        # The kernel answers everything inside 127.0.0.0/8 from the local table, and 0.0.0.0/8 is no destination.
        $inLoopback = $prefix.Length -ge 8 -and ($prefix.Net -shr 24) -eq 127
        $inZero = $prefix.Length -ge 8 -and ($prefix.Net -shr 24) -eq 0
        if (-not $inLoopback -and -not $inZero) { return $prefix }
    }
    ConvertTo-Prefix '100.64.0.0/10'
}

function New-RandomV6Prefix {
    param($State)
    $rng = $State.Rng
    for ($attempt = 0; $attempt -lt 20; $attempt++) {
        $roll = $rng.NextDouble()
        $prefix = if ($roll -lt 0.45 -and $State.V6Subnets.Count) {
            $subnet = (Get-Pick $rng $State.V6Subnets).Prefix
            $length = [Math]::Min(128, [Math]::Max(0, 64 + $rng.Next(-16, 65)))
            $value = if (Get-Chance $rng 0.5) { Get-RandomHost $rng $subnet } else { Get-RandomInPrefix $rng $subnet }
            New-Prefix $value $length 128
        }
        elseif ($roll -lt 0.7) {
            $pool = ConvertTo-Prefix (Get-Pick $rng @('2001:db8::/32', 'fd00::/8'))
            New-Prefix (Get-RandomInPrefix $rng $pool) ($rng.Next($pool.Length, 129)) 128
        }
        elseif ($roll -lt 0.92) {
            New-Prefix (Get-RandomInPrefix $rng (ConvertTo-Prefix '2000::/3')) ($rng.Next(3, 129)) 128
        }
        else {
            New-Prefix (Get-RandomInteger $rng 128) ($rng.Next(0, 16)) 128
        }
        # Keep to global unicast and ULA space: not ::/8 (loopback, v4-compatible), link-local or multicast.
        $top = [int]($prefix.Net -shr 120)
        $ok = ($prefix.Length -lt 8) -or ($top -ne 0 -and $top -ne 0xff -and -not ($top -eq 0xfe -and $prefix.Length -ge 10 -and (($prefix.Net -shr 118) -band 3) -eq 2))
        if ($ok) { return $prefix }
    }
    ConvertTo-Prefix '2001:db8:ffff::/48'
}

function Get-FreeMetric {
    <# A metric no route of this table and prefix has yet (IPv6 stores metric 0 as 1024), or $null. #>
    param($State, [string]$Family, [string]$Table, $Prefix)
    $rng = $State.Rng
    $candidates = @($script:Metrics | Sort-Object { $rng.Next() })
    foreach ($metric in $candidates) {
        $effective = if ($Family -eq '6' -and $metric -eq 0) { 1024 } else { $metric }
        $key = "$Family|$Table|$($Prefix.Text)|$effective"
        if (-not $State.UsedMetrics.Contains($key)) {
            $State.UsedMetrics.Add($key) | Out-Null
            return $metric
        }
    }
    $null
}

function Get-Gateway {
    <# A next hop for a route through $Link: in one of its subnets, else (IPv4) a made-up one with onlink. #>
    param($State, [string]$Family, $Link)
    $rng = $State.Rng
    if ($Family -eq '6') {
        if (Get-Chance $rng 0.3) { return @{ Address = ('fe80::{0:x}' -f $rng.Next(1, 0xffff)); OnLink = $false } }
        $subnets = @($State.V6Subnets | Where-Object Link -EQ $Link.Name)
        if (-not $subnets) { return @{ Address = ('fe80::{0:x}' -f $rng.Next(1, 0xffff)); OnLink = $false } }
        $subnet = Get-Pick $rng $subnets
        return @{ Address = (ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet.Prefix) 128); OnLink = $false }
    }
    $subnets = @($State.V4Subnets | Where-Object Link -EQ $Link.Name)
    if (-not $subnets -or (Get-Chance $rng 0.08)) {
        $pool = ConvertTo-Prefix (Get-Pick $rng $script:V4Pools)
        $address = ConvertFrom-AddressInteger (Get-RandomHost $rng $pool) 32
        if (-not $State.V4Own.Contains($address)) { return @{ Address = $address; OnLink = $true } }
    }
    # A neighbour, never one of our own addresses (a route via a local address is no gateway route: the
    # kernel gives its next hop host scope and sends on-link); a small subnet may have no other address.
    $subnet = Get-Pick $rng $subnets
    for ($i = 0; $i -lt 20; $i++) {
        $address = ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet.Prefix) 32
        if (-not $State.V4Own.Contains($address)) { return @{ Address = $address; OnLink = $false } }
    }
    $pool = ConvertTo-Prefix (Get-Pick $rng $script:V4Pools)
    @{ Address = (ConvertFrom-AddressInteger (Get-RandomHost $rng $pool) 32); OnLink = $true }
}

function Get-PreferredSource {
    <# An address of ours for `src`: for IPv6 mostly one of the route's own link. #>
    param($State, [string]$Family, $Link)
    $rng = $State.Rng
    if ($Family -eq '4') {
        if (Get-Chance $rng 0.05) { return '127.0.0.1' }
        return Get-Pick $rng @($State.V4Own)
    }
    $own = @($State.V6Subnets | Where-Object { $Link -and $_.Link -eq $Link.Name })
    $from = if ($own -and (Get-Chance $rng 0.7)) { $own } else { @($State.V6Subnets) }
    Get-Pick $rng (Get-Pick $rng $from).Addresses
}

function Add-RandomRoute {
    param($State, [string]$Family)
    $rng = $State.Rng
    $prefix = if ($Family -eq '4') { New-RandomV4Prefix $State } else { New-RandomV6Prefix $State }
    $kind = Get-Weighted $rng ([ordered]@{ via = 30; dev = 18; multipath = 8; blackhole = 8; unreachable = 8; prohibit = 8; throw = 8; multicast = 2; local = 5 })
    $table = Get-Weighted $rng $script:TableWeights
    $links = @($State.Links)
    $words = [System.Collections.Generic.List[string]]::new()

    if ($kind -eq 'local') {
        # An extra local (AnyIP) or broadcast route in table local.
        $table = 'local'
        if ($Family -eq '4' -and (Get-Chance $rng 0.4)) {
            $link = Get-Pick $rng $links
            $words.AddRange([string[]]@('broadcast', (ConvertFrom-AddressInteger (Get-RandomInPrefix $rng $prefix) 32), 'dev', $link.Name))
            $prefix = New-Prefix (ConvertTo-AddressInteger $words[1]) 32 32
        }
        else {
            if ($Family -eq '4') {
                $pool = ConvertTo-Prefix (Get-Pick $rng $script:V4Pools)
                $prefix = New-Prefix (Get-RandomInPrefix $rng $pool) ($rng.Next(26, 33)) 32
            }
            else {
                $prefix = New-Prefix (Get-RandomInPrefix $rng (ConvertTo-Prefix '2001:db8::/32')) ($rng.Next(120, 129)) 128
            }
            $words.AddRange([string[]]@('local', $prefix.Text, 'dev', 'lo'))
            $State.LocalRoutes.Add($prefix)
        }
    }
    elseif ($kind -eq 'multicast') {
        $prefix = if ($Family -eq '4') { New-Prefix (ConvertTo-AddressInteger "239.$($rng.Next(0, 256)).0.0") 16 32 } else { ConvertTo-Prefix ('ff{0:x}::/16' -f $rng.Next(0x10, 0x100)) }
        $words.AddRange([string[]]@('multicast', $prefix.Text, 'dev', (Get-Pick $rng $links).Name))
    }
    elseif ($kind -in 'blackhole', 'unreachable', 'prohibit', 'throw') {
        $words.AddRange([string[]]@($kind, $prefix.Text))
    }
    elseif ($kind -eq 'multipath') {
        $words.Add($prefix.Text)
        $hops = $rng.Next(2, 4)
        $chosen = @($links | Sort-Object { $rng.Next() } | Select-Object -First $hops)
        $nexthops = foreach ($link in $chosen) {
            $hop = @('nexthop')
            if ($Family -eq '6' -or (Get-Chance $rng 0.75)) {
                $gateway = Get-Gateway $State $Family $link
                $hop += 'via', $gateway.Address
                $hop += 'dev', $link.Name
                if ($gateway.OnLink) { $hop += 'onlink' }
            }
            else { $hop += 'dev', $link.Name }
            if (Get-Chance $rng 0.3) { $hop += 'weight', "$($rng.Next(1, 5))" }
            , $hop
        }
        $trailing = foreach ($hop in $nexthops) { $hop }
    }
    else {
        $link = if (Get-Chance $rng 0.03) { [pscustomobject]@{ Name = 'lo' } } else { Get-Pick $rng $links }
        $words.Add($prefix.Text)
        if ($kind -eq 'via' -and $link.Name -ne 'lo') {
            $gateway = Get-Gateway $State $Family $link
            $words.AddRange([string[]]@('via', $gateway.Address, 'dev', $link.Name))
            if ($gateway.OnLink) { $words.Add('onlink') }
        }
        else {
            $words.AddRange([string[]]@('dev', $link.Name))
            # An on-link IPv4 route is scope link unless told otherwise; the scope bounds its source (inet_select_addr).
            if ($Family -eq '4' -and (Get-Chance $rng 0.12)) { $words.AddRange([string[]]@('scope', (Get-Pick $rng @('global', 'global', 'host')))) }
        }
        if (Get-Chance $rng 0.2) { $words.AddRange([string[]]@('src', (Get-PreferredSource $State $Family $link))) }
        if ($Family -eq '6' -and (Get-Chance $rng 0.45)) { $words.AddRange([string[]]@('pref', (Get-Pick $rng @('high', 'low', 'medium')))) }
    }
    # Now and then a source-specific IPv6 route (ip -6 route add X from Y; the kernel's subtrees).
    if ($Family -eq '6' -and $kind -in 'via', 'dev', 'blackhole', 'unreachable', 'prohibit' -and $State.V6Subnets.Count -and (Get-Chance $rng 0.1)) {
        $around = Get-Pick $rng (Get-Pick $rng $State.V6Subnets).Addresses
        $words.AddRange([string[]]@('from', (Get-PrefixAround $rng $around 32 128).Text))
    }

    if ($table -ne 'main') { $words.AddRange([string[]]@('table', $table)) }
    if ($table -ne 'local') {
        $metric = Get-FreeMetric $State $Family $table $prefix
        if ($null -eq $metric) { return }
        $words.AddRange([string[]]@('metric', "$metric"))
    }
    if ($kind -eq 'multipath') { $words.AddRange([string[]]$trailing) }
    $ok = Invoke-HostIp $State 'route' "-$Family" route add @words
    if ($ok -and $table -ne 'local') { $State.RoutePrefixes.Add([pscustomobject]@{ Family = $Family; Prefix = $prefix; Kind = $kind; Table = $table }) }
}

function Add-DefaultRoutes {
    <# A default route in main (sometimes two, by metric) and a different one in table 51820, per family. #>
    param($State, [string]$Family)
    $rng = $State.Rng
    $any = if ($Family -eq '4') { New-Prefix 0 0 32 } else { New-Prefix 0 0 128 }
    $withCarrier = @($State.Links | Where-Object Carrier)
    $first = Get-Pick $rng $withCarrier
    $count = if (Get-Chance $rng 0.4) { 2 } else { 1 }
    for ($i = 0; $i -lt $count; $i++) {
        $link = if ($i -eq 0) { $first } else { Get-Pick $rng $State.Links }
        $gateway = Get-Gateway $State $Family $link
        $metric = Get-FreeMetric $State $Family 'main' $any
        $words = @('default', 'via', $gateway.Address, 'dev', $link.Name, 'metric', "$metric") + @(if ($gateway.OnLink) { 'onlink' })
        if ($i -eq 1 -and (Get-Chance $rng 0.4)) { $words = @('default', 'dev', $link.Name, 'metric', "$metric") }
        Invoke-HostIp $State 'route' "-$Family" route add @words | Out-Null
    }
    $other = Get-Pick $rng @($State.Links | Where-Object Name -NE $first.Name)
    $metric = Get-FreeMetric $State $Family '51820' $any
    Invoke-HostIp $State 'route' "-$Family" route add default dev $other.Name table 51820 metric "$metric" | Out-Null
    $State.RoutePrefixes.Add([pscustomobject]@{ Family = $Family; Prefix = $any; Kind = 'default'; Table = '51820' })
}

#endregion

#region rules

function Get-PrefixAround {
    <# A prefix that contains $Address, $Shorter to $Longer bits long. #>
    param($Rng, [string]$Address, [int]$Shorter, [int]$Longer)
    $bits = if ($Address.Contains(':')) { 128 } else { 32 }
    New-Prefix (ConvertTo-AddressInteger $Address) ($Rng.Next($Shorter, $Longer + 1)) $bits
}

function Add-RandomRules {
    param($State, [string]$Family)
    $rng = $State.Rng
    $own = if ($Family -eq '4') { @($State.V4Own) } else { @($State.V6Subnets | ForEach-Object Addresses) }
    $routes = @($State.RoutePrefixes | Where-Object Family -EQ $Family | ForEach-Object Prefix)
    $random = { if ($Family -eq '4') { New-RandomV4Prefix $State } else { New-RandomV6Prefix $State } }
    $toPrefix = { if ($routes -and (Get-Chance $rng 0.6)) { $p = Get-Pick $rng $routes; if ($p.Length -gt 0) { $p } else { & $random } } else { & $random } }
    $shortest = if ($Family -eq '4') { 8 } else { 32 }
    $bits = if ($Family -eq '4') { 32 } else { 128 }

    $rules = [System.Collections.Generic.List[object]]::new()
    if ($own -and (Get-Chance $rng 0.9)) { $rules.Add(@('from', (Get-PrefixAround $rng (Get-Pick $rng $own) $shortest $bits).Text, 'lookup', '100')) }
    if (Get-Chance $rng 0.9) { $rules.Add(@('to', (& $toPrefix).Text, 'lookup', '200')) }
    if (Get-Chance $rng 0.8) { $rules.Add(@('fwmark', '0x1/0xff', 'lookup', '1000')) }
    if ($own -and (Get-Chance $rng 0.35)) { $rules.Add(@('not', 'from', (Get-PrefixAround $rng (Get-Pick $rng $own) $shortest $bits).Text, 'lookup', '200')) }
    $rejects = $rng.Next(0, 3)
    for ($i = 0; $i -lt $rejects; $i++) {
        $rules.Add(@('to', (& $toPrefix).Text, (Get-Pick $rng @('unreachable', 'prohibit', 'blackhole'))))
    }
    if (Get-Chance $rng 0.5) { $rules.Add(@('iif', 'lo', 'lookup', (Get-Pick $rng @('100', '200', '1000')))) }
    if (Get-Chance $rng 0.25) { $rules.Add(@('iif', (Get-Pick $rng $State.Links).Name, 'lookup', '200')) }
    if (Get-Chance $rng 0.3) { $rules.Add(@('oif', (Get-Pick $rng $State.Links).Name, 'lookup', (Get-Pick $rng @('100', '200')))) }
    if (Get-Chance $rng 0.2) { $rules.Add(@('fwmark', '0xca6c', 'lookup', '100')) }

    # Priorities: distinct, in a random order of the rules above; then goto rules that jump forward.
    $priorities = @(1..$rules.Count | ForEach-Object { 1000 + 100 * $_ + $rng.Next(0, 50) })
    $order = @(0..($rules.Count - 1) | Sort-Object { $rng.Next() })
    $placed = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $rules.Count; $i++) { $placed.Add([pscustomobject]@{ Priority = $priorities[$i]; Words = $rules[$order[$i]] }) }

    if ($placed.Count -ge 2 -and (Get-Chance $rng 0.6)) {
        $target = $placed[$rng.Next(1, $placed.Count)]
        $priority = $target.Priority - $rng.Next(5, 60)
        $goto = if (Get-Chance $rng 0.15) { $target.Priority + 7 } else { $target.Priority }
        $placed.Add([pscustomobject]@{ Priority = $priority; Words = @('to', (& $toPrefix).Text, 'goto', "$goto") })
    }

    # wg-quick's pair: everything without its mark goes to 51820, except what main routes more specifically.
    if (Get-Chance $rng 0.8) {
        $base = if (Get-Chance $rng 0.75) { 32000 + $rng.Next(0, 700) } else { 900 + $rng.Next(0, 90) }
        $placed.Add([pscustomobject]@{ Priority = $base; Words = @('lookup', 'main', 'suppress_prefixlength', '0') })
        $placed.Add([pscustomobject]@{ Priority = $base + 1; Words = @('not', 'fwmark', '0xca6c', 'lookup', '51820') })
    }

    # The newer selectors, from their own generator, at priorities among the rules above (a shared one is allowed).
    $extra = @(Get-SelectorRules $State $Family)
    $span = 100 * ($rules.Count + 1)
    foreach ($words in $extra) { $placed.Add([pscustomobject]@{ Priority = 1000 + $State.Extra.Next(0, $span); Words = $words }) }
    foreach ($rule in @(Get-NetlinkSelectorRules $State $Family)) {
        $rule.Priority = [uint32](1000 + $State.Extra.Next(0, $span))
        $State.NetlinkRules.Add($rule)
    }

    foreach ($rule in $placed) {
        $words = [string[]]$rule.Words
        Invoke-HostIp $State 'rule' "-$Family" rule add priority "$($rule.Priority)" @words | Out-Null
    }
}

#endregion

#region the newer selectors: interface groups, sysctls, nexthop objects, neighbours, and their rules

# What the selector rules match, so that the queries can ask inside, on the edge of and outside each of them.
function New-SelectorPalette {
    param($Rng)
    $low = $Rng.Next(1000, 3000)
    [pscustomobject]@{
        Tos = @(0x10, 0x28, 0xb8)[0..$Rng.Next(0, 3)]
        Dscp = @(0x0a, 0x2e, 0x12)[$Rng.Next(0, 3)]
        DscpMask = @(0x38, 0x3c, 0x0f)[$Rng.Next(0, 3)]
        SourcePorts = @($low, ($low + $Rng.Next(0, 500)))
        DestinationPort = @(53, 80, 443, 5000)[$Rng.Next(0, 4)]
        PortMask = @(0xff00, 0xfff0, 0x00ff)[$Rng.Next(0, 3)]
        MaskedPort = $Rng.Next(0x100, 0x10000)
        Uids = @(($low), ($low + $Rng.Next(0, 1000)))
        FlowLabel = $Rng.Next(1, 0x100000)
        FlowLabelMask = @(0xfffff, 0xfff00, 0x000ff)[$Rng.Next(0, 3)]
        Group = $Rng.Next(1, 4)
        # Half the seeds write rules over rtnetlink: each such write starts a pwsh, which costs seconds.
        Netlink = $Rng.NextDouble() -lt 0.5
    }
}

function Set-HostSysctl {
    param($State, [string]$Name, [string]$Value)
    Invoke-GeneratorCommand $State 'setup' @('ip', 'netns', 'exec', $State.HostNamespace, 'sysctl', '-qw', "$Name=$Value") | Out-Null
}

function Set-RandomLinkSettings {
    <# Interface groups (for suppress_ifgroup), forwarding and rp_filter per link (for input lookups), multipath sysctls. #>
    param($State)
    $rng = $State.Extra
    foreach ($link in $State.Links) {
        if (Get-Chance $rng 0.4) { Invoke-HostIp $State 'setup' link set $link.Name group "$(if (Get-Chance $rng 0.7) { $State.Palette.Group } else { $State.Palette.Group + 1 })" | Out-Null }
    }
    # Writing "all" sets every interface's forwarding; the per-link settings come after it.
    if (Get-Chance $rng 0.75) { Set-HostSysctl $State net.ipv4.conf.all.forwarding 1 }
    if (Get-Chance $rng 0.5) { Set-HostSysctl $State net.ipv6.conf.all.forwarding 1 }
    if (Get-Chance $rng 0.3) { Set-HostSysctl $State net.ipv4.conf.all.rp_filter $rng.Next(1, 3) }
    foreach ($link in $State.Links) {
        if (Get-Chance $rng 0.2) { Set-HostSysctl $State "net.ipv4.conf.$($link.Name).forwarding" (Get-Pick $rng @(0, 1)) }
        if (Get-Chance $rng 0.3) { Set-HostSysctl $State "net.ipv4.conf.$($link.Name).rp_filter" $rng.Next(0, 3) }
    }
    if (Get-Chance $rng 0.5) { Set-HostSysctl $State net.ipv4.fib_multipath_use_neigh 1 }
    if (Get-Chance $rng 0.3) { Set-HostSysctl $State net.ipv4.nexthop_compat_mode 0 }
}

function Add-RandomNexthopObjects {
    <# Some nexthop objects per family (via a neighbour, on-link, blackhole; groups of them with weights) and routes that use them. #>
    param($State, [string]$Family)
    $rng = $State.Extra
    $withCarrier = @($State.Links | Where-Object Carrier)
    $singles = [System.Collections.Generic.List[int]]::new()
    $ids = [System.Collections.Generic.List[int]]::new()
    $count = $rng.Next(0, 4)
    for ($i = 0; $i -lt $count; $i++) {
        $id = $State.NextNexthopId++
        $link = Get-Pick $rng $withCarrier
        $words = @(if (Get-Chance $rng 0.1) { 'blackhole' }
            elseif ($Family -eq '4' -and (Get-Chance $rng 0.25)) { 'dev', $link.Name }
            else {
                $gateway = Get-Gateway $State $Family $link
                @('via', $gateway.Address, 'dev', $link.Name) + @(if ($gateway.OnLink) { 'onlink' })
            })
        if (Invoke-HostIp $State 'route' "-$Family" nexthop add id "$id" @words) {
            $ids.Add($id)
            if ($words[0] -ne 'blackhole') { $singles.Add($id) }
        }
    }
    $grouped = [System.Collections.Generic.HashSet[int]]::new()
    if ($singles.Count -ge 2 -and (Get-Chance $rng 0.7)) {
        $id = $State.NextNexthopId++
        $members = @($singles | Sort-Object { $rng.Next() } | ForEach-Object { if (Get-Chance $rng 0.3) { "$_,$($rng.Next(2, 5))" } else { "$_" } }) -join '/'
        if (Invoke-HostIp $State 'route' nexthop add id "$id" group $members) {
            $ids.Add($id)
            foreach ($member in $singles) { $grouped.Add($member) | Out-Null }
        }
    }
    foreach ($id in $ids) {
        foreach ($n in 1..$rng.Next(1, 3)) {
            $prefix = if ($Family -eq '4') { New-RandomV4Prefix $State } else { New-RandomV6Prefix $State }
            $table = Get-Weighted $rng $script:TableWeights
            $metric = Get-FreeMetric $State $Family $table $prefix
            if ($null -eq $metric) { continue }
            if (Invoke-HostIp $State 'route' "-$Family" route add $prefix.Text nhid "$id" table $table metric "$metric") {
                $State.RoutePrefixes.Add([pscustomobject]@{ Family = $Family; Prefix = $prefix; Kind = "nhid $id"; Table = $table })
            }
        }
    }
}

function Add-RandomNeighbours {
    <#
        A second IPv4 default route of the main one's metric (fib_select_default chooses between them by neighbour
        state), then neighbour entries for some of the gateways the host routes through: permanent or (IPv4) failed.
    #>
    param($State)
    $rng = $State.Extra
    $ns = $State.HostNamespace
    $fixed = [System.Collections.Generic.HashSet[string]]::new()
    $default = @(& ip -n $ns -4 -j route show default table main | ConvertFrom-Json) | Where-Object { $_.PSObject.Properties['gateway'] } | Select-Object -First 1
    if ($default -and (Get-Chance $rng 0.5)) {
        $link = Get-Pick $rng @($State.Links | Where-Object Carrier)
        $gateway = Get-Gateway $State '4' $link
        $metric = if ($default.PSObject.Properties['metric']) { $default.metric } else { 0 }
        $words = @('default', 'via', $gateway.Address, 'dev', $link.Name, 'metric', "$metric") + @(if ($gateway.OnLink) { 'onlink' })
        if (Invoke-HostIp $State 'route' -4 route append @words) {
            # fib_select_default remembers its last choice (fa_default) and turns to the other gateway on the next lookup
            # unless one neighbour is FAILED and the other valid: only then is the answer the same on every question.
            Invoke-HostIp $State 'route' neigh replace $default.gateway dev $default.dev nud failed | Out-Null
            Invoke-HostIp $State 'route' neigh replace $gateway.Address dev $link.Name lladdr ('02:00:5e:{0:x2}:{1:x2}:{2:x2}' -f $rng.Next(256), $rng.Next(256), $rng.Next(256)) nud permanent | Out-Null
            $fixed.Add("$($default.gateway)|$($default.dev)") | Out-Null
            $fixed.Add("$($gateway.Address)|$($link.Name)") | Out-Null
        }
    }
    $gateways = [System.Collections.Generic.List[object]]::new()
    foreach ($family in '4', '6') {
        foreach ($route in @(& ip -n $ns "-$family" -j route show table all | ConvertFrom-Json)) {
            $hops = if ($route.PSObject.Properties['nexthops']) { @($route.nexthops) } else { @($route) }
            foreach ($hop in $hops) {
                if ($hop.PSObject.Properties['gateway'] -and $hop.PSObject.Properties['dev']) { $gateways.Add("$($hop.gateway)|$($hop.dev)") }
            }
        }
    }
    foreach ($nh in @(& ip -n $ns -j nexthop show | ConvertFrom-Json)) {
        if ($nh.PSObject.Properties['gateway'] -and $nh.PSObject.Properties['dev']) { $gateways.Add("$($nh.gateway)|$($nh.dev)") }
    }
    foreach ($pair in @($gateways | Sort-Object -Unique)) {
        if ($fixed.Contains($pair)) { continue }
        $chosen = Get-Chance $rng 0.45
        $gateway, $dev = $pair -split '\|'
        # Every IPv6 gateway gets a permanent entry: a lookup through one with no entry or a FAILED one makes the
        # kernel probe it (rt6_probe), and the entry's state, so the answer, then changes between asking ip and
        # asking Resolve-NetRoute (seen on seed 9). IPv4 gateways get an entry by chance.
        if (-not $chosen -and -not $gateway.Contains(':')) { continue }
        $nud = if ($gateway.Contains(':') -or (Get-Chance $rng 0.5)) { @('lladdr', ('02:00:5e:{0:x2}:{1:x2}:{2:x2}' -f $rng.Next(256), $rng.Next(256), $rng.Next(256)), 'nud', 'permanent') } else { @('nud', 'failed') }
        Invoke-HostIp $State 'route' neigh replace $gateway dev $dev @nud | Out-Null
    }
}

function Get-SelectorRules {
    <# Rules (as ip words) on tos, ipproto, port ranges, uidrange, iif and suppress_ifgroup, for Add-RandomRules to place. #>
    param($State, [string]$Family)
    $rng = $State.Extra
    $p = $State.Palette
    $table = { Get-Pick $rng @('100', '200', '1000') }
    if (Get-Chance $rng 0.5) { , @('tos', ('0x{0:x2}' -f (Get-Pick $rng $p.Tos)), 'lookup', (& $table)) }
    if (Get-Chance $rng 0.35) { , @('ipproto', (Get-Pick $rng @('tcp', 'udp')), 'lookup', (& $table)) }
    if (Get-Chance $rng 0.4) { , @('ipproto', 'tcp', 'sport', "$($p.SourcePorts[0])-$($p.SourcePorts[1])", 'lookup', (& $table)) }
    if (Get-Chance $rng 0.4) { , @('dport', "$($p.DestinationPort)", 'lookup', (& $table)) }
    if (Get-Chance $rng 0.35) { , @('uidrange', "$($p.Uids[0])-$($p.Uids[1])", 'lookup', (& $table)) }
    if (Get-Chance $rng 0.5) { , @('iif', (Get-Pick $rng $State.Links).Name, 'lookup', (& $table)) }
    if (Get-Chance $rng 0.35) { , @('lookup', (Get-Pick $rng @('main', '100', '200')), 'suppress_ifgroup', "$($p.Group)") }
}

function Get-NetlinkSelectorRules {
    <# Rules iproute2 6.1 cannot write (dscp/mask, flowlabel/mask, port masks), as NetlinkRules.psm1 descriptions. #>
    param($State, [string]$Family)
    $rng = $State.Extra
    $p = $State.Palette
    if (-not $p.Netlink) { return }
    $name = if ($Family -eq '6') { 'IPv6' } else { 'IPv4' }
    $table = { [uint32](Get-Pick $rng @(100, 200, 1000)) }
    if (Get-Chance $rng 0.5) { @{ Family = $name; Table = & $table; Dscp = $p.Dscp -band $p.DscpMask; DscpMask = $p.DscpMask } }
    if ($Family -eq '6' -and (Get-Chance $rng 0.7)) { @{ Family = $name; Table = & $table; FlowLabel = $p.FlowLabel -band $p.FlowLabelMask; FlowLabelMask = $p.FlowLabelMask } }
    if (Get-Chance $rng 0.4) { @{ Family = $name; Table = & $table; SourcePort = $p.MaskedPort -band $p.PortMask; SourcePortMask = $p.PortMask } }
    if (Get-Chance $rng 0.4) { @{ Family = $name; Table = & $table; DestinationPort = $p.MaskedPort -band $p.PortMask; DestinationPortMask = $p.PortMask } }
}

function Add-NetlinkRules {
    <# Writes the rtnetlink rules of both families in one pwsh inside the host namespace; a refusal is recorded, not thrown. #>
    param($State)
    if (-not $State.NetlinkRules.Count) { return }
    $rules = [hashtable[]]$State.NetlinkRules.ToArray()
    $text = 'netlink RTM_NEWRULE ' + (($rules | ForEach-Object { '{' + (($_.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' ') + '}' }) -join ' ')
    # Compiled once per process into a private temporary directory, which Remove-RandomRoutingHost removes.
    $assembly = Get-NetlinkRuleAssembly (Join-Path $script:Scratch 'NetlinkRuleWriter.dll')
    $result = Invoke-FreshPwsh -NoImport -Namespace $State.HostNamespace -Script (Get-NetlinkRuleScript -Rule $rules -AssemblyPath $assembly) -TimeoutSeconds 60
    $ok = $result.ExitCode -eq 0
    $State.Commands.Add([pscustomobject]@{ Kind = 'rule'; Text = $text; Ok = $ok; Error = if ($ok) { $null } else { ("$($result.Error)" -replace '\s+', ' ').Trim() } })
}

#endregion

#region queries

function Get-HostAddresses {
    <# What the host really has, read back with ip: interface, address, prefix length, flags. #>
    param([string]$Namespace)
    foreach ($link in @(& ip -n $Namespace -j addr | ConvertFrom-Json)) {
        foreach ($a in @(if ($link.PSObject.Properties['addr_info']) { $link.addr_info })) {
            [pscustomobject]@{
                Link = $link.ifname; Family = if ($a.family -eq 'inet6') { '6' } else { '4' }; Address = $a.local; Length = [int]$a.prefixlen
                Scope = $a.scope; Tentative = [bool]($a.PSObject.Properties['tentative'] -and $a.tentative)
            }
        }
    }
}

function New-RoutingQueries {
    param($State, [int]$Count)
    $rng = $State.Rng
    $queries = [System.Collections.Generic.List[object]]::new()
    $seen = [System.Collections.Generic.HashSet[string]]::new()
    $add = {
        param([string]$Destination, [string]$Why, [string]$From, [string]$Oif, [string]$Mark, [hashtable]$With = @{})
        $query = [pscustomobject]@{
            Id = $queries.Count; Destination = $Destination; Family = if ($Destination.Contains(':')) { '6' } else { '4' }
            From = $From; Oif = $Oif; Mark = $Mark; Why = $Why
        }
        foreach ($name in $script:SelectorNames) { $query | Add-Member $name $(if ($With.ContainsKey($name)) { $With[$name] } else { '' }) }
        $key = (@($Destination, $From, $Oif, $Mark) + @(foreach ($name in $script:SelectorNames) { $query.$name })) -join '|'
        if ($seen.Add($key)) { $queries.Add($query) }
    }
    $addresses = @(Get-HostAddresses $State.HostNamespace)
    $bases = [System.Collections.Generic.List[object]]::new()
    $base = { param($d, $w) $bases.Add([pscustomobject]@{ Destination = $d; Why = $w }) }

    foreach ($a in $addresses) { & $base $a.Address 'own address' }
    foreach ($subnet in $State.V4Subnets) {
        & $base (ConvertFrom-AddressInteger $subnet.Prefix.Last 32) 'subnet broadcast'
        & $base (ConvertFrom-AddressInteger $subnet.Prefix.Net 32) 'network address'
        & $base (ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet.Prefix) 32) 'neighbour on a subnet'
    }
    foreach ($subnet in $State.V6Subnets) {
        & $base (ConvertFrom-AddressInteger $subnet.Prefix.Net 128) 'subnet-router anycast'
        & $base (ConvertFrom-AddressInteger (Get-RandomHost $rng $subnet.Prefix) 128) 'neighbour on a subnet'
    }
    foreach ($d in '127.0.0.1', "127.$($rng.Next(0, 256)).$($rng.Next(0, 256)).$($rng.Next(1, 255))", "127.$($rng.Next(0, 256)).$($rng.Next(0, 256)).$($rng.Next(1, 255))", '0.0.0.0', '::1', '::') { & $base $d 'special' }
    foreach ($d in '224.0.0.1', '224.0.0.251', '239.1.2.3', '255.255.255.255', 'ff02::1', 'ff05::1:3') { & $base $d 'multicast or limited broadcast' }
    foreach ($i in 1..3) { & $base ('fe80::{0:x}:{1:x}' -f $rng.Next(1, 0xffff), $rng.Next(1, 0xffff)) 'link-local' }
    foreach ($local in $State.LocalRoutes) { & $base (ConvertFrom-AddressInteger (Get-RandomInPrefix $rng $local) $local.Bits) 'inside a local route' }
    foreach ($route in $State.RoutePrefixes) {
        $p = $route.Prefix
        & $base (ConvertFrom-AddressInteger (Get-RandomInPrefix $rng $p) $p.Bits) "inside $($p.Text) ($($route.Kind), table $($route.Table))"
        $max = ([System.Numerics.BigInteger]::One -shl $p.Bits) - 1
        if ((Get-Chance $rng 0.5) -and $p.Net -gt 0) { & $base (ConvertFrom-AddressInteger ($p.Net - 1) $p.Bits) "just below $($p.Text)" }
        if ((Get-Chance $rng 0.5) -and $p.Last -lt $max) { & $base (ConvertFrom-AddressInteger ($p.Last + 1) $p.Bits) "just above $($p.Text)" }
    }
    foreach ($i in 1..10) { & $base "$($rng.Next(1, 224)).$($rng.Next(0, 256)).$($rng.Next(0, 256)).$($rng.Next(1, 255))" 'random public' }
    foreach ($i in 1..6) { & $base (ConvertFrom-AddressInteger (Get-RandomInPrefix $rng (ConvertTo-Prefix '2000::/3')) 128) 'random public' }

    foreach ($b in $bases) { & $add $b.Destination $b.Why }

    $v4Bases = @($bases | Where-Object { -not $_.Destination.Contains(':') })
    $v6Bases = @($bases | Where-Object { $_.Destination.Contains(':') })
    $v4From = @($State.V4Own) + @('127.0.0.1') + @($State.LocalRoutes | Where-Object Bits -EQ 32 | ForEach-Object { ConvertFrom-AddressInteger (Get-RandomInPrefix $rng $_) 32 })
    $v6From = @($addresses | Where-Object { $_.Family -eq '6' -and $_.Scope -ne 'host' } | ForEach-Object Address) + @('::1')
    $oifs = @($State.Links | ForEach-Object Name) + @('lo')
    $pickBase = { param([bool]$Six) if ($Six) { Get-Pick $rng $v6Bases } else { Get-Pick $rng $v4Bases } }
    $pickOif = { if (Get-Chance $rng 0.08) { 'lo' } else { Get-Pick $rng @($State.Links | ForEach-Object Name) } }

    foreach ($i in 1..30) {
        $six = Get-Chance $rng 0.4
        $b = & $pickBase $six
        $from = if ($six) { Get-Pick $rng $v6From } else { Get-Pick $rng $v4From }
        & $add $b.Destination "$($b.Why); from" $from
    }
    foreach ($mark in '1', '0xca6c', '0x101') {
        foreach ($i in 1..$(if ($mark -eq '0x101') { 4 } else { 14 })) {
            $b = & $pickBase (Get-Chance $rng 0.4)
            & $add $b.Destination "$($b.Why); mark" '' '' $mark
        }
    }
    foreach ($i in 1..24) {
        $b = & $pickBase (Get-Chance $rng 0.4)
        & $add $b.Destination "$($b.Why); oif" '' (& $pickOif)
    }
    foreach ($i in 1..8) {
        $six = Get-Chance $rng 0.4
        $b = & $pickBase $six
        $from = if ($six) { Get-Pick $rng $v6From } else { Get-Pick $rng $v4From }
        if (Get-Chance $rng 0.5) { & $add $b.Destination "$($b.Why); from+oif" $from (& $pickOif) }
        else { & $add $b.Destination "$($b.Why); from+mark" $from '' (Get-Pick $rng @('1', '0xca6c')) }
    }

    # Fill up to $Count with more addresses inside random route prefixes, and their variants.
    for ($guard = 0; $queries.Count -lt $Count -and $guard -lt 10 * $Count; $guard++) {
        $route = Get-Pick $rng $State.RoutePrefixes
        $p = $route.Prefix
        $d = ConvertFrom-AddressInteger (Get-RandomInPrefix $rng $p) $p.Bits
        if ($d -match '^(127|0)\.') { continue }
        $why = "inside $($p.Text) ($($route.Kind), table $($route.Table))"
        switch ($rng.Next(0, 6)) {
            0 { & $add $d "$why; from" $(if ($route.Family -eq '6') { Get-Pick $rng $v6From } else { Get-Pick $rng $v4From }) }
            1 { & $add $d "$why; mark" '' '' (Get-Pick $rng @('1', '0xca6c')) }
            2 { & $add $d "$why; oif" '' (& $pickOif) }
            default { & $add $d $why }
        }
    }

    # The newer selectors, drawn from their own generator so the queries above stay those of earlier versions.
    $x = $State.Extra
    $p = $State.Palette
    $pickAny = { & $pickBase (Get-Chance $x 0.4) }
    $tosValues = @($p.Tos) + @(0, ($p.Dscp -shl 2), ((($p.Dscp -bxor 0x01) -band 0x3f) -shl 2), ((($p.Dscp -bxor 0x20) -band 0x3f) -shl 2), ($x.Next(0, 64) -shl 2))
    $sports = @($p.SourcePorts[0], $p.SourcePorts[1], ($p.SourcePorts[0] - 1), ($p.SourcePorts[1] + 1), $p.MaskedPort, ($p.MaskedPort -bxor 0x0101), $x.Next(1, 65536))
    $dports = @($p.DestinationPort, ($p.DestinationPort + 1), $p.MaskedPort, ($p.MaskedPort -bxor 0x1010), $x.Next(1, 65536))
    $uids = @($p.Uids[0], $p.Uids[1], ($p.Uids[0] - 1), ($p.Uids[1] + 1), 0, 65534)
    $labels = @($p.FlowLabel, ($p.FlowLabel -bxor 0x1), ($p.FlowLabel -bxor 0x80000), ($p.FlowLabel -bxor 0x100), $x.Next(0, 0x100000))
    $hex = { param([int]$Value) '0x{0:x2}' -f $Value }
    foreach ($i in 1..16) { $b = & $pickAny; & $add $b.Destination "$($b.Why); tos" '' '' '' @{ Tos = & $hex (Get-Pick $x $tosValues) } }
    foreach ($i in 1..16) {
        $b = & $pickAny
        & $add $b.Destination "$($b.Why); ipproto+ports" '' '' '' @{ IPProtocol = (Get-Pick $x @('tcp', 'tcp', 'udp')); SourcePort = "$(Get-Pick $x $sports)"; DestinationPort = "$(Get-Pick $x $dports)" }
    }
    foreach ($i in 1..8) { $b = & $pickAny; & $add $b.Destination "$($b.Why); uid" '' '' '' @{ Uid = "$(Get-Pick $x $uids)" } }
    foreach ($i in 1..12) {
        $b = & $pickBase $true
        $with = @{ FlowLabel = "$(Get-Pick $x $labels)" }
        if (Get-Chance $x 0.3) { $with.Tos = & $hex (Get-Pick $x $tosValues) }
        & $add $b.Destination "$($b.Why); flowlabel" '' '' '' $with
    }
    foreach ($i in 1..6) {
        $b = & $pickAny
        & $add $b.Destination "$($b.Why); tos+ipproto+dport+mark" '' '' (Get-Pick $x @('', '1', '0xca6c')) @{ Tos = & $hex (Get-Pick $x $tosValues); IPProtocol = 'udp'; DestinationPort = "$(Get-Pick $x $dports)" }
    }
    # Input lookups: a packet arriving on a link from a neighbour there, from behind another link, from anywhere, or from ourselves.
    foreach ($i in 1..30) {
        $six = Get-Chance $x 0.35
        $link = Get-Pick $x $State.Links
        $subnets = @(if ($six) { $State.V6Subnets } else { $State.V4Subnets })
        $onLink = @($subnets | Where-Object Link -EQ $link.Name)
        $bits = if ($six) { 128 } else { 32 }
        $from = switch ($x.Next(0, 4)) {
            0 { if ($onLink) { ConvertFrom-AddressInteger (Get-RandomHost $x (Get-Pick $x $onLink).Prefix) $bits } }
            1 { if ($subnets) { ConvertFrom-AddressInteger (Get-RandomHost $x (Get-Pick $x $subnets).Prefix) $bits } }
            2 { if ($six) { Get-Pick $x $v6From } else { Get-Pick $x $v4From } }
        }
        if (-not $from) { $from = if ($six) { ConvertFrom-AddressInteger (Get-RandomInPrefix $x (ConvertTo-Prefix '2000::/3')) 128 } else { "$($x.Next(1, 224)).$($x.Next(0, 256)).$($x.Next(0, 256)).$($x.Next(1, 255))" } }
        # Not IPv6 multicast: rtnetlink answers an input lookup of that from the multicast routing cache (ip6mr_get_route),
        # and without an entry there the kernel fails its reply with EMSGSIZE, so ip cannot ask the route lookup.
        $b = & $pickBase $six
        for ($retry = 0; $retry -lt 10 -and $six -and ([System.Net.IPAddress]::Parse($b.Destination)).IsIPv6Multicast; $retry++) { $b = & $pickBase $six }
        if ($six -and ([System.Net.IPAddress]::Parse($b.Destination)).IsIPv6Multicast) { continue }
        $with = @{ Iif = $link.Name }
        if (Get-Chance $x 0.25) { $with.Tos = & $hex (Get-Pick $x $tosValues) }
        & $add $b.Destination "$($b.Why); iif+from" $from '' $(if (Get-Chance $x 0.15) { '1' } else { '' }) $with
    }
    , $queries.ToArray()
}

#endregion

function New-RandomRoutingHost {
    <#
    .SYNOPSIS
        Builds a random routing host from a seed: two namespaces, links, addresses, routes, rules, and queries.
    .OUTPUTS
        An object with HostNamespace, PeerNamespace, Seed, Commands (every command run: Kind, Text, Ok,
        Error), Failed (the address, route and rule commands the kernel refused: recorded and skipped)
        and Queries (Id, Destination, Family, From, Oif, Mark, Why).
    #>
    param(
        [Parameter(Mandatory)][int]$Seed,
        [int]$QueryCount = 250
    )
    $tag = "rr$Seed"
    $state = [pscustomobject]@{
        Seed = $Seed
        Rng = [System.Random]::new($Seed)
        HostNamespace = "pslb-$PID-$tag"
        PeerNamespace = "pslb-$PID-${tag}p"
        Commands = [System.Collections.Generic.List[object]]::new()
        Links = [System.Collections.Generic.List[object]]::new()
        V4Subnets = [System.Collections.Generic.List[object]]::new()
        V6Subnets = [System.Collections.Generic.List[object]]::new()
        V4Own = [System.Collections.Generic.List[string]]::new()
        LocalRoutes = [System.Collections.Generic.List[object]]::new()
        RoutePrefixes = [System.Collections.Generic.List[object]]::new()
        UsedMetrics = [System.Collections.Generic.HashSet[string]]::new()
        # The newer selectors and kernel state draw from a second generator, so a seed's older parts stay as they were.
        Extra = [System.Random]::new($Seed -bxor 0x5eed)
        Palette = $null
        NetlinkRules = [System.Collections.Generic.List[hashtable]]::new()
        NextNexthopId = 1
    }
    $state.Palette = New-SelectorPalette $state.Extra
    $rng = $state.Rng
    $hostNs = $state.HostNamespace
    $peerNs = $state.PeerNamespace

    try {
        foreach ($ns in $hostNs, $peerNs) {
            & ip netns del $ns 2>$null
            Invoke-GeneratorCommand $state 'setup' @('ip', 'netns', 'add', $ns) | Out-Null
            $script:Built.Add($ns)
            # DAD off before any link exists, so no address stays tentative (except on a link without carrier).
            Invoke-GeneratorCommand $state 'setup' @('ip', 'netns', 'exec', $ns, 'sh', '-c',
                'echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad') | Out-Null
        }
        Invoke-HostIp $state 'setup' link set lo up | Out-Null

        $linkCount = $rng.Next(3, 6)
        $noCarrier = if (Get-Chance $rng 0.6) { $rng.Next(0, $linkCount) } else { -1 }
        $noIPv4 = if (Get-Chance $rng 0.25) { $rng.Next(0, $linkCount) } else { -1 }
        $seedByte = '{0:x2}' -f ($Seed -band 0xff)
        for ($i = 0; $i -lt $linkCount; $i++) {
            $link = [pscustomobject]@{ Name = "v$i"; Peer = "p$i"; Carrier = $i -ne $noCarrier; NoIPv4 = $i -eq $noIPv4 }
            $state.Links.Add($link)
            Invoke-HostIp $state 'setup' link add $link.Name address "02:00:5e:${seedByte}:01:0$i" type veth peer name $link.Peer address "02:00:5e:${seedByte}:02:0$i" netns $peerNs | Out-Null
            Invoke-HostIp $state 'setup' link set $link.Name up | Out-Null
            if ($link.Carrier) { Invoke-GeneratorCommand $state 'setup' @('ip', '-n', $peerNs, 'link', 'set', $link.Peer, 'up') | Out-Null }
        }

        New-LinkAddresses $state
        Wait-RoutingHostSettled $hostNs, $peerNs
        Set-RandomLinkSettings $state

        foreach ($family in '4', '6') {
            Add-DefaultRoutes $state $family
            $routes = if ($family -eq '4') { $rng.Next(25, 41) } else { $rng.Next(15, 29) }
            for ($i = 0; $i -lt $routes; $i++) { Add-RandomRoute $state $family }
            Add-RandomNexthopObjects $state $family
        }
        Add-RandomNeighbours $state
        # Some seeds leave IPv4 with the default rules only: Linux then keeps local and main merged.
        foreach ($family in '4', '6') {
            if (-not (Get-Chance $rng 0.12)) { Add-RandomRules $state $family }
        }
        Add-NetlinkRules $state
        $queries = New-RoutingQueries $state $QueryCount
    }
    catch {
        # A host half built is no use: remove it now rather than leave it to the caller.
        foreach ($ns in $hostNs, $peerNs) { & ip netns del $ns 2>$null; $script:Built.Remove($ns) | Out-Null }
        throw
    }

    $refused = @($state.Commands | Where-Object { -not $_.Ok })
    [pscustomobject]@{
        Seed = $Seed
        HostNamespace = $hostNs
        PeerNamespace = $peerNs
        Links = @($state.Links)
        Commands = $state.Commands.ToArray()
        Failed = $refused
        Queries = $queries
    }
}

function Remove-RandomRoutingHost {
    <# Removes a host's namespaces (its veth links go with them); with no host, every one this process built. #>
    param([Parameter(ValueFromPipeline)]$RoutingHost)
    process {
        $names = if ($RoutingHost) { @($RoutingHost.HostNamespace, $RoutingHost.PeerNamespace) } else { @($script:Built) }
        if (-not $RoutingHost) { Remove-Item -LiteralPath $script:Scratch -Recurse -Force -ErrorAction Ignore }
        foreach ($name in $names) {
            & ip netns del $name 2>$null
            $script:Built.Remove($name) | Out-Null
        }
    }
}

function Get-RandomRoutingQueryWords {
    <# A query as `ip route get` words (after the destination) and as Resolve-NetRoute's parameters, in one place for the test and the replay. #>
    param([Parameter(Mandatory)]$Query)
    $ip = [System.Collections.Generic.List[string]]::new()
    $parameters = [ordered]@{}
    if ($Query.From) { $ip.AddRange([string[]]@('from', $Query.From)); $parameters.LocalIPAddress = $Query.From }
    if ($Query.Iif) { $ip.AddRange([string[]]@('iif', $Query.Iif)); $parameters.InputInterface = $Query.Iif }
    if ($Query.Oif) { $ip.AddRange([string[]]@('oif', $Query.Oif)); $parameters.InterfaceAlias = $Query.Oif }
    if ($Query.Mark) { $ip.AddRange([string[]]@('mark', $Query.Mark)); $parameters.Mark = $Query.Mark }
    if ($Query.Tos) { $ip.AddRange([string[]]@('tos', $Query.Tos)); $parameters.Tos = [Convert]::ToInt32($Query.Tos, 16) }
    if ($Query.IPProtocol) { $ip.AddRange([string[]]@('ipproto', $Query.IPProtocol)); $parameters.IPProtocol = $Query.IPProtocol }
    if ($Query.SourcePort) { $ip.AddRange([string[]]@('sport', $Query.SourcePort)); $parameters.SourcePort = [int]$Query.SourcePort }
    if ($Query.DestinationPort) { $ip.AddRange([string[]]@('dport', $Query.DestinationPort)); $parameters.DestinationPort = [int]$Query.DestinationPort }
    if ($Query.Uid) { $ip.AddRange([string[]]@('uid', $Query.Uid)); $parameters.Uid = [uint32]$Query.Uid }
    # iproute2 6.1 has no flowlabel word: the kernel hears it only from Resolve-NetRoute -Verify (RTA_FLOWLABEL).
    if ($Query.FlowLabel) { $ip.AddRange([string[]]@('flowlabel', $Query.FlowLabel)); $parameters.FlowLabel = [int]$Query.FlowLabel }
    [pscustomobject]@{
        Ip = $ip.ToArray()
        Parameters = $parameters
        Command = "Resolve-NetRoute $($Query.Destination)" + (($parameters.GetEnumerator() | ForEach-Object { " -$($_.Key) $($_.Value)" }) -join '')
        IpAsks = -not $Query.FlowLabel
    }
}

function Format-RandomRoutingCommands {
    <# The commands that built a host, one a line, refused ones marked, to replay or read. #>
    param([Parameter(Mandatory)]$RoutingHost)
    foreach ($c in $RoutingHost.Commands) {
        if ($c.Ok) { $c.Text } else { "$($c.Text)   # refused: $($c.Error)" }
    }
}

Export-ModuleMember -Function New-RandomRoutingHost, Remove-RandomRoutingHost, Format-RandomRoutingCommands, Get-RandomRoutingQueryWords
