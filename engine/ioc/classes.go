package ioc

// Byte classes, one table read per byte in the scanner's inner loops.
const (
	cAlpha   uint16 = 1 << iota // A-Z a-z
	cDigit                      // 0-9
	cHex                        // 0-9 A-F a-f
	cLabel                      // a DNS label byte: alnum and '-'
	cWord                       // a regexp \w byte: alnum and '_'
	cTrigger                    // starts a path or a bare IPv6 ("::1"): '\\' '/' ':'
	cLocal                      // an email local-part byte (msticpy's class)
	cHost                       // a URL host byte (msticpy's class, '%' aside)
	cUser                       // a URL userinfo byte
	cPath                       // a URL path byte (anything but ?#"<> space and controls)
	cQuery                      // a URL query or fragment byte
	cWinDir                     // a Windows folder-name byte (spaces allowed)
	cWinFile                    // a Windows file-name byte (no spaces)
	cLinDir                     // a Linux folder-name byte
	cLinFile                    // a Linux file-name byte

	cAlnum = cAlpha | cDigit
)

var cls = func() (t [256]uint16) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cAlpha
		t[c-32] |= cAlpha
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cDigit | cHex
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] |= cHex
		t[c-32] |= cHex
	}
	for c := 0; c < 256; c++ {
		if t[c]&cAlnum != 0 {
			t[c] |= cLabel | cWord | cLocal | cHost | cUser | cQuery
		}
	}
	t['-'] |= cLabel
	t['_'] |= cWord
	t['\\'] |= cTrigger
	t['/'] |= cTrigger
	t[':'] |= cTrigger
	for _, c := range []byte(".!#$%&'*+/=?^_`{|}~-") {
		t[c] |= cLocal
	}
	for _, c := range []byte("-._~!$&'()*+,;=") {
		t[c] |= cHost | cUser | cQuery
	}
	t[':'] |= cUser | cQuery
	t['%'] |= cUser | cQuery
	t['/'] |= cQuery
	t['?'] |= cQuery
	t['@'] |= cQuery
	for c := 0x21; c < 256; c++ {
		switch c {
		case '?', '#', '"', '<', '>', 0x7f:
		default:
			t[c] |= cPath
		}
	}
	for c := 0x20; c < 256; c++ {
		if c == 0x7f {
			continue
		}
		switch c {
		case '\\', '/', ':', '*', '?', '"', '\'', '<', '>', '|':
		default:
			t[c] |= cWinDir
		}
		switch c {
		case '\\', '/', '*', '?', '"', '<', '>', '|', ' ':
		default:
			t[c] |= cWinFile
		}
		switch c {
		case '\\', '/', ':', '*', '?', '<', '>', '|':
		default:
			t[c] |= cLinDir
		}
		switch c {
		case '/', '<', '>', '|', ' ':
		default:
			t[c] |= cLinFile
		}
	}
	return t
}()

func is(c byte, class uint16) bool { return cls[c]&class != 0 }

// lower returns c in lower case for ASCII letters.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

// hasFold reports whether text at i starts with pat, ASCII case-insensitively
// (pat is lower case).
func hasFold(text []byte, i int, pat string) bool {
	if i < 0 || i+len(pat) > len(text) {
		return false
	}
	for k := 0; k < len(pat); k++ {
		if lower(text[i+k]) != pat[k] {
			return false
		}
	}
	return true
}
