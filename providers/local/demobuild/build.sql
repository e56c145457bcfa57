-- build.sql: normalises the demo sources (testdata/demo/sources) into Microsoft
-- Sentinel-shaped tables, one CREATE TABLE per table of testdata/demo/SCHEMA.md.
--
-- The Go side (demobuild.Build) sets file_search_path to the sources directory
-- before running this script, so every file is named relative to it. Statements
-- are separated by semicolons at the end of a line. Every table has
-- TimeGenerated as its first column (TIMESTAMP, UTC, naive); the writer orders
-- rows by all columns, TimeGenerated first.

-- ts parses the time formats found in the sources: ISO 8601 with or without T/Z,
-- '+00:00' offsets, up to 9 fractional digits, and US 'm/d/yyyy hh:mm[:ss]'.
CREATE OR REPLACE MACRO ts(s) AS coalesce(
    TRY_CAST(replace(regexp_replace(regexp_replace(trim(CAST(s AS VARCHAR)),
        '(Z|[+-]00:?00)$', ''), '(\.\d{6})\d+$', '\1'), 'T', ' ') AS TIMESTAMP),
    try_strptime(trim(CAST(s AS VARCHAR)), '%m/%d/%Y %H:%M:%S'),
    try_strptime(trim(CAST(s AS VARCHAR)), '%m/%d/%Y %H:%M'));

-- epochts turns Unix epoch seconds text ('1551522121.163') into a UTC TIMESTAMP
-- (without time zone functions, so no ICU is needed).
CREATE OR REPLACE MACRO epochts(s) AS
    make_timestamp(CAST(TRY_CAST(s AS DECIMAL(18, 6)) * CAST(1000000 AS DECIMAL(38, 0)) AS BIGINT));

-- nn turns the pandas artefacts 'None', 'nan', 'NaT' and empty strings into NULL.
CREATE OR REPLACE MACRO nn(s) AS CASE
    WHEN CAST(s AS VARCHAR) IN ('None', 'nan', 'NaN', 'NaT', '') THEN NULL
    ELSE CAST(s AS VARCHAR) END;

-- pyjson converts a Python dict/list repr ({'a': 'b', 'c': True}) into JSON text
-- when the result is valid JSON; otherwise it returns the text unchanged.
CREATE OR REPLACE MACRO pyjson(s) AS CASE
    WHEN nn(s) IS NULL THEN NULL
    WHEN json_valid(s) THEN s
    WHEN json_valid(replace(replace(replace(replace(s, '''', '"'), ': True', ': true'),
        ': False', ': false'), ': None', ': null'))
    THEN replace(replace(replace(replace(s, '''', '"'), ': True', ': true'),
        ': False', ': false'), ': None', ': null')
    ELSE s END;

-- basename returns the last path element of a Windows or POSIX path.
CREATE OR REPLACE MACRO basename(p) AS nullif(regexp_extract(p, '[^\\/]+$'), '');

-- kv extracts key=value (value quoted or not) from an audit record.
CREATE OR REPLACE MACRO kv(s, k) AS nullif(regexp_extract(s,
    '(?:^|[\s''])' || k || '=("[^"]*"|[^\s'']*)', 1), '');

-- unq strips one pair of surrounding double quotes.
CREATE OR REPLACE MACRO unq(s) AS CASE
    WHEN s LIKE '"%"' AND length(s) >= 2 THEN s[2:-2] ELSE s END;

-- auditarg decodes one EXECVE argument: quoted text as is, unquoted hex decoded.
CREATE OR REPLACE MACRO auditarg(a) AS CASE
    WHEN a LIKE '"%' THEN unq(a)
    WHEN regexp_full_match(a, '([0-9A-Fa-f]{2})+')
        THEN coalesce(try(decode(unhex(a))), a)
    ELSE a END;

CREATE OR REPLACE TABLE event_activity(EventID INTEGER, Description VARCHAR);
INSERT INTO event_activity VALUES
    (4624, 'An account was successfully logged on.'),
    (4625, 'An account failed to log on.'),
    (4688, 'A new process has been created.');

-- Windows events from JSON sources: msticpy-training, Security-Datasets (Mordor
-- flat EventData fields and Sentinel SecurityEvent exports).
CREATE OR REPLACE TEMP TABLE win_json AS
SELECT 'win_logon_attempts.json' AS src, json AS j
FROM read_json_objects('win_logon_attempts.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'psh_lsass_memory_dump_comsvcs', json
FROM read_json_objects('psh_lsass_memory_dump_comsvcs_2020-10-18T19500924.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'cmd_mshta_vbscript_execute_psh', json
FROM read_json_objects('cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'schtask_create', json
FROM read_json_objects('schtask_create_2020-12-1907003032.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'securityauditing_log4shell', json
FROM read_json_objects('securityauditing_log4shell_cve2021_44228_java_serialized_object_2022-05-13045400.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'WindowsEvents', json
FROM read_json_objects('WindowsEvents.json.gz', format = 'newline_delimited');

-- The Mordor (winlogbeat/nxlog) files stamp events with the lab's local time,
-- even where the value ends in 'Z' (psh_lsass even uses a 12-hour clock without
-- AM/PM). Their Sysmon records carry the true UTC time in UtcTime, so each file's
-- offset is measured from the data (median difference, rounded to whole hours)
-- and applied to all of its rows, Security and Sysmon alike.
CREATE OR REPLACE TEMP TABLE mordor_offset AS
SELECT src, CAST(round(median(epoch(ts(j->>'UtcTime'))
    - epoch(ts(coalesce(j->>'@timestamp', j->>'TimeCreated')))) / 3600) AS INTEGER) AS hours
FROM win_json
WHERE (j->>'Channel') = 'Microsoft-Windows-Sysmon/Operational' AND (j->>'UtcTime') IS NOT NULL
    AND (j->>'TimeGenerated') IS NULL
GROUP BY src;

CREATE OR REPLACE TEMP TABLE win_events AS
SELECT w.src, w.j, CASE
    WHEN (w.j->>'TimeGenerated') IS NOT NULL THEN ts(w.j->>'TimeGenerated')
    ELSE ts(coalesce(w.j->>'@timestamp', w.j->>'TimeCreated')) + to_hours(coalesce(o.hours, 0))
    END AS t
FROM win_json w LEFT JOIN mordor_offset o ON o.src = w.src;

CREATE OR REPLACE TEMP TABLE secevent_raw AS
-- msticpy processes_on_host.csv (4688)
SELECT
    ts(TimeGenerated) AS TimeGenerated, Computer, TRY_CAST(EventID AS INTEGER) AS EventID,
    NULL::VARCHAR AS Activity, 'Security' AS Channel, Account, NULL::VARCHAR AS AccountType,
    SubjectUserSid, SubjectUserName, SubjectDomainName, SubjectLogonId,
    NULL::VARCHAR AS TargetUserSid, NULL::VARCHAR AS TargetUserName,
    NULL::VARCHAR AS TargetDomainName, TargetLogonId,
    NULL::INTEGER AS LogonType, NULL::VARCHAR AS LogonProcessName,
    NULL::VARCHAR AS AuthenticationPackageName, NULL::VARCHAR AS IpAddress,
    NULL::VARCHAR AS IpPort, NULL::VARCHAR AS WorkstationName, NULL::VARCHAR AS Status,
    NULL::VARCHAR AS SubStatus, NewProcessId, NewProcessName, ProcessId, ParentProcessName,
    CommandLine, TokenElevationType, NULL::VARCHAR AS Process, NULL::VARCHAR AS ObjectName,
    NULL::VARCHAR AS EventData, SourceComputerId, TenantId, NULL::VARCHAR AS EventSourceName,
    'processes_on_host.csv' AS SourceFile
FROM read_csv('processes_on_host.csv.gz', all_varchar = true)
UNION ALL BY NAME
-- msticpy host_logons.csv (4624)
SELECT
    ts(TimeGenerated) AS TimeGenerated, Computer, TRY_CAST(EventID AS INTEGER) AS EventID,
    'Security' AS Channel, Account, SubjectUserSid, SubjectUserName, SubjectDomainName,
    TargetUserSid, TargetUserName, TargetDomainName, TargetLogonId,
    TRY_CAST(LogonType AS INTEGER) AS LogonType, LogonProcessName, AuthenticationPackageName,
    IpAddress, WorkstationName, Status, SourceComputerId, TenantId,
    'host_logons.csv' AS SourceFile
FROM read_csv('host_logons.csv.gz', all_varchar = true)
UNION ALL BY NAME
-- JSON sources; Mordor rows use Hostname/@timestamp/TimeCreated and Message.
SELECT
    t AS TimeGenerated,
    coalesce(j->>'Computer', j->>'Hostname') AS Computer,
    TRY_CAST(j->>'EventID' AS INTEGER) AS EventID,
    nn(coalesce(j->>'Activity', CASE WHEN (j->>'Message') IS NOT NULL THEN
        (j->>'EventID') || ' - ' || trim(split_part(replace(j->>'Message', chr(13), ''), chr(10), 1)) END)) AS Activity,
    coalesce(j->>'Channel', 'Security') AS Channel,
    nn(j->>'Account') AS Account, nn(j->>'AccountType') AS AccountType,
    nn(j->>'SubjectUserSid') AS SubjectUserSid, nn(j->>'SubjectUserName') AS SubjectUserName,
    nn(j->>'SubjectDomainName') AS SubjectDomainName, nn(j->>'SubjectLogonId') AS SubjectLogonId,
    nn(j->>'TargetUserSid') AS TargetUserSid, nn(j->>'TargetUserName') AS TargetUserName,
    nn(j->>'TargetDomainName') AS TargetDomainName, nn(j->>'TargetLogonId') AS TargetLogonId,
    TRY_CAST(j->>'LogonType' AS INTEGER) AS LogonType,
    nn(j->>'LogonProcessName') AS LogonProcessName,
    nn(j->>'AuthenticationPackageName') AS AuthenticationPackageName,
    nn(j->>'IpAddress') AS IpAddress, nn(j->>'IpPort') AS IpPort,
    nn(j->>'WorkstationName') AS WorkstationName, nn(j->>'Status') AS Status,
    nn(j->>'SubStatus') AS SubStatus, nn(j->>'NewProcessId') AS NewProcessId,
    nn(j->>'NewProcessName') AS NewProcessName,
    nn(coalesce(j->>'ProcessId', j->>'ProcessId_string')) AS ProcessId,
    nn(j->>'ParentProcessName') AS ParentProcessName, nn(j->>'CommandLine') AS CommandLine,
    nn(j->>'TokenElevationType') AS TokenElevationType, nn(j->>'Process') AS Process,
    nn(j->>'ObjectName') AS ObjectName,
    CASE WHEN src IN ('securityauditing_log4shell', 'WindowsEvents')
        THEN nn(coalesce(j->>'EventData', j->>'EventData_string', j->>'EventData_dynamic'))
        WHEN src = 'win_logon_attempts.json' THEN NULL
        ELSE CAST(j AS VARCHAR) END AS EventData,
    nn(j->>'SourceComputerId') AS SourceComputerId, nn(j->>'TenantId') AS TenantId,
    nn(coalesce(j->>'EventSourceName', j->>'SourceName')) AS EventSourceName,
    src AS SourceFile
FROM win_events
WHERE coalesce(j->>'Channel', 'Security') = 'Security';

CREATE OR REPLACE TABLE SecurityEvent AS
SELECT
    r.TimeGenerated, r.Computer, r.EventID,
    coalesce(r.Activity, r.EventID || ' - ' || a.Description, CAST(r.EventID AS VARCHAR)) AS Activity,
    r.Channel,
    coalesce(r.Account, CASE
        WHEN r.TargetUserName IS NOT NULL AND r.TargetUserName <> '-'
            THEN r.TargetDomainName || '\' || r.TargetUserName
        WHEN r.SubjectUserName IS NOT NULL
            THEN r.SubjectDomainName || '\' || r.SubjectUserName END) AS Account,
    coalesce(r.AccountType, CASE
        WHEN r.TargetUserName IS NOT NULL AND r.TargetUserName <> '-' THEN
            CASE WHEN r.TargetUserName LIKE '%$' OR r.TargetUserSid IN ('S-1-5-18', 'S-1-5-19', 'S-1-5-20')
                THEN 'Machine' ELSE 'User' END
        WHEN r.SubjectUserName IS NOT NULL THEN
            CASE WHEN r.SubjectUserName LIKE '%$' OR r.SubjectUserSid IN ('S-1-5-18', 'S-1-5-19', 'S-1-5-20')
                THEN 'Machine' ELSE 'User' END END) AS AccountType,
    r.SubjectUserSid, r.SubjectUserName, r.SubjectDomainName, r.SubjectLogonId,
    r.TargetUserSid, r.TargetUserName, r.TargetDomainName, r.TargetLogonId,
    r.LogonType, r.LogonProcessName, r.AuthenticationPackageName, r.IpAddress, r.IpPort,
    r.WorkstationName, r.Status, r.SubStatus, r.NewProcessId, r.NewProcessName, r.ProcessId,
    r.ParentProcessName, r.CommandLine, r.TokenElevationType,
    coalesce(r.Process, basename(r.NewProcessName)) AS Process,
    r.ObjectName, r.EventData, r.SourceComputerId, r.TenantId, r.EventSourceName, r.SourceFile
FROM secevent_raw r LEFT JOIN event_activity a ON a.EventID = r.EventID;

-- Sysmon: Mordor rows (flat fields) and the Log4Shell Sentinel Event export
-- (EventData holds the Sysmon fields as JSON text; XML is read as a fallback).
CREATE OR REPLACE TEMP TABLE sysmon_raw AS
SELECT
    t AS TimeGenerated,
    j->>'Hostname' AS Computer, TRY_CAST(j->>'EventID' AS INTEGER) AS EventID,
    coalesce(j->>'SourceName', 'Microsoft-Windows-Sysmon') AS Source,
    j->>'Channel' AS EventLog, NULL::VARCHAR AS UserName,
    nn(j->>'Message') AS RenderedDescription,
    j AS ed, src AS SourceFile
FROM win_events
WHERE (j->>'Channel') = 'Microsoft-Windows-Sysmon/Operational'
UNION ALL
SELECT
    ts(json->>'TimeGenerated'), json->>'Computer', TRY_CAST(json->>'EventID' AS INTEGER),
    coalesce(json->>'Provider', 'Microsoft-Windows-Sysmon'), json->>'Channel', NULL,
    NULL,
    CASE WHEN json_valid(json->>'EventData') THEN CAST(json->>'EventData' AS JSON)
    ELSE CAST('{' || array_to_string(list_transform(
        regexp_extract_all(json->>'EventData', '<Data Name="[^"]*">[^<]*</Data>'),
        lambda d: to_json(regexp_extract(d, 'Name="([^"]*)"', 1)) || ':' ||
             to_json(regexp_extract(d, '>([^<]*)<', 1))), ',') || '}' AS JSON) END,
    'sysmon_log4shell'
FROM read_json_objects('sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TABLE Event AS
SELECT
    TimeGenerated, Computer, EventID, Source, EventLog, UserName, RenderedDescription,
    CAST(ed AS VARCHAR) AS EventData,
    nn(ed->>'UtcTime') AS UtcTime, nn(ed->>'ProcessGuid') AS ProcessGuid,
    nn(ed->>'ProcessId') AS ProcessId, nn(ed->>'Image') AS Image,
    nn(ed->>'CommandLine') AS CommandLine, nn(ed->>'CurrentDirectory') AS CurrentDirectory,
    nn(ed->>'ParentProcessGuid') AS ParentProcessGuid, nn(ed->>'ParentProcessId') AS ParentProcessId,
    nn(ed->>'ParentImage') AS ParentImage, nn(ed->>'ParentCommandLine') AS ParentCommandLine,
    nn(ed->>'User') AS "User", nn(ed->>'LogonId') AS LogonId,
    nn(ed->>'IntegrityLevel') AS IntegrityLevel, nn(ed->>'Hashes') AS Hashes,
    nn(ed->>'TargetImage') AS TargetImage, nn(ed->>'SourceImage') AS SourceImage,
    nn(ed->>'GrantedAccess') AS GrantedAccess, nn(ed->>'SourceIp') AS SourceIp,
    nn(ed->>'SourcePort') AS SourcePort, nn(ed->>'DestinationIp') AS DestinationIp,
    nn(ed->>'DestinationPort') AS DestinationPort, nn(ed->>'DestinationHostname') AS DestinationHostname,
    nn(ed->>'Protocol') AS Protocol, nn(ed->>'TargetFilename') AS TargetFilename,
    nn(ed->>'TargetObject') AS TargetObject, nn(ed->>'QueryName') AS QueryName,
    nn(ed->>'QueryResults') AS QueryResults, nn(ed->>'ImageLoaded') AS ImageLoaded,
    nn(coalesce(ed->>'SourceProcessGuid', ed->>'SourceProcessGUID')) AS SourceProcessGuid,
    nn(ed->>'SourceProcessId') AS SourceProcessId,
    nn(coalesce(ed->>'TargetProcessGuid', ed->>'TargetProcessGUID')) AS TargetProcessGuid,
    nn(ed->>'TargetProcessId') AS TargetProcessId, nn(ed->>'CallTrace') AS CallTrace,
    nn(ed->>'EventType') AS EventType, nn(ed->>'Details') AS Details,
    nn(ed->>'PipeName') AS PipeName, nn(ed->>'RuleName') AS RuleName,
    SourceFile
FROM sysmon_raw;

CREATE OR REPLACE TABLE SecurityAlert AS
SELECT
    ts(TimeGenerated) AS TimeGenerated, AlertDisplayName AS DisplayName, AlertName,
    Severity AS AlertSeverity, Description, ProviderName, VendorName,
    ProviderAlertId AS VendorOriginalId, SystemAlertId, AlertType, nn(ConfidenceLevel) AS ConfidenceLevel,
    TRY_CAST(nn(ConfidenceScore) AS DOUBLE) AS ConfidenceScore,
    TRY_CAST(IsIncident AS BOOLEAN) AS IsIncident,
    ts(StartTimeUtc) AS StartTime, ts(EndTimeUtc) AS EndTime,
    nn(ExtendedProperties) AS ExtendedProperties, nn(Entities) AS Entities,
    nn(CompromisedEntity) AS CompromisedEntity, NULL::VARCHAR AS Tactics,
    nn(ResourceId) AS ResourceId, nn(SourceComputerId) AS SourceComputerId, TenantId,
    nn(ExtendedLinks) AS ExtendedLinks, nn(WorkspaceSubscriptionId) AS WorkspaceSubscriptionId,
    nn(WorkspaceResourceGroup) AS WorkspaceResourceGroup, 'alertlist.csv' AS SourceFile
FROM read_csv('alertlist.csv.gz', all_varchar = true)
UNION ALL BY NAME
SELECT
    ts(json->>'TimeGenerated') AS TimeGenerated, json->>'AlertDisplayName' AS DisplayName,
    json->>'AlertName' AS AlertName, json->>'Severity' AS AlertSeverity,
    nn(json->>'Description') AS Description, nn(json->>'ProviderName') AS ProviderName,
    nn(json->>'VendorName') AS VendorName, nn(json->>'VendorOriginalId') AS VendorOriginalId,
    nn(json->>'SystemAlertId') AS SystemAlertId, nn(json->>'AlertType') AS AlertType,
    nn(json->>'ConfidenceLevel') AS ConfidenceLevel,
    TRY_CAST(nn(json->>'ConfidenceScore') AS DOUBLE) AS ConfidenceScore,
    TRY_CAST(json->>'IsIncident' AS BOOLEAN) AS IsIncident,
    ts(json->>'StartTimeUtc') AS StartTime, ts(json->>'EndTimeUtc') AS EndTime,
    nn(json->>'ExtendedProperties') AS ExtendedProperties, nn(json->>'Entities') AS Entities,
    nn(json->>'CompromisedEntity') AS CompromisedEntity, nn(json->>'Tactics') AS Tactics,
    nn(json->>'ResourceId') AS ResourceId, nn(json->>'SourceComputerId') AS SourceComputerId,
    nn(json->>'TenantId') AS TenantId, nn(json->>'ExtendedLinks') AS ExtendedLinks,
    nn(json->>'WorkspaceSubscriptionId') AS WorkspaceSubscriptionId,
    nn(json->>'WorkspaceResourceGroup') AS WorkspaceResourceGroup, 'alerts_list.json' AS SourceFile
FROM read_json_objects('alerts_list.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TEMP TABLE signin_json AS
SELECT 'aad_logons.json' AS src, json AS j
FROM read_json_objects('aad_logons.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'aad_signin_user.json', json
FROM read_json_objects('aad_signin_user.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TABLE SigninLogs AS
SELECT
    ts(j->>'TimeGenerated') AS TimeGenerated, nn(j->>'UserPrincipalName') AS UserPrincipalName,
    nn(j->>'UserDisplayName') AS UserDisplayName, nn(j->>'UserId') AS UserId,
    nn(j->>'Identity') AS Identity,
    nn(coalesce(nn(j->>'AppDisplayName'), j->>'AppResourceProvider')) AS AppDisplayName,
    nn(j->>'AppId') AS AppId, nn(j->>'ResourceDisplayName') AS ResourceDisplayName,
    nn(j->>'IPAddress') AS IPAddress, nn(j->>'Location') AS Location,
    pyjson(j->>'LocationDetails') AS LocationDetails, nn(j->>'ClientAppUsed') AS ClientAppUsed,
    nn(j->>'ResultType') AS ResultType, nn(j->>'ResultDescription') AS ResultDescription,
    nn(j->>'ConditionalAccessStatus') AS ConditionalAccessStatus,
    pyjson(j->>'DeviceDetail') AS DeviceDetail, pyjson(j->>'Status') AS Status,
    nn(j->>'RiskState') AS RiskState, nn(j->>'RiskLevelDuringSignIn') AS RiskLevelDuringSignIn,
    nn(j->>'IsInteractive') AS IsInteractive, nn(j->>'CorrelationId') AS CorrelationId,
    nn(j->>'TenantId') AS TenantId, nn(j->>'AADTenantId') AS AADTenantId,
    nn(j->>'UserAgent') AS UserAgent, nn(j->>'AuthenticationRequirement') AS AuthenticationRequirement,
    pyjson(j->>'ConditionalAccessPolicies') AS ConditionalAccessPolicies,
    nn(j->>'Id') AS Id, src AS SourceFile
FROM signin_json;

CREATE OR REPLACE TEMP TABLE office_json AS
SELECT 'office_activity_user.json' AS src, json AS j
FROM read_json_objects('office_activity_user.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'office_activity_random.json', json
FROM read_json_objects('office_activity_random.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'OfficeActivityEvents.json', json
FROM read_json_objects('OfficeActivityEvents.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TABLE OfficeActivity AS
SELECT
    ts(TimeGenerated) AS TimeGenerated, 'ExchangeAdmin' AS RecordType, Operation,
    'Exchange' AS OfficeWorkload, UserId, NULL::VARCHAR AS UserType, nn(ClientIP) AS ClientIP,
    NULL::VARCHAR AS ResultStatus, NULL::VARCHAR AS OfficeObjectId, nn(Parameters) AS Parameters,
    NULL::VARCHAR AS Site_Url, NULL::VARCHAR AS SourceFileName, NULL::VARCHAR AS OrganizationId,
    NULL::VARCHAR AS TenantId, NULL::VARCHAR AS UserAgent, NULL::VARCHAR AS OfficeId,
    'demo_exchange_data.csv' AS SourceFile
FROM read_csv('demo_exchange_data.csv.gz', all_varchar = true)
UNION ALL
SELECT
    ts(j->>'TimeGenerated'), nn(j->>'RecordType'), nn(j->>'Operation'),
    nn(coalesce(nn(j->>'OfficeWorkload'), j->>'AppResourceProvider')),
    nn(j->>'UserId'), nn(j->>'UserType'),
    coalesce(nn(j->>'ClientIP'), nn(j->>'Client_IPAddress'), nn(j->>'IPAddress')),
    nn(j->>'ResultStatus'), nn(coalesce(nn(j->>'OfficeObjectId'), j->>'ResourceId')),
    nn(j->>'Parameters'), nn(j->>'Site_Url'), nn(j->>'SourceFileName'),
    nn(j->>'OrganizationId'), nn(j->>'TenantId'), nn(j->>'UserAgent'), nn(j->>'OfficeId'), src
FROM office_json;

CREATE OR REPLACE TEMP TABLE syslog_json AS
SELECT 'lx_host_logons.json' AS src, json AS j
FROM read_json_objects('lx_host_logons.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'syslog_sysmon_log4shell', json
FROM read_json_objects('syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json.gz', format = 'newline_delimited')
UNION ALL
SELECT 'syslog_auoms_auditd_log4shell', json
FROM read_json_objects('syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TABLE Syslog AS
SELECT
    ts(TimeGenerated) AS TimeGenerated, Computer, HostName, HostIP, Facility, SeverityLevel,
    ProcessName, TRY_CAST(TRY_CAST(ProcessID AS DOUBLE) AS INTEGER) AS ProcessID, SyslogMessage,
    ts(EventTime) AS EventTime, SourceSystem, TenantId, 'syslog_data.csv' AS SourceFile
FROM read_csv('syslog_data.csv.gz', all_varchar = true)
UNION ALL
SELECT
    ts(TimeGenerated), Computer, HostName, HostIP, Facility, SeverityLevel,
    ProcessName, TRY_CAST(TRY_CAST(ProcessID AS DOUBLE) AS INTEGER), SyslogMessage,
    ts(EventTime), SourceSystem, TenantId, 'sudo_session_test.csv'
FROM read_csv('sudo_session_test.csv.gz', all_varchar = true)
UNION ALL
SELECT
    ts(j->>'TimeGenerated'), nn(j->>'Computer'), nn(j->>'HostName'), nn(j->>'HostIP'),
    nn(j->>'Facility'), nn(j->>'SeverityLevel'), coalesce(nn(j->>'ProcessName'), nn(j->>'LogonProcessName')),
    TRY_CAST(TRY_CAST(nn(j->>'ProcessID') AS DOUBLE) AS INTEGER), j->>'SyslogMessage',
    ts(nn(j->>'EventTime')), nn(j->>'SourceSystem'), nn(j->>'TenantId'), src
FROM syslog_json;

-- Linux audit records. auditd_log.txt is raw auditd text (one record per line);
-- its lines carry no host name, so the host is the msticpy lab VM MSTICAlertsLxVM2.
CREATE OR REPLACE TEMP TABLE auditd_lines AS
SELECT line
FROM read_csv('auditd_log.txt.gz', columns = {'line': 'VARCHAR'}, header = false,
    delim = '\t', quote = '', escape = '', auto_detect = false)
WHERE trim(line) <> '';

CREATE OR REPLACE TEMP TABLE auditd_recs AS
SELECT
    epochts(regexp_extract(line, 'audit\((\d+\.\d+):', 1)) AS TimeGenerated,
    'MSTICAlertsLxVM2' AS Computer,
    regexp_extract(line, '^type=(\S+)', 1) AS RecordType,
    CAST(regexp_extract(line, 'audit\(\d+\.\d+:(\d+)\)', 1) AS BIGINT) AS EventSerial,
    line AS RawMessage,
    regexp_replace(line, '^type=\S+ msg=audit\([^)]*\): ', '') AS body
FROM auditd_lines;

CREATE OR REPLACE TEMP TABLE auditd_parsed AS
SELECT
    TimeGenerated, Computer, RecordType, EventSerial,
    TRY_CAST(kv(body, 'pid') AS BIGINT) AS Pid, TRY_CAST(kv(body, 'ppid') AS BIGINT) AS PPid,
    TRY_CAST(kv(body, 'uid') AS BIGINT) AS Uid, TRY_CAST(kv(body, 'auid') AS BIGINT) AS Auid,
    TRY_CAST(unq(kv(body, 'ses')) AS BIGINT) AS Ses,
    unq(kv(body, 'exe')) AS Exe, unq(kv(body, 'comm')) AS Comm,
    CASE WHEN RecordType = 'EXECVE' THEN array_to_string(list_transform(
        regexp_extract_all(body, '(?:^|\s)a\d+=("[^"]*"|\S+)', 1), lambda a: auditarg(a)), ' ')
    END AS CommandLine,
    unq(kv(body, 'acct')) AS Account, nullif(kv(body, 'addr'), '?') AS Addr,
    nullif(regexp_extract(body, '(?:^|\s)res=([A-Za-z0-9]+)', 1), '') AS Res,
    RawMessage, 'auditd_log.txt' AS SourceFile
FROM auditd_recs;

-- linux_events.csv: Sentinel AuditLog_CL rows whose AuditdMessage is a Python
-- repr of the records of one audit event (SYSCALL + EXECVE + CWD + PATH ...).
CREATE OR REPLACE TEMP TABLE linux_events AS
SELECT
    coalesce(epochts(split_part(mssg_id, ':', 1)),
        ts(TimeGenerated)) AS TimeGenerated,
    Computer, regexp_extract(AuditdMessage, '^\[\{''([A-Z_]+)''', 1) AS RecordType,
    TRY_CAST(split_part(mssg_id, ':', 2) AS BIGINT) AS EventSerial,
    AuditdMessage AS RawMessage, TenantId,
    regexp_extract(AuditdMessage, '''EXECVE'': \[([^\]]*)\]', 1) AS execve
FROM read_csv('linux_events.csv.gz', all_varchar = true);

CREATE OR REPLACE TABLE AuditLog_CL AS
SELECT
    TimeGenerated, Computer, RecordType, EventSerial, Pid, PPid, Uid, Auid, Ses, Exe, Comm,
    coalesce(CommandLine, CASE WHEN RecordType = 'SYSCALL'
        THEN max(CommandLine) OVER (PARTITION BY EventSerial, TimeGenerated) END) AS CommandLine,
    Account, Addr, Res, RawMessage, NULL::VARCHAR AS TenantId, SourceFile
FROM auditd_parsed
UNION ALL
SELECT
    TimeGenerated, Computer, RecordType, EventSerial,
    TRY_CAST(kv(RawMessage, 'pid') AS BIGINT), TRY_CAST(kv(RawMessage, 'ppid') AS BIGINT),
    TRY_CAST(kv(RawMessage, 'uid') AS BIGINT), TRY_CAST(kv(RawMessage, 'auid') AS BIGINT),
    TRY_CAST(unq(kv(RawMessage, 'ses')) AS BIGINT),
    unq(kv(RawMessage, 'exe')), unq(kv(RawMessage, 'comm')),
    nullif(array_to_string(list_transform(
        regexp_extract_all(execve, '''a\d+=([^'']*)''', 1), lambda a: auditarg(a)), ' '), ''),
    unq(kv(RawMessage, 'acct')), nullif(kv(RawMessage, 'addr'), '?'),
    nullif(regexp_extract(RawMessage, '[\s''"]res=([A-Za-z0-9]+)', 1), ''),
    RawMessage, TenantId, 'linux_events.csv'
FROM linux_events
UNION ALL
SELECT
    ts(j->>'TimeGenerated'), j->>'Computer', j->>'EventType',
    TRY_CAST(regexp_extract(j->>'SyslogMessage', 'audit\(\d+\.\d+:(\d+)\)', 1) AS BIGINT),
    TRY_CAST(kv(j->>'EventData', 'pid') AS BIGINT), TRY_CAST(kv(j->>'EventData', 'ppid') AS BIGINT),
    TRY_CAST(kv(j->>'EventData', 'uid') AS BIGINT), TRY_CAST(kv(j->>'EventData', 'auid') AS BIGINT),
    TRY_CAST(unq(kv(j->>'EventData', 'ses')) AS BIGINT),
    unq(kv(j->>'EventData', 'exe')), unq(kv(j->>'EventData', 'comm')),
    coalesce(unq(nullif(regexp_extract(j->>'EventData', '\scmdline=(.*?) redactors=', 1), '')),
        nullif(regexp_extract(j->>'EventData', '\sproctitle=(.*?) redactors=', 1), '')),
    unq(kv(j->>'EventData', 'user')), NULL,
    CASE kv(j->>'EventData', 'success') WHEN 'yes' THEN 'success' WHEN 'no' THEN 'failed' END,
    j->>'SyslogMessage', nn(j->>'TenantId'), src
FROM syslog_json
WHERE src = 'syslog_auoms_auditd_log4shell';

CREATE OR REPLACE TABLE AuditLogs AS
SELECT
    ts(json->>'TimeGenerated') AS TimeGenerated, trim(json->>'OperationName') AS OperationName,
    nn(json->>'Category') AS Category, nn(json->>'Result') AS Result,
    nn(json->>'InitiatedBy') AS InitiatedBy, nn(json->>'TargetResources') AS TargetResources,
    nn(json->>'LoggedByService') AS LoggedByService, nn(json->>'CorrelationId') AS CorrelationId,
    nn(json->>'TenantId') AS TenantId, nn(json->>'AADOperationType') AS AADOperationType,
    nn(json->>'AdditionalDetails') AS AdditionalDetails, nn(json->>'Id') AS Id,
    ts(json->>'ActivityDateTime') AS ActivityDateTime
FROM read_json_objects('AADAuditEvents.json.gz', format = 'newline_delimited');

CREATE OR REPLACE TABLE Heartbeat AS
SELECT
    ts(TimeGenerated) AS TimeGenerated, Computer, ComputerIP, OSType, OSName, OSMajorVersion,
    OSMinorVersion, Version, RemoteIPCountry,
    TRY_CAST(RemoteIPLatitude AS DOUBLE) AS RemoteIPLatitude,
    TRY_CAST(RemoteIPLongitude AS DOUBLE) AS RemoteIPLongitude,
    ResourceGroup, SubscriptionId, TenantId, SourceComputerId, Category, ComputerEnvironment,
    ResourceId, VMUUID
FROM read_csv('host_hb.csv.gz', all_varchar = true);

CREATE OR REPLACE TABLE AzureNetworkAnalytics_CL AS
SELECT
    ts(TimeGenerated) AS TimeGenerated, ts(FlowStartTime) AS FlowStartTime_t,
    ts(FlowEndTime) AS FlowEndTime_t, ts(FlowIntervalEndTime) AS FlowIntervalEndTime_t,
    FlowType AS FlowType_s, VMName AS VM_s, VMIPAddress AS VMIP_s, PublicIPs AS PublicIPs_s,
    SrcIP AS SrcIP_s, DestIP AS DestIP_s, L4Protocol AS L4Protocol_s, L7Protocol AS L7Protocol_s,
    TRY_CAST(DestPort AS DOUBLE) AS DestPort_d, FlowDirection AS FlowDirection_s,
    TRY_CAST(AllowedOutFlows AS DOUBLE) AS AllowedOutFlows_d,
    TRY_CAST(AllowedInFlows AS DOUBLE) AS AllowedInFlows_d,
    TRY_CAST(DeniedInFlows AS DOUBLE) AS DeniedInFlows_d,
    TRY_CAST(DeniedOutFlows AS DOUBLE) AS DeniedOutFlows_d,
    AllExtIPs AS AllExtIPs_s, TRY_CAST(TotalAllowedFlows AS DOUBLE) AS TotalAllowedFlows_d,
    VMRegion AS Region_s, RemoteRegion AS RemoteRegion_s, ResourceGroup AS ResourceGroup_s,
    TenantId
FROM read_csv('az_net_flows.csv.gz', all_varchar = true);

CREATE OR REPLACE TABLE VMConnection AS
SELECT
    ts(json->>'TimeGenerated') AS TimeGenerated, json->>'Computer' AS Computer,
    json->>'Direction' AS Direction, json->>'ProcessName' AS ProcessName,
    json->>'SourceIp' AS SourceIp, json->>'DestinationIp' AS DestinationIp,
    TRY_CAST(json->>'DestinationPort' AS INTEGER) AS DestinationPort, json->>'Protocol' AS Protocol,
    json->>'RemoteIp' AS RemoteIp, TRY_CAST(json->>'BytesSent' AS BIGINT) AS BytesSent,
    TRY_CAST(json->>'BytesReceived' AS BIGINT) AS BytesReceived,
    TRY_CAST(json->>'LinksEstablished' AS BIGINT) AS LinksEstablished,
    TRY_CAST(json->>'LinksTerminated' AS BIGINT) AS LinksTerminated,
    json->>'ConnectionId' AS ConnectionId, json->>'TenantId' AS TenantId
FROM read_json_objects('vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json.gz', format = 'newline_delimited');

-- M365 Defender advanced-hunting rows, columns as they are: nested values as JSON
-- text, pandas 'None' as NULL, times as TIMESTAMP and ids/ports/sizes as BIGINT.
CREATE OR REPLACE TEMP TABLE m365d AS
SELECT nn(json_extract_string(COLUMNS(*), '$'))
FROM read_json('Microsoft365DefenderEvents.json.gz', format = 'newline_delimited',
    maximum_depth = 1, sample_size = -1);

CREATE OR REPLACE TABLE DeviceEvents AS
SELECT ts(Timestamp) AS TimeGenerated, * REPLACE (
    ts(Timestamp) AS Timestamp,
    ts(ProcessCreationTime) AS ProcessCreationTime,
    ts(InitiatingProcessCreationTime) AS InitiatingProcessCreationTime,
    ts(InitiatingProcessParentCreationTime) AS InitiatingProcessParentCreationTime,
    TRY_CAST(ProcessId AS BIGINT) AS ProcessId,
    TRY_CAST(InitiatingProcessId AS BIGINT) AS InitiatingProcessId,
    TRY_CAST(InitiatingProcessParentId AS BIGINT) AS InitiatingProcessParentId,
    TRY_CAST(LogonId AS BIGINT) AS LogonId,
    TRY_CAST(InitiatingProcessLogonId AS BIGINT) AS InitiatingProcessLogonId,
    TRY_CAST(FileSize AS BIGINT) AS FileSize,
    TRY_CAST(InitiatingProcessFileSize AS BIGINT) AS InitiatingProcessFileSize,
    TRY_CAST(RemotePort AS INTEGER) AS RemotePort,
    TRY_CAST(LocalPort AS INTEGER) AS LocalPort)
FROM m365d;

CREATE OR REPLACE TABLE DeviceProcessEvents AS
SELECT
    ts(CreatedProcessCreationTime) AS TimeGenerated, ts(CreatedProcessCreationTime) AS Timestamp,
    MachineId AS DeviceId, ComputerDnsName AS DeviceName, 'ProcessCreated' AS ActionType,
    CreatedProcessName AS FileName, CreatedProcessFilePath AS FolderPath,
    CreatedProcessFileSha1 AS SHA1, CreatedProcessFileSha256 AS SHA256, CreatedProcessFileMd5 AS MD5,
    TRY_CAST(CreatedProcessId AS BIGINT) AS ProcessId, CreatedProcessCommandLine AS ProcessCommandLine,
    ts(CreatedProcessCreationTime) AS ProcessCreationTime,
    CreatedProcessAccountDomainName AS AccountDomain, CreatedProcessAccountName AS AccountName,
    CreatedProcessAccountSid AS AccountSid, CreatedProcessIntegrityLevel AS ProcessIntegrityLevel,
    CreatedProcessTokenElevationType AS ProcessTokenElevation,
    InitiatingProcessName AS InitiatingProcessFileName,
    CASE WHEN InitiatingProcessImageFilePath IS NULL THEN NULL
        ELSE rtrim(InitiatingProcessImageFilePath, '\') || '\' || InitiatingProcessName END
        AS InitiatingProcessFolderPath,
    TRY_CAST(InitiatingProcessId AS BIGINT) AS InitiatingProcessId,
    Process_CommandLine AS InitiatingProcessCommandLine,
    ts(InitiatingProcessCreationTime) AS InitiatingProcessCreationTime,
    TRY_CAST(TRY_CAST(InitiatingProcessParentProcessId AS DOUBLE) AS BIGINT) AS InitiatingProcessParentId,
    basename(InitiatingProcessParentProcessName) AS InitiatingProcessParentFileName,
    InitiatingProcessAccountName, InitiatingProcessAccountDomainName AS InitiatingProcessAccountDomain,
    InitiatingProcessAccountSid, InitiatingProcessImageSha1 AS InitiatingProcessSHA1,
    InitiatingProcessImageSha256 AS InitiatingProcessSHA256, InitiatingProcessImageMd5 AS InitiatingProcessMD5,
    ts(ReportTime) AS ReportTime, ReportIndex AS ReportId, 'mde_proc_cs1.csv' AS SourceFile
FROM read_csv('mde_proc_cs1.csv.gz', all_varchar = true)
UNION ALL BY NAME
SELECT
    ts(Timestamp) AS TimeGenerated, ts(Timestamp) AS Timestamp, CAST(DeviceId AS VARCHAR) AS DeviceId,
    CAST(DeviceName AS VARCHAR) AS DeviceName, CAST(ActionType AS VARCHAR) AS ActionType,
    nn(FileName) AS FileName, nn(FolderPath) AS FolderPath, nn(SHA1) AS SHA1,
    nn(SHA256) AS SHA256, nn(MD5) AS MD5, TRY_CAST(nn(ProcessId) AS BIGINT) AS ProcessId,
    nn(ProcessCommandLine) AS ProcessCommandLine, ts(nn(ProcessCreationTime)) AS ProcessCreationTime,
    nn(AccountDomain) AS AccountDomain, nn(AccountName) AS AccountName, nn(AccountSid) AS AccountSid,
    nn(InitiatingProcessFileName) AS InitiatingProcessFileName,
    nn(InitiatingProcessFolderPath) AS InitiatingProcessFolderPath,
    TRY_CAST(nn(InitiatingProcessId) AS BIGINT) AS InitiatingProcessId,
    nn(InitiatingProcessCommandLine) AS InitiatingProcessCommandLine,
    ts(nn(InitiatingProcessCreationTime)) AS InitiatingProcessCreationTime,
    TRY_CAST(nn(InitiatingProcessParentId) AS BIGINT) AS InitiatingProcessParentId,
    nn(InitiatingProcessParentFileName) AS InitiatingProcessParentFileName,
    nn(InitiatingProcessAccountName) AS InitiatingProcessAccountName,
    nn(InitiatingProcessAccountDomain) AS InitiatingProcessAccountDomain,
    nn(InitiatingProcessAccountSid) AS InitiatingProcessAccountSid,
    nn(InitiatingProcessSHA1) AS InitiatingProcessSHA1, nn(InitiatingProcessSHA256) AS InitiatingProcessSHA256,
    nn(InitiatingProcessMD5) AS InitiatingProcessMD5,
    'Microsoft365DefenderEvents.json' AS SourceFile
FROM m365d
WHERE ActionType = 'ProcessCreated';
