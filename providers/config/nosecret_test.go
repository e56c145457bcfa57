package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
	"gopkg.in/yaml.v3"
)

// TestNoSecretInOutput resolves real secrets from every source and greps
// everything the package prints, reports or returns for them.
func TestNoSecretInOutput(t *testing.T) {
	clearProviderEnv(t)
	secrets := map[string]string{
		"env":      "SECRET-env-7f3a9c",
		"file":     "SECRET-file-b81d20",
		"keyring":  "SECRET-keyring-44e1aa",
		"literal":  "SECRET-literal-0c9e5f",
		"fallback": "SECRET-fallback-d2d2d2",
		"ipstack":  "SECRET-ipstack-9a9a9a",
		"maxmind":  "SECRET-maxmind-123abc",
		"xfid":     "SECRET-xfid-e5e5e5",
	}
	// A token in a URL setting is shown by Check and ForDisplay, which hide it,
	// but not by the plain printers (a URL is no Secret).
	const urlToken = "URLTOKEN-5b5b5b"
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("NS_VT", secrets["env"])
	t.Setenv("QUARRY_OTX_KEY", secrets["fallback"])
	t.Setenv("NS_IPSTACK", secrets["ipstack"])
	keyFile := filepath.Join(dir, "keys", "abuse")
	os.MkdirAll(filepath.Dir(keyFile), 0o700)
	os.WriteFile(keyFile, []byte(secrets["file"]+"\n"+"SECRET-second-line-ffff\n"), 0o644)
	keyring.MockInit()
	keyring.Set(KeyringService, "gn", secrets["keyring"])
	keyring.Set(KeyringService, "maxmind", secrets["maxmind"])
	keyring.Set(KeyringService, "xfid", secrets["xfid"])
	body := fmt.Sprintf(`
ti:
  primary: [virustotal, otx]
  providers:
    virustotal: {key: env:NS_VT, base_url: "https://u:%[2]s@proxy.example/?k=%[2]s#%[2]s"}
    abuseipdb: {key: file:keys/abuse}
    greynoise: {key: keyring:gn}
    xforce: {key: %[1]s, api_id: keyring:xfid}
geoip:
  licence_key: keyring:maxmind
  account_id: %[1]s
  ipstack: {key: env:NS_IPSTACK}
whois:
  server: "https://rdap.example/?token=%[2]s"
  bootstrap_url: "https://%[2]s:%[2]s@bootstrap.example/"
`, secrets["literal"], urlToken)
	path := writeSettings(t, dir, "config.yaml", body, 0o644)
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(what string, v ...any) {
		for _, x := range v {
			switch x := x.(type) {
			case error:
				if x != nil {
					out = append(out, what+": "+x.Error())
				}
			case string:
				out = append(out, what+": "+x)
			case []byte:
				out = append(out, what+": "+string(x))
			default:
				out = append(out, fmt.Sprintf("%s: %v|%+v|%#v", what, x, x, x))
			}
		}
	}
	// The values must be reachable, or the grep proves nothing.
	resolved := map[string]string{}
	for _, p := range registry {
		k, src, err := cfg.ProviderKey(p.Name, p.KeyEnv)
		resolved[p.Name] = k
		add("ProviderKey "+p.Name, src, err)
		id, src, err := cfg.ProviderID(p.Name, p.IDEnv)
		resolved[p.Name+".id"] = id
		add("ProviderID "+p.Name, src, err)
	}
	for _, f := range []func() (string, string, error){cfg.GeoIPAccountID, cfg.GeoIPLicenceKey, cfg.IPStackKey} {
		v, src, err := f()
		resolved[v] = v
		add("geoip", src, err)
	}
	for name, want := range map[string]string{"virustotal": secrets["env"], "abuseipdb": secrets["file"], "greynoise": secrets["keyring"], "xforce": secrets["literal"], "otx": secrets["fallback"], "xforce.id": secrets["xfid"]} {
		if resolved[name] != want {
			t.Fatalf("%s resolved to %q, want the secret", name, resolved[name])
		}
	}
	for _, s := range []string{secrets["maxmind"], secrets["ipstack"], secrets["literal"]} {
		if resolved[s] != s {
			t.Fatalf("a GeoIP secret did not resolve")
		}
	}
	for _, it := range Check(cfg, registry) {
		add("Check", it.Area, it.Name, it.State, it.Detail, it)
	}
	add("Warnings", strings.Join(cfg.Warnings, "\n"))
	red := cfg.ForDisplay()
	add("ForDisplay", red, *red, red.TI, red.GeoIP, red.Whois)
	y, err := yaml.Marshal(red)
	add("ForDisplay yaml", y, err)
	j, err := json.Marshal(red)
	add("ForDisplay json", j, err)
	if red.TI.Providers["virustotal"].BaseURL != "https://proxy.example/ (credentials or query hidden)" || red.Whois.BootstrapURL != "https://bootstrap.example/ (credentials or query hidden)" {
		t.Errorf("ForDisplay = %+v", red)
	}
	if !strings.Contains(cfg.TI.Providers["virustotal"].BaseURL, urlToken) {
		t.Errorf("ForDisplay changed the original: %q", cfg.TI.Providers["virustotal"].BaseURL)
	}
	urlSafe := len(out)
	y, err = yaml.Marshal(cfg)
	add("yaml", y, err)
	j, err = json.Marshal(cfg)
	add("json", j, err)
	add("Config", cfg, *cfg, cfg.TI, cfg.GeoIP)

	// Errors: unresolvable references, a key written where a value of another
	// type belongs, a malformed msticpy file around a literal key.
	for _, b := range []string{
		"ti:\n  providers:\n    virustotal: " + secrets["literal"] + "\n",
		"ti:\n  providers:\n    virustotal:\n      burst: " + secrets["literal"] + "\n",
		"ti:\n  providers:\n    virustotal:\n      timeout: " + secrets["literal"] + "\n",
		"geoip:\n  ipstack: " + secrets["literal"] + "\n",
		"ti:\n  primary: " + secrets["literal"] + "\n",
		"ti:\n  providers:\n    virustotal:\n      base_url: \"https://x/%zz" + secrets["literal"] + "\"\n",
		"ti:\n  providers:\n    virustotal:\n      base_url: \"ftp://" + secrets["literal"] + "\"\n",
	} {
		_, err := Load(writeSettings(t, dir, "bad.yaml", b, 0o600))
		if err == nil {
			t.Errorf("%q loaded", b)
		}
		add("Load error", err)
	}
	keyring.MockInitWithError(errors.New("dbus: no session bus"))
	for _, s := range []Secret{"keyring:gn", "env:NS_UNSET", Secret("file:" + filepath.Join(dir, "nope"))} {
		_, err := s.Resolve()
		add("Resolve", err)
	}
	keyring.MockInit()
	_, notes, err := ImportMsticpy(strings.NewReader("TIProviders:\n  V:\n    Provider: VirusTotal\n    Args:\n      AuthKey: " + secrets["literal"] + "\n      ApiID: [" + secrets["literal"] + "]\nOtherProviders:\n  IPStack:\n    Args:\n      AuthKey: " + secrets["literal"] + "\n"))
	add("Import", strings.Join(notes, "\n"), err)
	_, _, err = ImportMsticpy(strings.NewReader("TIProviders:\n  V:\n    Args: {AuthKey: " + secrets["literal"] + "\n"))
	add("Import error", err)

	if len(out) < 40 {
		t.Fatalf("only %d outputs collected", len(out))
	}
	for i, o := range out {
		if i < urlSafe && strings.Contains(o, urlToken[:8]) {
			t.Errorf("a URL token shows in %s", o)
		}
		for kind, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("the %s secret shows in %s", kind, o)
			}
		}
		// Every secret starts SECRET-: even a cut one (yaml.v3 quotes the first
		// seven characters of a value it cannot decode) must not show.
		if strings.Contains(o, "SECRET") {
			t.Errorf("part of a secret shows in %s", o)
		}
	}
}
