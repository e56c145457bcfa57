// Package config reads Quarry's settings file: where queries and workspaces live,
// the row limit, the threat-intel providers (keys, rate limits, base URLs), the
// look-up cache, the GeoIP databases and the RDAP server. The file is YAML at
// $QUARRY_CONFIG, else $XDG_CONFIG_HOME/quarry/config.yaml (~/.config/quarry/config.yaml).
// A missing file is not an error: every setting has a default.
//
// Keys are never written in the clear by the package's printers: a setting holds
// a Secret, a reference (env:NAME, file:PATH, keyring:NAME) resolved only when a
// provider needs it. Check reports what is set, missing or unsafe without ever
// showing a value, and ImportMsticpy converts an existing msticpyconfig.yaml.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	// TI holds the threat-intel providers' settings.
	TI TI `yaml:"ti,omitempty"`
	// Cache is the persistent look-up cache.
	Cache Cache `yaml:"cache,omitempty"`
	// GeoIP holds the GeoIP databases and services.
	GeoIP GeoIP `yaml:"geoip,omitempty"`
	// Whois holds the RDAP (whois) settings.
	Whois Whois `yaml:"whois,omitempty"`
	// Path is the file the settings were read from ("" when none was found).
	Path string `yaml:"-"`
	// Warnings are problems Load noticed that do not stop it (a settings file
	// other users can read). Show them to the user.
	Warnings []string `yaml:"-"`
}

// Cache is the persistent look-up cache's settings.
type Cache struct {
	// Path is the cache's bbolt file ("" = DefaultCachePath).
	Path string `yaml:"path,omitempty"`
	// Disabled turns the persistent cache off.
	Disabled bool `yaml:"disabled,omitempty"`
}

// Whois is the RDAP settings.
type Whois struct {
	// Server is an RDAP server asked for every look-up, skipping the IANA
	// bootstrap ("" = bootstrap).
	Server string `yaml:"server,omitempty"`
	// BootstrapURL replaces IANA's bootstrap service ("" = IANA's).
	BootstrapURL string `yaml:"bootstrap_url,omitempty"`
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

// MaxSettingsSize bounds the settings file and an imported msticpyconfig.yaml.
const MaxSettingsSize = 4 << 20

// Load reads the settings file at path ("" = DefaultPath). A missing file gives the
// defaults; a malformed one is an error naming the file and the line. Relative
// paths in the file are taken from the file's folder and ~ is the home folder.
// A file other users can read adds a warning to Config.Warnings.
func Load(path string) (*Config, error) {
	explicit := path != "" || os.Getenv(EnvVar) != ""
	if path == "" {
		path = DefaultPath()
	}
	if path == "" {
		return &Config{}, nil
	}
	b, info, err := readBounded(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return &Config{}, nil
		}
		return nil, fmt.Errorf("settings %s: %w", path, err)
	}
	cfg, err := parse(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("settings %s: %w", path, err)
	}
	cfg.Path = path
	if w := modeWarning(path, info.Mode()); w != "" {
		cfg.Warnings = append(cfg.Warnings, w)
	}
	return cfg, nil
}

// readBounded reads a regular file of at most MaxSettingsSize bytes.
func readBounded(path string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.IsDir() {
		return nil, nil, errors.New("is a folder, not a file")
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSettingsSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(b) > MaxSettingsSize {
		return nil, nil, fmt.Errorf("larger than %d bytes", MaxSettingsSize)
	}
	return b, info, nil
}

// modeWarning is the warning for a settings file other users can read ("" when
// they cannot, and always on Windows, whose modes say nothing about this).
func modeWarning(path string, mode os.FileMode) string {
	if runtime.GOOS == "windows" || !mode.IsRegular() || mode.Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("settings file %s can be read by other users (mode %04o); it may hold API keys: chmod 600 %s", path, mode.Perm(), path)
}

// parse decodes and checks settings YAML, resolving relative paths from base.
func parse(b []byte, base string) (*Config, error) {
	cfg := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		msg := hideValues(err.Error())
		if strings.Contains(msg, "into time.Duration") {
			msg += " (write durations like 30s, 5m or 24h)"
		}
		return nil, errors.New(msg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	for i, q := range cfg.QueryPaths {
		cfg.QueryPaths[i] = resolve(base, q)
	}
	if cfg.Workspace != "" {
		cfg.Workspace = resolve(base, cfg.Workspace)
	}
	if cfg.Persist != "" {
		cfg.Persist = resolve(base, cfg.Persist)
	}
	cfg.resolvePaths(base)
	return cfg, nil
}

// hideValues removes the values yaml.v3 quotes in its type errors
// ("cannot unmarshal !!str `abc1234...` into ..."): a key written in the wrong
// place would otherwise show in the error.
func hideValues(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '`')
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		b.WriteString("(value hidden)")
		msg = msg[i+1+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}

// validate checks the values the YAML decoder cannot.
func (c *Config) validate() error {
	if c.Limit < 0 {
		return errors.New("limit must not be negative")
	}
	if c.UI.FPS < 0 || c.UI.FPS > MaxFPS {
		return fmt.Errorf("ui.fps must be between 1 and %d", MaxFPS)
	}
	if c.UI.Zone != "" {
		if _, err := time.LoadLocation(c.UI.Zone); err != nil {
			return fmt.Errorf("ui.zone: %w", err)
		}
	}
	if err := c.TI.validate(); err != nil {
		return err
	}
	for field, u := range map[string]string{
		"geoip.ipstack.base_url": c.GeoIP.IPStack.BaseURL,
		"whois.server":           c.Whois.Server,
		"whois.bootstrap_url":    c.Whois.BootstrapURL,
	} {
		if err := checkURL(u); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	return nil
}

// resolvePaths makes the cache, GeoIP, provider and file: secret paths absolute.
func (c *Config) resolvePaths(base string) {
	if c.Cache.Path != "" {
		c.Cache.Path = resolve(base, c.Cache.Path)
	}
	for _, p := range []*string{&c.GeoIP.CityDB, &c.GeoIP.ASNDB, &c.GeoIP.Folder} {
		if *p != "" {
			*p = resolve(base, *p)
		}
	}
	for _, s := range []*Secret{&c.GeoIP.AccountID, &c.GeoIP.LicenceKey, &c.GeoIP.IPStack.Key} {
		*s = s.relativeTo(base)
	}
	for name, p := range c.TI.Providers {
		for i, f := range p.Paths {
			p.Paths[i] = resolve(base, f)
		}
		p.Key = p.Key.relativeTo(base)
		p.APIID = p.APIID.relativeTo(base)
		c.TI.Providers[name] = p
	}
}

// resolve makes a settings path absolute: ~ is the home folder, and a relative path
// is taken from the settings file's folder.
func resolve(base, p string) string {
	if h := expandHome(p); h != p {
		return h
	}
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// expandHome replaces a leading ~/ (or a lone ~) with the home folder.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !(runtime.GOOS == "windows" && strings.HasPrefix(p, `~\`)) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	if p == "~" {
		return home
	}
	return filepath.Join(home, p[2:])
}

// ForDisplay is a copy of the settings for showing: the URLs lose their
// credentials and query strings (where a token may hide). Secrets need no
// change: their printers already hide literal keys.
func (c *Config) ForDisplay() *Config {
	if c == nil {
		return nil
	}
	r := *c
	r.TI.Primary = append([]string(nil), c.TI.Primary...)
	r.TI.Secondary = append([]string(nil), c.TI.Secondary...)
	if c.TI.Providers != nil {
		r.TI.Providers = make(map[string]ProviderSettings, len(c.TI.Providers))
		for n, p := range c.TI.Providers {
			p.Paths = append([]string(nil), p.Paths...)
			p.BaseURL = redactURLSetting(p.BaseURL)
			r.TI.Providers[n] = p
		}
	}
	r.GeoIP.IPStack.BaseURL = redactURLSetting(c.GeoIP.IPStack.BaseURL)
	r.Whois.Server = redactURLSetting(c.Whois.Server)
	r.Whois.BootstrapURL = redactURLSetting(c.Whois.BootstrapURL)
	r.Warnings = append([]string(nil), c.Warnings...)
	return &r
}

// redactURLSetting is redactURL, keeping "" empty.
func redactURLSetting(s string) string {
	if s == "" {
		return ""
	}
	return redactURL(s)
}
