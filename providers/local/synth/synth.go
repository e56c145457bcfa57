// Package synth writes synthetic but realistic-shaped security tables for load
// tests and benchmarks: a SecurityEvent table of any size, deterministic for a seed,
// with the columns and value shapes of Sentinel's table.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options shape a generated SecurityEvent table.
type Options struct {
	// Rows is the number of events.
	Rows int
	// Hosts is the number of distinct computers (HOST-0000 …), default 200.
	Hosts int
	// Start is the first event time, default 2024-01-01T00:00:00Z.
	Start time.Time
	// Span is the time the events spread over, default 30 days.
	Span time.Duration
	// Seed makes the output reproducible.
	Seed uint64
}

// Header is the CSV header SecurityEvents writes.
const Header = "TimeGenerated,Computer,EventID,Activity,Account,SubjectUserName,SubjectDomainName,SubjectLogonId,TargetUserName,TargetLogonId,LogonType,IpAddress,NewProcessId,NewProcessName,ProcessId,ParentProcessName,CommandLine,TenantId\n"

// HostName is the name of host i.
func HostName(i int) string { return fmt.Sprintf("HOST-%04d", i) }

var processes = []struct{ image, cmd string }{
	{`C:\Windows\System32\cmd.exe`, `cmd.exe /c "whoami /all"`},
	{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Get-Process | Sort-Object CPU"`},
	{`C:\Windows\System32\svchost.exe`, `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`},
	{`C:\Windows\System32\conhost.exe`, `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`},
	{`C:\Windows\System32\rundll32.exe`, `rundll32.exe C:\Windows\System32\shell32.dll,Control_RunDLL`},
	{`C:\Program Files\Microsoft Monitoring Agent\Agent\MonitoringHost.exe`, `"C:\Program Files\Microsoft Monitoring Agent\Agent\MonitoringHost.exe" -Embedding`},
	{`C:\Windows\System32\net.exe`, `net.exe user admin /domain`},
	{`C:\Windows\System32\reg.exe`, `reg.exe query HKLM\Software\Microsoft\Windows\CurrentVersion\Run`},
}

var activities = map[int]string{
	4688: "4688 - A new process has been created.",
	4624: "4624 - An account was successfully logged on.",
	4625: "4625 - An account failed to log on.",
	4634: "4634 - An account was logged off.",
	4672: "4672 - Special privileges assigned to new logon.",
}

// SecurityEvents writes the table as CSV (header included) and returns the bytes written.
// Half the events are process creations (4688); the rest are logon events.
func SecurityEvents(w io.Writer, o Options) (int64, error) {
	if o.Hosts <= 0 {
		o.Hosts = 200
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Span <= 0 {
		o.Span = 30 * 24 * time.Hour
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	io.WriteString(cw, Header)
	step := o.Span / time.Duration(max(o.Rows, 1))
	buf := make([]byte, 0, 512)
	for i := 0; i < o.Rows; i++ {
		t := o.Start.Add(time.Duration(i) * step)
		host := rng.IntN(o.Hosts)
		user := fmt.Sprintf("user%03d", rng.IntN(500))
		id := 4688
		if r := rng.IntN(10); r >= 5 {
			id = [...]int{4624, 4624, 4634, 4672, 4625}[r-5]
		}
		buf = buf[:0]
		buf = t.AppendFormat(buf, "2006-01-02 15:04:05.000")
		buf = append(buf, ',')
		buf = append(buf, HostName(host)...)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(id), 10)
		buf = append(buf, ',')
		buf = append(buf, activities[id]...)
		buf = append(buf, ",CONTOSO\\"...)
		buf = append(buf, user...)
		buf = append(buf, ',')
		buf = append(buf, user...)
		buf = append(buf, ",CONTOSO,0x"...)
		buf = strconv.AppendUint(buf, uint64(rng.Uint32()), 16)
		if id == 4688 {
			p := processes[rng.IntN(len(processes))]
			parent := processes[rng.IntN(len(processes))]
			buf = append(buf, ",,0x0,,,0x"...)
			buf = strconv.AppendUint(buf, uint64(rng.IntN(1<<16)), 16)
			buf = append(buf, ',')
			buf = append(buf, p.image...)
			buf = append(buf, ",0x"...)
			buf = strconv.AppendUint(buf, uint64(rng.IntN(1<<16)), 16)
			buf = append(buf, ',')
			buf = append(buf, parent.image...)
			buf = append(buf, ",\""...)
			for _, c := range []byte(p.cmd) {
				if c == '"' {
					buf = append(buf, '"')
				}
				buf = append(buf, c)
			}
			buf = append(buf, '"')
		} else {
			buf = append(buf, ',')
			buf = append(buf, user...)
			buf = append(buf, ",0x"...)
			buf = strconv.AppendUint(buf, uint64(rng.Uint32()), 16)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64([...]int{2, 3, 5, 10}[rng.IntN(4)]), 10)
			buf = append(buf, ",10.0."...)
			buf = strconv.AppendInt(buf, int64(rng.IntN(256)), 10)
			buf = append(buf, '.')
			buf = strconv.AppendInt(buf, int64(rng.IntN(256)), 10)
			buf = append(buf, ",,,,,"...)
		}
		buf = append(buf, ",4a1f9c2e-1b7d-4c55-9a0e-5f6b7c8d9e0f\n"...)
		if _, err := cw.Write(buf); err != nil {
			return cw.n, err
		}
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
