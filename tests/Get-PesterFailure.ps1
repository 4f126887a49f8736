<#
    The failed tests, blocks and files of a Pester run, one line each: its path and the first line of each error.
    Both runners (tests/PSLoopback.Tests, tests/windows) write these for build.ps1 to name at the end of a test run.
#>
param([Parameter(Mandatory)]$Result)
@($Result.Failed) + @($Result.FailedBlocks) + @($Result.FailedContainers) | ForEach-Object {
    # A failed file (container) has neither a path nor a name: its Item says which.
    $name = foreach ($property in 'ExpandedPath', 'Name', 'Item') { if ($_.PSObject.Properties[$property] -and $_.$property) { "$($_.$property)"; break } }
    $message = @($_.ErrorRecord | ForEach-Object { ("$($_.Exception.Message)" -split '\r?\n')[0] }) -join '; '
    "$name$(if ($message) { ": $message" })"
}
