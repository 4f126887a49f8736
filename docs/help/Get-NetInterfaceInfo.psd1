@{
    Synopsis    = 'Gets the network interfaces of this machine, with their addresses, state and counters.'
    Description = @(
        'Get-NetInterfaceInfo lists every network interface (NI) the operating system knows, as `ip addr` or `ipconfig /all` do, as one PSLoopback.Output.NetInterface object per interface. Each object carries the index, name, type, operational and administrative status, MAC address, MTU, link speed, device flags, every address (with prefix length, scope, broadcast, flags such as temporary, deprecated or tentative, and lifetimes) and the traffic counters (bytes, packets, errors and drops, received and sent).'
        'The loopback interface is among them on every machine: a virtual interface the OS creates at boot, present even with no network hardware, which holds 127.0.0.1 (and the whole 127.0.0.0/8 block) and ::1. Its IsLoopback property is true.'
        'On Linux the answer comes from rtnetlink dumps of links and of addresses, the same source `ip` uses, and link speed from /sys/class/net. Linux reports the loopback interface''s Status as Unknown even when it works, because its driver never reports a carrier; AdminStatus and the Up and LowerUp flags show that it is on. On Windows the answer comes from the IP Helper API: GetAdaptersAddresses (names, index, LUID, type, status, MTU, MAC, addresses with prefix lengths, DNS suffix), GetIfTable2 (counters, media type, speed, admin status), GetUnicastIpAddressTable (duplicate-address-detection state, prefix and suffix origin, lifetimes) and GetIpInterfaceTable (per family: interface metric, MTU, forwarding, host model, in IPInterfaces); the loopback is Loopback Pseudo-Interface 1. A function that is missing or fails leaves its facts empty with a warning naming it; only a missing interface list is an error. On macOS the answer comes from System.Net.NetworkInformation; facts that source does not give (scope, flags, some counters) are left empty rather than guessed.'
        'The interfaces are read once per call. A name without wildcards, or an index, that matches no interface is reported as a non-terminating error, and the other interfaces asked for are still returned.'
    )
    Parameters  = @{
        Name           = 'Names of the interfaces to get, such as lo, eth0 or "Wi-Fi". Wildcards are accepted. Names are also taken from the pipeline, as strings or from the Name or InterfaceAlias property of piped objects. A name without wildcards that matches nothing is reported as an error.'
        InterfaceIndex = 'Indexes of the interfaces to get (ifIndex). Taken from the InterfaceIndex or ifIndex property of piped objects. An index that matches nothing is reported as an error.'
        AddressFamily  = 'Gets only the interfaces that have an address of this family (IPv4 or IPv6), and shows only their addresses of that family, as `ip -4 addr` and `ip -6 addr` do. Both (-AddressFamily IPv4, IPv6) get every interface that has an address, with all its addresses.'
        Loopback       = 'Gets only loopback interfaces. With -Loopback:$false, gets every interface except the loopback ones.'
        Status         = 'Gets only interfaces whose operational status is one of these: Up, Down, Unknown, Dormant, LowerLayerDown, NotPresent, Testing.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Interface names, by value or from a Name or InterfaceAlias property.' }
        @{ Type = 'System.Int32'; Description = 'Interface indexes, from an InterfaceIndex or ifIndex property.' }
    )
    Outputs     = @{
        'PSLoopback.Output.NetInterface' = 'One object per interface. Addresses, states and enums are text that compares with what you type, and exports to JSON and CSV as it reads. The default view is a table as dense as `ip -br addr`, one address a line; Format-List shows every property; ForEach-Object Addresses gives each address with its scope, flags and lifetimes as `ip addr` lines.'
    }
    Notes       = @(
        'Verified on Linux against `ip -j addr` and `ip -j -s link`, including inside network namespaces. The Windows source runs in CI under Wine, against the Linux facts Wine reports (names, indexes, addresses and prefix lengths, MTU, MAC, status, counters); it is written to Windows'' documentation and not yet run on real Windows. The macOS source builds and is written not to throw, but is not verified.'
        'Speed is in bits per second, null where the driver does not know it (loopback, most virtual links). Lifetimes are in seconds (ValidLifetimeSeconds, PreferredLifetimeSeconds); 4294967295 means forever, as ip -j writes it, and null that the OS does not say.'
    )
    Examples    = @(
        @{
            Title   = 'List the interfaces'
            Code    = 'Get-NetInterfaceInfo'
            Remarks = 'Shows every interface with its index, name, type, status, MTU and addresses with their prefix lengths, one line each.'
        }
        @{
            Title   = 'Find the loopback interface'
            Code    = 'Get-NetInterfaceInfo | Where-Object IsLoopback | Format-List'
            Remarks = 'Shows everything known about the loopback interface: on Linux, lo with 127.0.0.1/8 and ::1/128. Get-NetInterfaceInfo -Loopback does the same.'
        }
        @{
            Title   = 'Get interfaces by name, with wildcards'
            Code    = 'Get-NetInterfaceInfo -Name eth*, lo'
            Remarks = 'Gets lo and every interface whose name begins with eth. Had lo not existed, an error would name it, and the eth* interfaces would still be returned.'
        }
        @{
            Title   = 'List the IPv4 addresses of interfaces that are up'
            Code    = 'Get-NetInterfaceInfo -AddressFamily IPv4 -Status Up | ForEach-Object Addresses | Format-Table'
            Remarks = 'Lists one line per IPv4 address of every interface whose status is Up, with prefix length, scope and flags.'
        }
        @{
            Title   = 'Find interfaces that drop or fail packets'
            Code    = 'Get-NetInterfaceInfo | Where-Object { $_.ReceiveErrors + $_.SendErrors + $_.ReceiveDrops + $_.SendDrops -gt 0 } | Format-Table Name, ReceiveErrors, SendErrors, ReceiveDrops, SendDrops'
            Remarks = 'Counters are read at the moment of the call; run it twice to see what changed.'
        }
        @{
            Title   = 'Use interface indexes from another command'
            Code    = '[pscustomobject]@{ ifIndex = 1 } | Get-NetInterfaceInfo'
            Remarks = 'Any object with an InterfaceIndex or ifIndex property selects the interface with that index; one with a Name or InterfaceAlias property selects it by name.'
        }
    )
    Links       = @('ip-address(8)', 'Get-NetAdapter', 'Get-NetIPAddress')
}
