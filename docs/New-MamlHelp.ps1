<#
.SYNOPSIS
    Writes the module's MAML help (what Get-Help reads) from docs/help/<Cmdlet>.psd1 and the built cmdlets.
.DESCRIPTION
    The prose (synopsis, description, parameter texts, examples, notes) comes from one .psd1 per cmdlet;
    every fact about parameters (type, position, pipeline input, aliases, wildcards) is read from the
    built module, so the help cannot drift from the code. Each parameter's description ends with its limits
    read from the same attributes (required, accepted values, range, length, wildcards, pipeline input).
    A cmdlet without a help file, or a parameter without a description, or fewer than three examples,
    stops the build.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$HelpSource,
    [Parameter(Mandatory)][string]$OutputPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

$module = Import-Module $ModulePath -PassThru
$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath)

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
# Written beside the target and moved into place at the end, so a failure never leaves half a help file.
$partial = "$OutputPath.partial"
$writer = [System.Xml.XmlWriter]::Create($partial, $settings)

function Write-Paragraphs([string]$Element, [string]$Namespace, [string[]]$Text) {
    $writer.WriteStartElement($Element, $Namespace)
    foreach ($para in $Text) { $writer.WriteElementString('para', $maml, $para) }
    $writer.WriteEndElement()
}

function Write-Type([string]$Name, [string[]]$Description) {
    $writer.WriteStartElement('type', $dev)
    $writer.WriteElementString('name', $maml, $Name)
    $writer.WriteEndElement()
    Write-Paragraphs 'description' $maml $Description
}

function Get-PipelineText($Parameter) {
    $attributes = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
    $kinds = @()
    if ($attributes.ValueFromPipeline -contains $true) { $kinds += 'ByValue' }
    if ($attributes.ValueFromPipelineByPropertyName -contains $true) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Get-ParameterFact($Parameter, [string[]]$AllSets) {
    <# The parameter's limits as sentences, from its attributes, e.g. 'Range: 1 to 65535.' #>
    $facts = [System.Collections.Generic.List[string]]::new()
    $sets = $Parameter.ParameterSets
    $mandatoryIn = @($sets.Keys | Where-Object { $sets[$_].IsMandatory })
    $inEverySet = $sets.ContainsKey('__AllParameterSets') -or @($AllSets | Where-Object { -not $sets.ContainsKey($_) }).Count -eq 0
    if ($mandatoryIn.Count -and $mandatoryIn.Count -eq $sets.Count -and $inEverySet) { $facts.Add('Required.') }
    elseif ($mandatoryIn.Count) { $facts.Add("Required in parameter set $($mandatoryIn -join ', ').") }

    $element = if ($Parameter.ParameterType.IsArray) { $Parameter.ParameterType.GetElementType() } else { $Parameter.ParameterType }
    $invariant = [cultureinfo]::InvariantCulture
    foreach ($a in $Parameter.Attributes) {
        switch ($a) {
            { $_ -is [System.Management.Automation.ValidateSetAttribute] } { $facts.Add("Accepted values: $($a.ValidValues -join ', ').") }
            { $_ -is [System.Management.Automation.ValidateRangeAttribute] } {
                # Invariant, so a build under another culture does not write 0,001.
                $facts.Add($(if ($null -ne $a.MinRange) { [string]::Format($invariant, 'Range: {0} to {1}.', $a.MinRange, $a.MaxRange) }
                        else { "Range: $("$($a.RangeKind)".ToLowerInvariant())." }))
            }
            { $_ -is [System.Management.Automation.ValidateLengthAttribute] } { $facts.Add("Length: $($a.MinLength) to $($a.MaxLength) characters.") }
            { $_ -is [System.Management.Automation.ValidateCountAttribute] } { $facts.Add("Number of values: $($a.MinLength) to $($a.MaxLength).") }
            { $_ -is [System.Management.Automation.ValidatePatternAttribute] } { $facts.Add("Pattern: $($a.RegexPattern).") }
            { $_ -is [System.Management.Automation.ValidateNotNullOrEmptyAttribute] } { $facts.Add('Cannot be empty.') }
            { $_ -is [System.Management.Automation.ValidateNotNullAttribute] } { $facts.Add('Cannot be null.') }
        }
    }
    if ($element.IsEnum -and -not ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })) {
        $facts.Add("Accepted values: $([Enum]::GetNames($element) -join ', ').")
    }
    if ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { $facts.Add('Accepts wildcards.') }

    $byValue = @($sets.Values | Where-Object ValueFromPipeline).Count -gt 0
    $byName = @($sets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
    $ways = @()
    if ($byValue) { $ways += 'by value' }
    if ($byName) { $ways += "by property name ($((@($Parameter.Name) + @($Parameter.Aliases)) -join ', '))" }
    if ($ways) { $facts.Add("Pipeline input: $($ways -join '; ').") }
    $facts -join ' '
}

function Write-Parameter($Parameter, [string]$Description, [string]$Default, [string]$Facts) {
    $attribute = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })[0]
    $position = if ($attribute.Position -ge 0) { [string]$attribute.Position } else { 'named' }
    $globbing = [bool]($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $isSwitch = $Parameter.ParameterType -eq [switch]
    $typeName = $Parameter.ParameterType.Name

    $writer.WriteStartElement('parameter', $command)
    $writer.WriteAttributeString('required', $attribute.Mandatory.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', $Parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('pipelineInput', (Get-PipelineText $Parameter))
    $writer.WriteAttributeString('position', $position)
    $writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $writer.WriteElementString('name', $maml, $Parameter.Name)
    Write-Paragraphs 'description' $maml @(@($Description, $Facts) | Where-Object { $_ })
    if (-not $isSwitch) {
        $writer.WriteStartElement('parameterValue', $command)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', 'false')
        $writer.WriteString($typeName)
        $writer.WriteEndElement()
    }
    $element = if ($Parameter.ParameterType.IsArray) { $Parameter.ParameterType.GetElementType() } else { $Parameter.ParameterType }
    if ($element.IsEnum) {
        $writer.WriteStartElement('parameterValueGroup', $command)
        foreach ($value in [Enum]::GetNames($element)) {
            $writer.WriteStartElement('parameterValue', $command)
            $writer.WriteAttributeString('required', 'false')
            $writer.WriteAttributeString('variableLength', 'false')
            $writer.WriteString($value)
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('type', $dev)
    $writer.WriteElementString('name', $maml, $typeName)
    $writer.WriteEndElement()
    $writer.WriteElementString('defaultValue', $dev, $(if ($Default) { $Default } elseif ($isSwitch) { 'False' } else { 'None' }))
    $writer.WriteEndElement()
}

$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmdlet in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $sourceFile = Join-Path $HelpSource "$($cmdlet.Name).psd1"
    if (-not (Test-Path $sourceFile)) { throw "No help source for $($cmdlet.Name): expected $sourceFile." }
    $help = Import-PowerShellDataFile $sourceFile
    if (@($help.Examples).Count -lt 3) { throw "$sourceFile has $(@($help.Examples).Count) examples; every cmdlet needs at least three." }
    $parameters = @($cmdlet.Parameters.Values | Where-Object { $common -notcontains $_.Name })
    foreach ($p in $parameters) {
        if (-not $help.Parameters.ContainsKey($p.Name)) { throw "$sourceFile does not describe the parameter -$($p.Name)." }
    }
    foreach ($described in $help.Parameters.Keys) {
        if ($parameters.Name -notcontains $described) { throw "$sourceFile describes -$described, which $($cmdlet.Name) does not have." }
    }

    # Declared defaults are checked against a fresh instance of the cmdlet, so the help cannot drift from the code.
    $defaults = if ($help.ContainsKey('Defaults')) { $help.Defaults } else { @{} }
    $instance = [Activator]::CreateInstance($cmdlet.ImplementingType)
    foreach ($name in $defaults.Keys) {
        $actual = "$($cmdlet.ImplementingType.GetProperty($name).GetValue($instance))"
        if ($actual -ne "$($defaults[$name])") { throw "$sourceFile gives -$name a default of '$($defaults[$name])', but the cmdlet's is '$actual'." }
    }

    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('details', $command)
    $writer.WriteElementString('name', $command, $cmdlet.Name)
    $writer.WriteElementString('verb', $command, $cmdlet.Verb)
    $writer.WriteElementString('noun', $command, $cmdlet.Noun)
    Write-Paragraphs 'description' $maml @($help.Synopsis)
    $writer.WriteEndElement()
    Write-Paragraphs 'description' $maml @($help.Description)

    $allSets = @($cmdlet.ParameterSets.Name)
    $facts = @{}
    foreach ($p in $parameters) { $facts[$p.Name] = Get-ParameterFact $p $allSets }

    $writer.WriteStartElement('syntax', $command)
    foreach ($set in $cmdlet.ParameterSets) {
        $writer.WriteStartElement('syntaxItem', $command)
        $writer.WriteElementString('name', $maml, $cmdlet.Name)
        foreach ($p in $set.Parameters | Where-Object { $common -notcontains $_.Name }) {
            Write-Parameter $cmdlet.Parameters[$p.Name] $help.Parameters[$p.Name] $defaults[$p.Name] $facts[$p.Name]
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('parameters', $command)
    foreach ($p in $parameters | Sort-Object Name) { Write-Parameter $p $help.Parameters[$p.Name] $defaults[$p.Name] $facts[$p.Name] }
    $writer.WriteEndElement()

    $writer.WriteStartElement('inputTypes', $command)
    foreach ($input in @($help.Inputs)) {
        $writer.WriteStartElement('inputType', $command)
        Write-Type $input.Type @($input.Description)
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('returnValues', $command)
    foreach ($output in $cmdlet.OutputType) {
        $writer.WriteStartElement('returnValue', $command)
        Write-Type $output.Name @($help.Outputs[$output.Name])
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('alertSet', $maml)
    $writer.WriteStartElement('alert', $maml)
    foreach ($note in @($help.Notes)) { $writer.WriteElementString('para', $maml, $note) }
    $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteStartElement('examples', $command)
    $number = 0
    foreach ($example in $help.Examples) {
        $number++
        $writer.WriteStartElement('example', $command)
        $writer.WriteElementString('title', $maml, "-------------------------- Example $($number): $($example.Title) --------------------------")
        $writer.WriteElementString('code', $dev, $example.Code.Trim())
        Write-Paragraphs 'remarks' $dev @($example.Remarks)
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('relatedLinks', $command)
    foreach ($link in @($help.Links)) {
        $writer.WriteStartElement('navigationLink', $maml)
        $writer.WriteElementString('linkText', $maml, $link)
        $writer.WriteElementString('uri', $maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()
Move-Item -Force $partial $OutputPath
Write-Host "Help written to $OutputPath"
