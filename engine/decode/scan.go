package decode

// MinBase64 is the shortest base64 run looked at, as in msticpy: shorter runs are
// mostly words, identifiers and paths.
const MinBase64 = 30

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

// Base64Runs returns the base64 candidates in text, in order: maximal runs of
// base64 characters (line breaks allowed) of at least min bytes, with up to two
// trailing '=' included; leading and trailing line breaks are not part of a run.
// min below MinBase64 is raised to it. The scan is one pass over a lookup table,
// so text without base64 costs a table read per byte.
func Base64Runs(text []byte, min int) []Span {
	if min < MinBase64 {
		min = MinBase64
	}
	var out []Span
	n := len(text)
	for i := 0; i < n; {
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
	return out
}
