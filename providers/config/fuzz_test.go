package config

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the settings parser (Load's work after
// reading the file): it must not panic,
// and whatever it accepts must write back to settings it accepts again.
func FuzzLoad(f *testing.F) {
	// Small seeds: the minimizer spends its whole minute on a large one.
	f.Add([]byte("ti: {primary: [vt], providers: {vt: {key: env:K, timeout: 30s, paths: [a]}}}\n"))
	f.Add([]byte("geoip: {city_db: ~/c, ipstack: {key: k, base_url: 'http://h/'}}\nwhois: {server: 'https://r/'}\n"))
	f.Add([]byte("limit: 5\nui: {fps: 30, zone: UTC}\ncache: {path: c.db}\n"))
	f.Add([]byte("ti:\n  providers:\n    vt: {timeout: 1s, key: &a env:X, api_id: *a}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := parse(b, "/base")
		if err != nil {
			return
		}
		out, err := cfg.MarshalSettings()
		if err != nil {
			t.Fatalf("accepted settings do not marshal: %v", err)
		}
		if _, err := parse(out, "/base"); err != nil {
			t.Fatalf("written settings do not load: %v\n%s", err, out)
		}
	})
}

// FuzzImportMsticpy feeds arbitrary bytes to the msticpy importer: no panic,
// and what it imports writes settings that load.
func FuzzImportMsticpy(f *testing.F) {
	// Small seeds (not the fixture): the minimizer spends its whole minute on a large one.
	f.Add([]byte("TIProviders:\n  V: {Provider: VirusTotal, Primary: true, Args: {AuthKey: {EnvironmentVar: X}}}\n"))
	f.Add([]byte("OtherProviders:\n  GeoIPLite: {Args: {AccountID: 1, AuthKey: {KeyVault: }, DBFolder: ~/x}}\n"))
	f.Add([]byte("TIProviders: &a {x: *a}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, notes, err := ImportMsticpy(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, n := range notes {
			if strings.TrimSpace(n) == "" {
				t.Fatal("an empty note")
			}
		}
		out, err := cfg.MarshalSettings()
		if err != nil {
			t.Fatalf("imported settings do not marshal: %v", err)
		}
		if _, err := parse(out, "/base"); err != nil {
			t.Fatalf("imported settings do not load: %v\n%s", err, out)
		}
	})
}
