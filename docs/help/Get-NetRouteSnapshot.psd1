@{
    Synopsis    = 'Gets this machine''s whole routing state in one object, to save, send, and ask Resolve-NetRoute about anywhere.'
    Description = @(
        'Get-NetRouteSnapshot reads everything a routing decision is made from, at one moment, and writes one PSLoopback.Output.NetRouteSnapshot: every interface with its addresses (Interfaces, the same records Get-NetInterfaceInfo writes), every table''s routes, local and main included (Routes, as Get-NetRouteInfo writes them), the policy rules of both families (Rules), the interfaces that prefer temporary IPv6 source addresses (PreferTemporaryAddresses, from use_tempaddr), and where and when it was taken: ComputerName, TakenAt (UTC, ISO 8601 text), OperatingSystem and OSDescription.'
        'Give the object, or a copy of it, to Resolve-NetRoute -Snapshot and every answer is the one that machine gives: the route, the interface, the next hop and the source address, with -LocalIPAddress, -InterfaceIndex and -Mark too. The object is text and numbers all the way down, so it survives Export-Clixml and Import-Clixml, remoting and jobs (its serialization depth keeps interfaces, addresses, routes and next hops whole), and ConvertTo-Json -Depth 6 with ConvertFrom-Json.'
        'On Linux the facts come from rtnetlink and procfs, read in the network namespace the process runs in. On Windows they come from the IP Helper API (interfaces with their addresses and per-family settings, the one routing table), and the snapshot is answered by Windows'' decision model wherever it is asked. Reading them on macOS is not implemented: there the cmdlet stops with a NotImplemented error.'
    )
    Parameters  = @{}
    Inputs      = @()
    Outputs     = @{
        'PSLoopback.Output.NetRouteSnapshot' = 'One object: ComputerName, TakenAt, OperatingSystem, OSDescription, FormatVersion, Interfaces, Routes, Rules and PreferTemporaryAddresses.'
    }
    Notes       = @(
        'Verified on Linux: a snapshot taken in a network namespace, saved with Export-Clixml and read back outside it, and passed through Start-Job, gives Resolve-NetRoute the answers `ip route get` gives inside the namespace (type, interface, next hop, source), with and without a source address.'
        'The interfaces, routes and rules are read one after another, so a table that changes meanwhile may show a moment''s mix.'
    )
    Examples    = @(
        @{
            Title   = 'Save a machine''s routing and ask about it elsewhere'
            Code    = 'Get-NetRouteSnapshot | Export-Clixml web01-routing.xml; Resolve-NetRoute 198.51.100.7, 2001:db8::7 -Snapshot (Import-Clixml web01-routing.xml)'
            Remarks = 'The second command can run on any machine, any OS: the answers are web01''s, source addresses included, and no packet is sent.'
        }
        @{
            Title   = 'Take a snapshot of a remote machine'
            Code    = '$snapshot = Invoke-Command -ComputerName web01 { Import-Module PSLoopback; Get-NetRouteSnapshot }; Resolve-NetRoute 203.0.113.9 -Snapshot $snapshot -LocalIPAddress 192.0.2.10'
            Remarks = 'The snapshot arrives deserialized with its interfaces, addresses, routes and next hops whole. The answer applies web01''s source-based rules for 192.0.2.10, one of web01''s addresses.'
        }
        @{
            Title   = 'See what a snapshot holds'
            Code    = '$s = Get-NetRouteSnapshot; $s.Interfaces; $s.Routes | Where-Object TableName -eq local; $s.Rules'
            Remarks = 'Each part is the same objects Get-NetInterfaceInfo and Get-NetRouteInfo write, with the same views.'
        }
        @{
            Title   = 'Keep it as JSON'
            Code    = 'Get-NetRouteSnapshot | ConvertTo-Json -Depth 6 | Set-Content routing.json; Resolve-NetRoute 10.1.2.3 -Snapshot (Get-Content routing.json -Raw | ConvertFrom-Json)'
            Remarks = 'JSON needs -Depth 6 to keep every address and next hop; a shallower copy is refused with a message that says so, rather than answered wrongly.'
        }
    )
    Links       = @('Resolve-NetRoute', 'Get-NetRouteInfo', 'Get-NetInterfaceInfo')
}
