package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeSettings writes body to dir/name with mode and returns the path.
func writeSettings(t *testing.T, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile's mode is cut by the umask
		t.Fatal(err)
	}
	return p
}

const fullSettings = `
limit: 10
ti:
  primary: [virustotal, otx, greynoise]
  secondary: [xforce]
  providers:
    virustotal:
      key: env:VT_KEY
      base_url: https://vt-proxy.example/
      rate_per_minute: 4
      burst: 1
      concurrency: 4
      timeout: 30s
      cache_ttl: 24h
    xforce:
      key: keyring:xforce
      api_id: file:keys/xforce-id
    feed:
      disabled: true
      paths: [~/feeds/, feeds/local.csv, /abs/feed.csv]
cache:
  path: cache/lookups.db
  disabled: false
geoip:
  city_db: ~/geo/GeoLite2-City.mmdb
  asn_db: geo/GeoLite2-ASN.mmdb
  folder: /var/geoip
  account_id: env:MAXMIND_ACCOUNT
  licence_key: keyring:maxmind
  ipstack: {key: env:IPSTACK_KEY, base_url: "http://api.ipstack.com/"}
whois:
  server: https://rdap.example/
  bootstrap_url: https://bootstrap.example/
`

func TestLoadProviders(t *testing.T) {
	dir := t.TempDir()
	home := t.TempDir()
	t.Setenv("HOME", home)
	cfg, err := Load(writeSettings(t, dir, "config.yaml", fullSettings, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings = %q, want none for mode 0600", cfg.Warnings)
	}
	vt := cfg.TI.Providers["virustotal"]
	want := ProviderSettings{Key: "env:VT_KEY", BaseURL: "https://vt-proxy.example/", RatePerMinute: 4, Burst: 1, Concurrency: 4, Timeout: 30 * time.Second, CacheTTL: 24 * time.Hour}
	if vt.Key != want.Key || vt.BaseURL != want.BaseURL || vt.RatePerMinute != 4 || vt.Burst != 1 || vt.Concurrency != 4 || vt.Timeout != want.Timeout || vt.CacheTTL != want.CacheTTL || vt.Disabled || vt.Paths != nil {
		t.Errorf("virustotal = %+v, want %+v", vt, want)
	}
	xf := cfg.TI.Providers["xforce"]
	if xf.Key != "keyring:xforce" || xf.APIID != Secret("file:"+filepath.Join(dir, "keys", "xforce-id")) {
		t.Errorf("xforce = %+v (a relative file: path is taken from the settings folder)", xf)
	}
	feed := cfg.TI.Providers["feed"]
	if !feed.Disabled || len(feed.Paths) != 3 || feed.Paths[0] != filepath.Join(home, "feeds") || feed.Paths[1] != filepath.Join(dir, "feeds", "local.csv") || feed.Paths[2] != "/abs/feed.csv" {
		t.Errorf("feed = %+v", feed)
	}
	if strings.Join(cfg.TI.Primary, ",") != "virustotal,otx,greynoise" || strings.Join(cfg.TI.Secondary, ",") != "xforce" {
		t.Errorf("scopes = %v %v", cfg.TI.Primary, cfg.TI.Secondary)
	}
	if cfg.Cache.Path != filepath.Join(dir, "cache", "lookups.db") || cfg.Cache.Disabled || cfg.CachePath() != cfg.Cache.Path {
		t.Errorf("cache = %+v", cfg.Cache)
	}
	g := cfg.GeoIP
	if g.CityDB != filepath.Join(home, "geo", "GeoLite2-City.mmdb") || g.ASNDB != filepath.Join(dir, "geo", "GeoLite2-ASN.mmdb") || g.Folder != "/var/geoip" ||
		g.AccountID != "env:MAXMIND_ACCOUNT" || g.LicenceKey != "keyring:maxmind" || g.IPStack.Key != "env:IPSTACK_KEY" || g.IPStack.BaseURL != "http://api.ipstack.com/" {
		t.Errorf("geoip = %+v", g)
	}
	if cfg.GeoIPCityDB() != g.CityDB || cfg.GeoIPASNDB() != g.ASNDB || cfg.GeoIPFolder() != "/var/geoip" {
		t.Errorf("geoip paths = %q %q %q", cfg.GeoIPCityDB(), cfg.GeoIPASNDB(), cfg.GeoIPFolder())
	}
	if cfg.Whois.Server != "https://rdap.example/" || cfg.Whois.BootstrapURL != "https://bootstrap.example/" {
		t.Errorf("whois = %+v", cfg.Whois)
	}
	if cfg.Limit != 10 {
		t.Errorf("limit = %d", cfg.Limit)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ body, want string }{
		{"ti:\n  primry: [vt]\n", "field primry not found"},
		{"ti:\n  providers:\n    virustotal:\n      apikey: x\n", "field apikey not found"},
		{"cache:\n  file: x\n", "field file not found"},
		{"geoip:\n  city: x\n", "field city not found"},
		{"geoip:\n  ipstack:\n    token: x\n", "field token not found"},
		{"whois:\n  host: x\n", "field host not found"},
		{"ti:\n  providers:\n    vt:\n      timeout: 30\n", "line 4: cannot unmarshal !!int (value hidden) into time.Duration (write durations like 30s"},
		{"ti:\n  providers:\n    vt:\n      timeout: soon\n", "line 4: cannot unmarshal !!str (value hidden) into time.Duration"},
		{"ti:\n  providers:\n    vt:\n      timeout: -5s\n", "ti.providers.vt.timeout must not be negative"},
		{"ti:\n  providers:\n    vt:\n      cache_ttl: -1h\n", "ti.providers.vt.cache_ttl must not be negative"},
		{"ti:\n  providers:\n    vt:\n      burst: -1\n", "ti.providers.vt.burst must not be negative"},
		{"ti:\n  providers:\n    vt:\n      concurrency: -2\n", "ti.providers.vt.concurrency must not be negative"},
		{"ti:\n  providers:\n    vt:\n      rate_per_minute: -0.5\n", "ti.providers.vt.rate_per_minute must not be negative"},
		{"ti:\n  providers:\n    vt:\n      rate_per_minute: .nan\n", "ti.providers.vt.rate_per_minute must not be negative"},
		{"ti:\n  providers:\n    vt:\n      base_url: ftp://x/\n", "ti.providers.vt.base_url: must be an http"},
		{"ti:\n  providers:\n    vt:\n      base_url: vt.example\n", "ti.providers.vt.base_url: must be an http"},
		{"ti:\n  providers:\n    vt:\n      base_url: \"https://\"\n", "names no host"},
		{"ti:\n  primary: [vt, \"\"]\n", "ti.primary: empty provider name"},
		{"whois:\n  server: \"rdap.example\"\n", "whois.server"},
		{"geoip:\n  ipstack:\n    base_url: \"::\"\n", "geoip.ipstack.base_url"},
		{"ti:\n  providers:\n    vt:\n      key: {env: X}\n", "cannot unmarshal"},
		{"ti:\n  providers:\n    virustotal: sekrit-key-value\n", "line 3: cannot unmarshal !!str (value hidden) into config.ProviderSettings"},
	} {
		p := writeSettings(t, dir, "c.yaml", tt.body, 0o600)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%q: err = %v, want one naming %s and %q", tt.body, err, p, tt.want)
		}
	}
}

func TestLoadModeWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("modes say nothing about readers on Windows")
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		mode os.FileMode
		want string
	}{
		{0o600, ""},
		{0o400, ""},
		{0o644, "can be read by other users (mode 0644); it may hold API keys: chmod 600 "},
		{0o640, "(mode 0640)"},
		{0o604, "(mode 0604)"},
	} {
		p := writeSettings(t, dir, "c.yaml", "limit: 1\n", tt.mode)
		cfg, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tt.want == "" && len(cfg.Warnings) != 0:
			t.Errorf("mode %04o: warnings %q, want none", tt.mode, cfg.Warnings)
		case tt.want != "" && (len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], tt.want) || !strings.HasPrefix(cfg.Warnings[0], "settings file "+p)):
			t.Errorf("mode %04o: warnings %q, want one with %q", tt.mode, cfg.Warnings, tt.want)
		}
	}
}

func TestLoadTooLarge(t *testing.T) {
	dir := t.TempDir()
	p := writeSettings(t, dir, "big.yaml", "# "+strings.Repeat("x", MaxSettingsSize)+"\n", 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: err = %v", err)
	}
}

func TestProviderKey(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "vt")
	os.WriteFile(keyFile, []byte("from-file\n"), 0o600)
	t.Setenv("VT_KEY", "from-settings-env")
	t.Setenv("QUARRY_VT_KEY", "from-environment")
	t.Setenv("QUARRY_OTX_KEY", "otx-environment")
	t.Setenv("QUARRY_XFORCE_ID", "xforce-id-environment")
	t.Setenv("QUARRY_GN_KEY", "")
	cfg := &Config{TI: TI{Providers: map[string]ProviderSettings{
		"virustotal": {Key: "env:VT_KEY"},
		"abuseipdb":  {Key: Secret("file:" + keyFile)},
		"VirusTotal": {Key: "ignored: exact names win"},
		"greynoise":  {Key: "env:QUARRY_TEST_UNSET_GN"},
		"xforce":     {Key: "xf-literal", APIID: ""},
		"urlhaus":    {Key: "keyring:absent"},
	}}}
	for _, tt := range []struct {
		name, env       string
		key, source     string
		wantErr         string
		id              bool
		idEnv           string
		wantID, idSrc   string
		wantNoProviders bool
	}{
		{name: "virustotal", env: "QUARRY_VT_KEY", key: "from-settings-env", source: "settings env:VT_KEY"},
		{name: "abuseipdb", env: "QUARRY_ABUSEIPDB_KEY", key: "from-file", source: "settings file:" + keyFile},
		{name: "otx", env: "QUARRY_OTX_KEY", key: "otx-environment", source: "environment QUARRY_OTX_KEY"},
		{name: "OTX", env: "", key: "", source: ""},
		{name: "tor", env: "", key: "", source: ""},
		{name: "greynoise", env: "QUARRY_GN_KEY", source: "settings env:QUARRY_TEST_UNSET_GN", wantErr: "ti.providers.greynoise.key: env:QUARRY_TEST_UNSET_GN: the environment variable QUARRY_TEST_UNSET_GN is not set"},
		{name: "xforce", env: "QUARRY_XFORCE_KEY", key: "xf-literal", source: "settings " + Redacted},
		{name: "urlhaus", env: "", source: "settings keyring:absent", wantErr: "ti.providers.urlhaus.key: keyring:absent: no secret"},
	} {
		key, src, err := cfg.ProviderKey(tt.name, tt.env)
		if key != tt.key || src != tt.source || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ProviderKey(%s) = %q, %q, %v; want %q, %q, %q", tt.name, key, src, err, tt.key, tt.source, tt.wantErr)
		}
	}
	id, src, err := cfg.ProviderID("xforce", "QUARRY_XFORCE_ID")
	if id != "xforce-id-environment" || src != "environment QUARRY_XFORCE_ID" || err != nil {
		t.Errorf("ProviderID = %q %q %v", id, src, err)
	}
	var none *Config
	if k, s, err := none.ProviderKey("virustotal", "QUARRY_VT_KEY"); k != "from-environment" || s != "environment QUARRY_VT_KEY" || err != nil {
		t.Errorf("nil config: %q %q %v", k, s, err)
	}
	// A case-insensitive match is found when there is no exact one.
	cfg2 := &Config{TI: TI{Providers: map[string]ProviderSettings{"VirusTotal": {Key: "env:VT_KEY"}}}}
	if k, s, _ := cfg2.ProviderKey("virustotal", "QUARRY_VT_KEY"); k != "from-settings-env" || s != "settings env:VT_KEY" {
		t.Errorf("case-insensitive: %q %q", k, s)
	}
}

func TestGeoIPDefaults(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	folder := filepath.Join(data, "quarry", "geoip")
	if DefaultGeoIPFolder() != folder {
		t.Fatalf("DefaultGeoIPFolder = %q, want %q", DefaultGeoIPFolder(), folder)
	}
	cfg := &Config{}
	if cfg.GeoIPCityDB() != "" || cfg.GeoIPASNDB() != "" {
		t.Errorf("no databases yet: %q %q", cfg.GeoIPCityDB(), cfg.GeoIPASNDB())
	}
	os.MkdirAll(folder, 0o700)
	os.WriteFile(filepath.Join(folder, CityDBName), []byte("x"), 0o600)
	if cfg.GeoIPCityDB() != filepath.Join(folder, CityDBName) || cfg.GeoIPASNDB() != "" {
		t.Errorf("city only: %q %q", cfg.GeoIPCityDB(), cfg.GeoIPASNDB())
	}
	if runtime.GOOS != "windows" {
		t.Setenv("XDG_DATA_HOME", "")
		t.Setenv("HOME", data)
		if DefaultGeoIPFolder() != filepath.Join(data, ".local", "share", "quarry", "geoip") {
			t.Errorf("no XDG_DATA_HOME: %q", DefaultGeoIPFolder())
		}
	}
	t.Setenv("QUARRY_MAXMIND_ACCOUNT_ID", "4242")
	if v, s, err := cfg.GeoIPAccountID(); v != "4242" || s != "environment QUARRY_MAXMIND_ACCOUNT_ID" || err != nil {
		t.Errorf("account = %q %q %v", v, s, err)
	}
}
