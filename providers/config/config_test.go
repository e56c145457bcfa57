package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("query_paths: [myqueries, /abs/q]\nworkspace: ws\nlimit: 500\n"), 0o600)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.QueryPaths[0] != filepath.Join(dir, "myqueries") || cfg.QueryPaths[1] != "/abs/q" || cfg.Workspace != filepath.Join(dir, "ws") || cfg.Limit != 500 || cfg.Path != path {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("limit: [1\n"), 0o600)
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("limmit: 5\n"), 0o600)
	for _, p := range []string{bad, unknown, filepath.Join(dir, "missing.yaml")} {
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Load(%s) err = %v, want an error naming the file", p, err)
		}
	}
	t.Setenv(EnvVar, "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	if cfg, err := Load(""); err != nil || cfg.Path != "" {
		t.Errorf("no settings file: %+v %v, want defaults", cfg, err)
	}
}

func TestLoadUI(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	cfg, err := Load(write("ui.yaml", "ui:\n  theme: light\n  zone: Europe/London\n  fps: 20\n  mouse: true\n  keys:\n    results:\n      sort: [o]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UI.Theme != "light" || cfg.UI.Zone != "Europe/London" || cfg.UI.FPS != 20 || !cfg.UI.Mouse || cfg.UI.Keys["results"]["sort"][0] != "o" {
		t.Errorf("ui = %+v", cfg.UI)
	}
	for body, want := range map[string]string{
		"ui:\n  fps: 500\n":        "ui.fps",
		"ui:\n  zone: Mars/Base\n": "ui.zone",
	} {
		p := write("bad-ui.yaml", body)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want one naming %s", body, err, want)
		}
	}
}
