// Package config reads Quarry's settings file: where queries and workspaces live,
// the row limit, and (later) the providers' settings. The file is YAML at
// $QUARRY_CONFIG, else $XDG_CONFIG_HOME/quarry/config.yaml (~/.config/quarry/config.yaml).
// A missing file is not an error: every setting has a default.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvVar names the environment variable that points at the settings file.
const EnvVar = "QUARRY_CONFIG"

// Config is the settings file.
type Config struct {
	// QueryPaths are extra folders of query YAML, loaded after the built-in library.
	QueryPaths []string `yaml:"query_paths,omitempty"`
	// Workspace is the default workspace folder ("" = the embedded demo).
	Workspace string `yaml:"workspace,omitempty"`
	// Persist is a .duckdb file the default workspace is imported into.
	Persist string `yaml:"persist,omitempty"`
	// Limit is the row limit for query results (0 = the provider's default).
	Limit int `yaml:"limit,omitempty"`
	// Provider is the default data provider name ("" = local).
	Provider string `yaml:"provider,omitempty"`
	// UI holds the workbench's settings.
	UI UI `yaml:"ui,omitempty"`
	// ProcessTrees holds the process-tree settings.
	ProcessTrees ProcessTrees `yaml:"process_trees,omitempty"`
	// Path is the file the settings were read from ("" when none was found).
	Path string `yaml:"-"`
}

// ProcessTrees is the process-tree settings.
type ProcessTrees struct {
	// Schemas are the analyst's own process-log schemas, by name: each maps
	// roles (process_name, process_id, parent_id and time_stamp required;
	// cmd_line, user_name, logon_id, target_logon_id, host_name, parent_name,
	// user_id, process_guid, parent_guid and path_separator optional) to columns.
	// `quarry tree --schema NAME` uses one.
	Schemas map[string]map[string]string `yaml:"schemas,omitempty"`
	// Rules is a YAML file of suspicion rules merged over the built-in ones (a
	// rule with a built-in's name replaces it).
	Rules string `yaml:"rules,omitempty"`
}

// UI is the workbench's settings.
type UI struct {
	// Theme is dark (default), light, high-contrast or mono; NO_COLOR forces mono.
	Theme string `yaml:"theme,omitempty"`
	// Zone is the display time zone: an IANA name ("Europe/London"), "Local" or
	// "UTC" (default). Times are UTC inside whatever this says.
	Zone string `yaml:"zone,omitempty"`
	// FPS caps redraws per second (default 60); lower it on laggy SSH links.
	FPS int `yaml:"fps,omitempty"`
	// Mouse turns mouse support on at start (off by default, so terminal text
	// selection keeps working).
	Mouse bool `yaml:"mouse,omitempty"`
	// Keys rebinds keys: pane name ("global", "results", "queries", "timerange")
	// → binding name (as in docs/tui.md) → keys.
	Keys map[string]map[string][]string `yaml:"keys,omitempty"`
}

// MaxFPS is the highest frame-rate cap accepted.
const MaxFPS = 120

// DefaultPath is where the settings file is looked for.
func DefaultPath() string {
	if p := os.Getenv(EnvVar); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "quarry", "config.yaml")
}

// Load reads the settings file at path ("" = DefaultPath). A missing file gives the
// defaults; a malformed one is an error naming the file and the line.
func Load(path string) (*Config, error) {
	explicit := path != "" || os.Getenv(EnvVar) != ""
	if path == "" {
		path = DefaultPath()
	}
	cfg := &Config{}
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return cfg, nil
		}
		return nil, fmt.Errorf("settings %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("settings %s: %w", path, err)
	}
	if cfg.Limit < 0 {
		return nil, fmt.Errorf("settings %s: limit must not be negative", path)
	}
	if cfg.UI.FPS < 0 || cfg.UI.FPS > MaxFPS {
		return nil, fmt.Errorf("settings %s: ui.fps must be between 1 and %d", path, MaxFPS)
	}
	if cfg.UI.Zone != "" {
		if _, err := time.LoadLocation(cfg.UI.Zone); err != nil {
			return nil, fmt.Errorf("settings %s: ui.zone: %w", path, err)
		}
	}
	cfg.Path = path
	base := filepath.Dir(path)
	for i, q := range cfg.QueryPaths {
		cfg.QueryPaths[i] = resolve(base, q)
	}
	if cfg.Workspace != "" {
		cfg.Workspace = resolve(base, cfg.Workspace)
	}
	if cfg.Persist != "" {
		cfg.Persist = resolve(base, cfg.Persist)
	}
	return cfg, nil
}

// resolve makes a settings path absolute: ~ is the home folder, and a relative path
// is taken from the settings file's folder.
func resolve(base, p string) string {
	if len(p) >= 2 && p[:2] == "~/" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}
