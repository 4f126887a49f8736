@{
    Synopsis    = 'Gets the routes of every routing table, or the policy rules that choose between the tables.'
    Description = @(
        'Get-NetRouteInfo lists the routes the operating system holds, as `ip route show table all` or `route print` do, one PSLoopback.Output.NetRoute object per route: its table, type (unicast, local, broadcast, multicast, unreachable, blackhole, prohibit, throw), destination prefix, next hop (the unspecified address when the destination is on-link, as Windows'' Get-NetRoute shows it), interface, metric, protocol, scope, preferred source, flags and, for a multipath route, every next hop.'
        'Every table is included, not only main: the local table is where Linux keeps 127.0.0.0/8 and this host''s own addresses, which is why a packet to them never leaves the machine.'
        'A route through a nexthop object (ip''s nhid) shows the object''s id and the paths it takes, whether or not the kernel repeats them in its route dump (net.ipv4.nexthop_compat_mode); -NextHopObject lists the objects themselves.'
        'With -Rule, it lists the policy rules instead (`ip rule`, `ip -6 rule`) as PSLoopback.Output.NetRoutingRule objects: the order in which the kernel consults the tables, and which packets each rule selects.'
        'On Linux the routes and rules come from rtnetlink dumps (routes and rules of both families, read one after another, so a table that changes meanwhile may show a moment''s mix). On Windows every row of GetIpForwardTable2 is listed, both families, loopback, multicast and broadcast routes included, as Get-NetRoute and `route print` show them: RouteMetric, and InterfaceMetric from GetIpInterfaceTable (Windows ranks a route by their sum, route print''s Metric), Protocol and Origin in Get-NetRoute''s words, age and lifetimes. Windows has one table and no policy rules, so Table, TableName and Scope are empty there and -Table and -Rule are refused. On macOS reading routing tables is not implemented: the cmdlet stops with a NotImplemented error, and Resolve-NetRoute -RouteTable can still answer for a table you pass it.'
    )
    Parameters  = @{
        DestinationPrefix = 'Gets only routes for these destination prefixes, such as 0.0.0.0/0, default, 192.0.2.0/24 or 2001:db8::/32. Wildcards match the prefix as text (127.*). A value that is neither a prefix nor a pattern is reported as an error, and the other values still select.'
        AddressFamily     = 'Gets only IPv4 or only IPv6 routes (or rules, with -Rule). Give both (-AddressFamily IPv4, IPv6) for both families, the same as leaving it out.'
        Table             = 'Gets only the routes (or rules, with -Rule) of these tables: main, local, default, or a table number. Press Tab to complete the tables this machine has. Linux only: Windows has one table.'
        InterfaceIndex    = 'Gets only routes with a next hop on the interfaces with these indexes (ifIndex). Taken from the InterfaceIndex property of piped objects, so Get-NetInterfaceInfo output can be piped in.'
        InterfaceAlias    = 'Gets only routes with a next hop on the interfaces with these names. Wildcards are accepted; a name without wildcards that matches no interface is reported as an error.'
        RouteType         = 'Gets only routes of these types: Unicast, Local, Broadcast, Multicast, Blackhole, Unreachable, Prohibit, Throw, and the rest of Linux''s route types.'
        Rule              = 'Gets the policy rules instead of the routes. Linux only: Windows has no policy rules.'
        NextHopObject     = 'Gets the nexthop objects instead of the routes (`ip nexthop`): single nexthops, blackholes and groups, which routes name by their NextHopId (nhid). Linux only.'
        Cache             = 'Gets the route exception cache instead of the routes, as `ip route show cache` and `ip -6 route show cache` list it: the gateways ICMP redirects gave and the path MTUs the kernel learned, per destination, with the seconds each entry had left when read. Linux only.'
    }
    Inputs      = @(
        @{ Type = 'System.Int32'; Description = 'Interface indexes, from an InterfaceIndex or ifIndex property (for example Get-NetInterfaceInfo output).' }
        @{ Type = 'System.String'; Description = 'Destination prefixes or interface names, from DestinationPrefix or InterfaceAlias properties.' }
    )
    Outputs     = @{
        'PSLoopback.Output.NetRoute' = 'One object per route, its prefixes and next hops as text. The default view is one line per route in `ip route show table all` words, its table first and each path of a multipath route on a line of its own; Format-Table gives the main columns.'
        'PSLoopback.Output.NetRoutingRule' = 'With -Rule, one object per policy rule, shown as `ip rule` shows it.'
        'PSLoopback.Output.NetNextHopEntry' = 'With -NextHopObject, one object per nexthop object, shown as `ip nexthop` shows it.'
        'PSLoopback.Output.NetRouteCacheEntry' = 'With -Cache, one object per route exception, shown as `ip route show cache` shows it.'
    }
    Notes       = @(
        'Verified on Linux against `ip -j route show table all`, `ip -j -6 route show table all`, `ip -j rule` and `ip -j -6 rule`, on this host and in network namespaces. On Windows, run in CI under Wine for the IPv4 routes Wine reports (destination, prefix, next hop, interface); written to Windows'' documentation and not yet run on real Windows. Not implemented on macOS.'
        'The objects can be saved (Export-Clixml, Export-Csv) and given back to Resolve-NetRoute -RouteTable to ask what-if questions about a table.'
    )
    Examples    = @(
        @{
            Title   = 'Show every route of every table'
            Code    = 'Get-NetRouteInfo'
            Remarks = 'The local table''s routes for 127.0.0.0/8 and this host''s addresses come first with type Local; the main table holds the default route.'
        }
        @{
            Title   = 'Find the default routes'
            Code    = 'Get-NetRouteInfo -DestinationPrefix default, ::/0'
            Remarks = 'Gets the IPv4 and IPv6 default routes of every table, with their gateways and metrics.'
        }
        @{
            Title   = 'See why localhost stays on the machine'
            Code    = 'Get-NetRouteInfo -Table local -RouteType Local'
            Remarks = 'Lists the local routes: 127.0.0.0/8 and ::1 on the loopback interface, and one route per address of this host.'
        }
        @{
            Title   = 'Routes through one interface'
            Code    = 'Get-NetInterfaceInfo eth0 | Get-NetRouteInfo'
            Remarks = 'The interface object''s InterfaceIndex selects the routes that leave by it.'
        }
        @{
            Title   = 'Show the policy rules'
            Code    = 'Get-NetRouteInfo -Rule'
            Remarks = 'Lists the rules in priority order: by default 0 lookup local, 32766 lookup main, 32767 lookup default. A VPN that adds "suppress_prefixlength 0" shows here.'
        }
        @{
            Title   = 'Show the nexthop objects routes use'
            Code    = 'Get-NetRouteInfo -NextHopObject'
            Remarks = 'One line per nexthop object, as `ip nexthop` prints it ("id 10 group 1/2"); a route that uses one shows "nhid 10" in its Text and NextHopId.'
        }
        @{
            Title   = 'Show what redirects and path MTU discovery taught the kernel'
            Code    = 'Get-NetRouteInfo -Cache'
            Remarks = 'One line per route exception, as `ip route show cache` prints it: "172.16.2.2 via 172.16.1.254 dev br0 cache <redirected> expires 298sec mtu 1300". Resolve-NetRoute answers from these entries as the kernel does.'
        }
        @{
            Title   = 'Save a table for a what-if question later'
            Code    = 'Get-NetRouteInfo | Export-Csv routes.csv; Resolve-NetRoute 198.51.100.7 -RouteTable (Import-Csv routes.csv)'
            Remarks = 'Every table is saved, the local one too, and a multipath route''s next hops as one cell (via 192.0.2.1 dev eth0 weight 1; ...), read back by name; so Resolve-NetRoute knows this host''s addresses (from the local routes) and answers with source addresses and -LocalIPAddress. A route list has no rules or interface facts: for the whole machine, save Get-NetRouteSnapshot instead.'
        }
    )
    Links       = @('Resolve-NetRoute', 'Get-NetInterfaceInfo', 'ip-route(8)', 'ip-rule(8)')
}
