package ioc

// Defanged writing, as threat reports and tickets use it to keep indicators from
// being clicked: hxxp://evil[.]com, 10[.]0[.]0[.]1, bob[at]evil(.)com,
// http[:]//…, evil [dot] com. The scanner accepts these forms and reports the
// indicator refanged, with Defanged set.

// dotForms are the defanged dots, lower case, in the order tried.
var dotForms = []string{"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}"}

// atForms are the defanged at signs.
var atForms = []string{"[at]", "(at)", "{at}", "[@]", "(@)"}

// sepAt reports a label separator at i: a dot, or a defanged dot (optionally with
// one space either side of a bracketed form), followed by a label byte. It
// returns the separator's length (0 for none) and whether it was defanged.
func sepAt(text []byte, i int) (int, bool) {
	n := len(text)
	if i >= n {
		return 0, false
	}
	c := text[i]
	if c == '.' {
		if i+1 < n && is(text[i+1], cAlnum) {
			return 1, false
		}
		return 0, false
	}
	j := i
	if c == ' ' {
		j++
	}
	if j >= n || (text[j] != '[' && text[j] != '(' && text[j] != '{') {
		return 0, false
	}
	for _, f := range dotForms {
		if !hasFold(text, j, f) {
			continue
		}
		k := j + len(f)
		if k < n && text[k] == ' ' {
			k++
		}
		if k < n && is(text[k], cAlnum) {
			return k - i, true
		}
		return 0, false
	}
	return 0, false
}

// atBefore looks for an at sign (plain or defanged) that ends right before s. It
// returns where the sign starts, whether it was defanged, and whether one is there.
func atBefore(text []byte, s int) (int, bool, bool) {
	if s <= 0 {
		return 0, false, false
	}
	if text[s-1] == '@' {
		return s - 1, false, true
	}
	e := s
	if text[e-1] == ' ' {
		e--
	}
	if e <= 0 {
		return 0, false, false
	}
	switch text[e-1] {
	case ']', ')', '}':
	default:
		return 0, false, false
	}
	for _, f := range atForms {
		b := e - len(f)
		if hasFold(text, b, f) {
			if b > 0 && text[b-1] == ' ' {
				b--
			}
			return b, true, true
		}
	}
	return 0, false, false
}

// schemes are the URL schemes msticpy's URL expression knows, with their
// defanged spellings mapped to the real one.
var schemes = map[string]string{
	"http": "http", "https": "https", "ftp": "ftp", "ftps": "ftps", "sftp": "sftp",
	"sftps": "sftps", "telnet": "telnet", "ldap": "ldap", "file": "file",
	"hxxp": "http", "hxxps": "https", "fxp": "ftp", "fxps": "ftps", "sfxp": "sftp",
	"sfxps": "sftps", "hxtp": "http", "hxtps": "https", "htxp": "http", "htxps": "https",
}

// slashesAt reports the scheme separator at i: "://", or defanged "[:]//",
// "[://]" and the like. It returns its length and whether it
// was defanged.
func slashesAt(text []byte, i int) (int, bool) {
	n := len(text)
	if i+3 <= n && text[i] == ':' && text[i+1] == '/' && text[i+2] == '/' {
		return 3, false
	}
	for _, f := range [...]string{"[:]//", "(:)//", "[://]", "[:/]/", "{:}//"} {
		if i+len(f) <= n && string(text[i:i+len(f)]) == f {
			return len(f), true
		}
	}
	return 0, false
}
