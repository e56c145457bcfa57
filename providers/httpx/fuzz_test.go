package httpx

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", " 5 ", "-1", "1e3", "99999999999999999999",
		"Sat, 01 Mar 2025 12:00:30 GMT", "Saturday, 01-Mar-25 12:01:00 GMT", "Sat Mar  1 12:00:30 2025"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := retryAfter(s, now)
		if d < 0 {
			t.Errorf("retryAfter(%q) = %v, negative", s, d)
		}
		if !ok && d != 0 {
			t.Errorf("retryAfter(%q) = %v with ok=false", s, d)
		}
	})
}

func FuzzStripURLs(f *testing.F) {
	for _, s := range []string{`Get "http://h/p?k=v": x`, "https://u:p@h/x#f", "no url", "a://b?c d://e@f", "::///?@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := stripURLs(s)
		if len(out) > len(s) {
			t.Errorf("stripURLs grew %q to %q", s, out)
		}
		if again := stripURLs(out); again != out {
			t.Errorf("not idempotent: %q → %q → %q", s, out, again)
		}
		// Whatever follows a URL's "?" up to a space or quote is gone.
		if !strings.ContainsAny(s, "\t\n\f\r \"'") {
			if got := stripURLs("x http://h/p?" + s); got != "x http://h/p" {
				t.Errorf("query %q survived: %q", s, got)
			}
		}
	})
}

func FuzzUnpack(f *testing.F) {
	f.Add([]byte{}, int64(0))
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a'}, int64(5))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1}, int64(-1))
	f.Fuzz(func(t *testing.T, v []byte, now int64) {
		out, ok := unpack(v, time.Unix(0, now))
		if ok && (len(v) < expiryLen || !bytes.Equal(out, v[expiryLen:])) {
			t.Errorf("unpack(%x) = %x", v, out)
		}
		if !ok && out != nil {
			t.Errorf("a miss returned %x", out)
		}
		if ok == expiredAt(v, now) {
			t.Errorf("unpack and expiredAt disagree on %x at %d", v, now)
		}
	})
}

func FuzzCacheRoundTrip(f *testing.F) {
	f.Add("VirusTotal", "ipv4", "1.2.3.4", []byte(`{"a":1}`))
	f.Add("p", "", "", []byte{})
	f.Add("p\x00q", "t\x00", "\xff\xfe", []byte{0})
	c, err := OpenCache(filepath.Join(f.TempDir(), "lookups.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = c.Close() })
	f.Fuzz(func(t *testing.T, provider, iocType, ioc string, val []byte) {
		if err := c.Put(provider, iocType, ioc, val, time.Hour); err != nil {
			if provider != "" && len(provider) <= maxCacheKey && len(iocType)+len(ioc)+1 <= maxCacheKey {
				t.Fatalf("Put refused a valid entry: %v", err)
			}
			return
		}
		got, ok := c.Get(provider, iocType, ioc)
		if !ok || !bytes.Equal(got, val) {
			t.Fatalf("Get = %x, %v; want %x", got, ok, val)
		}
	})
}
