<#
    Runs inside a scenario's lookup namespace, started by KernelSelftests.psm1 in a fresh pwsh: for each step of
    the plan it runs the step's setup commands, then asks every lookup of `ip -j route get` and of Resolve-NetRoute,
    one after the other on the same state, so both answer the same kernel at the same moment (route exceptions and
    neighbour entries change as time passes). Writes one row per lookup to -OutPath as JSON.
#>
param(
    [Parameter(Mandatory)][string]$PlanPath,
    [Parameter(Mandatory)][string]$OutPath,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$TopologyModulePath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
Import-Module $TopologyModulePath
Import-Module (Join-Path $PSScriptRoot 'Rtnetlink.psm1')

# `ip route get` keyword -> the Resolve-NetRoute parameter that asks the same; $null: no parameter can.
$parameterOf = @{
    from = 'LocalIPAddress'; oif = 'InterfaceAlias'; iif = 'InputInterface'; mark = 'Mark'
    tos = 'Tos'; dsfield = 'Tos'; ipproto = 'IPProtocol'; sport = 'SourcePort'; dport = 'DestinationPort'
    uid = 'Uid'; flowlabel = 'FlowLabel'; vrf = 'Vrf'; fibmatch = $null; connected = $null
}
$flags = 'fibmatch', 'connected'
$textValued = 'from', 'oif', 'iif', 'ipproto', 'vrf'
$available = (Get-Command Resolve-NetRoute).Parameters

function ConvertTo-Number([string]$Text) {
    if ($Text -match '^0x([0-9a-f]+)$') { return [Convert]::ToUInt32($Matches[1], 16) }
    [uint32]$Text
}

function Split-Lookup([string]$Get) {
    <# The destination and the selectors of `ip route get` words, and why the cmdlet cannot ask them ($null if it can). #>
    $words = @($Get -split '\s+' | Where-Object { $_ })
    $destination = $null
    $parameters = [ordered]@{}
    $missing = [System.Collections.Generic.List[string]]::new()
    for ($i = 0; $i -lt $words.Count; $i++) {
        $word = $words[$i]
        if ($word -eq 'to') { $destination = $words[++$i]; continue }
        if (-not $parameterOf.ContainsKey($word)) { $destination = $word; continue }
        $name = $parameterOf[$word]
        if ($word -in $flags) { $missing.Add("'$word' (no parameter asks it)"); continue }
        $value = $words[++$i]
        if (-not $available.ContainsKey($name)) { $missing.Add("'$word' (no -$name parameter)"); continue }
        $parameters[$name] = if ($word -in $textValued) { $value } else { ConvertTo-Number $value }
    }
    [pscustomobject]@{ Destination = $destination; Parameters = $parameters; CannotBeAsked = $(if ($missing.Count) { 'cannot be asked: ' + ($missing -join ', ') }) }
}

function Get-KernelAnswer([string]$Get) {
    <# `ip -j route get`, or the same question over rtnetlink when iproute2 6.1 cannot ask it (flowlabel). #>
    $arguments = @('-j', 'route', 'get') + @($Get -split '\s+' | Where-Object { $_ })
    $result = Invoke-BoundedProcess -ArgumentList (@('ip') + $arguments) -TimeoutSeconds 10
    $answer = [pscustomobject]@{ ExitCode = $result.ExitCode; Json = $result.Output.Trim(); ErrorText = $result.Error.Trim(); AskedOver = 'iproute2' }
    if ($answer.ExitCode -ne 0 -and $answer.ErrorText -match 'is expected rather than') {
        $answer = Get-RtnetlinkRoute $Get
        $answer | Add-Member AskedOver 'rtnetlink'
    }
    $answer
}

function ConvertTo-Row($Answer) {
    $mtu = if ($Answer.PSObject.Properties['Mtu']) { $Answer.Mtu } else { 'not reported' }
    [pscustomobject]@{
        Type = "$($Answer.RouteType)"; Error = "$($Answer.Error)"; Dev = $Answer.InterfaceAlias; Via = "$($Answer.NextHop)"
        Src = "$($Answer.SourceAddress)"; Table = "$($Answer.TableName)"; Mtu = "$mtu"; Route = "$($Answer.Route)"; Rule = "$($Answer.Rule)"
        Reason = $Answer.Reason; PathChoice = "$($Answer.PathChoice)"
        Paths = @($Answer.Paths | ForEach-Object { [pscustomobject]@{ Via = "$($_.NextHop)"; Dev = $_.InterfaceAlias; Src = "$($_.SourceAddress)" } })
    }
}

function Get-OurAnswers($Lookups) {
    <#
        Resolve-NetRoute for lookups of one step that could be asked: one call per set of selectors, its
        destinations piped in, so the snapshot is read once for them all. Returns answers by lookup Id.
    #>
    $answers = @{}
    foreach ($group in @($Lookups | Group-Object { $_.Split.Parameters | ConvertTo-Json -Compress })) {
        $parameters = $group.Group[0].Split.Parameters
        $destinations = [string[]]@($group.Group | ForEach-Object { $_.Split.Destination })
        $failed = $null
        try {
            $results = @($destinations | Resolve-NetRoute @parameters -ErrorVariable failed -ErrorAction SilentlyContinue)
        }
        catch {
            foreach ($lookup in $group.Group) { $answers[$lookup.Id] = [pscustomobject]@{ Failure = "$($_.FullyQualifiedErrorId): $_" } }
            continue
        }
        foreach ($lookup in $group.Group) {
            $answer = $results | Where-Object { $_.Destination -eq $lookup.Split.Destination } | Select-Object -First 1
            $answers[$lookup.Id] = if ($answer) { ConvertTo-Row $answer } else {
                [pscustomobject]@{ Failure = 'no answer: ' + (@($failed | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join '; ') }
            }
        }
    }
    $answers
}

function Invoke-Ping([string]$Line) {
    <#
        "ping [-c COUNT] [-s SIZE] TARGET", from this (the lookup) namespace, sent by .NET's Ping (ICMP echo over a
        raw socket, as root) with Don't Fragment set, as `ping -M want` does: this machine may have no ping
        command, and the exceptions the selftests wait for (redirects, PMTU) come from its answers.
        Returns the exit code ping would: 0 when some echo was answered.
    #>
    $words = @($Line -split '\s+' | Where-Object { $_ })
    $count = 1; $size = 56; $target = $words[-1]
    for ($i = 1; $i -lt $words.Count - 1; $i++) {
        if ($words[$i] -eq '-c') { $count = [int]$words[++$i] } elseif ($words[$i] -eq '-s') { $size = [int]$words[++$i] }
    }
    $ping = [System.Net.NetworkInformation.Ping]::new()
    try {
        $options = [System.Net.NetworkInformation.PingOptions]::new(64, $true)
        $answered = 0
        for ($n = 0; $n -lt $count; $n++) {
            try {
                if ($ping.Send($target, 1000, [byte[]]::new($size), $options).Status -eq 'Success') { $answered++ }
            }
            catch [System.Net.NetworkInformation.PingException] {
                # No route, or the send refused: an unanswered echo, as ping reports it.
            }
        }
        [int]($answered -eq 0)
    }
    finally { $ping.Dispose() }
}

function Invoke-SetupCommand([string]$Command) {
    <# A step's command: a ping (above), a rule written over rtnetlink (Rtnetlink.psm1), or a bash line. Returns its exit code and errors. #>
    if ($Command -match '^ping\s') { return [pscustomobject]@{ ExitCode = Invoke-Ping $Command; Error = '' } }
    if ($Command -match '^rtnl\s') {
        $errno = Invoke-RtnetlinkRule $Command
        return [pscustomobject]@{ ExitCode = $errno; Error = $(if ($errno) { "the kernel answered errno $errno" } else { '' }) }
    }
    Invoke-BoundedProcess -ArgumentList @('bash', '-c', $Command) -TimeoutSeconds 60
}

$plan = Get-Content -Raw -LiteralPath $PlanPath | ConvertFrom-Json
$rows = [System.Collections.Generic.List[object]]::new()
foreach ($step in $plan.Steps) {
    $setupProblem = $null
    foreach ($command in @($step.Commands | Where-Object { $_ })) {
        # A leading '!' marks a command the selftest expects the kernel to refuse: its failure is its purpose.
        $mayFail = $command.StartsWith('!')
        $result = Invoke-SetupCommand $command.TrimStart('!', ' ')
        if ($result.ExitCode -ne 0 -and -not $mayFail -and -not $setupProblem) {
            $setupProblem = "setup command failed (exit $($result.ExitCode)): $command -- $($result.Error.Trim())"
        }
    }
    $asked = [System.Collections.Generic.List[object]]::new()
    foreach ($lookup in @($step.Lookups)) {
        $row = [pscustomobject]@{ Id = $lookup.Id; Status = $null; Reason = $null; Kernel = $null; Ours = $null }
        $rows.Add($row)
        if ($setupProblem) { $row.Status = 'NotAsked'; $row.Reason = $setupProblem; continue }
        if ($lookup.NotAsked) { $row.Status = 'NotAsked'; $row.Reason = $lookup.NotAsked; continue }
        $row.Kernel = Get-KernelAnswer $lookup.Get
        if ($row.Kernel.ExitCode -ne 0 -and $row.Kernel.ErrorText -notmatch '^(RTNETLINK answers|Cannot find device)') {
            $row.Status = 'NotAsked'; $row.Reason = "iproute2 cannot ask it: $($row.Kernel.ErrorText)"; continue
        }
        $split = Split-Lookup $lookup.Get
        if ($split.CannotBeAsked) { $row.Status = 'CannotBeAsked'; $row.Reason = $split.CannotBeAsked; continue }
        $asked.Add([pscustomobject]@{ Id = $lookup.Id; Split = $split; Row = $row })
    }
    $answers = Get-OurAnswers $asked
    foreach ($lookup in $asked) { $lookup.Row.Ours = $answers[$lookup.Id]; $lookup.Row.Status = 'Asked' }
    # Undoes what the step made (a selftest deletes each rule after checking it); a failure shows in later steps.
    foreach ($command in @($step.After | Where-Object { $_ })) { $null = Invoke-SetupCommand $command }
}
ConvertTo-Json -InputObject $rows.ToArray() -Depth 6 | Set-Content -LiteralPath $OutPath
