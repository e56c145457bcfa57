package ti

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize: any text, of any claimed type, is either rejected with
// ErrBadIoC or comes back as a value that normalises to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "hxxp://evil[.]com/a", "evil.com.", "d41d8cd98f00b204e9800998ecf8427e", "::ffff:1.2.3.4", "a@b.co", "file://x.y/z", ""} {
		f.Add(s, "")
		f.Add(s, "url")
	}
	types := []string{"", "ipv4", "ipv6", "url", "dns", "hostname", "md5_hash", "sha1_hash", "sha256_hash", "email"}
	f.Fuzz(func(t *testing.T, s, typ string) {
		if len(s) > 4096 {
			return
		}
		for _, ty := range append(types, typ) {
			got, err := Normalize(s, ty)
			if err != nil {
				continue
			}
			if ty != "" && ty != "url" && !utf8.ValidString(got) && utf8.ValidString(s) {
				t.Fatalf("Normalize(%q, %s) = %q: invalid UTF-8", s, ty, got)
			}
			again, err := Normalize(got, ty)
			if err != nil || again != got {
				t.Fatalf("Normalize(%q, %s) = %q, but that normalises to %q, %v", s, ty, got, again, err)
			}
		}
		for _, q := range Indicators(s) {
			if q.Type == "" || q.Ioc == "" || strings.ContainsAny(q.Ioc, "\n") && q.Type != "url" {
				t.Fatalf("Indicators(%q) gave %+v", s, q)
			}
		}
	})
}

// FuzzDecodeResult: a damaged cache entry is an error, never a panic.
func FuzzDecodeResult(f *testing.F) {
	r := NewResult("vt", "8.8.8.8", "ipv4")
	r.Details = map[string]any{"n": 1}
	r.Raw = []byte(`{"a":1}`)
	b, _ := EncodeResult(r)
	f.Add(b)
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeResult(b); err == nil {
			if _, err := EncodeResult(r); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
	})
}
