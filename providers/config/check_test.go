package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// registry is a registry-like provider list for the tests.
var registry = []ProviderInfo{
	{Name: "virustotal", KeyEnv: "QUARRY_VT_KEY", NeedsKey: true, Aliases: []string{"vt"}},
	{Name: "otx", KeyEnv: "QUARRY_OTX_KEY", NeedsKey: true},
	{Name: "greynoise", KeyEnv: "QUARRY_GN_KEY", Aliases: []string{"gn"}},
	{Name: "xforce", KeyEnv: "QUARRY_XFORCE_KEY", IDEnv: "QUARRY_XFORCE_ID", NeedsKey: true, Aliases: []string{"xf"}},
	{Name: "abuseipdb", KeyEnv: "QUARRY_ABUSEIPDB_KEY", NeedsKey: true},
	{Name: "tor"},
	{Name: "urlhaus"},
}

// clearProviderEnv unsets the registry's variables for the test.
func clearProviderEnv(t *testing.T) {
	for _, v := range []string{"QUARRY_VT_KEY", "QUARRY_OTX_KEY", "QUARRY_GN_KEY", "QUARRY_XFORCE_KEY", "QUARRY_XFORCE_ID", "QUARRY_ABUSEIPDB_KEY", MaxMindAccountEnv, MaxMindLicenceEnv, IPStackKeyEnv} {
		t.Setenv(v, "")
	}
}

// fakeMMDB writes a file that ends with MaxMind metadata.
func fakeMMDB(t *testing.T, path string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte("data\x00\x00"+mmdbMarker+"metadata"), 0o600); err != nil {
		t.Fatal(err)
	}
}

type wantItem struct{ area, name, state, detail string }

func TestCheck(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	clearProviderEnv(t)
	dir := t.TempDir()
	t.Setenv("CHECK_VT", "vt-env-value")
	keyring.MockInit()
	keyring.Set(KeyringService, "gn", "gn-keyring-value")
	os.WriteFile(filepath.Join(dir, "xf.key"), []byte("xf-file-value\n"), 0o644)
	os.Chmod(filepath.Join(dir, "xf.key"), 0o644)
	fakeMMDB(t, filepath.Join(dir, "geo", CityDBName))
	path := writeSettings(t, dir, "config.yaml", `
ti:
  primary: [vt, otx, virustotl, urlhaus]
  secondary: [xforce, abuseipdb]
  providers:
    virustotal: {key: env:CHECK_VT, base_url: "https://proxy.example/vt?token=hidden-token"}
    otx: {key: env:CHECK_UNSET_VAR}
    xforce: {key: file:xf.key}
    abuseipdb: {key: literal-abuse-value}
    urlhaus: {disabled: true, paths: [missing-feed.csv]}
    greynoise: {key: keyring:gn}
    vt: {}
    virustotl: {}
geoip:
  folder: geo
  account_id: "12345"
  licence_key: keyring:maxmind-missing
cache:
  path: cache/lookups.db
whois:
  server: "https://user:pw@rdap.example/?token=abc"
`, 0o644)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := Check(cfg, registry)
	want := []wantItem{
		{"settings", "file", StateWarning, "can be read by other users (mode 0644)"},
		{"ti", "virustotal", StateSet, "key from settings env:CHECK_VT; base_url https://proxy.example/vt (credentials or query hidden)"},
		{"ti", "otx", StateInvalid, "ti.providers.otx.key: env:CHECK_UNSET_VAR: the environment variable CHECK_UNSET_VAR is not set"},
		{"ti", "greynoise", StateSet, "key from settings keyring:gn"},
		{"ti", "xforce", StateMissing, "key from settings file:" + filepath.Join(dir, "xf.key") + "; no api_id: set ti.providers.xforce.api_id or the environment variable QUARRY_XFORCE_ID"},
		{"ti", "abuseipdb", StateSet, "key from settings " + Redacted},
		{"ti", "tor", StateSet, "no key needed"},
		{"ti", "urlhaus", StateOff, "disabled in the settings (ti.providers.urlhaus.disabled)"},
		{"ti", "urlhaus.paths", StateWarning, filepath.Join(dir, "missing-feed.csv")},
		{"ti", "ti.providers.abuseipdb.key", StateWarning, "the key is written in the settings file; move it to env:NAME, file:PATH or keyring:NAME"},
		{"ti", "ti.providers.virustotl", StateInvalid, "unknown provider virustotl; did you mean virustotal?"},
		{"ti", "ti.providers.vt", StateInvalid, "vt is an alias: ti.providers uses the provider's name, virustotal"},
		{"ti", "ti.providers.xforce.key", StateWarning, "key file " + filepath.Join(dir, "xf.key") + " can be read by other users (mode 0644): chmod 600"},
		{"ti", "ti.primary", StateInvalid, "unknown provider virustotl; did you mean virustotal?"},
		{"ti", "ti.primary", StateWarning, "urlhaus is listed but disabled"},
		{"ti", "ti.secondary", StateSet, "xforce, abuseipdb"},
		{"geoip", "city_db", StateSet, filepath.Join(dir, "geo", CityDBName)},
		{"geoip", "asn_db", StateMissing, "no GeoLite2-ASN.mmdb in " + filepath.Join(dir, "geo") + ": run `quarry geoip update`"},
		{"geoip", "account_id", StateSet, "from settings " + Redacted},
		{"geoip", "licence_key", StateInvalid, "geoip.licence_key: keyring:maxmind-missing: no secret"},
		{"geoip", "ipstack.key", StateOff, "QUARRY_IPSTACK_KEY"},
		{"cache", "path", StateSet, filepath.Join(dir, "cache", "lookups.db") + " (created on first use)"},
		{"whois", "server", StateSet, "RDAP server https://rdap.example/ (credentials or query hidden)"},
	}
	assertItems(t, got, want)
	if _, err := os.Stat(filepath.Join(dir, "cache")); err == nil {
		t.Error("Check created the cache folder")
	}
}

func TestCheckStates(t *testing.T) {
	clearProviderEnv(t)
	dir := t.TempDir()
	notMMDB := filepath.Join(dir, "city.mmdb")
	os.WriteFile(notMMDB, []byte("not a database"), 0o600)
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	t.Setenv("QUARRY_XFORCE_KEY", "xf-key-env")
	t.Setenv("QUARRY_XFORCE_ID", "xf-id-env")
	t.Setenv(IPStackKeyEnv, "ipstack-env")
	t.Setenv("XDG_DATA_HOME", dir)
	cfg := &Config{
		Cache: Cache{Path: filepath.Join(blocker, "lookups.db")},
		GeoIP: GeoIP{CityDB: notMMDB, ASNDB: filepath.Join(dir, "nope.mmdb")},
		TI:    TI{Providers: map[string]ProviderSettings{"virustotal": {Disabled: true}}},
	}
	got := Check(cfg, registry[:4])
	want := []wantItem{
		{"settings", "file", StateOff, "no settings file"},
		{"ti", "virustotal", StateOff, "disabled"},
		{"ti", "otx", StateMissing, "no key: set ti.providers.otx.key (env:NAME, file:PATH or keyring:NAME) or the environment variable QUARRY_OTX_KEY"},
		{"ti", "greynoise", StateSet, "no key (optional: set ti.providers.greynoise.key (env:NAME, file:PATH or keyring:NAME) or the environment variable QUARRY_GN_KEY)"},
		{"ti", "xforce", StateSet, "key from environment QUARRY_XFORCE_KEY; api_id from environment QUARRY_XFORCE_ID"},
		{"ti", "ti.primary", StateOff, "not set"},
		{"ti", "ti.secondary", StateOff, "not set"},
		{"geoip", "city_db", StateInvalid, notMMDB + " is not a MaxMind database (geoip.city_db)"},
		{"geoip", "asn_db", StateInvalid, "no such file"},
		{"geoip", "account_id", StateMissing, "needed by `quarry geoip update`"},
		{"geoip", "licence_key", StateMissing, "QUARRY_MAXMIND_LICENCE_KEY"},
		{"geoip", "ipstack.key", StateSet, "from environment QUARRY_IPSTACK_KEY"},
		{"cache", "path", StateInvalid, "is not a folder"},
		{"whois", "server", StateSet, "IANA's RDAP bootstrap"},
	}
	assertItems(t, got, want)

	// The cache: disabled, an existing file, a folder in its place.
	existingDB := filepath.Join(dir, "lookups.db")
	os.WriteFile(existingDB, nil, 0o600)
	for _, tt := range []struct {
		cache Cache
		state string
		want  string
	}{
		{Cache{Disabled: true, Path: blocker}, StateOff, "disabled"},
		{Cache{Path: existingDB}, StateSet, existingDB},
		{Cache{Path: dir}, StateInvalid, "it is a folder"},
	} {
		it := checkCache(&Config{Cache: tt.cache})
		if it.State != tt.state || !strings.Contains(it.Detail, tt.want) {
			t.Errorf("cache %+v: %+v, want %s %q", tt.cache, it, tt.state, tt.want)
		}
	}
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		it := checkCache(&Config{Cache: Cache{Path: filepath.Join(ro, "sub", "lookups.db")}})
		if it.State != StateInvalid || !strings.Contains(it.Detail, "cannot create files in "+ro) {
			t.Errorf("read-only folder: %+v", it)
		}
	}
}

func TestCheckNoKnown(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := &Config{TI: TI{Primary: []string{"anything"}, Providers: map[string]ProviderSettings{"whatever": {}}}}
	for _, it := range Check(cfg, nil) {
		if it.Area == "ti" && it.State == StateInvalid {
			t.Errorf("no registry given, yet %+v", it)
		}
	}
}

func TestNearest(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"virustotl", "unknown provider virustotl; did you mean virustotal?"},
		{"VirusTotall", "unknown provider VirusTotall; did you mean virustotal?"},
		{"greynose", "did you mean greynoise?"},
		{"xfroce", "did you mean xforce?"},
		{"shodan", "unknown provider shodan; known: virustotal, otx, greynoise, xforce, abuseipdb, tor, urlhaus"},
		{"GN", "GN is an alias: ti.providers uses the provider's name, greynoise"},
	} {
		canon, _ := lookupProvider(tt.name, registry)
		if got := unknownDetail(tt.name, canon, registry); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// assertItems compares Check's items with want, in order.
func assertItems(t *testing.T, got []CheckItem, want []wantItem) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("item %d missing: want %+v", i, want[i])
		case i >= len(want):
			t.Errorf("item %d extra: %+v", i, got[i])
		default:
			g, w := got[i], want[i]
			if g.Area != w.area || g.Name != w.name || g.State != w.state || !strings.Contains(g.Detail, w.detail) {
				t.Errorf("item %d = %+v\n     want %s/%s %s %q", i, g, w.area, w.name, w.state, w.detail)
			}
		}
	}
}
