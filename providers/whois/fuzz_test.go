package whois

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/openrdap/rdap"
)

// checkClean fails when a flattened string could disturb a terminal or is
// unbounded.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	if len(s) > maxRemark+8 || !utf8.ValidString(s) {
		t.Fatalf("%s: %d bytes or invalid UTF-8", what, len(s))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			t.Fatalf("%s: control character %q in %q", what, r, s)
		}
	}
}

func checkResult(t *testing.T, r *Result) {
	t.Helper()
	for _, s := range []string{r.Handle, r.Name, r.Type, r.Country, r.StartAddress, r.EndAddress, r.ASN, r.Registrar, r.Port43} {
		checkClean(t, "field", s)
	}
	lists := [][]string{r.Status, r.Nameservers, r.Remarks, r.CIDRs}
	for _, l := range lists {
		if len(l) > maxCIDRs {
			t.Fatalf("list of %d", len(l))
		}
		for _, s := range l {
			checkClean(t, "list", s)
		}
	}
	for _, c := range r.CIDRs {
		if _, err := netip.ParsePrefix(c); err != nil {
			t.Fatalf("bad CIDR %q", c)
		}
	}
	if len(r.Entities) > maxEntities || len(r.Events) > maxList {
		t.Fatalf("%d entities, %d events", len(r.Entities), len(r.Events))
	}
	for _, e := range r.Entities {
		for _, s := range []string{e.Handle, e.Name, e.Org, e.Email, e.Phone, e.Address} {
			checkClean(t, "entity", s)
		}
	}
	for k, v := range r.Events {
		checkClean(t, "event", k)
		checkClean(t, "event", v)
	}
}

func FuzzParseAnswer(f *testing.F) {
	for _, name := range []string{"ip-81.2.69.160.json", "domain-example.com.json", "autnum-1221.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"errorCode":404,"title":"Not Found"}`))
	f.Add([]byte(`{"objectClassName":"ip network","startAddress":"::","endAddress":"ffff::1"}`))
	f.Add([]byte(`{"objectClassName":"ip network","startAddress":"10.0.0.7","endAddress":"10.0.3.1","cidr0_cidrs":[{"v6prefix":"2001:db8::","length":200}]}`))
	f.Add([]byte(`{"objectClassName":"domain","entities":[{"entities":[{"entities":[{"entities":[{"entities":[{}]}]}]}]}]}`))
	f.Add([]byte(`{"objectClassName":"autnum","startAutnum":5,"endAutnum":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, kind := range []string{KindIP, KindDomain, KindAutnum} {
			r, err := parseAnswer(kind, body)
			if err != nil {
				if r != nil {
					t.Fatal("result with error")
				}
				continue
			}
			checkResult(t, r)
		}
	})
}

func FuzzFlattenVCard(f *testing.F) {
	f.Add(`["vcard",[["version",{},"text","4.0"],["fn",{},"text","Abuse Desk"],["adr",{"label":"1 Street\nTown"},"text",["","",["a","b"],"c","","d","e"]],["tel",{"type":["fax"]},"uri","tel:+1"],["tel",{},"text","+2"]]]`)
	f.Add(`["vcard",[["org",{},"text",["A","B"]],["email",{},"text",null],["adr",{},"text",[[[[["deep"]]]]]]]]`)
	f.Add(`["vcard",[["fn",{"type":1},"text",true,false,1.5]]]`)
	f.Fuzz(func(t *testing.T, jcard string) {
		// Strict, as the RDAP decoder reads vcardArray.
		v, err := rdap.NewVCard([]byte(jcard))
		if err != nil {
			return
		}
		name, org, email, phone, address := flattenVCard(v)
		for _, s := range []string{name, org, email, phone, address} {
			checkClean(t, "vcard", s)
		}
		// The same card inside an entity in an answer must flatten alike.
		body, _ := json.Marshal(map[string]any{
			"objectClassName": "autnum", "entities": []any{map[string]any{"handle": "H", "vcardArray": json.RawMessage(jcard)}},
		})
		r, err := parseAnswer(KindAutnum, body)
		if err != nil {
			return
		}
		checkResult(t, r)
		if len(r.Entities) != 1 || r.Entities[0].Name != name || r.Entities[0].Address != address {
			t.Fatalf("entity %+v differs from card (%q, %q)", r.Entities, name, address)
		}
	})
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"81.2.69.160", "AS1221", "as", "example.com", "Bücher.example.", "81.2.69.0/24", "fe80::1%eth0", "1.2.3", "xn--", "AS99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		kind, norm, err := ParseQuery(q)
		if err != nil {
			if kind != "" || norm != "" {
				t.Fatal("kind with error")
			}
			return
		}
		switch kind {
		case KindAutnum:
			if strings.Trim(norm, "0123456789") != "" {
				t.Fatalf("autnum %q", norm)
			}
		case KindIP:
			if strings.ContainsAny(norm, "%?#") {
				t.Fatalf("ip %q", norm)
			}
		case KindDomain:
			if strings.Trim(norm, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" || len(norm) > 253 {
				t.Fatalf("domain %q", norm)
			}
		default:
			t.Fatalf("kind %q", kind)
		}
		// Normalising is idempotent.
		k2, n2, err := ParseQuery(norm)
		if err != nil || k2 != kind || n2 != norm {
			t.Fatalf("ParseQuery(%q) = %q %q; again: %q %q %v", q, kind, norm, k2, n2, err)
		}
	})
}

func TestRangePrefixes(t *testing.T) {
	tests := []struct {
		start, end string
		want       []string
	}{
		{"81.2.69.0", "81.2.69.255", []string{"81.2.69.0/24"}},
		{"10.0.0.7", "10.0.0.16", []string{"10.0.0.7/32", "10.0.0.8/29", "10.0.0.16/32"}},
		{"0.0.0.0", "255.255.255.255", []string{"0.0.0.0/0"}},
		{"2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", []string{"2001:db8::/32"}},
		{"1.2.3.4", "1.2.3.4", []string{"1.2.3.4/32"}},
		{"1.2.3.5", "1.2.3.4", nil},
		{"1.2.3.4", "::1", nil},
	}
	for _, tc := range tests {
		got := rangePrefixes(netip.MustParseAddr(tc.start), netip.MustParseAddr(tc.end))
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("rangePrefixes(%s, %s) = %v, want %v", tc.start, tc.end, got, tc.want)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2021-03-02T14:05:09.123+01:00", "2021-03-02T14:05:09+01:00"},
		{"2003-07-15T09:23:11Z", "2003-07-15T09:23:11Z"},
		{"2003-07-15T09:23:11", "2003-07-15T09:23:11Z"},
		{"2003-07-15", "2003-07-15T00:00:00Z"},
		{"yesterday\x1b[2J", "yesterday [2J"},
	}
	for _, tc := range tests {
		if got := normalizeDate(tc.in); got != tc.want {
			t.Errorf("normalizeDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  plain  ", "plain"},
		{"a\nb\tc", "a b c"},
		{"evil\x1b]0;title\x07name", "evil ]0;title name"},
		{"bad\xffutf8", "badutf8"},
		{"\u0085next line\u2028sep", "next line sep"},
		{strings.Repeat("x", 5000), strings.Repeat("x", maxField)},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
