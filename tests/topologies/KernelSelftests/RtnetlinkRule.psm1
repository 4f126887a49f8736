<#
    Writes policy rules over rtnetlink with the selectors iproute2 6.1 cannot write: dscp (FRA_DSCP), its mask
    (FRA_DSCP_MASK) and port masks (FRA_SPORT_MASK, FRA_DPORT_MASK), for the kernel-selftest scenarios. Used by
    KernelSelftests/Invoke-ScenarioSteps.ps1 for a command line of the form
        rtnl rule add|del family 4|6 [dscp N[/MASK]] [sport P[/MASK]] [dport P[/MASK]] table T
    in the namespace it runs in. Numbers may be hex (0x..). The kernel's answer (an errno) is the exit code.
#>

Set-StrictMode -Version 3.0

# include/uapi/linux/fib_rules.h and rtnetlink.h.
$script:FRA_TABLE = 15; $script:FRA_SPORT_RANGE = 23; $script:FRA_DPORT_RANGE = 24; $script:FRA_DSCP = 25
$script:FRA_SPORT_MASK = 28; $script:FRA_DPORT_MASK = 29; $script:FRA_DSCP_MASK = 30
$script:RTM_NEWRULE = 32; $script:RTM_DELRULE = 33; $script:FR_ACT_TO_TBL = 1

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

    $native = Get-NetlinkNative
    $fd = $native::socket(16, 3 -bor 0x80000, 0)
    if ($fd -lt 0) { throw "socket(AF_NETLINK) failed: errno $([Runtime.InteropServices.Marshal]::GetLastWin32Error())" }
    try {
        $kernel = [byte[]]::new(12); $kernel[0] = 16
        if ($native::sendto($fd, $request, [uint64]$request.Length, 0, $kernel, 12) -lt 0) { throw "sendto failed: errno $([Runtime.InteropServices.Marshal]::GetLastWin32Error())" }
        $answer = [byte[]]::new(4096)
        # SO_RCVTIMEO is not set: the kernel answers a request with its ack at once.
        $length = $native::recv($fd, $answer, [uint64]$answer.Length, 0)
        if ($length -lt 20 -or [BitConverter]::ToUInt16($answer, 4) -ne 2) { throw "rtnl rule: no NLMSG_ERROR answer ($length bytes)." }
        # nlmsgerr.error: 0 or a negative errno.
        -[BitConverter]::ToInt32($answer, 16)
    }
    finally { $null = $native::close($fd) }
}

Export-ModuleMember -Function Invoke-RtnetlinkRule
