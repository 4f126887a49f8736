# Resolve-NetRoute against `ip -j route get` on the routing lookups of the kernel's own selftests
# (tests/topologies/KernelSelftests: fib_rule_tests.sh, fib_tests.sh, fib_nexthops.sh, fib-onlink-tests.sh,
# icmp_redirect.sh), each scenario built in fresh namespaces by tests/topologies/KernelSelftests.psm1. Type,
# interface, gateway, source, table (when not main), MTU (when ip shows one) and error are compared.
#
# One test per step of a scenario. A difference listed in KnownDifferences.psd1 (waiting for a feature) makes
# its step Skipped with the reason; a listed lookup that now agrees fails ("remove it from the list"); an
# unlisted difference fails with a reproduction. A lookup whose headline differs only because the kernel hashed
# the flow onto another of our paths, by a hash the cmdlet said it cannot compute (HashNotComputed), is held to
# the same rule as a difference: listed, it skips; unlisted, it fails, so it stays visible. A lookup the cmdlet
# has no parameter for, or that iproute2 6.1 cannot set up or ask, skips its step, saying why. Figures by hand:
# tests/topologies/Invoke-KernelSelftests.ps1. Needs root.
# $env:PSLOOPBACK_SELFTEST_SCENARIOS ("metrics,unreg1": scenario names) runs only those scenarios.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../topologies/KernelSelftests.psm1') -Force
    $wanted = @("$env:PSLOOPBACK_SELFTEST_SCENARIOS" -split ',' | Where-Object { $_ })
    $script:scenarios = @(Get-KernelSelftestScenario | ForEach-Object -Begin { $i = 0 } -Process {
            if ($wanted -and $_.Name -notin $wanted) { $i++; return }
            @{ Name = $_.Name; Selftest = $_.Selftest; Index = $i++; Steps = @($_.Steps | Where-Object { $_.Lookups.Count } | ForEach-Object { @{ Function = $_.Function; Ids = @($_.Lookups.Id) } }) }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/NetnsTopology.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../topologies/KernelSelftests.psm1') -Force
    $script:skipReason = Get-NetnsUnavailableReason
    if ($skipReason) { Write-Host "Skipping the kernel selftest lookups: $skipReason." -ForegroundColor Yellow }
    else { Remove-StaleKernelSelftestNamespace }
    $script:known = Get-KernelSelftestKnownDifference
    $script:allScenarios = @(Get-KernelSelftestScenario)
    $script:all = [System.Collections.Generic.List[object]]::new()
    $script:resultDirectory = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot "../../out/test-results/Resolve-NetRoute.KernelSelftests/run-$PID"))
}

AfterAll {
    if ($all.Count) {
        $null = New-Item -ItemType Directory -Force -Path $resultDirectory
        ConvertTo-Json -InputObject $all.ToArray() -Depth 4 | Set-Content -LiteralPath (Join-Path $resultDirectory 'results.json')
        $figures = Measure-KernelSelftestResult -Result $all.ToArray() | Where-Object Selftest -EQ 'all'
        Write-Host ("Kernel selftests: of {0} lookups, {1} cannot be asked, {2} are not asked yet; of the {3} asked, {4} are equal, {5} differ and {6} are hashes not computed (results in {7})." -f
            $figures.Lookups, $figures.CannotBeAsked, $figures.NotAsked, $figures.Asked, $figures.Equal, $figures.Different, $figures.HashNotComputed, $resultDirectory)
    }
}

Describe 'Resolve-NetRoute on <Selftest> scenario <Name>' -ForEach $scenarios {
    BeforeAll {
        $script:results = @{}
        if (-not $skipReason) {
            $scenario = $allScenarios | Where-Object Name -EQ $Name
            foreach ($result in Invoke-KernelSelftestScenario -Scenario $scenario -Index $Index -ModulePath (Get-ModuleUnderTest) -PwshCommand (Get-PwshCommand)) {
                $results[$result.Id] = $result
                $all.Add($result)
            }
        }
    }

    BeforeEach {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
    }

    It '<Function>' -ForEach $Steps {
        if ($skipReason) { return }
        $failures = [System.Collections.Generic.List[string]]::new()
        # Reason -> the lookups it holds back, so a step's skip message names each reason once.
        $skips = [ordered]@{}
        $skip = { param($why, $get) if (-not $skips.Contains($why)) { $skips[$why] = [System.Collections.Generic.List[string]]::new() }; $skips[$why].Add($get) }
        foreach ($id in $Ids) {
            $result = $results[$id]
            $reason = $known[$id]
            switch ($result.Status) {
                { $_ -in 'Different', 'HashNotComputed' } {
                    if ($reason) { & $skip "$(if ($result.Status -eq 'HashNotComputed') { 'a hash not computed' } else { 'differs' }) as known: $reason" $result.Get }
                    else { $failures.Add("$($result.Reproduction)`n  (not in tests/topologies/KernelSelftests/KnownDifferences.psd1)") }
                }
                'Equal' {
                    if ($reason) {
                        $failures.Add("$id now agrees with the kernel: remove it from tests/topologies/KernelSelftests/KnownDifferences.psd1")
                    }
                }
                default { & $skip $result.Reason $result.Get }
            }
        }
        if ($failures.Count) { throw ($failures -join "`n`n") }
        if ($skips.Count) { Set-ItResult -Skipped -Because (@($skips.Keys | ForEach-Object { "$($skips[$_] -join ', '): $_" }) -join '; ') }
    }
}

Describe 'The kernel selftests known-differences list' {
    It 'names only lookups that exist' {
        $ids = @($allScenarios.Steps.Lookups.Id)
        @($known.Keys | Where-Object { $_ -notin $ids }) | Should -BeNullOrEmpty -Because 'an id that no scenario asks is a stale entry'
    }
}

Describe 'A lookup that differs only by a hash the cmdlet cannot compute' {
    It 'is told apart from a difference: our choice is Hash and the kernel took another of our paths' {
        $onlyHeadline = "dev: kernel v2, ours v1; multipath: the kernel's path is one of our 2, not the first"
        Test-HashNotComputed $onlyHeadline ([pscustomobject]@{ PathChoice = 'Hash' }) | Should -BeTrue
        Test-HashNotComputed $onlyHeadline ([pscustomobject]@{ PathChoice = 'ComputedHash' }) | Should -BeFalse -Because 'a computed hash that took another path is wrong'
        Test-HashNotComputed "dev: kernel v3, ours v1; multipath: the kernel's path is none of our 2" ([pscustomobject]@{ PathChoice = 'Hash' }) | Should -BeFalse
    }

    It 'is counted on its own and never as equal' {
        $rows = @('Equal', 'HashNotComputed', 'Different', 'NotAsked') | ForEach-Object { [pscustomobject]@{ Selftest = 's'; Status = $_ } }
        $all = Measure-KernelSelftestResult -Result $rows | Where-Object Selftest -EQ 'all'
        $all.Asked | Should -Be 3
        $all.Equal | Should -Be 1
        $all.HashNotComputed | Should -Be 1
        $all.Different | Should -Be 1
    }
}
