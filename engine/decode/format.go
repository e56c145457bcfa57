package decode

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// hexPairs is msticpy's printable form of bytes: lower-case hex pairs separated
// by spaces ("4d 5a 90 00"), for at most the first maxShown bytes.
func hexPairs(b []byte) string {
	b = b[:min(len(b), maxShown)]
	if len(b) == 0 {
		return ""
	}
	out := make([]byte, 0, 3*len(b)-1)
	for i, c := range b {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	return string(out)
}

// decodeHex decodes a plain hex run, skipping a "0x" prefix. The run is made of
// hex digits, of even length.
func decodeHex(run []byte) []byte {
	if len(run) >= 2 && run[0] == '0' && (run[1] == 'x' || run[1] == 'X') {
		run = run[2:]
	}
	out := make([]byte, len(run)/2)
	for i := range out {
		out[i] = byte(hexVal[run[2*i]])<<4 | byte(hexVal[run[2*i+1]])
	}
	return out
}

// decodeHexEscapes decodes a run of \xNN escapes.
func decodeHexEscapes(run []byte) []byte {
	out := make([]byte, len(run)/4)
	for i := range out {
		out[i] = byte(hexVal[run[4*i+2]])<<4 | byte(hexVal[run[4*i+3]])
	}
	return out
}

// utf16ToUTF8 decodes UTF-16LE text: a byte-order mark is dropped, surrogate
// pairs are joined, and a lone surrogate or a trailing odd byte becomes U+FFFD.
func utf16ToUTF8(b []byte) []byte {
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
		b = b[2:]
	}
	out := make([]byte, 0, len(b)/2+len(b)/16)
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(b[i]) | rune(b[i+1])<<8
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		if utf16.IsSurrogate(r) {
			if r < 0xdc00 && i+3 < len(b) {
				if d := utf16.DecodeRune(r, rune(b[i+2])|rune(b[i+3])<<8); d != utf8.RuneError {
					out = utf8.AppendRune(out, d)
					i += 2
					continue
				}
			}
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	if len(b)%2 != 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return out
}

// original is an encoded run as Item.Original keeps it: cut to maxShown bytes,
// with "…" when it was longer.
func original(run []byte) string {
	if len(run) <= maxShown {
		return string(run)
	}
	return string(run[:maxShown]) + "…"
}

// writeName writes a file name for a tag's name attribute, '[None]' for none.
// The bytes that could end the attribute or the tag (' " < > &), '%' itself and
// control characters are percent-escaped, so a hostile name cannot break the tag.
func writeName(w *strings.Builder, name string) {
	if name == "" {
		w.WriteString("[None]")
		return
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '\'' || c == '"' || c == '<' || c == '>' || c == '&' || c == '%' || c < 0x20 || c == 0x7f:
			w.WriteByte('%')
			w.WriteByte("0123456789ABCDEF"[c>>4])
			w.WriteByte("0123456789ABCDEF"[c&0x0f])
		default:
			w.WriteByte(c)
		}
	}
}
