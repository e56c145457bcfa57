package ti

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
)

// Caps on what a provider's response may put into a Result: the answers are
// attacker-reachable text, so every string and list is bounded.
const (
	MaxText  = 200 // runes in one string field
	MaxURL   = 500 // runes in a URL field
	MaxItems = 10  // entries in a list field
)

// Clean makes an attacker-controlled string safe to show: invalid UTF-8
// replaced, control and format characters (escape sequences, bidi overrides,
// zero-width characters) turned into spaces, runs of space collapsed, and the
// result cut to max runes.
func Clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	n, space := 0, false
	for _, c := range s {
		if unicode.IsControl(c) || unicode.Is(unicode.Cf, c) || unicode.IsSpace(c) {
			space = b.Len() > 0
			continue
		}
		if n >= max {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
			if n >= max {
				b.WriteRune('…')
				break
			}
		}
		b.WriteRune(c)
		n++
	}
	return b.String()
}

// AppendUnique appends the cleaned, non-empty values of src to dst, skipping
// ones already present (case-insensitively), until dst holds max entries.
func AppendUnique(dst []string, max, width int, src ...string) []string {
	for _, s := range src {
		if len(dst) >= max {
			break
		}
		s = Clean(s, width)
		if s == "" {
			continue
		}
		dup := false
		for _, d := range dst {
			if strings.EqualFold(d, s) {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, s)
		}
	}
	return dst
}

// MaxReason caps Result.Reason: Decode's messages can quote a hostile
// number literal at any length.
const MaxReason = 400

// Scrub bounds r's reason and removes key from every text field of r, Raw
// included, in case a server echoed it; a Raw that would stop being valid
// JSON is dropped. Every HTTP provider passes its results through it.
func Scrub(r Result, key string) Result {
	r.Reason = Clean(r.Reason, MaxReason)
	if key == "" {
		return r
	}
	r.Reason = httpx.Redact(r.Reason, key)
	r.Reference = httpx.Redact(r.Reference, key)
	for k, v := range r.Details {
		switch x := v.(type) {
		case string:
			r.Details[k] = httpx.Redact(x, key)
		case []string:
			for i := range x {
				x[i] = httpx.Redact(x[i], key)
			}
		}
	}
	if bytes.Contains(r.Raw, []byte(key)) {
		raw := bytes.ReplaceAll(r.Raw, []byte(key), []byte("[redacted]"))
		if json.Valid(raw) {
			r.Raw = raw
		} else {
			r.Raw = nil
		}
	}
	return r
}
