<#
    Policy rules with the attributes iproute2 6.1 cannot write (dscp and its mask, flowlabel and its mask, port
    masks), sent to the kernel over rtnetlink by NetlinkRuleWriter.cs in a pwsh that runs inside the namespace.
#>

function ConvertTo-RuleAttributes {
    <#
        A rule description (a hashtable of Dscp, DscpMask, FlowLabel, FlowLabelMask, SourcePort, SourcePortMask,
        DestinationPort, DestinationPortMask, SuppressInterfaceGroup) as FRA_* types and values in the kernel's
        byte orders: ports and masks in host order, flow labels big-endian.
    #>
    param([Parameter(Mandatory)][hashtable]$Rule)
    $types = [System.Collections.Generic.List[uint16]]::new()
    $values = [System.Collections.Generic.List[string]]::new()
    function Add([uint16]$Type, [byte[]]$Bytes) { $types.Add($Type); $values.Add([Convert]::ToBase64String($Bytes)) }
    function BigEndian32([uint32]$Value) { [byte[]]@((($Value -shr 24) -band 0xFF), (($Value -shr 16) -band 0xFF), (($Value -shr 8) -band 0xFF), ($Value -band 0xFF)) }
    function PortRange([uint16]$Port) { [byte[]]([BitConverter]::GetBytes($Port) + [BitConverter]::GetBytes($Port)) }

    if ($Rule.ContainsKey('Dscp')) { Add 25 @([byte]$Rule.Dscp) }
    if ($Rule.ContainsKey('DscpMask')) { Add 30 @([byte]$Rule.DscpMask) }
    if ($Rule.ContainsKey('FlowLabel')) {
        Add 26 (BigEndian32 $Rule.FlowLabel)
        Add 27 (BigEndian32 $(if ($Rule.ContainsKey('FlowLabelMask')) { $Rule.FlowLabelMask } else { 0xFFFFF }))
    }
    if ($Rule.ContainsKey('SourcePort')) { Add 23 (PortRange $Rule.SourcePort) }
    if ($Rule.ContainsKey('SourcePortMask')) { Add 28 ([BitConverter]::GetBytes([uint16]$Rule.SourcePortMask)) }
    if ($Rule.ContainsKey('DestinationPort')) { Add 24 (PortRange $Rule.DestinationPort) }
    if ($Rule.ContainsKey('DestinationPortMask')) { Add 29 ([BitConverter]::GetBytes([uint16]$Rule.DestinationPortMask)) }
    if ($Rule.ContainsKey('SuppressInterfaceGroup')) { Add 13 ([BitConverter]::GetBytes([uint32]$Rule.SuppressInterfaceGroup)) }
    @{ Types = @($types); Values = @($values) }
}

function Get-NetlinkRuleScript {
    <#
        The pwsh script that adds each rule ("lookup Table" at Priority, for Family 'IPv4' or 'IPv6', with the
        attributes of ConvertTo-RuleAttributes) in the namespace it runs in, and throws naming a rule the kernel
        refused. Run it with Invoke-FreshPwsh -Namespace. With -AssemblyPath (from Get-NetlinkRuleAssembly) the
        script loads the writer compiled once instead of compiling it again, which takes seconds.
    #>
    param([Parameter(Mandatory)][hashtable[]]$Rule, [string]$AssemblyPath)
    $writer = Get-Content -Raw (Join-Path $PSScriptRoot 'NetlinkRuleWriter.cs')
    $requests = @(foreach ($one in $Rule) {
        $attributes = ConvertTo-RuleAttributes $one
        @{
            Family = if ($one.Family -eq 'IPv6') { 10 } else { 2 }
            Priority = $one.Priority; Table = $one.Table
            Types = $attributes.Types; Values = $attributes.Values
            Text = ($one.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ' '
        }
    })
    $load = if ($AssemblyPath) { "Add-Type -LiteralPath '$($AssemblyPath.Replace("'", "''"))'" } else { "Add-Type -TypeDefinition @'`n$writer`n'@" }
    @"
$load
foreach (`$request in ('$(($requests | ConvertTo-Json -Depth 4 -Compress).Replace("'", "''"))' | ConvertFrom-Json)) {
    `$values = [byte[][]]@(`$request.Values | ForEach-Object { ,[Convert]::FromBase64String(`$_) })
    `$errno = [PSLoopback.Tests.NetlinkRuleWriter]::AddRule([byte]`$request.Family, [uint32]`$request.Priority, [uint32]`$request.Table, [uint16[]]@(`$request.Types), `$values)
    if (`$errno -ne 0) { throw "RTM_NEWRULE `$(`$request.Text) was refused: errno `$errno" }
}
"@
}

function Get-NetlinkRuleAssembly {
    <# Compiles NetlinkRuleWriter.cs into $Path (once: an existing file is kept) and returns the path. #>
    param([Parameter(Mandatory)][string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        Add-Type -TypeDefinition (Get-Content -Raw (Join-Path $PSScriptRoot 'NetlinkRuleWriter.cs')) -OutputAssembly $Path
    }
    $Path
}

Export-ModuleMember -Function Get-NetlinkRuleScript, ConvertTo-RuleAttributes, Get-NetlinkRuleAssembly
