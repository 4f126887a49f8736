<#
    The routing lookups of the Linux kernel's own selftests (tools/testing/selftests/net: fib_rule_tests.sh,
    fib_tests.sh, fib_nexthops.sh, fib-onlink-tests.sh, icmp_redirect.sh), re-created in network namespaces and
    asked of both `ip -j route get` and Resolve-NetRoute.

    The scenarios are data, in KernelSelftests/*.ps1 (one file per selftest, each returning hashtables):
        Name        unique, short; lookup ids start with it
        Selftest    the script it comes from
        Namespaces  the namespaces it needs, by role ('ns', or 'h1', 'r1', ...); commands write them as {role}
        LookupIn    the role whose namespace the lookups run in (the first by default)
        Steps       in order, each: Function (the selftest function and what it checks; unique in the scenario),
                    Commands (bash lines run before its lookups, cumulative: a step sees what earlier steps made;
                    a leading '!' marks a command the selftest expects to fail), After (bash lines run after its
                    lookups, such as the selftest's rule del), Lookups (`ip route get`
                    arguments, or @{ Get = '...'; NotAsked = 'why it cannot be asked yet' })
    Scenario names and roles stay short: a namespace is named pslb-st-<pid>-<scenario index>-<role>.

    Each lookup ends as Equal, Different (with what differs and a reproduction), HashNotComputed (differs only
    because the kernel hashed the flow onto one of our paths and the cmdlet said it could not compute that hash:
    never counted as equal), CannotBeAsked (the cmdlet has no parameter for one of its selectors) or NotAsked
    (iproute2 6.1 cannot write its setup or ask it).
#>

Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot 'NetnsTopology.psm1')

$script:ScenarioDirectory = Join-Path $PSScriptRoot 'KernelSelftests'

# The selftests leave net.ipv4.fib_multipath_hash_seed unset, so each namespace hashes flows with a random key:
# a multipath flow's path is then known to the kernel alone. A fixed seed (it keys both IPv4 and IPv6) changes
# no other decision, and lets the cmdlet compute the same hash, so those lookups compare exactly.
$script:HashSeed = 0x5eed
$script:Created = [System.Collections.Generic.List[string]]::new()

# iproute2 prints strerror() of the errno the kernel answered with; "Cannot find device" is its own check of oif/iif.
$script:ErrnoText = [ordered]@{
    'Network is unreachable' = 'NetworkUnreachable'
    'No route to host'       = 'HostUnreachable'
    'Permission denied'      = 'PermissionDenied'
    'Invalid argument'       = 'InvalidArgument'
    'No such device'         = 'NoSuchDevice'
    'Cannot find device'     = 'NoSuchDevice'
}

function Get-KernelSelftestScenario {
    <# Every scenario of the scenario files, each lookup given its Id: "<scenario> | <step function> | <ip route get words>". #>
    param([string]$Directory = $script:ScenarioDirectory)
    $ids = @{}
    foreach ($file in Get-ChildItem -LiteralPath $Directory -Filter '*.ps1' | Where-Object Name -NotLike 'Invoke-*' | Sort-Object Name) {
        foreach ($scenario in @(& $file.FullName)) {
            $steps = foreach ($step in $scenario.Steps) {
                $lookups = foreach ($lookup in @($step.Lookups)) {
                    $entry = if ($lookup -is [string]) { @{ Get = $lookup; NotAsked = $null } } else { @{ Get = $lookup.Get; NotAsked = $lookup.NotAsked } }
                    $id = "$($scenario.Name) | $($step.Function) | $($entry.Get)"
                    if ($ids.ContainsKey($id)) { throw "$($file.Name): the lookup id '$id' is not unique." }
                    $ids[$id] = $true
                    [pscustomobject]@{ Id = $id; Get = $entry.Get; NotAsked = $entry.NotAsked }
                }
                [pscustomobject]@{ Function = $step.Function; Commands = @($step['Commands'] | Where-Object { $_ }); After = @($step['After'] | Where-Object { $_ }); Lookups = @($lookups) }
            }
            [pscustomobject]@{
                Name = $scenario.Name; Selftest = $scenario.Selftest; File = $file.Name
                Namespaces = @($scenario.Namespaces)
                LookupIn = $(if ($scenario.ContainsKey('LookupIn')) { $scenario.LookupIn } else { @($scenario.Namespaces)[0] })
                Steps = @($steps)
            }
        }
    }
}

function Get-KernelSelftestKnownDifference {
    <# Lookup id -> the reason it still differs (the feature it waits for). #>
    Import-PowerShellDataFile -LiteralPath (Join-Path $script:ScenarioDirectory 'KnownDifferences.psd1')
}

function Remove-StaleKernelSelftestNamespace {
    <# Namespaces an earlier, killed run left behind (its pid is gone); a concurrent run's stay. #>
    foreach ($line in @(& ip netns list 2>$null)) {
        if ($line -match '^(pslb-st-(\d+)-\S+)' -and -not (Get-Process -Id ([int]$Matches[2]) -ErrorAction Ignore)) {
            & ip netns del $Matches[1] 2>$null
        }
    }
}

function Remove-KernelSelftestNamespace {
    foreach ($name in @($script:Created)) {
        & ip netns del $name 2>$null
        $script:Created.Remove($name) | Out-Null
    }
}

function Expand-Role([string]$Text, [hashtable]$Names) {
    foreach ($role in $Names.Keys) { $Text = $Text.Replace("{$role}", $Names[$role]) }
    $Text
}

function Get-Property($Object, [string]$Name) {
    if ($null -ne $Object -and $Object.PSObject.Properties[$Name]) { $Object.$Name } else { $null }
}

function ConvertTo-AddressText([string]$Address, [bool]$IPv6) {
    <# One spelling per address; no address (on-link) is the unspecified one. #>
    if (-not $Address) { return $(if ($IPv6) { '::' } else { '0.0.0.0' }) }
    [System.Net.IPAddress]::Parse($Address).ToString()
}

function ConvertFrom-KernelAnswer($Kernel) {
    <# The fields compared, from `ip -j route get`'s JSON or its error. #>
    $answer = [ordered]@{ Error = 'None'; Type = $null; Dev = $null; Via = $null; Src = $null; Table = $null; Mtu = $null }
    if ($Kernel.ExitCode -ne 0) {
        $answer.Error = 'Other'
        foreach ($text in $script:ErrnoText.Keys) { if ($Kernel.ErrorText -match [regex]::Escape($text)) { $answer.Error = $script:ErrnoText[$text]; break } }
        return [pscustomobject]$answer
    }
    $route = @($Kernel.Json | ConvertFrom-Json)[0]
    $answer.Type = if (Get-Property $route 'type') { $route.type } else { 'unicast' }
    $answer.Dev = Get-Property $route 'dev'
    # An IPv4 route with an IPv6 gateway: ip prints it as "via": { "family": "inet6", "host": ... }.
    $answer.Via = if (Get-Property $route 'gateway') { $route.gateway } elseif (Get-Property $route 'via') { Get-Property $route.via 'host' } else { $null }
    $answer.Src = Get-Property $route 'prefsrc'
    $answer.Table = Get-Property $route 'table'
    $mtu = @(Get-Property $route 'metrics') | Where-Object { Get-Property $_ 'mtu' } | Select-Object -First 1
    if ($mtu) { $answer.Mtu = "$($mtu.mtu)" }
    [pscustomobject]$answer
}

function Compare-KernelSelftestAnswer {
    <# What differs between the kernel's answer and ours for one lookup, one phrase per field; nothing when equal. #>
    param([Parameter(Mandatory)][string]$Get, [Parameter(Mandatory)]$Kernel, $Ours)
    if (-not $Ours) { return 'no answer from Resolve-NetRoute' }
    if (Get-Property $Ours 'Failure') {
        $failure = $Ours.Failure
        # The cmdlet refuses an interface it cannot find, as ip does: the same answer in other words.
        if ($Kernel.Error -eq 'NoSuchDevice' -and $failure -match '^InterfaceNotFound') { return }
        return "Resolve-NetRoute failed: $failure"
    }
    if ($Kernel.Error -ne 'None' -or $Ours.Error -ne 'None') {
        if ($Kernel.Error -ne $Ours.Error) { return "error: kernel $($Kernel.Error), ours $($Ours.Error)" }
        return
    }
    $words = @($Get -split '\s+')
    $from = $(for ($i = 0; $i -lt $words.Count - 1; $i++) { if ($words[$i] -eq 'from') { $words[$i + 1] } }) | Select-Object -First 1
    $ipv6 = $Get -match ':'
    $problems = [System.Collections.Generic.List[string]]::new()
    if ($Kernel.Type -ne $Ours.Type.ToLowerInvariant()) { $problems.Add("type: kernel $($Kernel.Type), ours $($Ours.Type)") }
    if ($Kernel.Dev -ne $Ours.Dev) { $problems.Add("dev: kernel $($Kernel.Dev), ours $($Ours.Dev)") }
    $via = ConvertTo-AddressText $Kernel.Via $ipv6
    if ((ConvertTo-AddressText $Ours.Via $ipv6) -ne $via) { $problems.Add("via: kernel $via, ours $($Ours.Via)") }
    # With a source given, the packet carries it: IPv4's ip omits prefsrc then, IPv6's shows what it would pick.
    # A forwarded packet (iif) has its source already, and ip shows none chosen: nothing to compare.
    if ($words -notcontains 'iif') {
        $src = if ($from) { ConvertTo-AddressText $from $ipv6 } elseif ($Kernel.Src) { ConvertTo-AddressText $Kernel.Src $ipv6 } else { '' }
        $ourSrc = if ($Ours.Src) { ConvertTo-AddressText $Ours.Src $ipv6 } else { '' }
        if ($ourSrc -ne $src) { $problems.Add("src: kernel $src, ours $ourSrc") }
    }
    # ip names the table only when it is not main.
    if ($Kernel.Table -and $Kernel.Table -ne $Ours.Table) { $problems.Add("table: kernel $($Kernel.Table), ours $($Ours.Table)") }
    # ip shows an MTU only from a route's metrics or an exception (PMTU, redirect): compared then.
    if ($Kernel.Mtu -and $Kernel.Mtu -ne $Ours.Mtu) { $problems.Add("mtu: kernel $($Kernel.Mtu), ours $($Ours.Mtu)") }
    $paths = @(Get-Property $Ours 'Paths')
    if ($problems.Count -and $paths.Count -gt 1) {
        $taken = @($paths | Where-Object { $_.Dev -eq $Kernel.Dev -and (ConvertTo-AddressText $_.Via $ipv6) -eq $via })
        $problems.Add($(if ($taken) { "multipath: the kernel's path is one of our $($paths.Count), not the first" } else { "multipath: the kernel's path is none of our $($paths.Count)" }))
    }
    if ($problems.Count) { $problems -join '; ' }
}

function Test-HashNotComputed([string]$Problem, $Ours) {
    <# The difference is only the headline of a hash the cmdlet said it could not compute: the kernel's path is one of ours. #>
    (Get-Property $Ours 'PathChoice') -eq 'Hash' -and $Problem -match "multipath: the kernel's path is one of our \d+, not the first$"
}

function Format-OurAnswer($Ours) {
    if (-not $Ours) { return '(none)' }
    if (Get-Property $Ours 'Failure') { return $Ours.Failure }
    "type $($Ours.Type) error $($Ours.Error) dev $($Ours.Dev) via $($Ours.Via) src $($Ours.Src) table $($Ours.Table) mtu $($Ours.Mtu) route [$($Ours.Route)] rule [$($Ours.Rule)]" +
    $(if (@($Ours.Paths).Count -gt 1) { ' paths: ' + ((@($Ours.Paths) | ForEach-Object { "dev $($_.Dev) via $($_.Via) src $($_.Src)" }) -join ' | ') }) +
    " -- $($Ours.Reason)"
}

function Format-Reproduction($Scenario, [hashtable]$Names, [int]$StepIndex, $Lookup, $KernelRaw, $Ours, [string]$Problem) {
    <# The commands that rebuild the state of this lookup, the question to both sides, and both answers. #>
    $lookupNamespace = $Names[$Scenario.LookupIn]
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("$($Lookup.Id): $Problem")
    $lines.Add("  # $($Scenario.Selftest), $($Scenario.Steps[$StepIndex].Function); setup:")
    foreach ($role in $Scenario.Namespaces) { $lines.Add("  ip netns add $($Names[$role])") }
    for ($i = 0; $i -le $StepIndex; $i++) {
        foreach ($command in $Scenario.Steps[$i].Commands) {
            $line = Expand-Role $command $Names
            $lines.Add('  ' + $(if ($line -match '^(!\s*)?ping\s') { $line -replace 'ping', "ip netns exec $lookupNamespace ping -M want" } else { $line }))
        }
        if ($i -lt $StepIndex) { foreach ($command in $Scenario.Steps[$i].After) { $lines.Add('  ' + (Expand-Role $command $Names)) } }
    }
    $over = if ((Get-Property $KernelRaw 'AskedOver') -eq 'rtnetlink') { '   # asked over rtnetlink (Rtnetlink.psm1): iproute2 6.1 cannot' } else { '' }
    $lines.Add("  ip -n $lookupNamespace -j route get $($Lookup.Get)$over")
    $lines.Add("  ip netns exec $lookupNamespace pwsh -c 'Resolve-NetRoute ...' (the same question, parameters mapped from the words above)")
    $kernelSays = if ($KernelRaw.ExitCode -ne 0) { "error: $($KernelRaw.ErrorText)" } else { $KernelRaw.Json }
    $lines.Add("  kernel: $kernelSays")
    $lines.Add("  ours:   $(Format-OurAnswer $Ours)")
    $lines -join "`n"
}

function Invoke-KernelSelftestScenario {
    <#
        Builds one scenario in fresh namespaces, runs its steps and lookups in one pwsh inside its lookup
        namespace (KernelSelftests/Invoke-ScenarioSteps.ps1), and returns one result per lookup:
        Id, Scenario, Selftest, Function, Get, Status (Equal, Different, HashNotComputed, CannotBeAsked, NotAsked),
        Reason (what differs, or why it was not asked), Reproduction (for Different and HashNotComputed), OurPathCount (the paths of our
        answer). Namespaces go on every path.
    #>
    param(
        [Parameter(Mandatory)]$Scenario,
        [Parameter(Mandatory)][int]$Index,
        [Parameter(Mandatory)][string]$ModulePath,
        [Parameter(Mandatory)][string[]]$PwshCommand,
        [int]$TimeoutSeconds = 150
    )
    $names = @{}
    foreach ($role in $Scenario.Namespaces) { $names[$role] = "pslb-st-$PID-$Index-$role" }
    $exchange = Join-Path ([System.IO.Path]::GetTempPath()) "pslb-st-$PID-$Index"
    try {
        foreach ($role in $Scenario.Namespaces) {
            Invoke-Ip netns add $names[$role] | Out-Null
            $script:Created.Add($names[$role])
            Invoke-Ip netns exec $names[$role] sysctl -qw "net.ipv4.fib_multipath_hash_seed=$script:HashSeed" | Out-Null
        }
        $null = New-Item -ItemType Directory -Force -Path $exchange
        $planPath = Join-Path $exchange 'plan.json'
        $outPath = Join-Path $exchange 'rows.json'
        $plan = @{ Steps = @($Scenario.Steps | ForEach-Object {
                    @{ Commands = @($_.Commands | ForEach-Object { Expand-Role $_ $names }); After = @($_.After | ForEach-Object { Expand-Role $_ $names }); Lookups = @($_.Lookups) }
                }) }
        ConvertTo-Json -InputObject $plan -Depth 6 | Set-Content -LiteralPath $planPath
        $child = @('ip', 'netns', 'exec', $names[$Scenario.LookupIn]) + $PwshCommand + @('-NoProfile', '-NonInteractive', '-File',
            (Join-Path $script:ScenarioDirectory 'Invoke-ScenarioSteps.ps1'), '-PlanPath', $planPath, '-OutPath', $outPath,
            '-ModulePath', $ModulePath, '-TopologyModulePath', (Join-Path $PSScriptRoot 'NetnsTopology.psm1'))
        $result = Invoke-BoundedProcess -ArgumentList $child -TimeoutSeconds $TimeoutSeconds -Description "the lookups of scenario $($Scenario.Name)"
        if ($result.ExitCode -ne 0 -or -not (Test-Path -LiteralPath $outPath)) {
            throw "Scenario $($Scenario.Name): the pwsh asking the lookups failed (exit $($result.ExitCode)): $($result.Error) $($result.Output)"
        }
        $rows = @{}
        foreach ($row in @(Get-Content -Raw -LiteralPath $outPath | ConvertFrom-Json)) { $rows[$row.Id] = $row }

        for ($s = 0; $s -lt $Scenario.Steps.Count; $s++) {
            $step = $Scenario.Steps[$s]
            foreach ($lookup in $step.Lookups) {
                $row = $rows[$lookup.Id]
                $status = $row.Status
                $reason = $row.Reason
                $reproduction = $null
                if ($status -eq 'Asked') {
                    $problem = Compare-KernelSelftestAnswer -Get $lookup.Get -Kernel (ConvertFrom-KernelAnswer $row.Kernel) -Ours $row.Ours
                    if ($problem -and (Test-HashNotComputed $problem $row.Ours)) {
                        $status = 'HashNotComputed'; $reason = $problem
                        $reproduction = Format-Reproduction $Scenario $names $s $lookup $row.Kernel $row.Ours $problem
                    }
                    elseif ($problem) {
                        $status = 'Different'; $reason = $problem
                        $reproduction = Format-Reproduction $Scenario $names $s $lookup $row.Kernel $row.Ours $problem
                    }
                    else { $status = 'Equal' }
                }
                [pscustomobject]@{
                    Id = $lookup.Id; Scenario = $Scenario.Name; Selftest = $Scenario.Selftest; Function = $step.Function; Get = $lookup.Get
                    Status = $status; Reason = $reason; Reproduction = $reproduction
                    # More than one: a multipath answer, where the kernel's choice may be a hash.
                    OurPathCount = @(Get-Property $row.Ours 'Paths').Count
                }
            }
        }
    }
    finally {
        Remove-KernelSelftestNamespace
        Remove-Item -LiteralPath $exchange -Recurse -Force -ErrorAction Ignore
    }
}

function Invoke-KernelSelftest {
    <# Every scenario (or those named), one after the other; the results of all their lookups. #>
    param([Parameter(Mandatory)][string]$ModulePath, [Parameter(Mandatory)][string[]]$PwshCommand, [string[]]$Scenario)
    Remove-StaleKernelSelftestNamespace
    $all = @(Get-KernelSelftestScenario)
    for ($i = 0; $i -lt $all.Count; $i++) {
        if ($Scenario -and $all[$i].Name -notin $Scenario) { continue }
        Invoke-KernelSelftestScenario -Scenario $all[$i] -Index $i -ModulePath $ModulePath -PwshCommand $PwshCommand
    }
}

function Measure-KernelSelftestResult {
    <# Counts per selftest and in all: lookups, asked, equal, different, hash not computed, cannot be asked, not asked. #>
    param([Parameter(Mandatory)][object[]]$Result)
    $rows = foreach ($group in @($Result | Group-Object Selftest) + @([pscustomobject]@{ Name = 'all'; Group = $Result })) {
        $count = { param($status) @($group.Group | Where-Object Status -EQ $status).Count }
        [pscustomobject]@{
            Selftest = $group.Name; Lookups = $group.Group.Count
            Asked = (& $count 'Equal') + (& $count 'Different') + (& $count 'HashNotComputed'); Equal = & $count 'Equal'; Different = & $count 'Different'
            HashNotComputed = & $count 'HashNotComputed'
            CannotBeAsked = & $count 'CannotBeAsked'; NotAsked = & $count 'NotAsked'
        }
    }
    $rows
}

Export-ModuleMember -Function Test-HashNotComputed, Get-KernelSelftestScenario, Get-KernelSelftestKnownDifference, Remove-StaleKernelSelftestNamespace, Invoke-KernelSelftestScenario, Invoke-KernelSelftest, Measure-KernelSelftestResult, Compare-KernelSelftestAnswer
