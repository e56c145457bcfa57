package ti

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"github.com/quarry-sec/quarry/engine/ioc"
)

// MinHashEntropy is msticpy's MINIMAL_ENTROPY: a hash whose characters carry
// less Shannon entropy (bits a character) is a placeholder, not a hash.
const MinHashEntropy = 3.0

// ErrBadIoC is wrapped by Normalize's errors.
var ErrBadIoC = errors.New("bad indicator")

// detectors pools extractors (one is not safe for concurrent use).
var detectors = sync.Pool{New: func() any {
	x, _ := ioc.New(ioc.Options{Types: []ioc.Type{ioc.IPv4, ioc.IPv6, ioc.URL, ioc.Email,
		ioc.MD5, ioc.SHA1, ioc.SHA256, ioc.DNS, ioc.Hostname}})
	return x
}}

// Detect returns the type of an indicator written alone (engine/ioc's names),
// and its refanged value; "" when the whole string is no known indicator.
func Detect(value string) (typ, clean string) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", ""
	}
	x := detectors.Get().(*ioc.Extractor)
	defer detectors.Put(x)
	for _, m := range x.Extract([]byte(v)) {
		if m.Start != 0 || m.End != len(v) {
			continue
		}
		if typ == "" || ioc.Priority(m.Type) < ioc.Priority(ioc.Type(typ)) {
			typ, clean = string(m.Type), m.Value
		}
	}
	return typ, clean
}

// Normalize checks and cleans an indicator before it is looked up, as
// msticpy's preprocess_observable does: addresses must parse and be public;
// URLs need a scheme and a host that is a public address or a dotted name, and
// not file://; domains must contain a dot and not be an address; hashes must
// have the right length and at least MinHashEntropy bits a character. Defanged
// forms are refanged. The error wraps ErrBadIoC and says what is wrong.
func Normalize(value, typ string) (string, error) {
	v := strings.TrimSpace(value)
	if d, clean := Detect(v); d != "" {
		v = clean
	}
	bad := func(format string, a ...any) (string, error) {
		return "", fmt.Errorf("%w: %s", ErrBadIoC, fmt.Sprintf(format, a...))
	}
	switch typ {
	case "ipv4", "ipv6":
		a, err := netip.ParseAddr(v)
		if err != nil {
			return bad("%q is not an IP address", v)
		}
		if (typ == "ipv4") != a.Unmap().Is4() {
			return bad("%s is not an %s address", v, typ)
		}
		if !ioc.Public(a) {
			return bad("%s is not a public address", v)
		}
		return a.Unmap().String(), nil
	case "url":
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return bad("%q is not a URL with a scheme and a host", v)
		}
		if strings.EqualFold(u.Scheme, "file") {
			return bad("file:// URLs are not looked up")
		}
		h := u.Hostname()
		if a, err := netip.ParseAddr(h); err == nil {
			if !ioc.Public(a) {
				return bad("%s has a host that is not a public address", v)
			}
		} else if !strings.Contains(h, ".") {
			return bad("%s has a host with no domain", v)
		}
		return v, nil
	case "dns", "hostname":
		v = strings.TrimSuffix(strings.ToLower(v), ".")
		if _, err := netip.ParseAddr(v); err == nil {
			return bad("%s is an address, not a domain", v)
		}
		if !strings.Contains(v, ".") {
			return bad("%q is not a domain (no dot)", v)
		}
		if len(v) > MaxHost || strings.ContainsAny(v, "/\\?#@: \t") || !printable(v) {
			return bad("%q is not a domain name", v)
		}
		for _, l := range strings.Split(v, ".") {
			if l == "" || len(l) > 63 {
				return bad("%q is not a domain name (empty or over-long label)", v)
			}
		}
		return v, nil
	case "md5_hash", "sha1_hash", "sha256_hash":
		want := map[string]int{"md5_hash": 32, "sha1_hash": 40, "sha256_hash": 64}[typ]
		if len(v) != want || !isHex(v) {
			return bad("%q is not a %d-digit hex %s", v, want, typ)
		}
		if e := entropy(v); e < MinHashEntropy {
			return bad("%s has too little entropy (%.2f bits a character) to be a real hash", v, e)
		}
		return strings.ToLower(v), nil
	case "email":
		if !strings.Contains(v, "@") {
			return bad("%q is not an e-mail address", v)
		}
		return strings.ToLower(v), nil
	case "":
		return bad("%q is not a recognised indicator", v)
	}
	return v, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// entropy is the Shannon entropy of s in bits a character.
func entropy(s string) float64 {
	var n [256]int
	for i := 0; i < len(s); i++ {
		n[s[i]|0x20]++
	}
	var h float64
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h
}

// Indicators returns what to look up in a text: the text itself when it is
// one indicator, otherwise every indicator written in it (a command line, an
// e-mail body), each once, in order.
func Indicators(text string) []Query {
	if typ, clean := Detect(text); typ != "" {
		return []Query{{Ioc: clean, Type: typ}}
	}
	x := detectors.Get().(*ioc.Extractor)
	defer detectors.Put(x)
	var out []Query
	seen := map[Query]bool{}
	for _, m := range x.Extract([]byte(text)) {
		q := Query{Ioc: m.Value, Type: string(m.Type)}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}
