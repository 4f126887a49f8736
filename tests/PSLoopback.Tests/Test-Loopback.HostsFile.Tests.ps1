# Loopback names and the hosts file, on this machine's real resolver path: a fresh pwsh in a network namespace
# of its own and a private mount namespace where /etc/hosts is what each test makes it (a good file, a FIFO, a
# directory, a file root cannot read, a 200 MiB sparse file) and /etc/resolv.conf points at 127.0.0.1 only,
# where the child itself listens on port 53 to count any DNS query that is sent. Needs root.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    if (-not $skipReason) { $script:skipReason = Get-MountNamespaceUnavailableReason }
    if (-not $skipReason -and -not (Get-Command setpriv -ErrorAction Ignore)) { $script:skipReason = "util-linux's setpriv is not installed" }

    function Invoke-WithHosts {
        <#
            Runs $Command (PowerShell, one string each) in a fresh pwsh in $namespace, where a private mount
            namespace first runs $Prepare (sh, making /etc/hosts), then binds a resolv.conf naming only
            127.0.0.1. The child counts DNS queries on 127.0.0.1:53 and [::1]:53 after each command. Returns
            one object per command: Seconds, Errors, Results, Queries, and the child's peak working set.
        #>
        param([Parameter(Mandatory)][string]$Prepare, [Parameter(Mandatory)][string[]]$Command, [string[]]$Wrapper = @(), [int]$TimeoutSeconds = 60)
        $fields = @'
Results = @($out | ForEach-Object { [pscustomobject]@{ Target = "$(if ($_.PSObject.Properties['Target']) { $_.Target } else { $_.Destination })"; Address = "$(if ($_.PSObject.Properties['RemoteAddress']) { $_.RemoteAddress } else { $_.RemoteIPAddress })"; Status = "$(if ($_.PSObject.Properties['Status']) { $_.Status } else { $_.RouteType })"; Diagnosis = "$(if ($_.PSObject.Properties['Diagnosis']) { $_.Diagnosis })" } })
            Queries = Receive-Query
            PeakWorkingSet = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
'@
        $runs = foreach ($c in $Command) { Get-TimedCommandScript -Command $c -Fields $fields }
        $script = @"
Import-Module '$(Get-ModuleUnderTest)'
`$ProgressPreference = 'SilentlyContinue'
`$listeners = @(
    [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 53))
    [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::IPv6Loopback, 53))
)
function Receive-Query {
    # Every datagram that reached port 53 since the last call; resolvers send at once, a short wait is enough.
    Start-Sleep -Milliseconds 200
    `$n = 0
    foreach (`$l in `$listeners) { for (`$i = 0; `$i -lt 1000 -and `$l.Available -gt 0; `$i++) { `$from = `$null; `$null = `$l.Receive([ref]`$from); `$n++ } }
    `$n
}
`$null = Receive-Query
@(
$($runs -join "`n")
) | ConvertTo-Json -Depth 5 -Compress -AsArray
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $pwsh = @($Wrapper) + @(Get-PwshCommand) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $mounts = "set -e; $Prepare; mount --bind '$work/resolv.conf' /etc/resolv.conf; exec `"`$@`""
        $argv = @('ip', 'netns', 'exec', $namespace, 'unshare', '-m', 'sh', '-c', $mounts, 'sh') + $pwsh
        $result = Invoke-BoundedProcess -ArgumentList $argv -TimeoutSeconds $TimeoutSeconds -Description "pwsh with /etc/hosts from '$Prepare'"
        if ($result.ExitCode -ne 0) { throw "The child pwsh failed (exit $($result.ExitCode)): $($result.Error)" }
        foreach ($run in @($result.Output | ConvertFrom-Json)) { $run.Errors = @($run.Errors); $run.Results = @($run.Results); $run }
    }

    if ($skipReason) {
        Write-Host "Skipping the hosts file tests: $skipReason." -ForegroundColor Yellow
        return
    }
    Remove-StaleTestNamespace
    $script:namespace = New-TestNamespace 'names'
    Invoke-Ip -n $namespace link set lo up | Out-Null
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "pslb-$PID-names"
    $null = New-Item -ItemType Directory -Path $work -Force
    [IO.File]::WriteAllText("$work/resolv.conf", "nameserver 127.0.0.1`nnameserver ::1`noptions timeout:1 attempts:1`n")
    [IO.File]::WriteAllText("$work/hosts", "127.0.0.1 localhost`n::1 localhost`n")
}

AfterAll {
    if (-not $skipReason) {
        Remove-TestNamespace
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
    }
}

Describe 'Loopback names never reach DNS' {
    BeforeEach { if ($skipReason) { Set-ItResult -Skipped -Because $skipReason } }

    It 'localhost., LOCALHOST and app.localhost. succeed for both cmdlets with no query on port 53, while an ordinary name does query it' {
        $runs = @(Invoke-WithHosts -Prepare "mount --bind '$work/hosts' /etc/hosts" -Command @(
            'Test-Loopback localhost., LOCALHOST -Count 1 -TimeoutSeconds 1'
            'Resolve-NetRoute localhost., app.localhost.'
            'Resolve-NetRoute no-such-name.test'
        ))
        $runs[0].Errors | Should -BeNullOrEmpty
        @($runs[0].Results | ForEach-Object Status | Select-Object -Unique) | Should -Be @('Success')
        @($runs[0].Results | ForEach-Object Address | Sort-Object -Unique) | Should -Be @('127.0.0.1', '::1' | Sort-Object)
        $runs[0].Queries | Should -Be 0 -Because 'RFC 6761: localhost names are answered on the host'
        $runs[1].Errors | Should -BeNullOrEmpty
        @($runs[1].Results | ForEach-Object Status | Select-Object -Unique) | Should -Be @('Local')
        $runs[1].Queries | Should -Be 0
        # The control: the same child, an ordinary name, and the listener sees the resolver's queries.
        $runs[2].Errors | Should -Match 'NameNotResolved'
        $runs[2].Queries | Should -BeGreaterThan 0 -Because 'an ordinary name goes to the nameserver, so the count above could have been non-zero'
    }

    It 'a name of both families with -FlowLabel is answered for its IPv6 addresses only, without an error' {
        $runs = @(Invoke-WithHosts -Prepare "mount --bind '$work/hosts' /etc/hosts" -Command @('Resolve-NetRoute localhost -FlowLabel 1'))
        $runs[0].Errors | Should -BeNullOrEmpty
        @($runs[0].Results | ForEach-Object Address) | Should -Be @('::1')
    }

    It 'names that cannot be host names are refused with the reason, naming the input, and sent nowhere' {
        $runs = @(Invoke-WithHosts -Prepare "mount --bind '$work/hosts' /etc/hosts" -Command @(
            "Test-Loopback 1.2.3.4.5, a..b, $('x' * 64).test"
            "Resolve-NetRoute 1.2.3.4.5, a..b, fe80::1%nosuch"
        ))
        foreach ($run in $runs) {
            $run.Errors.Count | Should -Be 3 -Because $run.Command
            $run.Errors[0] | Should -Match "'1\.2\.3\.4\.5' is not an IP address"
            $run.Errors[1] | Should -Match "'a\.\.b' has an empty label"
            $run.Queries | Should -Be 0
        }
        $runs[0].Errors[2] | Should -Match 'at most 63'
        $runs[1].Errors[2] | Should -Match "zone 'nosuch'"
    }
}

Describe 'A hosts file that is not a readable regular file' {
    BeforeEach { if ($skipReason) { Set-ItResult -Skipped -Because $skipReason } }

    It 'a FIFO: nothing waits on it; localhost is NameNotResolved, saying FIFO; 127.0.0.1 still succeeds' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $runs = @(Invoke-WithHosts -TimeoutSeconds 45 -Prepare "rm -f '$work/fifo'; mkfifo '$work/fifo'; mount --bind '$work/fifo' /etc/hosts" -Command @(
            'Test-Loopback localhost -Count 1 -TimeoutSeconds 1'
            'Test-Loopback 127.0.0.1 -Count 1 -TimeoutSeconds 1'
            'Resolve-NetRoute localhost'
        ))
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 45
        $runs[0].Seconds | Should -BeLessThan 3
        $r = @($runs[0].Results)
        $r.Count | Should -Be 1
        $r[0].Status | Should -Be 'NameNotResolved'
        $r[0].Diagnosis | Should -Match '/etc/hosts is a FIFO'
        $runs[0].Queries | Should -Be 0
        $runs[1].Results[0].Status | Should -Be 'Success'
        $runs[2].Errors[0] | Should -Match 'NameNotResolved.*FIFO'
    }

    It 'a directory: localhost is NameNotResolved, saying /etc/hosts is a directory' {
        $prepare = "rm -rf '$work/up' '$work/ow'; mkdir -p '$work/up' '$work/ow'; mount -t overlay overlay -o lowerdir=/etc,upperdir='$work/up',workdir='$work/ow' /etc; rm -f /etc/hosts; mkdir /etc/hosts"
        $runs = @(Invoke-WithHosts -Prepare $prepare -Command 'Test-Loopback localhost -Count 1 -TimeoutSeconds 1')
        $runs[0].Results[0].Status | Should -Be 'NameNotResolved'
        $runs[0].Results[0].Diagnosis | Should -Match '/etc/hosts is a directory, not a regular file'
        $runs[0].Queries | Should -Be 0
    }

    It 'unreadable: root without CAP_DAC_OVERRIDE is refused, and the diagnosis says so and how to fix it' {
        [IO.File]::WriteAllText("$work/secret", "127.0.0.1 localhost`n")
        & chmod 000 "$work/secret"
        $runs = @(Invoke-WithHosts -Prepare "mount --bind '$work/secret' /etc/hosts" -Wrapper @('setpriv', '--bounding-set', '-dac_override,-dac_read_search') -Command 'Test-Loopback localhost -Count 1 -TimeoutSeconds 1')
        $runs[0].Results[0].Status | Should -Be 'NameNotResolved'
        $runs[0].Results[0].Diagnosis | Should -Match 'cannot be read by this user'
        $runs[0].Results[0].Diagnosis | Should -Match 'chmod 644 /etc/hosts'
    }

    It 'a 200 MiB sparse file is answered from its first line within seconds and in bounded memory; a name it lacks is said to be missing from the part read' {
        $prepare = "printf '127.0.0.1 app.localhost\n' > '$work/huge'; truncate -s 200M '$work/huge'; mount --bind '$work/huge' /etc/hosts"
        $runs = @(Invoke-WithHosts -Prepare $prepare -Command @(
            'Test-Loopback 127.0.0.1 -Count 1 -TimeoutSeconds 1'
            'Test-Loopback app.localhost -Count 1 -TimeoutSeconds 1'
            'Test-Loopback localhost -Count 1 -TimeoutSeconds 1'
        ))
        $runs[1].Seconds | Should -BeLessThan 2
        $runs[1].Results.Count | Should -Be 1
        $runs[1].Results[0].Status | Should -Be 'Success'
        $runs[1].Results[0].Address | Should -Be '127.0.0.1'
        $runs[2].Seconds | Should -BeLessThan 2
        $runs[2].Results[0].Status | Should -Be 'NameNotResolved'
        $runs[2].Results[0].Diagnosis | Should -Match 'no line for localhost in the part that was read \(only the first 16 MiB were read of 200 MiB'
        $grown = $runs[2].PeakWorkingSet - $runs[0].PeakWorkingSet
        Write-Host "200 MiB hosts file: Test-Loopback app.localhost took $([math]::Round($runs[1].Seconds, 3)) s; peak working set grew by $([math]::Round($grown / 1MB, 1)) MiB (to $([math]::Round($runs[2].PeakWorkingSet / 1MB)) MiB)."
        $grown | Should -BeLessThan 64MB -Because 'the file is streamed, never held whole'
    }
}
