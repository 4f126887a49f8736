BeforeDiscovery {
    $script:onLinux = $IsLinux -and [bool](Get-Command ip -ErrorAction Ignore)
    $script:canTrace = $IsLinux -and [bool](Get-Command strace -ErrorAction Ignore)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModuleUnderTest) -Force
}

Describe 'Get-NetInterfaceInfo: the module' {
    It 'exports the cmdlet from the built module, not the source tree' {
        $command = Get-Command Get-NetInterfaceInfo
        $command.CommandType | Should -Be 'Cmdlet'
        $command.Module.ModuleBase | Should -Be (Resolve-Path (Get-ModuleUnderTest)).Path
    }

    It 'declares its output type' {
        (Get-Command Get-NetInterfaceInfo).OutputType.Name | Should -Contain 'PSLoopback.Output.NetInterface'
    }

    It 'returns typed objects, one per interface, loopback included' {
        $all = @(Get-NetInterfaceInfo)
        $all.Count | Should -BeGreaterThan 0
        $all | ForEach-Object { $_ | Should -BeOfType ([PSLoopback.Output.NetInterface]) }
        @($all | Where-Object IsLoopback).Count | Should -BeGreaterOrEqual 1
        @($all.InterfaceIndex | Sort-Object -Unique).Count | Should -Be $all.Count
    }

    It 'gives the loopback interface 127.0.0.1 and ::1 with their host prefixes' -Skip:(-not $onLinux) {
        $lo = Get-NetInterfaceInfo | Where-Object IsLoopback
        $lo.InterfaceType | Should -Be 'Loopback'
        $lo.IPv4Address | Should -Contain '127.0.0.1'
        ($lo.Addresses | Where-Object { "$($_.IPAddress)" -eq '127.0.0.1' }).PrefixLength | Should -Be 8
        ($lo.Addresses | Where-Object { "$($_.IPAddress)" -eq '127.0.0.1' }).Scope | Should -Be 'Host'
    }

    It 'does no netlink work at Import-Module; the first call does' -Skip:(-not $canTrace) {
        $traces = foreach ($script in 'Import-Module $env:PSLOOPBACK_MODULE', 'Import-Module $env:PSLOOPBACK_MODULE; $null = Get-NetInterfaceInfo') {
            $log = [IO.Path]::GetTempFileName()
            try {
                $env:PSLOOPBACK_MODULE = Get-ModuleUnderTest
                & strace -f -e trace=socket -o $log @(Get-PwshCommand) -NoProfile -NonInteractive -Command $script | Out-Null
                $LASTEXITCODE | Should -Be 0
                @(Get-Content $log | Where-Object { $_ -match 'socket\(AF_NETLINK, .*NETLINK_ROUTE' }).Count
            }
            finally { Remove-Item $log -ErrorAction Ignore }
        }
        $traces[0] | Should -Be 0 -Because 'importing the module must not read the interfaces'
        $traces[1] | Should -Be 1 -Because 'one call reads the interfaces once (the control for the line above)'
    }

    It 'has the ifIndex and InterfaceAlias aliases users know from Get-NetAdapter' {
        $parameters = (Get-Command Get-NetInterfaceInfo).Parameters
        $parameters.InterfaceIndex.Aliases | Should -Contain 'ifIndex'
        $parameters.Name.Aliases | Should -Contain 'InterfaceAlias'
    }
}

Describe 'Get-NetInterfaceInfo: filters and the pipeline' {
    BeforeAll {
        $script:all = @(Get-NetInterfaceInfo)
        $script:lo = $all | Where-Object IsLoopback | Select-Object -First 1
    }

    It 'works with Where-Object IsLoopback' {
        @(Get-NetInterfaceInfo | Where-Object IsLoopback).Name | Should -Be @($all | Where-Object IsLoopback).Name
    }

    It '-Loopback keeps only loopback interfaces; -Loopback:$false drops them' {
        @(Get-NetInterfaceInfo -Loopback) | ForEach-Object { $_.IsLoopback | Should -BeTrue }
        @(Get-NetInterfaceInfo -Loopback:$false).Count | Should -Be (@($all).Count - @($all | Where-Object IsLoopback).Count)
    }

    It '-Name takes an exact name, positionally' {
        @(Get-NetInterfaceInfo $lo.Name).InterfaceIndex | Should -Be $lo.InterfaceIndex
    }

    It '-Name takes wildcards' {
        $pattern = $lo.Name.Substring(0, 1) + '*'
        $expected = @($all | Where-Object Name -Like $pattern).Name
        @(Get-NetInterfaceInfo -Name $pattern).Name | Should -Be $expected
    }

    It '-InterfaceIndex and its alias -ifIndex select by index' {
        (Get-NetInterfaceInfo -InterfaceIndex $lo.InterfaceIndex).Name | Should -Be $lo.Name
        (Get-NetInterfaceInfo -ifIndex $lo.InterfaceIndex).Name | Should -Be $lo.Name
    }

    It 'takes names from the pipeline by value' {
        @($lo.Name | Get-NetInterfaceInfo).InterfaceIndex | Should -Be $lo.InterfaceIndex
    }

    It 'takes objects from the pipeline by property name (ifIndex, InterfaceAlias, its own output)' {
        ([pscustomobject]@{ ifIndex = $lo.InterfaceIndex } | Get-NetInterfaceInfo).Name | Should -Be $lo.Name
        ([pscustomobject]@{ InterfaceAlias = $lo.Name } | Get-NetInterfaceInfo).InterfaceIndex | Should -Be $lo.InterfaceIndex
        @($all | Get-NetInterfaceInfo).Count | Should -Be $all.Count
    }

    It '-AddressFamily keeps interfaces with such an address, and only those addresses' {
        foreach ($family in 'IPv4', 'IPv6') {
            $expected = @($all | Where-Object { $_.Addresses.AddressFamily -contains $family }).Name
            $got = @(Get-NetInterfaceInfo -AddressFamily $family)
            @($got.Name) | Should -Be $expected
            $got.Addresses | ForEach-Object { "$($_.AddressFamily)" | Should -Be $family }
        }
    }

    It '-Status filters on the operational status' {
        foreach ($status in @($all.Status | Sort-Object -Unique)) {
            @(Get-NetInterfaceInfo -Status $status).Name | Should -Be @($all | Where-Object Status -EQ $status).Name
        }
    }

    It '-Status rejects a status that does not exist, naming it' {
        { Get-NetInterfaceInfo -Status Sideways } | Should -Throw '*Sideways*'
    }
}

Describe 'Get-NetInterfaceInfo: errors' {
    It 'reports a name that matches nothing, naming it, and still returns the others' {
        $lo = Get-NetInterfaceInfo -Loopback | Select-Object -First 1
        $result = @(Get-NetInterfaceInfo -Name 'no-such-nic', $lo.Name -ErrorVariable problems -ErrorAction SilentlyContinue)
        $result.Name | Should -Be $lo.Name
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'InterfaceNotFound,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'no-such-nic'
        $problems[0].Exception.Message | Should -BeLike "*'no-such-nic'*"
    }

    It 'goes on with the pipeline after a bad name' {
        $lo = Get-NetInterfaceInfo -Loopback | Select-Object -First 1
        $result = @('no-such-nic', $lo.Name | Get-NetInterfaceInfo -ErrorVariable problems -ErrorAction SilentlyContinue)
        $result.Name | Should -Be $lo.Name
        $problems.Count | Should -Be 1
    }

    It 'reports an index that matches nothing' {
        $missing = (@(Get-NetInterfaceInfo).InterfaceIndex | Measure-Object -Maximum).Maximum + 1000
        $null = Get-NetInterfaceInfo -InterfaceIndex $missing -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].TargetObject | Should -Be $missing
        $problems[0].Exception.Message | Should -BeLike "*$missing*"
    }

    It 'is silent for a wildcard that matches nothing, as Get-Process is' {
        $result = Get-NetInterfaceInfo -Name 'no-such-nic*' -ErrorVariable problems
        $result | Should -BeNullOrEmpty
        $problems.Count | Should -Be 0
    }

    It 'rejects index 0 and negative indexes at binding, naming the value' {
        { Get-NetInterfaceInfo -InterfaceIndex 0 -ErrorAction Stop } | Should -Throw '*0*'
        { Get-NetInterfaceInfo -InterfaceIndex -5 -ErrorAction Stop } | Should -Throw '*-5*'
    }
}

Describe 'Get-NetInterfaceInfo: views, completion and help' {
    It 'has a dense default table, as ip -br addr: index, name, status, addresses with prefix' {
        $lo = Get-NetInterfaceInfo -Loopback | Select-Object -First 1
        $text = $lo | Out-String -Width 80
        $text | Should -Match 'ifIndex\s+Name\s+Status\s+Addresses'
        foreach ($address in $lo.Addresses) { $text | Should -Match ([regex]::Escape("$($address.IPAddress)/$($address.PrefixLength)")) }
    }

    It 'has a list view with the counters' {
        $text = Get-NetInterfaceInfo -Loopback | Format-List | Out-String -Width 250
        $text | Should -Match 'ReceivedBytes'
        $text | Should -Match 'AdminStatus'
    }

    It 'keeps its table view for deserialized objects (remoting, jobs)' {
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-NetInterfaceInfo -Loopback | Select-Object -First 1)))
        $copy.PSTypeNames[0] | Should -Be 'Deserialized.PSLoopback.Output.NetInterface'
        ($copy | Out-String -Width 250) | Should -Match 'ifIndex\s+Name\s+Status\s+Addresses'
    }

    It 'completes interface names for -Name' {
        $lo = Get-NetInterfaceInfo -Loopback | Select-Object -First 1
        $line = "Get-NetInterfaceInfo -Name $($lo.Name.Substring(0, 1))"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain $lo.Name
        $completions | ForEach-Object { $_ | Should -BeLike "$($lo.Name.Substring(0, 1))*" }
    }

    It 'has full help: synopsis, description, every parameter described, at least three examples' {
        $help = Get-Help Get-NetInterfaceInfo -Full
        $help.Synopsis | Should -Match 'network interfaces'
        ($help.description.Text -join ' ') | Should -Match 'loopback'
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
        foreach ($name in 'Name', 'InterfaceIndex', 'AddressFamily', 'Loopback', 'Status') {
            $parameter = $help.parameters.parameter | Where-Object name -EQ $name
            ($parameter.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
        ($help.parameters.parameter | Where-Object name -EQ Name).globbing | Should -Be 'true'
    }
}

Describe 'Get-NetInterfaceInfo on this machine equals iproute2' -Skip:(-not $onLinux) {
    It 'matches every field of `ip -j -s -d addr` (index, name, operstate, MTU, MAC, flags, addresses, counters)' {
        $before = Get-IpJson -Arguments '-s', '-d', 'addr'
        $ours = Get-InterfaceJson
        $after = Get-IpJson -Arguments '-s', '-d', 'addr'
        Compare-InterfaceWithIp -Ours $ours -Before $before -After $after | Should -BeNullOrEmpty
    }

    It 'matches `ip -4 addr` and `ip -6 addr` with -AddressFamily' {
        foreach ($pair in @(@('-4', 'IPv4'), @('-6', 'IPv6'))) {
            $ip = Get-IpJson -Arguments $pair[0], 'addr'
            $ours = @(Get-NetInterfaceInfo -AddressFamily $pair[1])
            @($ours.Name) | Should -Be @($ip.ifname)
            foreach ($entry in $ip) {
                $expected = @($entry.addr_info | ForEach-Object { "$($_.local)/$($_.prefixlen)" } | Sort-Object)
                $got = @(($ours | Where-Object InterfaceIndex -EQ $entry.ifindex).Addresses | ForEach-Object { "$_" } | Sort-Object)
                $got | Should -Be $expected
            }
        }
    }
}
