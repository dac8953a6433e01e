#Requires -Version 7.0
<#
.SYNOPSIS
  Forwards the DirectAccess OTP events of this machine (or of a WEC host's ForwardedEvents log) to the otptrace
  collector, as EVTX-XML batches over HTTPS.

.DESCRIPTION
  Reads the logs with Get-WinEvent, renders each event with ToXml() (the same <Event> XML that
  `wevtutil qe /f:xml` prints), and POSTs batches to https://<collector>/v1/events with a bearer token.
  A log's position is saved only after the collector answered 202 (every event of the batch is in Kafka), so a
  restart neither loses nor re-sends events; 429 and 503 are retried after the Retry-After the collector gives.
  Event IDs and channels: docs/windows-events.md, sections 2.1-2.4.
  The token is read from a file or an environment variable and is never written to the console or a log.

.PARAMETER CollectorUrl
  Base URL of the collector, e.g. https://otptrace.corp.example.com

.PARAMETER TokenFile
  File holding the bearer token (ACL it to the account running the task). Default: the OTPTRACE_TOKEN variable.

.PARAMETER Role
  Which logs to read: Client, DaServer, Nps, Ca, or Wec (the ForwardedEvents log of a collector host).

.PARAMETER StateFile
  Where positions are kept. Default: %ProgramData%\otptrace\forwarder-state.json

.PARAMETER Once
  Send what is there and stop (for a scheduled task); without it, poll every -IntervalSeconds.

.EXAMPLE
  .\Send-OtpTraceEvents.ps1 -CollectorUrl https://otptrace.corp.example.com -Role Nps -TokenFile C:\otptrace\token
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory)] [string] $CollectorUrl,
  [Parameter(Mandatory)] [ValidateSet('Client', 'DaServer', 'Nps', 'Ca', 'Wec')] [string] $Role,
  [string] $TokenFile,
  [string] $StateFile = (Join-Path $env:ProgramData 'otptrace\forwarder-state.json'),
  [int] $BatchSize = 200,
  [int] $IntervalSeconds = 10,
  [switch] $Once
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The logs and event IDs of each role (docs/windows-events.md 2.1 client, 2.3 IIS, 2.2 NPS, 2.4 CA).
$Sources = @{
  Client   = @(@{ Log = 'Microsoft-Windows-OtpCredentialProvider/Operational'; Ids = 10000..10022 })
  DaServer = @(@{ Log = 'Microsoft-IIS-Logging/Logs'; Ids = @(6200) })
  Nps      = @(@{ Log = 'Security'; Ids = @(6272, 6273, 6274) }, @{ Log = 'System'; Ids = @(4402); Provider = 'NPS' })
  Ca       = @(@{ Log = 'Security'; Ids = @(4886, 4887, 4888, 4889) },
               @{ Log = 'Application'; Ids = @(21, 22, 53, 54); Provider = 'Microsoft-Windows-CertificationAuthority' })
  Wec      = @(@{ Log = 'ForwardedEvents'; Ids = @() })
}

function Get-Token {
  if ($TokenFile) { return (Get-Content -LiteralPath $TokenFile -Raw).Trim() }
  if ($env:OTPTRACE_TOKEN) { return $env:OTPTRACE_TOKEN }
  throw 'No token: pass -TokenFile or set OTPTRACE_TOKEN.'
}

function Read-State {
  if (Test-Path -LiteralPath $StateFile) { return Get-Content -LiteralPath $StateFile -Raw | ConvertFrom-Json -AsHashtable }
  return @{}
}

# Written to a temporary file and moved, so a crash never leaves half a state file.
function Save-State([hashtable] $State) {
  $dir = Split-Path -Parent $StateFile
  if (-not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir | Out-Null }
  $State | ConvertTo-Json | Set-Content -LiteralPath "$StateFile.tmp" -Encoding UTF8
  Move-Item -LiteralPath "$StateFile.tmp" -Destination $StateFile -Force
}

# XPath for the events after the saved position. In a source log EventRecordID grows; ForwardedEvents holds other
# machines' record IDs, so there the position is the time of the last event sent (a few duplicates at the boundary
# are dropped downstream by event identity).
function Get-Filter([hashtable] $Source, $Position) {
  $parts = @()
  if ($Source.Ids.Count -gt 0) { $parts += '(' + (($Source.Ids | ForEach-Object { "EventID=$_" }) -join ' or ') + ')' }
  if ($Source.ContainsKey('Provider')) { $parts += "Provider[@Name='$($Source.Provider)']" }
  if ($null -ne $Position) {
    if ($Source.Log -eq 'ForwardedEvents') { $parts += "TimeCreated[@SystemTime>='$Position']" }
    else { $parts += "(EventRecordID > $Position)" }
  }
  if ($parts.Count -eq 0) { return '*' }
  return '*[System[' + ($parts -join ' and ') + ']]'
}

# Posts one batch until the collector takes it: 202 = every event is in Kafka; 429/503 = wait Retry-After and retry.
function Send-Batch([string[]] $Xml, [string] $Token) {
  $body = [System.Text.Encoding]::UTF8.GetBytes("<Events>`n" + ($Xml -join "`n") + "`n</Events>")
  while ($true) {
    $response = Invoke-WebRequest -Uri "$CollectorUrl/v1/events" -Method Post -Body $body -SkipHttpErrorCheck `
      -ContentType 'application/xml; charset=utf-8' -Headers @{ Authorization = "Bearer $Token" }
    $status = [int]$response.StatusCode
    if ($status -eq 202) { return }
    if ($status -ne 429 -and $status -ne 503) { throw "collector refused the batch: HTTP $status" }
    $retry = 5
    $header = $response.Headers['Retry-After']
    if ($header) { $retry = [int]("$header".Trim()) }
    Write-Verbose "collector busy or Kafka unavailable (HTTP $status): retrying in $retry s"
    Start-Sleep -Seconds $retry
  }
}

function Send-Log([hashtable] $Source, [hashtable] $State, [string] $Token) {
  $key = "$($Source.Log)|$($Source.Provider)"
  $filter = Get-Filter $Source $State[$key]
  $events = @(Get-WinEvent -LogName $Source.Log -FilterXPath $filter -MaxEvents 100000 -ErrorAction SilentlyContinue |
    Sort-Object TimeCreated, RecordId)
  for ($i = 0; $i -lt $events.Count; $i += $BatchSize) {
    $batch = $events[$i..([Math]::Min($i + $BatchSize, $events.Count) - 1)]
    Send-Batch ($batch | ForEach-Object { $_.ToXml() }) $Token
    $last = $batch[-1]
    $State[$key] = if ($Source.Log -eq 'ForwardedEvents') { $last.TimeCreated.ToUniversalTime().ToString('o') } else { $last.RecordId }
    Save-State $State
    Write-Verbose "$($Source.Log): sent $($batch.Count) events"
  }
}

$token = Get-Token
$state = Read-State
do {
  foreach ($source in $Sources[$Role]) { Send-Log $source $state $token }
  if (-not $Once) { Start-Sleep -Seconds $IntervalSeconds }
} while (-not $Once)
