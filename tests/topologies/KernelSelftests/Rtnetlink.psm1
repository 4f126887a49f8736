<#
    Speaks rtnetlink for the kernel-selftest scenarios where iproute2 6.1 cannot:
    - Invoke-RtnetlinkRule writes policy rules with dscp (FRA_DSCP), its mask (FRA_DSCP_MASK), port masks
      (FRA_SPORT_MASK, FRA_DPORT_MASK) and flowlabel (FRA_FLOWLABEL, FRA_FLOWLABEL_MASK), for a command line
          rtnl rule add|del family 4|6 [dscp N[/MASK]] [sport P[/MASK]] [dport P[/MASK]] [flowlabel L[/MASK]] table T
      and returns the kernel's errno (0 when done).
    - Get-RtnetlinkRoute asks RTM_GETROUTE with the words of `ip route get`, flowlabel (RTA_FLOWLABEL) among
      them, and answers as `ip -j route get` would: its JSON, or ip's "RTNETLINK answers: ..." text.
    Both work in the namespace they run in. Numbers may be hex (0x..).
#>

Set-StrictMode -Version 3.0

# include/uapi/linux/fib_rules.h and rtnetlink.h.
$script:FRA_TABLE = 15; $script:FRA_SPORT_RANGE = 23; $script:FRA_DPORT_RANGE = 24; $script:FRA_DSCP = 25
$script:FRA_FLOWLABEL = 26; $script:FRA_FLOWLABEL_MASK = 27; $script:FRA_SPORT_MASK = 28; $script:FRA_DPORT_MASK = 29; $script:FRA_DSCP_MASK = 30
$script:RTM_NEWROUTE = 24; $script:RTM_GETROUTE = 26; $script:RTM_NEWRULE = 32; $script:RTM_DELRULE = 33; $script:FR_ACT_TO_TBL = 1
$script:RTA_DST = 1; $script:RTA_SRC = 2; $script:RTA_IIF = 3; $script:RTA_OIF = 4; $script:RTA_GATEWAY = 5; $script:RTA_PREFSRC = 7
$script:RTA_TABLE = 15; $script:RTA_MARK = 16; $script:RTA_UID = 25; $script:RTA_IP_PROTO = 27; $script:RTA_SPORT = 28; $script:RTA_DPORT = 29
$script:RTA_FLOWLABEL = 31
# ip's words for rtm_type and the strerror() text it prints for the errnos a route lookup gives.
$script:RouteTypes = @{ 1 = 'unicast'; 2 = 'local'; 3 = 'broadcast'; 4 = 'anycast'; 5 = 'multicast'; 6 = 'blackhole'; 7 = 'unreachable'; 8 = 'prohibit'; 9 = 'throw'; 10 = 'nat' }
$script:ErrnoText = @{ 13 = 'Permission denied'; 19 = 'No such device'; 22 = 'Invalid argument'; 101 = 'Network is unreachable'; 113 = 'No route to host' }

function Get-NetlinkNative {
    <# libc's socket calls, compiled once per process: .NET has no AF_NETLINK socket. #>
    if (-not ('PSLoopbackTests.NetlinkNative' -as [type])) {
        Add-Type -TypeDefinition @'
namespace PSLoopbackTests
{
    using System.Runtime.InteropServices;

    public static class NetlinkNative
    {
        [DllImport("libc", SetLastError = true)] public static extern int socket(int domain, int type, int protocol);
        [DllImport("libc", SetLastError = true)] public static extern long sendto(int fd, byte[] buffer, ulong length, int flags, byte[] address, int addressLength);
        [DllImport("libc", SetLastError = true)] public static extern long recv(int fd, byte[] buffer, ulong length, int flags);
        [DllImport("libc")] public static extern int close(int fd);
    }
}
'@
    }
    [PSLoopbackTests.NetlinkNative]
}

function ConvertTo-Number([string]$Text) {
    if ($Text -match '^0x([0-9a-f]+)$') { return [Convert]::ToUInt32($Matches[1], 16) }
    [uint32]$Text
}

function ConvertTo-BigEndian([uint32]$Value) {
    $bytes = [BitConverter]::GetBytes($Value); [Array]::Reverse($bytes); $bytes
}

function Add-Attribute([System.IO.BinaryWriter]$Writer, [int]$Type, [byte[]]$Value) {
    <# One rtattr: length, type, value, padded to 4 bytes. #>
    $Writer.Write([uint16](4 + $Value.Length)); $Writer.Write([uint16]$Type); $Writer.Write($Value)
    $Writer.Write([byte[]]::new((4 - $Value.Length % 4) % 4))
}

function Invoke-RtnetlinkRule {
    param([Parameter(Mandatory)][string]$Line)
    $words = @($Line -split '\s+' | Where-Object { $_ })
    if ($words.Count -lt 3 -or $words[0] -ne 'rtnl' -or $words[1] -ne 'rule' -or $words[2] -notin 'add', 'del') { throw "Not an rtnl rule command: $Line" }
    $family = 2; $table = 254
    $attributes = [System.IO.MemoryStream]::new()
    $writer = [System.IO.BinaryWriter]::new($attributes)
    for ($i = 3; $i -lt $words.Count - 1; $i += 2) {
        $value, $mask = $words[$i + 1] -split '/'
        switch ($words[$i]) {
            'family' { $family = if ($value -eq '6') { 10 } else { 2 } }
            'table' { $table = ConvertTo-Number $value }
            'dscp' {
                Add-Attribute $writer $FRA_DSCP @([byte](ConvertTo-Number $value))
                if ($mask) { Add-Attribute $writer $FRA_DSCP_MASK @([byte](ConvertTo-Number $mask)) }
            }
            { $_ -in 'sport', 'dport' } {
                $range = if ($_ -eq 'sport') { $FRA_SPORT_RANGE } else { $FRA_DPORT_RANGE }
                $port = [uint16](ConvertTo-Number $value)
                Add-Attribute $writer $range ([BitConverter]::GetBytes($port) + [BitConverter]::GetBytes($port))
                if ($mask) { Add-Attribute $writer $(if ($_ -eq 'sport') { $FRA_SPORT_MASK } else { $FRA_DPORT_MASK }) ([BitConverter]::GetBytes([uint16](ConvertTo-Number $mask))) }
            }
            'flowlabel' {
                Add-Attribute $writer $FRA_FLOWLABEL (ConvertTo-BigEndian (ConvertTo-Number $value))
                Add-Attribute $writer $FRA_FLOWLABEL_MASK (ConvertTo-BigEndian $(if ($mask) { ConvertTo-Number $mask } else { 0xfffff }))
            }
            default { throw "rtnl rule: '$($words[$i])' is not a selector this writer knows." }
        }
    }
    Add-Attribute $writer $FRA_TABLE ([BitConverter]::GetBytes([uint32]$table))
    $writer.Flush()
    $body = $attributes.ToArray()

    # nlmsghdr, fib_rule_hdr, attributes. NLM_F_REQUEST | NLM_F_ACK, and for add NLM_F_CREATE | NLM_F_EXCL.
    $message = [System.IO.MemoryStream]::new()
    $out = [System.IO.BinaryWriter]::new($message)
    $add = $words[2] -eq 'add'
    $out.Write([uint32](16 + 12 + $body.Length)); $out.Write([uint16]$(if ($add) { $RTM_NEWRULE } else { $RTM_DELRULE }))
    $out.Write([uint16]$(if ($add) { 0x1 -bor 0x4 -bor 0x400 -bor 0x200 } else { 0x1 -bor 0x4 })); $out.Write([uint32]1); $out.Write([uint32]0)
    $out.Write([byte]$family); $out.Write([byte]0); $out.Write([byte]0); $out.Write([byte]0)
    $out.Write([byte]$(if ($table -lt 256) { $table } else { 252 })); $out.Write([byte]0); $out.Write([byte]0); $out.Write([byte]$FR_ACT_TO_TBL)
    $out.Write([uint32]0); $out.Write($body); $out.Flush()
    $request = $message.ToArray()

    $answer = Send-NetlinkRequest $request
    if ([BitConverter]::ToUInt16($answer, 4) -ne 2) { throw 'rtnl rule: the kernel did not acknowledge.' }
    # nlmsgerr.error: 0 or a negative errno.
    -[BitConverter]::ToInt32($answer, 16)
}

function Send-NetlinkRequest([byte[]]$Request) {
    <# Sends one request to the kernel and returns its first answer (a single message: an ack, an error or a route). #>
    $native = Get-NetlinkNative
    $fd = $native::socket(16, 3 -bor 0x80000, 0)
    if ($fd -lt 0) { throw "socket(AF_NETLINK) failed: errno $([Runtime.InteropServices.Marshal]::GetLastWin32Error())" }
    try {
        $kernel = [byte[]]::new(12); $kernel[0] = 16
        if ($native::sendto($fd, $Request, [uint64]$Request.Length, 0, $kernel, 12) -lt 0) { throw "sendto failed: errno $([Runtime.InteropServices.Marshal]::GetLastWin32Error())" }
        $answer = [byte[]]::new(8192)
        # No SO_RCVTIMEO: the kernel answers a request at once, and the caller's process is bounded in time.
        $length = $native::recv($fd, $answer, [uint64]$answer.Length, 0)
        if ($length -lt 20 -or [BitConverter]::ToUInt32($answer, 0) -gt $length) { throw "rtnetlink: a short answer ($length bytes)." }
        , [byte[]]$answer[0..([BitConverter]::ToUInt32($answer, 0) - 1)]
    }
    finally { $null = $native::close($fd) }
}

function Get-InterfaceIndex {
    <# Name -> index and index -> name of this namespace's links, from ip. #>
    $byName = @{}; $byIndex = @{}
    foreach ($link in @(& ip -j link show | ConvertFrom-Json)) { $byName[$link.ifname] = [int]$link.ifindex; $byIndex[[int]$link.ifindex] = $link.ifname }
    [pscustomobject]@{ ByName = $byName; ByIndex = $byIndex }
}

function Get-RtnetlinkRoute {
    <# `ip -j route get <Get>` asked over rtnetlink: ExitCode, Json and ErrorText, as Invoke-ScenarioSteps.ps1 reads ip's. #>
    param([Parameter(Mandatory)][string]$Get)
    $protocols = @{ icmp = 1; tcp = 6; udp = 17; 'ipv6-icmp' = 58 }
    $links = Get-InterfaceIndex
    $words = @($Get -split '\s+' | Where-Object { $_ })
    $destination = $null; $source = $null; $tos = 0; $oif = $null; $iif = $null
    $attributes = [System.IO.MemoryStream]::new()
    $writer = [System.IO.BinaryWriter]::new($attributes)
    for ($i = 0; $i -lt $words.Count; $i++) {
        $word = $words[$i]
        switch ($word) {
            'to' { $destination = $words[++$i] }
            'from' { $source = $words[++$i] }
            'oif' { $oif = $words[++$i] }
            'iif' { $iif = $words[++$i] }
            { $_ -in 'tos', 'dsfield' } { $tos = ConvertTo-Number $words[++$i] }
            'mark' { Add-Attribute $writer $RTA_MARK ([BitConverter]::GetBytes([uint32](ConvertTo-Number $words[++$i]))) }
            'uid' { Add-Attribute $writer $RTA_UID ([BitConverter]::GetBytes([uint32](ConvertTo-Number $words[++$i]))) }
            'ipproto' { $p = $words[++$i]; Add-Attribute $writer $RTA_IP_PROTO @([byte]$(if ($protocols.ContainsKey($p)) { $protocols[$p] } else { ConvertTo-Number $p })) }
            'sport' { Add-Attribute $writer $RTA_SPORT (ConvertTo-BigEndian16 (ConvertTo-Number $words[++$i])) }
            'dport' { Add-Attribute $writer $RTA_DPORT (ConvertTo-BigEndian16 (ConvertTo-Number $words[++$i])) }
            'flowlabel' { Add-Attribute $writer $RTA_FLOWLABEL (ConvertTo-BigEndian (ConvertTo-Number $words[++$i])) }
            default { $destination = $word }
        }
    }
    $address = [System.Net.IPAddress]::Parse($destination)
    $family = if ($address.AddressFamily -eq 'InterNetworkV6') { 10 } else { 2 }
    Add-Attribute $writer $RTA_DST $address.GetAddressBytes()
    if ($source) { Add-Attribute $writer $RTA_SRC ([System.Net.IPAddress]::Parse($source).GetAddressBytes()) }
    foreach ($pair in @(@($RTA_OIF, $oif), @($RTA_IIF, $iif))) {
        if (-not $pair[1]) { continue }
        if (-not $links.ByName.ContainsKey($pair[1])) { return [pscustomobject]@{ ExitCode = 1; Json = ''; ErrorText = "Cannot find device ""$($pair[1])""" } }
        Add-Attribute $writer $pair[0] ([BitConverter]::GetBytes([uint32]$links.ByName[$pair[1]]))
    }
    $writer.Flush()
    $body = $attributes.ToArray()

    # nlmsghdr (NLM_F_REQUEST), rtmsg (family, dst_len, src_len, tos, table, protocol, scope, type, flags).
    $message = [System.IO.MemoryStream]::new()
    $out = [System.IO.BinaryWriter]::new($message)
    $out.Write([uint32](16 + 12 + $body.Length)); $out.Write([uint16]$RTM_GETROUTE); $out.Write([uint16]1); $out.Write([uint32]1); $out.Write([uint32]0)
    $out.Write([byte]$family); $out.Write([byte]$(if ($family -eq 10) { 128 } else { 32 })); $out.Write([byte]$(if ($source) { if ($family -eq 10) { 128 } else { 32 } } else { 0 }))
    $out.Write([byte]$tos); $out.Write([byte]0); $out.Write([byte]0); $out.Write([byte]0); $out.Write([byte]0); $out.Write([uint32]0)
    $out.Write($body); $out.Flush()

    $answer = Send-NetlinkRequest $message.ToArray()
    $type = [BitConverter]::ToUInt16($answer, 4)
    if ($type -eq 2) {
        $errno = -[BitConverter]::ToInt32($answer, 16)
        $text = if ($ErrnoText.ContainsKey($errno)) { $ErrnoText[$errno] } else { "errno $errno" }
        return [pscustomobject]@{ ExitCode = 2; Json = ''; ErrorText = "RTNETLINK answers: $text" }
    }
    if ($type -ne $RTM_NEWROUTE) { throw "rtnetlink: answer of type $type to RTM_GETROUTE." }
    $route = [ordered]@{ dst = $destination }
    $routeType = $answer[16 + 7]
    if ($routeType -ne 1 -and $RouteTypes.ContainsKey([int]$routeType)) { $route.type = $RouteTypes[[int]$routeType] }
    $table = $answer[16 + 4]
    for ($at = 16 + 12; $at + 4 -le $answer.Length; ) {
        $length = [BitConverter]::ToUInt16($answer, $at); $kind = [BitConverter]::ToUInt16($answer, $at + 2)
        if ($length -lt 4 -or $at + $length -gt $answer.Length) { break }
        $value = [byte[]]$answer[($at + 4)..($at + $length - 1)]
        switch ($kind) {
            $RTA_GATEWAY { $route.gateway = [System.Net.IPAddress]::new($value).ToString() }
            $RTA_OIF { $route.dev = $links.ByIndex[[int][BitConverter]::ToUInt32($value, 0)] }
            $RTA_PREFSRC { $route.prefsrc = [System.Net.IPAddress]::new($value).ToString() }
            $RTA_TABLE { $table = [BitConverter]::ToUInt32($value, 0) }
        }
        $at += ($length + 3) -band -bnot 3
    }
    # ip names the table only when it is not main (254), and local (255) by name.
    if ($table -ne 254) { $route.table = if ($table -eq 255) { 'local' } else { "$table" } }
    [pscustomobject]@{ ExitCode = 0; Json = (ConvertTo-Json -InputObject @([pscustomobject]$route) -Compress); ErrorText = '' }
}

function ConvertTo-BigEndian16([uint32]$Value) {
    $bytes = [BitConverter]::GetBytes([uint16]$Value); [Array]::Reverse($bytes); $bytes
}

Export-ModuleMember -Function Invoke-RtnetlinkRule, Get-RtnetlinkRoute
