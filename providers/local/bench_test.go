package local_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/local"
	"github.com/quarry-sec/quarry/providers/local/synth"
	"github.com/quarry-sec/quarry/queries"
)

// The benchmark workspace: 1,000,000 SecurityEvent rows from the synth generator,
// written once per test binary run.
const benchRows = 1_000_000

var (
	benchOnce sync.Once
	benchDir  string
	benchSize int64
	benchErr  error
)

func benchWorkspace(b *testing.B) (string, int64) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "quarry-bench-")
		if benchErr != nil {
			return
		}
		f, err := os.Create(filepath.Join(benchDir, "SecurityEvent.csv"))
		if err != nil {
			benchErr = err
			return
		}
		benchSize, benchErr = synth.SecurityEvents(f, synth.Options{Rows: benchRows, Seed: 1})
		if cerr := f.Close(); benchErr == nil {
			benchErr = cerr
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchSize
}

// BenchmarkImportCSVPersisted imports the 1M-row CSV into a new .duckdb file; the
// MB/s column is the import rate over the CSV's size.
func BenchmarkImportCSVPersisted(b *testing.B) {
	dir, size := benchWorkspace(b)
	b.SetBytes(size)
	for i := 0; i < b.N; i++ {
		db := filepath.Join(b.TempDir(), "ws.duckdb")
		p, err := local.Open(context.Background(), dir, local.Options{Persist: db})
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// BenchmarkReopenPersisted reopens an imported workspace (fingerprint match: no import).
func BenchmarkReopenPersisted(b *testing.B) {
	dir, _ := benchWorkspace(b)
	db := filepath.Join(b.TempDir(), "ws.duckdb")
	p, err := local.Open(context.Background(), dir, local.Options{Persist: db})
	if err != nil {
		b.Fatal(err)
	}
	p.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := local.Open(context.Background(), dir, local.Options{Persist: db})
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// BenchmarkListHostProcesses1M runs WindowsSecurity.list_host_processes for one host
// and a one-day range over the 1M-row table of an open, persisted workspace.
func BenchmarkListHostProcesses1M(b *testing.B) {
	dir, _ := benchWorkspace(b)
	db := filepath.Join(b.TempDir(), "ws.duckdb")
	ctx := context.Background()
	p, err := local.Open(ctx, dir, local.Options{Persist: db, InitSQL: []string{queries.SQLMacros}, Limit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	lib, err := queries.Load()
	if err != nil {
		b.Fatal(err)
	}
	q, err := lib.Get("WindowsSecurity.list_host_processes")
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
	st, err := q.Bind(p.Dialect(), map[string]any{"host_name": synth.HostName(42), "start": day, "end": day.Add(24 * time.Hour)}, queries.BindOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		f, err := p.Query(ctx, st)
		if err != nil {
			b.Fatal(err)
		}
		rows = f.Len()
	}
	b.StopTimer()
	// 1M rows over 30 days and 200 hosts, half of them 4688: about 83 per host-day.
	if rows < 40 || rows > 140 {
		b.Fatalf("query returned %d rows, want about 83", rows)
	}
	b.ReportMetric(float64(rows), "rows")
}
