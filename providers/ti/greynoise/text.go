package greynoise

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Caps on what a response may put into a Result: the answers are
// attacker-reachable text, so every string is bounded.
const maxText = 200 // runes in one string field

// clean makes an attacker-controlled string safe to show: invalid UTF-8
// replaced, control and format characters (escape sequences, bidi overrides,
// zero-width characters) turned into spaces, runs of space collapsed, and the
// result cut to max runes.
func clean(s string, max int) string {
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

// maxReason caps Result.Reason: ti.Decode's messages can quote a hostile
// number literal at any length.
const maxReason = 400

// finish bounds r's reason and removes key from every text field of r, Raw
// included, in case a server echoed it; a Raw that would stop being valid
// JSON is dropped.
func finish(r ti.Result, key string) ti.Result {
	r.Reason = clean(r.Reason, maxReason)
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
