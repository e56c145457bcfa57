package greynoise

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
)

// fuzzStatuses are the statuses ti.Send hands to interpret.
var fuzzStatuses = []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound}

func FuzzInterpret(f *testing.F) {
	for _, b := range []string{benign, malicious, riot, `{}`, `{"code": "0x07"}`, `{"code": 7, "ip": "x"}`, `{"link": "https://viz.greynoise.io/\u0000"}`} {
		f.Add(uint8(0), []byte(b))
	}
	f.Add(uint8(1), []byte(invalid))
	f.Add(uint8(2), []byte(notObserved))
	f.Fuzz(func(t *testing.T, st uint8, body []byte) {
		status := fuzzStatuses[int(st)%len(fuzzStatuses)]
		r := ti.Scrub(interpret(ti.NewResult(Name, "192.0.2.1", "ipv4"), status, body), testKey)
		if r.Status < ti.StatusOK || r.Status > ti.StatusError || r.Severity < ti.SevUnknown || r.Severity > ti.SevHigh {
			t.Fatalf("status %d severity %d", r.Status, r.Severity)
		}
		if r.Found != (r.Status == ti.StatusOK) || (r.Status != ti.StatusOK && r.Reason == "") {
			t.Fatalf("found %v, status %v, reason %q", r.Found, r.Status, r.Reason)
		}
		if utf8.RuneCountInString(r.Reason) > ti.MaxReason+1 {
			t.Fatalf("reason of %d runes", utf8.RuneCountInString(r.Reason))
		}
		if r.Reference != "" && (!strings.HasPrefix(r.Reference, vizBase) || strings.ContainsAny(r.Reference, " \x00\x1b\n")) {
			t.Fatalf("reference %q", r.Reference)
		}
		for k, v := range r.Details {
			if s, ok := v.(string); ok && (utf8.RuneCountInString(s) > ti.MaxText+1 || strings.ContainsAny(s, "\x00\x1b\n")) {
				t.Fatalf("%s = %q", k, s)
			}
		}
	})
}

func BenchmarkParseGreyNoise(b *testing.B) {
	body := []byte(malicious)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := interpret(ti.NewResult(Name, "45.83.66.10", "ipv4"), http.StatusOK, body); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkLookupGreyNoise(b *testing.B) {
	srv, _ := titest.Serve(b, titest.Reply{Body: malicious})
	p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(httpx.Options{Concurrency: 8})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "45.83.66.10", "ipv4"); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}
