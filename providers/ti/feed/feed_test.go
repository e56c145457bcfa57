package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/ti"
)

func parseFile(t *testing.T, name string) ([]Entry, Stats) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, st, err := ParseFeed(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return es, st
}

func TestOTXExport(t *testing.T) {
	es, st := parseFile(t, "cobalt_strike_c2_otx.csv")
	if len(es) != 247 || st.Entries != 247 || st.Skipped != 0 {
		t.Fatalf("entries %d stats %+v, want 247", len(es), st)
	}
	count := map[string]int{}
	for _, e := range es {
		count[e.Type]++
		if e.Format != "csv" || e.Severity != ti.SevWarning || e.Source != "cobalt_strike_c2_otx.csv" {
			t.Fatalf("entry %+v", e)
		}
	}
	if want := map[string]int{"ipv4": 192, "dns": 13, "hostname": 42}; !reflect.DeepEqual(count, want) {
		t.Fatalf("types %v, want %v", count, want)
	}
	p, err := New(ti.Config{Paths: []string{"testdata/cobalt_strike_c2_otx.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 247 {
		t.Fatalf("Len = %d", p.Len())
	}
	r := p.Lookup(context.Background(), "39.107.179.147", "ipv4")
	if !r.Found || r.Status != ti.StatusOK || r.Severity != ti.SevWarning ||
		r.Details["source_file"] != "testdata/cobalt_strike_c2_otx.csv" || r.Details["indicator_type"] != "IPv4" ||
		r.Details["feed_type"] != "csv" {
		t.Fatalf("OTX hit: %+v", r)
	}
	// The OTX "hostname" entry answers a dns look-up, and case does not matter.
	if r := p.Lookup(context.Background(), "WWW.UpdateGateway.com.", "dns"); !r.Found {
		t.Fatalf("hostname as dns: %v %q", r.Status, r.Reason)
	}
	if r := p.Lookup(context.Background(), "hackerwei.com", "hostname"); !r.Found {
		t.Fatalf("domain as hostname: %v %q", r.Status, r.Reason)
	}
}

func TestSTIXBundle(t *testing.T) {
	es, st := parseFile(t, "bundle.stix.json")
	if st.Entries != 10 || st.Skipped != 2 {
		t.Fatalf("stats %+v, want 10 entries and 2 skipped", st)
	}
	got := map[string]Entry{}
	for _, e := range es {
		got[e.Type+" "+e.Value] = e
		if e.Format != "stix" {
			t.Errorf("format %q", e.Format)
		}
	}
	for _, k := range []string{
		"ipv4 198.51.100.7", "ipv4 198.51.100.8", "dns stage.example.net",
		"sha256_hash aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f",
		"md5_hash 6e8a0f9c1d2b3a4f5e6d7c8b9a0f1e2d", "sha1_hash 0123456789abcdef0123456789abcdef01234567",
		"email billing@invoice-example.com", "url http://landing.example.com/o'brien?x=1", "ipv6 2001:db8::bad",
		"ipv4 203.0.113.50",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s (have %v)", k, keys(got))
		}
	}
	e := got["ipv4 198.51.100.7"]
	want := Entry{Type: "ipv4", Value: "198.51.100.7", FeedType: "ipv4", Severity: ti.SevHigh, Name: "Staging server",
		Description: "Stage-two download host used by the test campaign.", ID: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		Reference: "https://reports.example.org/alpha", Labels: []string{"campaign-alpha", "malicious-activity"}, Confidence: 85,
		ValidFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Source: "bundle.stix.json", Format: "stix"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("entry\n got %+v\nwant %+v", e, want)
	}
	if s := got["md5_hash 6e8a0f9c1d2b3a4f5e6d7c8b9a0f1e2d"].Severity; s != ti.SevWarning {
		t.Errorf("confidence 60 severity = %v", s)
	}
}

func keys(m map[string]Entry) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestJSONFormats(t *testing.T) {
	es, st := parseFile(t, "records.json")
	if st.Entries != 3 || st.Skipped != 1 {
		t.Fatalf("records.json stats %+v", st)
	}
	if es[0].Type != "dns" || es[0].Value != "evil.example.com" || es[0].Severity != ti.SevHigh ||
		es[0].Reference != "https://intel.example.org/2" || es[0].Format != "json" {
		t.Errorf("record 0 %+v", es[0])
	}
	if es[1].Type != "url" || es[1].Severity != ti.SevWarning || es[1].Name != "Kit download" {
		t.Errorf("record 1 %+v", es[1])
	}
	if es[2].Type != "email" || es[2].Value != "user@example.com" || !reflect.DeepEqual(es[2].Labels, []string{"spam", "bec"}) {
		t.Errorf("record 2 %+v", es[2])
	}
	es, st = parseFile(t, "records.jsonl")
	if st.Entries != 3 || st.Skipped != 0 {
		t.Fatalf("records.jsonl stats %+v", st)
	}
	if es[0].Format != "jsonl" || es[0].ValidUntil.Year() != 2999 || es[0].Severity != ti.SevWarning {
		t.Errorf("line 1 %+v", es[0])
	}
	if es[1].Type != "ipv6" || es[1].Value != "2001:db8::44" || es[1].Severity != ti.SevHigh {
		t.Errorf("line 2 %+v", es[1])
	}
	if es[2].Type != "sha256_hash" || !reflect.DeepEqual(es[2].Labels, []string{"ransomware", "loader"}) {
		t.Errorf("line 3 %+v", es[2])
	}
}

func TestParseFeedCases(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // "type value severity"
		skipped int
		errHas  string
	}{
		{"csv bom and crlf", "\ufeffIndicator,Type\r\n1.2.3.4,IPv4\r\n", []string{"ipv4 1.2.3.4 warning"}, 0, ""},
		{"csv inferred types", "value\n1.2.3.4\n::ffff:5.6.7.8\n2001:0db8::1\n" + strings.Repeat("a", 32) + "\n" + strings.Repeat("B", 40) + "\nhttps://x.example/a\na@B.example\nEXAMPLE.org.\n",
			[]string{"ipv4 1.2.3.4 warning", "ipv4 5.6.7.8 warning", "ipv6 2001:db8::1 warning", "md5_hash " + strings.Repeat("a", 32) + " warning",
				"sha1_hash " + strings.Repeat("b", 40) + " warning", "url https://x.example/a warning", "email a@b.example warning", "dns example.org warning"}, 0, ""},
		{"csv severities", "ioc,severity,confidence\na.example,high,\nb.example,0,\nc.example,low,\nd.example,,80\ne.example,,79\nf.example,bogus,\ng.example,critical,10\n",
			[]string{"dns a.example high", "dns b.example information", "dns c.example information", "dns d.example high",
				"dns e.example warning", "dns f.example warning", "dns g.example high"}, 0, ""},
		{"csv hash type checks length", "indicator,type\n" + strings.Repeat("c", 64) + ",hash\nabc,hash\n" + strings.Repeat("d", 40) + ",FileHash-MD5\n",
			[]string{"sha256_hash " + strings.Repeat("c", 64) + " warning"}, 2, ""},
		{"csv short rows", "indicator,type,description\n1.2.3.4\n", []string{"ipv4 1.2.3.4 warning"}, 0, ""},
		{"csv cidr", "indicator\n10.0.0.0/8\n10.0.0.1/32\n", []string{"ipv4 10.0.0.1 warning"}, 1, ""},
		{"csv no indicator column", "foo,bar\n1,2\n", nil, 0, "line 1: no indicator column"},
		{"csv bad quote", "indicator\n\"1.2.3.4\n", nil, 0, "line 2"},
		{"csv bad quote later", "indicator\n1.2.3.4\n5.6.7.8\nx\"y\n", nil, 0, "line 4"},
		{"empty", "", nil, 0, ""},
		{"whitespace", "  \n\t", nil, 0, ""},
		{"json array", `[{"indicator":"1.2.3.4","severity":"high"},{"ioc":"x.example","type":"hostname"}, 7]`,
			[]string{"ipv4 1.2.3.4 high", "hostname x.example warning"}, 1, ""},
		{"json single object", `{"indicator":"1.2.3.4"}`, []string{"ipv4 1.2.3.4 warning"}, 0, ""},
		{"json numbers", `[{"indicator":"1.2.3.4","severity":2,"confidence":"90"}]`, []string{"ipv4 1.2.3.4 high"}, 0, ""},
		{"json truncated", `[{"indicator":"1.2.3.4"}, {"indi`, nil, 0, "offset"},
		{"json scalar top", `{"indicator":"1.2.3.4"} 5`, nil, 0, "top level"},
		{"jsonl bad line", "{\"ioc\":\"1.2.3.4\"}\n{bad}\n", nil, 0, "offset"},
		{"stix pattern types", `{"type":"bundle","objects":[
			{"type":"indicator","pattern":"[url:value = 'http://a.example/']","pattern_type":"STIX"},
			{"type":"indicator","pattern":"[x-custom:value = 'q']"},
			{"type":"indicator","pattern":"[ipv4-addr:value = '1.2.3.4'"},
			{"type":"indicator","pattern":"alert tcp any any","pattern_type":"snort"},
			{"type":"ipv4-addr","value":"9.9.9.9"},
			{"type":"indicator","pattern":"[domain-name:value = 'sev.example']","severity":"information","confidence":99}]}`,
			[]string{"url http://a.example/ warning", "dns sev.example information"}, 3, ""},
		{"stix indicator list without bundle", `[{"type":"indicator","pattern":"[ipv4-addr:value = '1.2.3.4']","confidence":80}]`,
			[]string{"ipv4 1.2.3.4 high"}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, st, err := ParseFeed(strings.NewReader(tc.in), "in")
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.HasPrefix(err.Error(), "in: ") {
					t.Fatalf("err = %v, want one naming the file and %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, fmt.Sprintf("%s %s %s", e.Type, e.Value, e.Severity))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
			if st.Skipped != tc.skipped {
				t.Errorf("skipped %d, want %d", st.Skipped, tc.skipped)
			}
		})
	}
}

func TestParsePattern(t *testing.T) {
	tests := []struct {
		in      string
		want    []Observable
		wantErr bool
	}{
		{"[ipv4-addr:value = '1.2.3.4']", []Observable{{"ipv4", "1.2.3.4"}}, false},
		{"[IPV4-ADDR:VALUE='1.2.3.4']", []Observable{{"ipv4", "1.2.3.4"}}, false},
		{"[ipv6-addr:value = '2001:db8::1/128' OR ipv4-addr:value = '10.0.0.0/8']", []Observable{{"ipv6", "2001:db8::1"}}, false},
		{"[file:hashes.'SHA-256' = 'ab' AND file:hashes.md5 = 'cd'] OR [file:hashes.\"SHA-1\" = 'x']", []Observable{{"sha256_hash", "ab"}, {"md5_hash", "cd"}}, true},
		{"[file:hashes.'SHA-256' = 'ab' AND file:hashes.md5 = 'cd'] FOLLOWEDBY [file:hashes.SHA1 = 'ef'] WITHIN 5 SECONDS",
			[]Observable{{"sha256_hash", "ab"}, {"md5_hash", "cd"}, {"sha1_hash", "ef"}}, false},
		{"[file:hashes.'sha_256' = 'ab' OR file:hashes.'SHA-512' = 'zz' OR file:name = 'x.exe']", []Observable{{"sha256_hash", "ab"}}, false},
		{`[url:value = 'http://x/it\'s\\here']`, []Observable{{"url", `http://x/it's\here`}}, false},
		{`[email-addr:value = 'a@b.c' AND domain-name:value != 'n.example' AND domain-name:value LIKE '%.x']`, []Observable{{"email", "a@b.c"}}, false},
		{"([domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']) START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'",
			[]Observable{{"dns", "a.example"}, {"dns", "b.example"}}, false},
		{"[email-message:to_refs[*].value = 'x@y.z' OR email-addr:value = 'p@q.r']", []Observable{{"email", "p@q.r"}}, false},
		{"[network-traffic:dst_ref.value = '1.2.3.4']", nil, false},
		{"[domain-name:value IN ('a.example', 'b.example')]", nil, false},
		{"[domain-name:value NOT = 'a.example']", nil, false},
		{"domain-name:value = 'outside.example'", nil, false},
		{"[ipv4-addr:value = '1.2.3.4'", nil, true},
		{"[ipv4-addr:value = '1.2.3.4']]", nil, true},
		{"([ipv4-addr:value = '1.2.3.4']]", nil, true},
		{"[ipv4-addr:value = '1.2.3.4]", nil, true},
		{"[ipv4-addr:value = '1.2.3.4\\", nil, true},
		{"[ipv4-addr:value ! '1.2.3.4']", nil, true},
		{"[ipv4-addr:value = \"1.2.3.4\"]", nil, true},
		{"", nil, true},
		{"   ", nil, true},
	}
	for _, tc := range tests {
		got, err := ParsePattern(tc.in)
		if tc.wantErr {
			if err == nil || !errors.Is(err, ErrPattern) {
				t.Errorf("ParsePattern(%q) err = %v, want ErrPattern", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParsePattern(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if _, err := ParsePattern("[" + strings.Repeat("a", MaxPatternLen) + "]"); err == nil {
		t.Error("over-long pattern accepted")
	}
}

func newFeeds(t testing.TB, paths ...string) *Provider {
	t.Helper()
	p, err := New(ti.Config{Paths: paths})
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	return p
}

func TestLookup(t *testing.T) {
	p := newFeeds(t, "testdata")
	if p.Len() != 247+4+10+3+3 || len(p.Files()) != 5 {
		t.Fatalf("Len %d files %v", p.Len(), p.Files())
	}
	if st := p.Stats(); st.Skipped != 0+2+2+1+0 {
		t.Fatalf("stats %+v", st)
	}
	otx, extra := filepath.Join("testdata", "cobalt_strike_c2_otx.csv"), filepath.Join("testdata", "extra.csv")
	tests := []struct {
		ioc, typ   string
		wantStatus ti.Status
		wantSev    ti.Severity
		wantReason string
		wantRef    string
		check      func(t *testing.T, d map[string]any)
	}{
		// In two feeds: highest severity, both sources.
		{"39.107.179.147", "ipv4", ti.StatusOK, ti.SevHigh, "", "https://intel.example.org/ioc/1", func(t *testing.T, d map[string]any) {
			if d["source_file"] != extra || d["matches"] != 2 || !reflect.DeepEqual(d["sources"], []string{otx, extra}) ||
				d["description"] != "Also seen by the second feed" || !reflect.DeepEqual(d["labels"], []string{"cobalt strike", "c2"}) {
				t.Errorf("details %v", d)
			}
		}},
		// Severity information from the second feed loses to the OTX warning; the
		// javascript: link is not a reference.
		{"www.updategateway.com", "hostname", ti.StatusOK, ti.SevWarning, "", "", func(t *testing.T, d map[string]any) {
			if d["source_file"] != otx || d["matches"] != 2 {
				t.Errorf("details %v", d)
			}
		}},
		{"d41d8cd98f00b204e9800998ecf8427e", "md5_hash", ti.StatusOK, ti.SevWarning, "", "", nil},
		{"unknown.example.net", "dns", ti.StatusOK, ti.SevHigh, "", "", func(t *testing.T, d map[string]any) {
			if d["confidence"] != 90 {
				t.Errorf("details %v", d)
			}
		}},
		{"198.51.100.8", "ipv4", ti.StatusOK, ti.SevHigh, "", "https://reports.example.org/alpha", func(t *testing.T, d map[string]any) {
			want := map[string]any{"source_file": filepath.Join("testdata", "bundle.stix.json"), "feed_type": "stix", "indicator_type": "ipv4",
				"description": "Stage-two download host used by the test campaign.", "name": "Staging server",
				"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "labels": []string{"campaign-alpha", "malicious-activity"},
				"confidence": 85, "valid_from": "2024-01-01T00:00:00Z"}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("details\n got %v\nwant %v", d, want)
			}
		}},
		{"stage.example.net", "hostname", ti.StatusOK, ti.SevHigh, "", "https://reports.example.org/alpha", nil},
		{"AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F", "sha256_hash", ti.StatusOK, ti.SevWarning, "", "", nil},
		{"http://landing.example.com/o'brien?x=1", "url", ti.StatusOK, ti.SevWarning, "", "", nil},
		{" billing@invoice-example.com ", "email", ti.StatusOK, ti.SevWarning, "", "", nil},
		{"2001:db8:0::bad", "ipv6", ti.StatusOK, ti.SevWarning, "", "", nil},
		{"192.0.2.44", "ipv4", ti.StatusOK, ti.SevWarning, "", "", func(t *testing.T, d map[string]any) {
			if d["feed_type"] != "jsonl" || d["valid_until"] != "2999-01-01T00:00:00Z" {
				t.Errorf("details %v", d)
			}
		}},
		{"evil.example.com", "dns", ti.StatusOK, ti.SevHigh, "", "https://intel.example.org/2", nil},
		// Expired STIX indicator.
		{"203.0.113.50", "ipv4", ti.StatusNotFound, ti.SevInformation, "expired", "", nil},
		// Revoked STIX indicator was never loaded.
		{"203.0.113.60", "ipv4", ti.StatusNotFound, ti.SevInformation, "not in the offline feeds", "", nil},
		{"8.8.8.8", "ipv4", ti.StatusNotFound, ti.SevInformation, "not in the offline feeds", "", nil},
		{"http://LANDING.example.com/o'brien?x=1", "url", ti.StatusNotFound, ti.SevInformation, "not in the offline feeds", "", nil},
		{"2001:db8::1", "ipv4", ti.StatusBadFormat, ti.SevUnknown, "not a valid ipv4", "", nil},
		{"abc", "sha1_hash", ti.StatusBadFormat, ti.SevUnknown, "not a valid sha1_hash", "", nil},
		{`C:\x.exe`, "windows_path", ti.StatusUnsupported, ti.SevUnknown, "does not look up windows_path", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.ioc, func(t *testing.T) {
			r := p.Lookup(context.Background(), tc.ioc, tc.typ)
			if r.Status != tc.wantStatus || r.Severity != tc.wantSev || r.Found != (tc.wantStatus == ti.StatusOK) {
				t.Fatalf("got %v %v found=%v (%q)", r.Status, r.Severity, r.Found, r.Reason)
			}
			if !strings.Contains(r.Reason, tc.wantReason) || r.Reference != tc.wantRef || r.Provider != "feed" {
				t.Errorf("reason %q reference %q provider %q", r.Reason, r.Reference, r.Provider)
			}
			if tc.check != nil {
				tc.check(t, r.Details)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.csv", "indicator\n1.2.3.4\n\"open\n")
	noCol := write("nocol.csv", "a,b\n1,2\n")
	badJSON := write("bad.json", `[{"indicator": 1.2.3}]`)
	empty := t.TempDir()
	if err := os.Mkdir(filepath.Join(empty, "sub.csv"), 0o700); err != nil {
		t.Fatal(err)
	}
	_ = write("notes.txt", "ignored")
	tests := []struct {
		name   string
		paths  []string
		errHas []string
	}{
		{"none", nil, []string{"no feed files configured"}},
		{"missing", []string{filepath.Join(dir, "missing.csv")}, []string{"missing.csv"}},
		{"bad csv", []string{bad}, []string{bad, "line 3"}},
		{"no column", []string{noCol}, []string{noCol, "line 1", "no indicator column"}},
		{"bad json", []string{badJSON}, []string{badJSON, "offset"}},
		{"empty folder", []string{empty}, []string{empty, "no feed files"}},
		{"folder with a bad file", []string{dir}, []string{"bad"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(ti.Config{Paths: tc.paths})
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	// Spec.New wraps New.
	if pr, err := Spec.New(ti.Config{Paths: []string{"testdata/extra.csv"}}); err != nil || pr.Name() != "feed" || len(pr.Types()) != 9 {
		t.Fatalf("Spec.New: %v %v", pr, err)
	}
}

func TestSizeBound(t *testing.T) {
	old := maxTotalBytes
	t.Cleanup(func() { maxTotalBytes = old })
	dir := t.TempDir()
	body := "indicator\n" + strings.Repeat("1.2.3.4\n", 100) // 810 bytes
	for _, n := range []string{"a.csv", "b.csv"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	maxTotalBytes = int64(2 * len(body))
	if p, err := New(ti.Config{Paths: []string{dir}}); err != nil || p.Len() != 200 {
		t.Fatalf("at the bound: %v", err)
	}
	maxTotalBytes = int64(2*len(body) - 1)
	_, err := New(ti.Config{Paths: []string{dir}})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "b.csv") {
		t.Fatalf("past the bound: %v", err)
	}
}

// bigCSV writes n indicators of mixed types.
func bigCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Indicator type,Indicator,Description\n")
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "IPv4,10.%d.%d.%d,c2 server\n", i>>16&255, i>>8&255, i&255)
		case 1:
			fmt.Fprintf(&b, "domain,host%d.example.com,phishing\n", i)
		case 2:
			fmt.Fprintf(&b, "FileHash-SHA256,%064x,dropper\n", i)
		default:
			fmt.Fprintf(&b, "URL,http://host%d.example.net/a/b?c=%d,download\n", i, i)
		}
	}
	return b.Bytes()
}

func TestBigFeedLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, bigCSV(100_000), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := newFeeds(t, path)
	took := time.Since(start)
	if p.Len() != 100_000 {
		t.Fatalf("Len = %d", p.Len())
	}
	t.Logf("loaded 100k indicators in %v", took)
	if r := p.Lookup(context.Background(), fmt.Sprintf("%064x", 99_998), "sha256_hash"); !r.Found {
		t.Fatalf("big feed hit: %v %q", r.Status, r.Reason)
	}
}

func BenchmarkLoadCSV100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.csv")
	data := bigCSV(100_000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := New(ti.Config{Paths: []string{path}})
		if err != nil || p.Len() != 100_000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupFeed(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.csv")
	if err := os.WriteFile(path, bigCSV(100_000), 0o600); err != nil {
		b.Fatal(err)
	}
	p := newFeeds(b, path)
	iocs := make([][2]string, 1024)
	for i := range iocs {
		j := i * 97
		switch i % 4 {
		case 0:
			iocs[i] = [2]string{fmt.Sprintf("10.%d.%d.%d", j>>16&255, j>>8&255, j&255), "ipv4"}
		case 1:
			iocs[i] = [2]string{fmt.Sprintf("host%d.example.com", j), "dns"}
		case 2:
			iocs[i] = [2]string{fmt.Sprintf("%064x", j), "sha256_hash"}
		default:
			iocs[i] = [2]string{"miss.example.org", "dns"}
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := iocs[i&1023]
		i++
		r := p.Lookup(ctx, q[0], q[1])
		if r.Status != ti.StatusOK && r.Status != ti.StatusNotFound {
			b.Fatal(r.Reason)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, slowly for big ones.
	otx, err := os.ReadFile("testdata/cobalt_strike_c2_otx.csv")
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.SplitAfter(otx, []byte("\n"))
	f.Add(bytes.Join(append(lines[:4:4], lines[len(lines)-3:]...), nil))
	extra, err := os.ReadFile("testdata/extra.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(extra)
	f.Add([]byte("ioc,type,severity,confidence,valid_until\n1.2.3.4,ip,2,99,2020-01-01\n\"a\"\"b\",,x,-1,\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := &parser{source: "fuzz", limit: MaxEntries, format: "csv"}
		if err := p.parseCSV(bytes.NewReader(in)); err != nil && !strings.HasPrefix(err.Error(), "fuzz: ") {
			t.Fatalf("error does not name the file: %v", err)
		}
		checkEntries(t, p.entries)
	})
}

func FuzzParseJSON(f *testing.F) {
	for _, n := range []string{"records.json", "records.jsonl"} {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"identity","name":"x"},{"type":"indicator","name":"n",` +
		`"pattern":"[ipv4-addr:value = '1.2.3.4' OR file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567']",` +
		`"pattern_type":"stix","confidence":85,"labels":["a"],"valid_until":"2020-01-01T00:00:00Z",` +
		`"external_references":[{"url":"https://x.example/"}]}]}`))
	f.Add([]byte(`{"objects":{"a":[1,{"b":2}]},"indicators":3,"type":"bundle"}`))
	f.Add([]byte(`[[{"indicator":"1.2.3.4"}],null,{"labels":[1,"x"],"value":"a@b"}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		es, _, err := ParseFeed(bytes.NewReader(in), "fuzz")
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz: ") {
			t.Fatalf("error does not name the file: %v", err)
		}
		checkEntries(t, es)
	})
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"[ipv4-addr:value = '1.2.3.4' OR file:hashes.'SHA-256' = 'ab']",
		`[url:value = 'http://x/it\'s\\here'] FOLLOWEDBY [email-message:to_refs[*].value = 'x']`,
		"([domain-name:value = 'a'] OR [x:y != 'z']) START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'",
		"[ipv6-addr:value = '2001:db8::/64']",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		obs, err := ParsePattern(s)
		if err != nil && !errors.Is(err, ErrPattern) {
			t.Fatalf("error %v does not wrap ErrPattern", err)
		}
		for _, o := range obs {
			if familyOf(o.Type) == famNone {
				t.Fatalf("unknown type %q", o.Type)
			}
			if len(o.Value) > len(s) {
				t.Fatalf("value longer than the pattern")
			}
		}
	})
}

// checkEntries asserts what every parsed entry must satisfy.
func checkEntries(t *testing.T, es []Entry) {
	t.Helper()
	for _, e := range es {
		if familyOf(e.Type) == famNone {
			t.Fatalf("entry with type %q", e.Type)
		}
		if v, ok := normalise(e.Type, e.Value); !ok || v != e.Value {
			t.Fatalf("entry value %q (%s) not normalised", e.Value, e.Type)
		}
		if e.Reference != "" && !strings.HasPrefix(e.Reference, "http") {
			t.Fatalf("reference %q", e.Reference)
		}
		if e.Severity < ti.SevUnknown || e.Severity > ti.SevHigh || len(e.Labels) > maxLabels {
			t.Fatalf("entry %+v", e)
		}
	}
}
