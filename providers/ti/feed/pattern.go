package feed

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Observable is one value a STIX pattern compares an object against, with
// its indicator type in engine/ioc's names.
type Observable struct {
	// Type is ipv4, ipv6, dns, url, email, md5_hash, sha1_hash or sha256_hash.
	Type string
	// Value is the compared value, unescaped, not yet normalised.
	Value string
}

// MaxPatternLen bounds a STIX pattern.
const MaxPatternLen = 1 << 20

// ErrPattern is wrapped by ParsePattern's errors.
var ErrPattern = errors.New("bad STIX pattern")

// ParsePattern reads the comparisons of a STIX 2.1 pattern that name an
// indicator Quarry can look up, such as
//
//	[ipv4-addr:value = '198.51.100.1' OR file:hashes.'SHA-256' = '…']
//
// Each "<object-path> = '<string>'" inside an observation ([…]) gives one
// Observable, whatever joins the comparisons (OR, AND) or the observations
// (OR, AND, FOLLOWEDBY); other operators (!=, LIKE, MATCHES, IN, NOT …) and
// object paths are ignored. Supported paths: ipv4-addr:value, ipv6-addr:value
// (a /32 or /128 CIDR counts as its address; wider ranges are skipped),
// domain-name:value, url:value, email-addr:value and file:hashes.<MD5|SHA-1|
// SHA-256> (hash names quoted or not, any case). String escapes \' and \\ are
// undone. A syntax error (an unterminated string, unbalanced brackets, a
// stray character) is an error wrapping ErrPattern.
func ParsePattern(p string) ([]Observable, error) {
	if len(p) > MaxPatternLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrPattern, MaxPatternLen)
	}
	toks, err := tokenize(p)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrPattern)
	}
	var out []Observable
	var stack []byte
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokPunct:
			switch t.text {
			case "[", "(":
				stack = append(stack, t.text[0])
			case "]", ")":
				open := byte('[')
				if t.text == ")" {
					open = '('
				}
				if len(stack) == 0 || stack[len(stack)-1] != open {
					return nil, fmt.Errorf("%w: unbalanced %q at offset %d", ErrPattern, t.text, t.pos)
				}
				stack = stack[:len(stack)-1]
			}
		case tokIdent:
			if !strings.Contains(t.text, ":") || i+2 >= len(toks) || !inObservation(stack) {
				continue
			}
			if op := toks[i+1]; op.kind != tokOp || op.text != "=" {
				continue
			}
			if v := toks[i+2]; v.kind == tokString {
				if o, ok := observable(t.text, v.text); ok {
					out = append(out, o)
				}
				i += 2
			}
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("%w: %d unclosed bracket(s)", ErrPattern, len(stack))
	}
	return out, nil
}

// inObservation reports whether the innermost open bracket is '['.
func inObservation(stack []byte) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i] == '[' {
			return true
		}
	}
	return false
}

// observable maps an object path and value to an Observable.
func observable(path, value string) (Observable, bool) {
	obj, prop, _ := strings.Cut(path, ":")
	obj = strings.ToLower(obj)
	prop = strings.ToLower(strings.ReplaceAll(prop, "'", ""))
	switch {
	case obj == "ipv4-addr" && prop == "value", obj == "ipv6-addr" && prop == "value":
		typ := "ipv4"
		if obj == "ipv6-addr" {
			typ = "ipv6"
		}
		v := strings.TrimSpace(value)
		if strings.Contains(v, "/") {
			pf, err := netip.ParsePrefix(v)
			if err != nil || pf.Bits() != pf.Addr().BitLen() {
				return Observable{}, false
			}
			v = pf.Addr().String()
		}
		return Observable{Type: typ, Value: v}, true
	case prop != "value" && obj != "file":
		return Observable{}, false
	case obj == "domain-name":
		return Observable{Type: "dns", Value: value}, true
	case obj == "url":
		return Observable{Type: "url", Value: value}, true
	case obj == "email-addr":
		return Observable{Type: "email", Value: value}, true
	case obj == "file":
		h, ok := strings.CutPrefix(prop, "hashes.")
		if !ok {
			return Observable{}, false
		}
		switch strings.NewReplacer("-", "", "_", "").Replace(h) {
		case "md5":
			return Observable{Type: "md5_hash", Value: value}, true
		case "sha1":
			return Observable{Type: "sha1_hash", Value: value}, true
		case "sha256":
			return Observable{Type: "sha256_hash", Value: value}, true
		}
	}
	return Observable{}, false
}

type tokKind uint8

const (
	tokPunct  tokKind = iota // [ ] ( ) ,
	tokIdent                 // keywords, numbers, object paths
	tokOp                    // = != < <= > >=
	tokString                // '…' (unescaped)
	tokOther                 // t'…', b'…', h'…' literals
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// tokenize splits a pattern into tokens.
func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[' || c == ']' || c == '(' || c == ')' || c == ',':
			toks = append(toks, token{tokPunct, s[i : i+1], i})
			i++
		case c == '=':
			toks = append(toks, token{tokOp, "=", i})
			i++
		case c == '!' || c == '<' || c == '>':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			} else if c == '!' {
				return nil, fmt.Errorf("%w: stray '!' at offset %d", ErrPattern, i)
			}
			toks = append(toks, token{tokOp, s[i:j], i})
			i = j
		case c == '\'':
			v, n, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, v, i})
			i = n
		case isIdentByte(c):
			j := i
		scan:
			for j < len(s) {
				switch {
				case isIdentByte(s[j]):
					j++
				case s[j] == '\'' && j > i && s[j-1] == '.':
					// A quoted path segment: file:hashes.'SHA-256'.
					_, n, err := quoted(s, j)
					if err != nil {
						return nil, err
					}
					j = n
				case s[j] == '[' && j > i && strings.Contains(s[i:j], ":"):
					// A list index inside a path: refs[*] or refs[0].
					k := j + 1
					for k < len(s) && (s[k] == '*' || s[k] >= '0' && s[k] <= '9') {
						k++
					}
					if k < len(s) && s[k] == ']' && k > j+1 {
						j = k + 1
						continue
					}
					break scan
				default:
					break scan
				}
			}
			word := s[i:j]
			if j < len(s) && s[j] == '\'' && (word == "t" || word == "b" || word == "h") {
				_, n, err := quoted(s, j)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{tokOther, s[i:n], i})
				i = n
				continue
			}
			toks = append(toks, token{tokIdent, word, i})
			i = j
		default:
			return nil, fmt.Errorf("%w: unexpected %q at offset %d", ErrPattern, c, i)
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == ':' || c == '.' || c == '+' || c >= 0x80
}

// quoted reads the string literal starting at s[i] == '\”, undoing \' and
// \\; it returns the value and the offset after the closing quote.
func quoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 >= len(s) {
				return "", 0, fmt.Errorf("%w: unterminated string at offset %d", ErrPattern, i)
			}
			j++
			if s[j] != '\'' && s[j] != '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		case '\'':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated string at offset %d", ErrPattern, i)
}
