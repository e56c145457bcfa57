package otx

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
)

func FuzzInterpret(f *testing.F) {
	for _, b := range []string{twoPulses, onePulse, noPulses, `{}`, `{"pulse_info": {"count": -3, "pulses": [{"malware_families": [1, "x", {"display_name": "y"}]}]}}`} {
		f.Add(false, []byte(b))
	}
	f.Add(true, []byte(badIndicator))
	f.Fuzz(func(t *testing.T, bad bool, body []byte) {
		status := http.StatusOK
		if bad {
			status = http.StatusBadRequest
		}
		r := ti.Scrub(interpret(ti.NewResult(Name, "198.51.100.7", "ipv4"), status, body), testKey)
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
			if l, ok := v.([]string); ok {
				if len(l) > maxTags {
					t.Fatalf("%s has %d entries", k, len(l))
				}
				for _, s := range l {
					if s == "" || utf8.RuneCountInString(s) > ti.MaxURL+1 || strings.ContainsAny(s, "\x00\x1b\n") {
						t.Fatalf("%s entry %q", k, s)
					}
				}
			}
		}
	})
}

// benchPulse is one pulse as the general section lists it (api-fixtures.md §7).
const benchPulse = `{"id": "5f%02d", "name": "Cobalt Strike C2 %d", "description": "Beacon servers seen in the wild.",
 "modified": "2023-06-01T00:00:00", "created": "2023-06-01T00:00:00",
 "tags": ["cobalt strike", "c2", "beacon", "tag%d"], "references": ["https://blog.example/cs-report"],
 "public": 1, "TLP": "white", "adversary": "", "targeted_countries": [],
 "malware_families": [{"id": "Cobalt Strike", "display_name": "Cobalt Strike"}],
 "attack_ids": [{"id": "T1071", "name": "Application Layer Protocol", "display_name": "T1071 - Application Layer Protocol"}],
 "industries": [], "author": {"username": "analyst", "id": "1", "is_subscribed": false}, "indicator_count": 250}`

// benchBody is a general section naming the indicator in 50 pulses.
func benchBody() []byte {
	var b strings.Builder
	b.WriteString(`{"indicator": "198.51.100.7", "type": "IPv4", "sections": ["general"], "pulse_info": {"count": 50, "references": [], "pulses": [`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, benchPulse, i, i, i%7)
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func BenchmarkParseOTX(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := interpret(ti.NewResult(Name, "198.51.100.7", "ipv4"), http.StatusOK, body)
		if r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkLookupOTX(b *testing.B) {
	body := benchBody()
	srv, _ := titest.Serve(b, titest.Reply{Body: string(body)})
	p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(httpx.Options{Concurrency: 8})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, "198.51.100.7", "ipv4"); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("198.51.100.7", uint8(0))
	f.Add("evil.example", uint8(2))
	f.Add("http://evil.example/a b/p?q=1#f", uint8(7))
	f.Add("44d88612fea8a8f36de82e1278abb02f", uint8(4))
	types := []string{"ipv4", "ipv6", "dns", "hostname", "md5_hash", "sha1_hash", "sha256_hash", "url", "email"}
	f.Fuzz(func(t *testing.T, ioc string, typ uint8) {
		iocType := types[int(typ)%len(types)]
		path, ref, err := route(ioc, iocType)
		if err != nil {
			return
		}
		u, perr := url.Parse(DefaultBaseURL + path)
		if perr != nil || u.RawQuery != "" || u.Fragment != "" || !strings.HasSuffix(path, "/general") {
			t.Fatalf("path %q: %v", path, perr)
		}
		seg := strings.TrimSuffix(path, "/general")
		seg = seg[strings.LastIndexByte(seg, '/')+1:]
		if back, perr := url.PathUnescape(seg); perr != nil || back != ioc {
			t.Fatalf("path %q does not carry %q (%v)", path, ioc, perr)
		}
		if !strings.HasPrefix(ref, webBase) || strings.ContainsAny(ref, " \x00\n") {
			t.Fatalf("reference %q", ref)
		}
	})
}
