package ioc

import (
	"net/netip"
	"strings"
)

// url reads a URL whose scheme ends the alphanumeric run [s, e): a known scheme
// (or a defanged one: hxxp, fxp…) followed by "://" (or "[:]//"…), then
// msticpy's userinfo, host, port, path, query and fragment. It reports the URL,
// its host (as ipv4, ipv6, dns or hostname), and, when the URL holds
// percent-escapes, the decoded URL and whatever the decoded text holds. It
// returns where the URL ends, 0 when there is none.
func (x *Extractor) url(text []byte, s, e, base int) int {
	n := len(text)
	k, defanged := slashesAt(text, e)
	if k == 0 {
		return 0
	}
	// The scheme: the longest known suffix of the run (msticpy's expression has
	// no left boundary, so "xhttp://" holds "http://").
	scheme, ss := "", -1
	var buf [6]byte
	for l := min(6, e-s); l >= 3; l-- {
		for j := 0; j < l; j++ {
			buf[j] = lower(text[e-l+j])
		}
		if sch, ok := schemes[string(buf[:l])]; ok {
			scheme, ss = sch, e-l
			break
		}
	}
	if ss < 0 {
		return 0
	}
	if string(buf[:e-ss]) != scheme {
		defanged = true
	}
	p := e + k
	// Userinfo, when an at sign closes it.
	q := p
	for q < n && cls[text[q]]&cUser != 0 {
		q++
	}
	if q < n && text[q] == '@' {
		p = q + 1
	}
	hs := p
	var host []byte
	v6, hostDefanged := false, false
	if p < n && text[p] == '[' {
		// An IPv6 literal: [2001:db8::1].
		if c := indexByte(text[p:min(n, p+48)], ']'); c > 2 {
			if a, err := netip.ParseAddr(string(text[p+1 : p+c])); err == nil && a.Is6() && a.Zone() == "" {
				host = append(host, text[p+1:p+c]...)
				v6 = true
				p += c + 1
			}
		}
	}
	if !v6 {
		for p < n {
			if text[p] != '.' {
				if l, d := sepAt(text, p); l > 0 && d {
					host = append(host, '.')
					defanged, hostDefanged = true, true
					p += l
					continue
				}
			}
			c := text[p]
			if cls[c]&cHost != 0 || c == '%' && p+2 < n && is(text[p+1], cHex) && is(text[p+2], cHex) {
				host = append(host, c)
				p++
				continue
			}
			break
		}
	}
	he := p
	if p < n && text[p] == ':' {
		p++
		for p < n && is(text[p], cDigit) {
			p++
		}
	}
	if p < n && text[p] == '/' {
		for p < n && cls[text[p]]&cPath != 0 {
			p++
		}
	}
	if p < n && text[p] == '?' {
		p++
		for p < n && cls[text[p]]&cQuery != 0 {
			p++
		}
	}
	if p < n && text[p] == '#' {
		p++
		for p < n && cls[text[p]]&cQuery != 0 {
			p++
		}
	}
	p = listEnd(text, e+k, p)
	end := trimTail(text, e+k, p)
	if end <= e+k {
		return 0
	}
	if he > end {
		he = end
		host = host[:0]
		for c := hs; c < he; c++ {
			host = append(host, text[c])
		}
	}
	// Host: trailing dots and punctuation are no part of the name.
	hostStr := strings.TrimRight(string(host), ".,;'()*!")
	hostType, drop := x.hostType(hostStr, v6)

	var b strings.Builder
	b.Grow(end - ss)
	b.WriteString(scheme)
	b.WriteString("://")
	b.Write(text[e+k : hs])
	if v6 {
		b.WriteByte('[')
		b.Write(host)
		b.WriteByte(']')
	} else {
		b.Write(host)
	}
	rest := string(text[he:end])
	if strings.Contains(rest, "[.]") {
		rest = strings.ReplaceAll(rest, "[.]", ".")
		defanged = true
	}
	b.WriteString(rest)
	value := b.String()

	if drop {
		return end
	}
	if x.want&bURL != 0 {
		x.add(URL, value, base+ss, base+end, defanged)
	}
	if hostType != "" && x.want&bits[hostType] != 0 {
		hStart, hEnd := hs, hs+len(hostStr)
		switch {
		case v6:
			hStart, hEnd = hs+1, he-1
		case hostDefanged:
			hEnd = he
		}
		x.add(hostType, hostStr, base+hStart, base+min(hEnd, end), hostDefanged)
	}
	if hs > e+k {
		// The at sign closing the userinfo makes no email.
		x.userinfoHost = base + hs
	}
	// msticpy re-scans the percent-decoded URL: a URL hidden in a query string
	// ("?u=http%3A%2F%2Fevil.com") is found that way. One level deep.
	if !x.decoding && strings.IndexByte(value, '%') >= 0 {
		if dec := percentDecode(value); dec != value {
			x.decoding = true
			from := len(x.out)
			if x.want&bURL != 0 {
				x.add(URL, dec, 0, len(dec), defanged)
			}
			x.scan([]byte(dec), 0)
			// What the raw URL shows as is is found there; keep what decoding revealed.
			raw := string(text[ss:end])
			kept := x.out[:from]
			for _, m := range x.out[from:] {
				if m.Type == URL || !strings.Contains(raw, m.Value) {
					m.Start, m.End = base+ss, base+end
					kept = append(kept, m)
				}
			}
			x.out = kept
			x.decoding = false
		}
	}
	return end
}

// hostType says what a URL's host is and whether the options drop the URL
// (a private address, an allow-listed domain).
func (x *Extractor) hostType(host string, v6 bool) (Type, bool) {
	if host == "" {
		return "", false
	}
	if v6 {
		a, _ := netip.ParseAddr(host)
		return IPv6, x.dropIP(a)
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is4() {
		return IPv4, x.dropIP(a)
	}
	if x.allowed(host) {
		return "", true
	}
	if strings.IndexByte(host, '%') >= 0 {
		return "", false
	}
	dot := strings.LastIndexByte(host, '.')
	if dot < 0 {
		if validLabel(host) {
			return Hostname, false
		}
		return "", false
	}
	tld := host[dot+1:]
	for _, l := range strings.Split(host, ".") {
		if !validLabel(l) {
			return "", false
		}
	}
	if allDigitString(tld) {
		return "", false
	}
	if t := x.nameKindString(host, tld); t != "" {
		return t, false
	}
	return Hostname, false
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if cls[l[i]]&cLabel == 0 {
			return false
		}
	}
	return true
}

func allDigitString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !is(s[i], cDigit) {
			return false
		}
	}
	return s != ""
}

// trimTail drops what a sentence puts after a URL or a path: trailing dots,
// commas, colons, semicolons, quotes and exclamation marks, and closing
// brackets that close nothing inside [from, end).
func trimTail(text []byte, from, end int) int {
	for end > from {
		switch c := text[end-1]; c {
		case '.', ',', ';', ':', '!', '\'', '"', '`', '*', '\\':
			end--
			continue
		case ')', ']', '}':
			open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			depth := 0
			for j := from; j < end; j++ {
				switch text[j] {
				case open:
					depth++
				case c:
					depth--
				}
			}
			if depth < 0 {
				end--
				continue
			}
		}
		break
	}
	return end
}

func indexByte(b []byte, c byte) int {
	for i, v := range b {
		if v == c {
			return i
		}
	}
	return -1
}

// percentDecode undoes %XX escapes, leaving malformed ones as they are.
func percentDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && is(s[i+1], cHex) && is(s[i+2], cHex) {
			if b == nil {
				b = append(make([]byte, 0, len(s)), s[:i]...)
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// listEnd cuts a URL at the next one in a list: "https://a;https://b" or
// "http://a,http://b" is two URLs, not one whose path holds the other (a URL in
// a query, "?u=http://b", stays whole).
func listEnd(text []byte, from, end int) int {
	for j := from; j+3 < end; j++ {
		if text[j] != ';' && text[j] != ',' && text[j] != '|' {
			continue
		}
		s := j + 1
		q := s
		for q < end && is(text[q], cAlpha) && q-s <= 6 {
			q++
		}
		if q > s+2 {
			if k, _ := slashesAt(text, q); k > 0 {
				var buf [8]byte
				l := 0
				for c := s; c < q && l < len(buf); c++ {
					buf[l] = lower(text[c])
					l++
				}
				if _, ok := schemes[string(buf[:l])]; ok {
					return j
				}
			}
		}
	}
	return end
}
