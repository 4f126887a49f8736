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

$script:Built = [System.Collections.Generic.List[string]]::new()

$script:V4Pools = @('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.18.0.0/15')
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

    foreach ($rule in $placed) {
        $words = [string[]]$rule.Words
        Invoke-HostIp $State 'rule' "-$Family" rule add priority "$($rule.Priority)" @words | Out-Null
    }
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
        param([string]$Destination, [string]$Why, [string]$From, [string]$Oif, [string]$Mark)
        $key = "$Destination|$From|$Oif|$Mark"
        if ($seen.Add($key)) {
            $queries.Add([pscustomobject]@{
                    Id = $queries.Count; Destination = $Destination; Family = if ($Destination.Contains(':')) { '6' } else { '4' }
                    From = $From; Oif = $Oif; Mark = $Mark; Why = $Why
                })
        }
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
    }
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

        foreach ($family in '4', '6') {
            Add-DefaultRoutes $state $family
            $routes = if ($family -eq '4') { $rng.Next(25, 41) } else { $rng.Next(15, 29) }
            for ($i = 0; $i -lt $routes; $i++) { Add-RandomRoute $state $family }
        }
        # Some seeds leave IPv4 with the default rules only: Linux then keeps local and main merged.
        foreach ($family in '4', '6') {
            if (-not (Get-Chance $rng 0.12)) { Add-RandomRules $state $family }
        }
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
        foreach ($name in $names) {
            & ip netns del $name 2>$null
            $script:Built.Remove($name) | Out-Null
        }
    }
}

function Format-RandomRoutingCommands {
    <# The commands that built a host, one a line, refused ones marked, to replay or read. #>
    param([Parameter(Mandatory)]$RoutingHost)
    foreach ($c in $RoutingHost.Commands) {
        if ($c.Ok) { $c.Text } else { "$($c.Text)   # refused: $($c.Error)" }
    }
}

Export-ModuleMember -Function New-RandomRoutingHost, Remove-RandomRoutingHost, Format-RandomRoutingCommands
