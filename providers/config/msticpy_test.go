package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func importFixture(t *testing.T) (*Config, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "msticpyconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, notes, err := ImportMsticpy(f)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, notes
}

func TestImportMsticpy(t *testing.T) {
	cfg, notes := importFixture(t)
	if got := strings.Join(cfg.TI.Primary, ","); got != "otx,virustotal,greynoise,tor" {
		t.Errorf("primary = %s", got)
	}
	if got := strings.Join(cfg.TI.Secondary, ","); got != "xforce,abuseipdb" {
		t.Errorf("secondary = %s", got)
	}
	wantProviders := map[string]ProviderSettings{
		"otx":        {Key: "env:OTX_AUTH"},
		"virustotal": {Key: "vt-literal-FAKE-4c1d9e"},
		"xforce":     {Key: "env:XFORCE_AUTH"},
		"abuseipdb":  {Key: "abuse-literal-FAKE-77aa"},
	}
	if !reflect.DeepEqual(cfg.TI.Providers, wantProviders) {
		t.Errorf("providers = %#v\nwant %#v", cfg.TI.Providers, wantProviders)
	}
	wantGeo := GeoIP{AccountID: "123456", LicenceKey: "env:MAXMIND_AUTH", Folder: "~/.msticpy"}
	if !reflect.DeepEqual(cfg.GeoIP, wantGeo) {
		t.Errorf("geoip = %#v, want %#v", cfg.GeoIP, wantGeo)
	}
	if cfg.Limit != 0 || cfg.QueryPaths != nil || cfg.Workspace != "" || cfg.Cache != (Cache{}) || cfg.Whois != (Whois{}) {
		t.Errorf("other settings were filled: %+v", cfg)
	}
	wantNotes := []string{
		"TIProviders.VirusTotal.Args.AuthKey is written in the file itself; copied to ti.providers.virustotal.key as is: better store it with env:NAME or keyring:NAME",
		"TIProviders.XForce.Args.ApiID is kept in Azure Key Vault, which Quarry does not support yet; ti.providers.xforce.api_id left unset: store the key in the system keyring and set keyring:NAME",
		"TIProviders.AbuseIPDB.Args.AuthKey is written in the file itself; copied to ti.providers.abuseipdb.key as is: better store it with env:NAME or keyring:NAME",
		"TIProviders.AbuseIPDB.Args.UseProxies has no Quarry equivalent; ignored",
		"msticpy provider OPR (OpenPageRank) has no Quarry equivalent; skipped",
		"msticpy provider RiskIQ (RiskIQ) has no Quarry equivalent; skipped",
		"OtherProviders.IPStack.Args.AuthKey is kept in Azure Key Vault, which Quarry does not support yet; geoip.ipstack.key left unset: store the key in the system keyring and set keyring:NAME",
		"sections not imported (Quarry has no equivalent or sets them elsewhere): AzureSentinel, QueryDefinitions, KeyVault, msticpy",
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}
	for _, n := range notes {
		if strings.Contains(n, "FAKE") {
			t.Errorf("note shows a key: %s", n)
		}
	}
}

func TestImportMsticpyForms(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		check      func(*Config) bool
		note       string
		err        string
	}{
		{name: "malformed", body: "TIProviders:\n  OTX:\n    Args: [\n", err: "msticpy settings: yaml: line "},
		{name: "tabs", body: "TIProviders:\n\tOTX: x\n", err: "line 2"},
		{name: "empty", body: "", err: "empty"},
		{name: "scalar", body: "just text\n", err: "line 1: the top level is not a mapping"},
		{name: "no sections", body: "AzureSentinel: {}\n", err: "no TIProviders or OtherProviders"},
		{name: "case-insensitive class", body: "TIProviders:\n  gn:\n    Provider: GREYNOISE\n    Primary: true\n",
			check: func(c *Config) bool {
				return reflect.DeepEqual(c.TI.Primary, []string{"greynoise"}) && c.TI.Providers == nil
			}},
		{name: "no Primary is secondary", body: "TIProviders:\n  T:\n    Provider: Tor\n",
			check: func(c *Config) bool { return reflect.DeepEqual(c.TI.Secondary, []string{"tor"}) }},
		{name: "bad Primary", body: "TIProviders:\n  T:\n    Provider: Tor\n    Primary: [x]\n", note: "TIProviders.T.Primary (line 4) is not true or false; taken as false",
			check: func(c *Config) bool { return reflect.DeepEqual(c.TI.Secondary, []string{"tor"}) }},
		{name: "duplicate", body: "TIProviders:\n  A:\n    Provider: OTX\n    Primary: true\n  B:\n    Provider: otx\n", note: "TIProviders.B: a second otx entry (the first is TIProviders.A); skipped",
			check: func(c *Config) bool { return len(c.TI.Primary) == 1 && c.TI.Secondary == nil }},
		{name: "no Provider", body: "TIProviders:\n  A:\n    Primary: true\n", note: "TIProviders.A has no Provider; skipped"},
		{name: "ApiID env", body: "TIProviders:\n  XF:\n    Provider: XForce\n    Args:\n      ApiID: {EnvironmentVar: XF_ID}\n      AuthKey: {EnvironmentVar: XF_KEY}\n",
			check: func(c *Config) bool {
				return reflect.DeepEqual(c.TI.Providers["xforce"], ProviderSettings{Key: "env:XF_KEY", APIID: "env:XF_ID"})
			}},
		{name: "odd secret form", body: "TIProviders:\n  V:\n    Provider: VirusTotal\n    Args:\n      AuthKey: [a, b]\n", note: "TIProviders.V.Args.AuthKey (line 5) is in a form Quarry does not know; ti.providers.virustotal.key left unset"},
		{name: "empty env var", body: "TIProviders:\n  V:\n    Provider: VirusTotal\n    Args:\n      AuthKey: {EnvironmentVar: \"\"}\n", note: "names no usable variable"},
		{name: "reference-looking literal", body: "TIProviders:\n  V:\n    Provider: VirusTotal\n    Args:\n      AuthKey: env:VT\n", note: "looks like a Quarry reference (env:VT); kept as one"},
		{name: "anchors", body: "x: &k {EnvironmentVar: SHARED}\nTIProviders:\n  V:\n    Provider: VirusTotal\n    Args: {AuthKey: *k}\n",
			check: func(c *Config) bool { return c.TI.Providers["virustotal"].Key == "env:SHARED" }},
		{name: "geoip at entry level", body: "OtherProviders:\n  GeoIPLite:\n    AccountID: {EnvironmentVar: MM_ACCT}\n    AuthKey: keyring-ish\n    DBFolder: /srv/geo\n",
			check: func(c *Config) bool {
				return c.GeoIP == GeoIP{AccountID: "env:MM_ACCT", LicenceKey: "keyring-ish", Folder: "/srv/geo"}
			}},
		{name: "other provider", body: "OtherProviders:\n  Whatever:\n    Provider: SomeLookup\n", note: "msticpy provider SomeLookup (Whatever) has no Quarry equivalent; skipped"},
		{name: "not mappings", body: "TIProviders: [a]\nOtherProviders: 3\n", note: "OtherProviders (line 2) is not a mapping; skipped"},
		{name: "null sections", body: "TIProviders:\nOtherProviders:\n", check: func(c *Config) bool { return reflect.DeepEqual(c, &Config{}) }},
	} {
		cfg, notes, err := ImportMsticpy(strings.NewReader(tt.body))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.check != nil && !tt.check(cfg) {
			t.Errorf("%s: cfg = %+v", tt.name, cfg)
		}
		if tt.note != "" && !strings.Contains(strings.Join(notes, "\n"), tt.note) {
			t.Errorf("%s: notes %q, want %q", tt.name, notes, tt.note)
		}
	}
	big := strings.NewReader("TIProviders: {}\n#" + strings.Repeat("x", MaxSettingsSize))
	if _, _, err := ImportMsticpy(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big: %v", err)
	}
}

// TestImportRoundTrip writes the imported settings and reads them back.
func TestImportRoundTrip(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cfg, _ := importFixture(t)
	cfg.TI.Providers["virustotal"] = ProviderSettings{Key: cfg.TI.Providers["virustotal"].Key, Timeout: 90_000_000_000, CacheTTL: 36e11, RatePerMinute: 0.5, Paths: []string{"/abs/feed"}}
	cfg.TI.Providers["numeric"] = ProviderSettings{Key: "12345", APIID: "true"}
	b, err := cfg.MarshalSettings()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"vt-literal-FAKE-4c1d9e", "timeout: 1m30s", "cache_ttl: 1h0m0s", "folder: ~/.msticpy", `key: "12345"`, `api_id: "true"`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("settings lack %q:\n%s", s, b)
		}
	}
	if strings.Contains(string(b), Redacted) {
		t.Errorf("MarshalSettings redacted a key:\n%s", b)
	}
	dir := t.TempDir()
	path := writeSettings(t, dir, "config.yaml", string(b), 0o600)
	back, err := Load(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	want := *cfg
	want.GeoIP.Folder = filepath.Join(home, ".msticpy")
	want.Path = path
	if !reflect.DeepEqual(back, &want) {
		t.Errorf("read back %#v\nwant %#v\n%s", back, &want, b)
	}
	// A second write of what was read is the same file, but for the folder
	// (now absolute).
	again, _ := back.MarshalSettings()
	if strings.Replace(string(b), "~/.msticpy", filepath.Join(home, ".msticpy"), 1) != string(again) {
		t.Errorf("second write differs:\n%s\n---\n%s", b, again)
	}
}

func TestMarshalSettingsEveryField(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Load(writeSettings(t, dir, "config.yaml", fullSettings+"ui:\n  theme: light\nprocess_trees:\n  rules: /r.yaml\nquery_paths: [/q]\nworkspace: /ws\npersist: /p.duckdb\nprovider: local\n", 0o600))
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.MarshalSettings()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Load(writeSettings(t, dir, "again.yaml", string(b), 0o600))
	if err != nil {
		t.Fatal(err)
	}
	back.Path = cfg.Path
	if !reflect.DeepEqual(back, cfg) {
		t.Errorf("read back %#v\nwant %#v", back, cfg)
	}
	var none *Config
	if _, err := none.MarshalSettings(); err == nil {
		t.Error("nil config: no error")
	}
}
