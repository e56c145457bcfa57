package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMaterializeOnceAndOpen(t *testing.T) {
	fsys := fstest.MapFS{
		"SecurityEvent.csv": {Data: []byte(eventsCSV)},
		ManifestFile:        {Data: []byte("name: demo\nspan:\n  start: 2019-01-01T00:00:00Z\n  end: 2019-02-01T00:00:00Z\n")},
	}
	root := t.TempDir()
	dir, err := Materialize(fsys, root)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Materialize(fsys, root)
	if err != nil || again != dir {
		t.Fatalf("second Materialize = %q, %v; want %q", again, err, dir)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries, want 1", len(entries))
	}
	p, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	lo, hi, ok := p.Span(context.Background())
	if !ok || lo.Format("2006-01-02") != "2019-01-01" || hi.Format("2006-01-02") != "2019-02-01" {
		t.Errorf("manifest span = %v %v %v", lo, hi, ok)
	}
	if _, err := os.Stat(filepath.Join(dir, "SecurityEvent.csv")); err != nil {
		t.Error(err)
	}
	// Same names and sizes, different content: a different folder.
	changed := fstest.MapFS{
		"SecurityEvent.csv": {Data: []byte(strings.Replace(eventsCSV, "4688", "4689", 1))},
		ManifestFile:        fsys[ManifestFile],
	}
	other, err := Materialize(changed, root)
	if err != nil || other == dir {
		t.Errorf("changed content reused %q (err %v)", other, err)
	}
	if _, err := Materialize(fstest.MapFS{}, root); err == nil {
		t.Error("empty embedded workspace should fail")
	}
}
