package synth

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestSecurityEventsShape(t *testing.T) {
	var a, b bytes.Buffer
	n, err := SecurityEvents(&a, Options{Rows: 2000, Hosts: 10, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	SecurityEvents(&b, Options{Rows: 2000, Hosts: 10, Seed: 7})
	if n != int64(a.Len()) || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("output is not reproducible for a seed, or the byte count is wrong")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatalf("not valid CSV: %v", err)
	}
	if len(recs) != 2001 || len(recs[0]) != strings.Count(Header, ",")+1 {
		t.Fatalf("%d records of %d fields", len(recs), len(recs[0]))
	}
	procs, hosts := 0, map[string]bool{}
	for _, r := range recs[1:] {
		if len(r) != len(recs[0]) {
			t.Fatalf("ragged record %v", r)
		}
		if _, err := time.Parse("2006-01-02 15:04:05.000", r[0]); err != nil {
			t.Fatal(err)
		}
		hosts[r[1]] = true
		if r[2] == "4688" {
			procs++
			if r[13] == "" || r[16] == "" {
				t.Errorf("process event without image or command line: %v", r)
			}
		}
	}
	if len(hosts) != 10 || procs < 900 || procs > 1100 {
		t.Errorf("hosts=%d process events=%d, want 10 hosts and about half 4688", len(hosts), procs)
	}
}
