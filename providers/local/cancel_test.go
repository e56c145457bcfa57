package local_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/local"
	"github.com/quarry-sec/quarry/providers/local/synth"
)

// TestCancelImportThenResume cancels a large import part way and checks that it stops
// at once, and that the next open imports again rather than trusting a partial file.
func TestCancelImportThenResume(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "SecurityEvent.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.SecurityEvents(f, synth.Options{Rows: 400_000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db := filepath.Join(t.TempDir(), "ws.duckdb")
	var progress []string
	opts := local.Options{Persist: db, Progress: func(msg string) { progress = append(progress, msg) }}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = local.Open(ctx, dir, opts)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled import: err = %v", err)
	}
	if el := time.Since(began); el > 3*time.Second {
		t.Errorf("cancel took %v", el)
	}
	if len(progress) == 0 || !strings.Contains(progress[0], "SecurityEvent.csv") {
		t.Errorf("progress = %q, want a line naming the file", progress)
	}

	p, err := local.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fr, err := p.Query(context.Background(), frame.Statement{Text: "SELECT count(*) FROM SecurityEvent"})
	if err != nil {
		t.Fatal(err)
	}
	if n := fr.Value(0, 0); n != int64(400_000) {
		t.Errorf("after resume: %v rows, want 400000", n)
	}
}
