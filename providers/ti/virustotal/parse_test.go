package virustotal

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/titest"
)

// fuzzTypes are the types interpret branches on.
var fuzzTypes = []string{"sha256_hash", "ipv4", "dns", "url"}

// fuzzStatuses are the statuses ti.Send hands to interpret.
var fuzzStatuses = []int{http.StatusOK, http.StatusBadRequest, http.StatusNotFound}

// Small seeds holding the fields interpret reads from the recorded objects.
const (
	fileSeed = `{"data": {"type": "file", "id": "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b", "attributes": {
		"type_description": "Win32 EXE", "size": 44032, "meaningful_name": "itami.exe", "reputation": 0,
		"popular_threat_classification": {"suggested_threat_label": "trojan.msil/tasker"}, "last_analysis_date": 1633789226,
		"last_analysis_stats": {"harmless": 0, "type-unsupported": 5, "suspicious": 0, "malicious": 40, "undetected": 28}}}}`
	urlSeed = `{"data": {"type": "url", "id": "380269259e1f607fb07769fee779f0dc3144924f865e76a3c05c8898295d02f8", "attributes": {
		"last_final_url": "http://218.54.47.77/", "url": "http://218.54.47.77/", "threat_names": [], "title": "x",
		"last_analysis_date": 1546957549, "categories": {"Forcepoint ThreatSeeker": "uncategorized"},
		"last_analysis_stats": {"harmless": 57, "malicious": 0, "suspicious": 0, "undetected": 9, "timeout": 0}}}}`
)

func FuzzInterpret(f *testing.F) {
	// The fuzzer crawls on the 35 KiB recorded objects; seed with their
	// summarised fields instead (the recorded ones run in TestLookup).
	f.Add(uint8(0), uint8(0), []byte(fileSeed))
	f.Add(uint8(3), uint8(0), []byte(urlSeed))
	f.Add(uint8(1), uint8(0), []byte(ipWarning))
	f.Add(uint8(2), uint8(0), []byte(domainSuspicious))
	f.Add(uint8(0), uint8(2), []byte(notFound))
	f.Add(uint8(2), uint8(1), []byte(badArg))
	f.Add(uint8(0), uint8(0), []byte(`{}`))
	f.Add(uint8(0), uint8(0), []byte(`{"data": {"attributes": {"last_analysis_date": 99999999999999}}}`))
	f.Fuzz(func(t *testing.T, typ, st uint8, body []byte) {
		iocType := fuzzTypes[int(typ)%len(fuzzTypes)]
		status := fuzzStatuses[int(st)%len(fuzzStatuses)]
		r := ti.Scrub(interpret(ti.NewResult(Name, "x", iocType), status, body), testKey)
		if r.Status < ti.StatusOK || r.Status > ti.StatusError {
			t.Fatalf("status %d", r.Status)
		}
		if r.Severity < ti.SevUnknown || r.Severity > ti.SevHigh {
			t.Fatalf("severity %d", r.Severity)
		}
		if r.Found != (r.Status == ti.StatusOK) {
			t.Fatalf("found %v with status %v", r.Found, r.Status)
		}
		if r.Status != ti.StatusOK && r.Reason == "" {
			t.Fatalf("status %v without a reason", r.Status)
		}
		if n := utf8.RuneCountInString(r.Reason); n > ti.MaxReason+1 {
			t.Fatalf("reason of %d runes", n)
		}
		for k, v := range r.Details {
			switch x := v.(type) {
			case string:
				if utf8.RuneCountInString(x) > ti.MaxURL+1 || !utf8.ValidString(x) {
					t.Fatalf("detail %s = %q", k, x)
				}
			case []string:
				if len(x) > ti.MaxItems {
					t.Fatalf("detail %s has %d entries", k, len(x))
				}
			}
		}
	})
}

func FuzzClean(f *testing.F) {
	f.Add("plain", 10)
	f.Add("a\x1b[31mb\u202ec\u200bd\n\te", 5)
	f.Add("\xff\xfe", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		got := ti.Clean(s, max)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max+1 {
			t.Fatalf("ti.Clean(%q, %d) = %q", s, max, got)
		}
		for _, c := range got {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("control character in %q", got)
			}
		}
	})
}

func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  spaced   out\n", 50, "spaced out"},
		{"a\x1b[31mb", 50, "a [31mb"},
		{"bidi\u202eevil", 50, "bidi evil"},
		{"\xffok", 50, "\uFFFDok"},
		{"abcdef", 3, "abc…"},
		{"ab cd", 3, "ab …"},
		{"", 5, ""},
	}
	for _, tc := range tests {
		if got := ti.Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("ti.Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func BenchmarkParseVirusTotal(b *testing.B) {
	body := []byte(wrap(fixture(b, "vt3_file_1.json")))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := interpret(ti.NewResult(Name, fileHash, "sha256_hash"), http.StatusOK, body)
		if r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func BenchmarkLookupVirusTotal(b *testing.B) {
	body := wrap(fixture(b, "vt3_file_1.json"))
	srv, _ := titest.Serve(b, titest.Reply{Body: body})
	p, err := New(ti.Config{Key: testKey, BaseURL: srv.URL, Client: testClient(httpx.Options{Concurrency: 8})})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := p.Lookup(ctx, fileHash, "sha256_hash"); r.Severity != ti.SevHigh {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzRoute(f *testing.F) {
	f.Add("203.0.113.9", uint8(0))
	f.Add("evil.example", uint8(2))
	f.Add("http://218.54.47.77/a?b=c#d", uint8(4))
	f.Add(fileHash, uint8(7))
	types := []string{"ipv4", "ipv6", "dns", "hostname", "url", "md5_hash", "sha1_hash", "sha256_hash", "email"}
	f.Fuzz(func(t *testing.T, ioc string, typ uint8) {
		iocType := types[int(typ)%len(types)]
		path, ref, err := route(ioc, iocType)
		if err != nil {
			if iocType != "email" && !strings.Contains(err.Error(), "not a") {
				t.Fatalf("error %q", err)
			}
			return
		}
		u, perr := url.Parse(DefaultBaseURL + path)
		if perr != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("path %q: %v", path, perr)
		}
		seg := path[strings.LastIndexByte(path, '/')+1:]
		var back string
		if iocType == "url" {
			b, derr := base64.RawURLEncoding.DecodeString(seg)
			if derr != nil {
				t.Fatal(derr)
			}
			back = string(b)
		} else if back, perr = url.PathUnescape(seg); perr != nil {
			t.Fatal(perr)
		}
		if back != ioc {
			t.Fatalf("path %q does not carry %q", path, ioc)
		}
		if !strings.HasPrefix(ref, guiBase) || strings.ContainsAny(ref, " \x00\n") {
			t.Fatalf("reference %q", ref)
		}
	})
}
