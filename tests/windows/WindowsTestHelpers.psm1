<#
    Shared by the Windows suite, which runs inside the Wine host: the module under test, and the Linux
    facts (iproute2's JSON) that the module's Windows answers are compared with.
#>

Set-StrictMode -Version 3.0

function Get-ModuleUnderTest {
    if (-not $env:PSLOOPBACK_MODULE) { throw 'PSLOOPBACK_MODULE is not set: run the suite with Invoke-WindowsPester.ps1.' }
    $env:PSLOOPBACK_MODULE
}

function Invoke-LinuxCommand {
    <#
        Runs a Linux program from inside Wine, in the network namespace Wine runs in, and returns its
        standard output. Wine starts a Unix program handed to CreateProcess, but detached: no process
        handle, no pipes, no exit code. So sh runs it with its output in files, in a folder of its own under
        PSLOOPBACK_WINE_SCRATCH (a Linux path), and renames its exit status into place last; this waits,
        bounded, for that file. A non-zero exit status is an error carrying the program's stderr.
    #>
    param([Parameter(Mandatory)][string[]]$ArgumentList, [int]$TimeoutSeconds = 30)
    if (-not $env:PSLOOPBACK_WINE_SCRATCH) { throw 'PSLOOPBACK_WINE_SCRATCH is not set: run the suite with Invoke-WindowsPester.ps1.' }
    $unixDirectory = "$($env:PSLOOPBACK_WINE_SCRATCH)/$([guid]::NewGuid().ToString('n'))"
    $directory = 'Z:' + ($unixDirectory -replace '/', '\')
    $null = New-Item -ItemType Directory -Path $directory
    try {
        $start = [System.Diagnostics.ProcessStartInfo]::new('Z:\bin\sh')
        $script = 'cd "$1" && shift && "$@" > out 2> err; echo $? > status.tmp && mv status.tmp status'
        foreach ($argument in @('-c', $script, 'sh', $unixDirectory) + $ArgumentList) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        # Wine hands back no Process for a Unix program: the status file is the only sign of its end.
        $null = [System.Diagnostics.Process]::Start($start)
        $status = Join-Path $directory 'status'
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not (Test-Path -LiteralPath $status)) {
            if ($clock.Elapsed.TotalSeconds -gt $TimeoutSeconds) { throw "'$($ArgumentList -join ' ')' did not finish within $TimeoutSeconds s." }
            Start-Sleep -Milliseconds 20
        }
        $exitCode = [int](Get-Content -Raw -LiteralPath $status)
        if ($exitCode -ne 0) {
            throw "'$($ArgumentList -join ' ')' failed with exit code ${exitCode}: $(Get-Content -Raw -LiteralPath (Join-Path $directory 'err'))"
        }
        Get-Content -Raw -LiteralPath (Join-Path $directory 'out')
    }
    finally {
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction Ignore
    }
}

function Get-IpJson {
    <# iproute2's answer, as objects: Get-IpJson -s addr is `ip -j -s addr`. #>
    param([Parameter(ValueFromRemainingArguments)][string[]]$Arguments)
    @(Invoke-LinuxCommand -ArgumentList (@('ip', '-j') + $Arguments) | ConvertFrom-Json)
}

function ConvertTo-HexMac {
    <# A MAC address as bare lowercase hex (02:fc:00:00:00:01 and 02-FC-00-00-00-01 alike); none, or all zeros, is ''. #>
    param([AllowNull()][AllowEmptyString()][string]$Address)
    $hex = "$Address".ToLowerInvariant() -replace '[^0-9a-f]', ''
    if ($hex -match '^0*$') { '' } else { $hex }
}

function Get-ExpectedStatus {
    <#
        What Status Windows would show for a link iproute2 describes, or $null where Wine cannot say it
        truly: Wine's oper status is the link's IFF_UP flag, so a link that is up without carrier
        (NO-CARRIER, LOWERLAYERDOWN) shows Up there. Linux calls its loopback UNKNOWN; Windows, Up.
    #>
    param([Parameter(Mandatory)]$Link)
    $flags = @($Link.flags)
    if ($Link.operstate -eq 'UP') { return 'Up' }
    if ($Link.operstate -eq 'DOWN' -and $flags -notcontains 'UP') { return 'Down' }
    if ($Link.operstate -eq 'UNKNOWN' -and $flags -contains 'LOWER_UP') { return 'Up' }
    return $null
}

function Get-LinuxRouteText {
    <#
        The IPv4 routes of table main as `ip -j -4 route show table main` gives them, each as
        'PREFIX via NEXTHOP ifindex N' (0.0.0.0 for an on-link route), in the fields Wine reports truly.
    #>
    $index = @{}
    foreach ($link in Get-IpJson link) { $index[$link.ifname] = $link.ifindex }
    foreach ($route in Get-IpJson -4 route show table main) {
        $prefix = if ($route.dst -eq 'default') { '0.0.0.0/0' } elseif ($route.dst -match '/') { $route.dst } else { "$($route.dst)/32" }
        $via = if ($route.PSObject.Properties['gateway']) { $route.gateway } else { '0.0.0.0' }
        "$prefix via $via ifindex $($index[$route.dev])"
    }
}

Export-ModuleMember -Function Get-ModuleUnderTest, Invoke-LinuxCommand, Get-IpJson, ConvertTo-HexMac, Get-ExpectedStatus, Get-LinuxRouteText
