package abuseipdb

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
)

func FuzzInterpret(f *testing.F) {
	for _, b := range []string{highScore, lowScore, clean0, `{}`, `{"data": null}`, dailyLimit, `{"data": {"hostnames": ["\u001b[2J", ""], "lastReportedAt": "9999-12-31T23:59:59-23:59"}}`} {
		f.Add(false, []byte(b))
	}
	f.Add(true, []byte(unprocessable))
	f.Fuzz(func(t *testing.T, bad bool, body []byte) {
		status := http.StatusOK
		if bad {
			status = http.StatusUnprocessableEntity
		}
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
		for k, v := range r.Details {
			switch x := v.(type) {
			case string:
				if utf8.RuneCountInString(x) > ti.MaxText+1 || strings.ContainsAny(x, "\x00\x1b\n") {
					t.Fatalf("%s = %q", k, x)
				}
			case []string:
				if len(x) > ti.MaxItems {
					t.Fatalf("%s has %d entries", k, len(x))
				}
			}
		}
	})
}

// verboseBody is a verbose answer for a busy address: 200 reports.
func verboseBody() []byte {
	var b strings.Builder
	b.WriteString(strings.SplitN(highScore, `"reports": [`, 2)[0])
	b.WriteString(`"reports": [`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"reportedAt": "2024-01-%02dT10:00:00+00:00", "comment": "Failed password for root from 118.25.6.39 port %d ssh2", "categories": [18, 22], "reporterId": %d, "reporterCountryCode": "US", "reporterCountryName": "United States"}`, i%28+1, 40000+i, i)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func BenchmarkParseAbuseIPDB(b *testing.B) {
	body := verboseBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := interpret(ti.NewResult(Name, "118.25.6.39", "ipv4"), http.StatusOK, body); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkLookupAbuseIPDB(b *testing.B) {
	body := verboseBody()
	srv, _ := titest.Serve(b, titest.Reply{Body: string(body)})
	p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(httpx.Options{Concurrency: 8})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "118.25.6.39", "ipv4"); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}
