package config

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	p := writeSettingsB(b, fullSettings)
	b.SetBytes(int64(len(fullSettings)))
	for b.Loop() {
		if _, err := Load(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProviderKey(b *testing.B) {
	b.Setenv("BENCH_VT", "value")
	cfg := &Config{TI: TI{Providers: map[string]ProviderSettings{"virustotal": {Key: "env:BENCH_VT"}}}}
	for b.Loop() {
		if k, _, err := cfg.ProviderKey("virustotal", "QUARRY_VT_KEY"); k != "value" || err != nil {
			b.Fatal(k, err)
		}
	}
}

func BenchmarkImportMsticpy(b *testing.B) {
	body, err := os.ReadFile("testdata/msticpyconfig.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := ImportMsticpy(strings.NewReader(string(body))); err != nil {
			b.Fatal(err)
		}
	}
}

func writeSettingsB(b *testing.B, body string) string {
	b.Helper()
	p := b.TempDir() + "/config.yaml"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}
