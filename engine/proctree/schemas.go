package proctree

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/quarry-sec/quarry/engine/frame"
)

// The schemas msticpy knows (proc_tree_schema), by their short names. A column
// name may list alternatives with '|' (the demo's auditd table writes Exe and
// CommandLine where raw auditd writes exe and cmdline); names match without
// regard to case.
var (
	// Win4688 is Windows Security event 4688 (process creation).
	Win4688 = Schema{Name: "win4688", TimeStamp: "TimeGenerated|TimeCreatedUtc", ProcessName: "NewProcessName",
		ProcessID: "NewProcessId", ParentName: "ParentProcessName", ParentID: "ProcessId", LogonID: "SubjectLogonId",
		TargetLogonID: "TargetLogonId", CmdLine: "CommandLine", User: "SubjectUserName", PathSep: `\`,
		UserID: "SubjectUserSid", EventIDColumn: "EventID", EventID: "4688", Host: "Computer"}
	// Auditd is Linux auditd SYSCALL_EXECVE events (as msticpy's auditdextract shapes them).
	Auditd = Schema{Name: "auditd", TimeStamp: "TimeGenerated", ProcessName: "exe", ProcessID: "pid",
		ParentID: "ppid", LogonID: "ses", CmdLine: "cmdline|CommandLine", User: "acct|Account", PathSep: "/",
		UserID: "uid", EventIDColumn: "EventType", EventID: "SYSCALL_EXECVE", Host: "Computer"}
	// MDEInternal is Microsoft Defender's internal process-creation schema.
	MDEInternal = Schema{Name: "mde-internal", TimeStamp: "CreatedProcessCreationTime", ProcessName: "CreatedProcessName",
		ProcessID: "CreatedProcessId", ParentName: "ParentProcessName|CreatedProcessParentName", ParentID: "CreatedProcessParentId",
		LogonID: "InitiatingProcessLogonId", TargetLogonID: "LogonId", CmdLine: "CreatedProcessCommandLine",
		User: "CreatedProcessAccountName", PathSep: `\`, UserID: "CreatedProcessAccountSid", Host: "ComputerDnsName"}
	// MDE is the public DeviceProcessEvents table of Microsoft Defender / Sentinel.
	MDE = Schema{Name: "mde", TimeStamp: "Timestamp|ProcessCreationTime|TimeGenerated", ProcessName: "FileName",
		ProcessID: "ProcessId", ParentName: "InitiatingProcessFileName", ParentID: "InitiatingProcessId",
		LogonID: "InitiatingProcessLogonId", TargetLogonID: "LogonId", CmdLine: "ProcessCommandLine",
		User: "AccountName", PathSep: `\`, UserID: "AccountSid", Host: "DeviceName", EventIDColumn: "ActionType",
		EventID: "ProcessCreated"}
	// Sysmon is Sysmon event 1 (process create), linked by ProcessGuid where present.
	Sysmon = Schema{Name: "sysmon", TimeStamp: "UtcTime|TimeGenerated", ProcessName: "Image", ProcessID: "ProcessId",
		ParentName: "ParentImage", ParentID: "ParentProcessId", LogonID: "LogonId", CmdLine: "CommandLine",
		User: "User", PathSep: `\`, EventIDColumn: "EventID", EventID: "1", Host: "Computer",
		ProcessGUID: "ProcessGuid", ParentGUID: "ParentProcessGuid"}
	// OSQuery is osquery's process events.
	OSQuery = Schema{Name: "osquery", TimeStamp: "calendarTime", ProcessName: "name", ProcessID: "pid",
		ParentName: "pcmdline", ParentID: "parent", CmdLine: "cmdline", User: "username", PathSep: "/", UserID: "uid"}
	// HX is FireEye HX process events.
	HX = Schema{Name: "hx", TimeStamp: "starttime", ProcessName: "process", ProcessID: "pid",
		ParentName: "parentprocess", ParentID: "parentpid", CmdLine: "processcmdline", User: "username",
		PathSep: `\`, EventIDColumn: "eventtype", EventID: "start", Host: "hostname"}
)

// Schemas are the known schemas, in the order inference breaks ties.
var Schemas = []Schema{Win4688, Sysmon, MDE, MDEInternal, Auditd, OSQuery, HX}

// SchemaNames lists the known schemas' names.
func SchemaNames() []string {
	out := make([]string, len(Schemas))
	for i, s := range Schemas {
		out[i] = s.Name
	}
	return out
}

// SchemaByName returns a known schema by name (case-insensitive).
func SchemaByName(name string) (Schema, error) {
	for _, s := range Schemas {
		if strings.EqualFold(s.Name, name) {
			return s, nil
		}
	}
	return Schema{}, fmt.Errorf("no process schema %q (known: %s, or map the columns)", name, strings.Join(SchemaNames(), ", "))
}

// fields are a schema's columns with their roles, for matching and mapping.
func (s *Schema) fields() []struct {
	role string
	col  *string
} {
	return []struct {
		role string
		col  *string
	}{
		{"process_name", &s.ProcessName}, {"process_id", &s.ProcessID}, {"parent_id", &s.ParentID},
		{"time_stamp", &s.TimeStamp}, {"cmd_line", &s.CmdLine}, {"user_name", &s.User},
		{"logon_id", &s.LogonID}, {"target_logon_id", &s.TargetLogonID}, {"host_name", &s.Host},
		{"parent_name", &s.ParentName}, {"user_id", &s.UserID}, {"event_id_column", &s.EventIDColumn},
		{"process_guid", &s.ProcessGUID}, {"parent_guid", &s.ParentGUID},
	}
}

// resolve finds a column for a schema name (alternatives split by '|'), without
// regard to case; nil when the frame has none.
func resolve(f *frame.Frame, name string) *frame.Column {
	if name == "" {
		return nil
	}
	for _, alt := range strings.Split(name, "|") {
		if c := f.Col(alt); c != nil {
			return c
		}
		for _, c := range f.Columns() {
			if strings.EqualFold(c.Name, alt) {
				return c
			}
		}
	}
	return nil
}

// overlap counts the schema's columns the frame has.
func (s Schema) overlap(f *frame.Frame) int {
	n := 0
	for _, fl := range s.fields() {
		if resolve(f, *fl.col) != nil {
			n++
		}
	}
	return n
}

// ErrNoSchema is the error Infer returns (wrapped) when no schema fits.
var ErrNoSchema = errors.New("not a process log")

// Infer picks the known schema that shares the most columns with f (msticpy's
// infer_schema), provided at least four match and the four required ones are
// there.
func Infer(f *frame.Frame) (Schema, error) {
	type cand struct {
		s Schema
		n int
	}
	var cs []cand
	for _, s := range Schemas {
		if s.missing(f) == nil {
			cs = append(cs, cand{s, s.overlap(f)})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].n > cs[j].n })
	if len(cs) == 0 || cs[0].n < 4 {
		return Schema{}, fmt.Errorf("%w: the columns (%s) fit none of %s; name a schema, or map the columns process_name, process_id, parent_id and time_stamp",
			ErrNoSchema, strings.Join(f.Names(), ", "), strings.Join(SchemaNames(), ", "))
	}
	return cs[0].s, nil
}

// missing lists the required roles whose columns f lacks.
func (s Schema) missing(f *frame.Frame) []string {
	var out []string
	for _, r := range []struct{ role, col string }{
		{"process_name", s.ProcessName}, {"process_id", s.ProcessID}, {"parent_id", s.ParentID}, {"time_stamp", s.TimeStamp},
	} {
		if resolve(f, r.col) == nil {
			out = append(out, fmt.Sprintf("%s (%s)", r.role, strings.ReplaceAll(r.col, "|", " or ")))
		}
	}
	return out
}

// ParseMapping reads a custom schema from "role=COL" pairs (comma-separated or
// repeated): process_name, process_id, parent_id and time_stamp are required;
// cmd_line, user_name, logon_id, target_logon_id, host_name, parent_name,
// user_id, process_guid, parent_guid and path_separator are optional. base,
// when not nil, is the schema the pairs override.
func ParseMapping(pairs []string, base *Schema) (Schema, error) {
	s := Schema{Name: "custom", PathSep: `\`}
	if base != nil {
		s = *base
	}
	for _, p := range pairs {
		for _, kv := range strings.Split(p, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			if !ok || v == "" {
				return Schema{}, fmt.Errorf("mapping %q: want role=COLUMN", kv)
			}
			if k == "path_separator" {
				s.PathSep = v
				continue
			}
			found := false
			for _, fl := range s.fields() {
				if fl.role == k {
					*fl.col = v
					found = true
				}
			}
			if !found {
				return Schema{}, fmt.Errorf("mapping %q: no role %q (roles: process_name, process_id, parent_id, time_stamp, cmd_line, user_name, logon_id, target_logon_id, host_name, parent_name, user_id, process_guid, parent_guid, path_separator)", kv, k)
			}
		}
	}
	if s.ProcessName == "" || s.ProcessID == "" || s.ParentID == "" || s.TimeStamp == "" {
		return Schema{}, fmt.Errorf("a process mapping needs process_name, process_id, parent_id and time_stamp")
	}
	return s, nil
}
