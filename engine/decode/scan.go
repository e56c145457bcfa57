package decode

import "bytes"

// MinBase64 is the shortest base64 run looked at, as in msticpy: shorter runs are
// mostly words, identifiers and paths.
const MinBase64 = 30

// MinHex is the fewest hex digits a plain hex run ("4d5a9000…", "0x4d5a…") has, and
// MinHexEscapes the fewest escapes in a \xNN run, for either to be decoded.
const (
	MinHex        = 32
	MinHexEscapes = 8
)

// Span is a run of text: [Start, End) byte offsets.
type Span struct{ Start, End int }

// b64 marks the bytes a base64 run is made of, line breaks included (msticpy's
// candidate class [A-Za-z0-9+/\n\r]).
var b64 = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['/'], t['\n'], t['\r'] = true, true, true, true
	return t
}()

// hexVal is the value of a hex digit, -1 for any other byte.
var hexVal = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c - 'a' + 10)
		t[c-'a'+'A'] = int8(c - 'a' + 10)
	}
	return t
}()

// Base64Runs returns the base64 candidates in text, in order: maximal runs of
// base64 characters (line breaks allowed) of at least min bytes, with up to two
// trailing '=' included; leading and trailing line breaks are not part of a run.
// min below MinBase64 is raised to it. The scan is one pass over a lookup table,
// so text without base64 costs a table read per byte.
func Base64Runs(text []byte, min int) []Span {
	if min < MinBase64 {
		min = MinBase64
	}
	out, _ := appendBase64Runs(nil, text, 0, len(text), min)
	return out
}

// appendBase64Runs appends to out the base64 runs of at least min bytes that start
// in text[i:stop) and returns where the scan ended: at stop, or past the end of a
// run that began before stop and goes on beyond it.
func appendBase64Runs(out []Span, text []byte, i, stop, min int) ([]Span, int) {
	n := len(text)
	for i < stop {
		if !b64[text[i]] {
			i++
			continue
		}
		start := i
		for i < n && b64[text[i]] {
			i++
		}
		end := i
		for start < end && (text[start] == '\n' || text[start] == '\r') {
			start++
		}
		for end > start && (text[end-1] == '\n' || text[end-1] == '\r') {
			end--
		}
		if end-start < min {
			continue
		}
		if end == i {
			for p := 0; p < 2 && i < n && text[i] == '='; p++ {
				i++
			}
			end = i
		}
		out = append(out, Span{start, end})
	}
	return out, i
}

// HexEscapeRuns returns the runs of at least MinHexEscapes consecutive \xNN
// escapes in text ("\x48\x65\x6c…"), in order.
func HexEscapeRuns(text []byte) []Span {
	out, _ := appendHexEscapeRuns(nil, text, 0, len(text))
	return out
}

// appendHexEscapeRuns is HexEscapeRuns over the runs that start in text[i:stop);
// it returns where the scan ended, as appendBase64Runs does.
func appendHexEscapeRuns(out []Span, text []byte, i, stop int) ([]Span, int) {
	n := len(text)
	for i < stop {
		j := bytes.Index(text[i:stop], []byte(`\x`))
		if j < 0 {
			return out, stop
		}
		start := i + j
		k, count := start, 0
		for k+4 <= n && text[k] == '\\' && text[k+1] == 'x' && hexVal[text[k+2]] >= 0 && hexVal[text[k+3]] >= 0 {
			k += 4
			count++
		}
		if count >= MinHexEscapes {
			out = append(out, Span{start, k})
			i = k
		} else {
			i = start + 2
		}
	}
	return out, i
}

// hexRuns appends to out the plain hex runs inside run (a base64 run): maximal
// sequences of at least MinHex hex digits of even length, each with its "0x" or
// "0X" prefix when it has one. Offsets are relative to run.
func hexRuns(out []Span, run []byte) []Span {
	n := len(run)
	for i := 0; i < n; {
		if hexVal[run[i]] < 0 {
			i++
			continue
		}
		start := i
		for i < n && hexVal[run[i]] >= 0 {
			i++
		}
		if i-start < MinHex || (i-start)%2 != 0 {
			continue
		}
		if start >= 2 && (run[start-1] == 'x' || run[start-1] == 'X') && run[start-2] == '0' {
			start -= 2
		}
		out = append(out, Span{start, i})
	}
	return out
}
