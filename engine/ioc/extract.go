package ioc

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// typeBit is a built-in type as a bit in a set.
type typeBit uint16

const (
	bIPv4 typeBit = 1 << iota
	bIPv6
	bURL
	bDNS
	bEmail
	bMD5
	bSHA1
	bSHA256
	bWinPath
	bLinPath
	bHostname
)

var bits = map[Type]typeBit{
	IPv4: bIPv4, IPv6: bIPv6, URL: bURL, DNS: bDNS, Email: bEmail, MD5: bMD5, SHA1: bSHA1,
	SHA256: bSHA256, WindowsPath: bWinPath, LinuxPath: bLinPath, Hostname: bHostname,
}

// Extractor finds indicators in text. It is built once from Options and is safe
// for use by one goroutine at a time (it keeps scratch space); make one per
// goroutine for parallel work.
type Extractor struct {
	want      typeBit
	opts      Options
	allow     []string // lower case, no leading dot
	custom    []compiled
	priority  map[Type]int
	tlds      map[string]bool // TLD (lower case) → is a public suffix
	shortTLDs map[uint64]bool // the same for TLDs of up to 8 bytes, packed
	labels    []span
	out       []Match
	decoding  bool // re-scanning a percent-decoded URL
	// userinfoHost is the offset of the host after a URL's userinfo ("u:p@host"),
	// whose at sign makes no email.
	userinfoHost int
}

type span struct{ s, e int }

// New builds an Extractor for opts. It fails on an unknown type name, a custom
// pattern that does not compile or that reuses a built-in name, or a custom
// group name that the pattern lacks.
func New(opts Options) (*Extractor, error) {
	x := &Extractor{opts: opts, tlds: map[string]bool{}, shortTLDs: map[uint64]bool{}, priority: map[Type]int{}}
	for _, t := range Builtin {
		x.priority[t] = Priority(t)
	}
	customWanted := map[Type]bool{}
	if len(opts.Types) == 0 {
		for _, t := range Builtin {
			if t != WindowsPath && t != LinuxPath {
				x.want |= bits[t]
			}
		}
		if opts.Paths {
			x.want |= bWinPath
		}
	} else {
		for _, t := range opts.Types {
			if b, ok := bits[t]; ok {
				x.want |= b
				continue
			}
			customWanted[t] = true
		}
	}
	for _, p := range opts.Custom {
		if _, ok := bits[p.Type]; ok {
			return nil, fmt.Errorf("custom IoC type %q: that is a built-in type's name", p.Type)
		}
		if p.Type == "" {
			return nil, fmt.Errorf("custom IoC pattern %q has no type name", p.Regexp)
		}
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			return nil, fmt.Errorf("custom IoC type %q: %w", p.Type, err)
		}
		g := 0
		if p.Group != "" {
			g = re.SubexpIndex(p.Group)
			if g < 0 {
				return nil, fmt.Errorf("custom IoC type %q: the pattern has no group named %q", p.Type, p.Group)
			}
		}
		x.priority[p.Type] = p.Priority
		if len(opts.Types) == 0 || customWanted[p.Type] {
			x.custom = append(x.custom, compiled{Pattern: p, re: re, group: g})
		}
		delete(customWanted, p.Type)
	}
	for t := range customWanted {
		return nil, fmt.Errorf("unknown IoC type %q (known: %s)", t, typeNames())
	}
	for _, d := range opts.Allow {
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
		if d != "" {
			x.allow = append(x.allow, d)
		}
	}
	return x, nil
}

// Extract finds the indicators in text with the options given. See
// Extractor.Extract.
func Extract(text string, opts Options) ([]Match, error) {
	x, err := New(opts)
	if err != nil {
		return nil, err
	}
	return x.Extract([]byte(text)), nil
}

// Extract returns the indicators in text, ordered by position. A string that
// matched several types is reported only as the one of highest priority (lowest
// number), as msticpy does; the same type and value at the same place is reported
// once. The returned slice is the caller's.
func (x *Extractor) Extract(text []byte) []Match {
	x.out = x.out[:0]
	x.userinfoHost = -1
	x.scan(text, 0)
	for _, c := range x.custom {
		for _, m := range c.re.FindAllSubmatchIndex(text, -1) {
			s, e := m[2*c.group], m[2*c.group+1]
			if s < 0 || s == e {
				continue
			}
			x.out = append(x.out, Match{Type: c.Type, Value: string(text[s:e]), Start: s, End: e})
		}
	}
	return x.finish()
}

// finish orders, de-duplicates and applies the type priorities to x.out.
func (x *Extractor) finish() []Match {
	out := x.out
	if len(out) == 0 {
		return nil
	}
	byPlace := func(a, b Match) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	}
	if !slices.IsSortedFunc(out, byPlace) {
		slices.SortStableFunc(out, byPlace)
	}
	// The built-in types cannot give one string two types: a URL holds "://", an
	// email '@', an IPv6 address ':', a Windows path '\\', a Linux path starts
	// with '/', '.' or '~', a hash is bare hex and a name has a letter TLD, which
	// decides between dns and hostname. Only custom types can meet another, so
	// msticpy's priority rule needs a look-up only when they matched.
	var best map[string]int
	if len(x.custom) > 0 {
		best = make(map[string]int, len(out))
		for _, m := range out {
			p := x.priority[m.Type]
			if b, ok := best[m.Value]; !ok || p < b {
				best[m.Value] = p
			}
		}
	}
	res := make([]Match, 0, len(out))
	for _, m := range out {
		if best != nil && x.priority[m.Type] > best[m.Value] {
			continue
		}
		dup := false
		for k := len(res) - 1; k >= 0 && res[k].Start == m.Start; k-- {
			if res[k].Type == m.Type && res[k].Value == m.Value {
				dup = true
				break
			}
		}
		if !dup {
			res = append(res, m)
		}
	}
	return res
}

func (x *Extractor) add(t Type, value string, s, e int, defanged bool) {
	x.out = append(x.out, Match{Type: t, Value: value, Start: s, End: e, Defanged: defanged})
}

// scan runs the built-in scanners over text; base is added to every offset (a
// re-scanned percent-decoded URL reports the URL's place).
func (x *Extractor) scan(text []byte, base int) {
	n := len(text)
	want := x.want
	trig := want&(bWinPath|bLinPath|bIPv6) != 0
	chainEnd := 0 // offsets before this lie in a dotted name already looked at
	pathEnd := 0  // offsets before this lie in a path already reported
	urlEnd := 0   // offsets before this lie in a URL already reported
	i := 0
	for i < n {
		c := text[i]
		if cls[c]&cAlnum == 0 {
			if c == 0x1b && i+1 < n && text[i+1] == '[' {
				// A terminal control sequence (CSI): its parameters are no text.
				i += 2
				for i < n && text[i] >= 0x20 && text[i] <= 0x3f {
					i++
				}
				if i < n && text[i] >= 0x40 && text[i] <= 0x7e {
					i++
				}
				continue
			}
			if trig && cls[c]&cTrigger != 0 {
				switch c {
				case '\\':
					if want&bWinPath != 0 && i >= pathEnd {
						if e := x.winPath(text, i, base); e > 0 {
							pathEnd = e
						}
					}
				case '/':
					if want&bLinPath != 0 && i >= pathEnd && i >= urlEnd {
						if e := x.linPath(text, i, base); e > 0 {
							pathEnd = e
						}
					}
				case ':':
					if want&bIPv6 != 0 && i+1 < n && text[i+1] == ':' && (i == 0 || !is(text[i-1], cWord) && text[i-1] != ':' && text[i-1] != '.') {
						if e := x.ipv6(text, i, base); e > 0 {
							i = e
							continue
						}
					}
				}
			}
			i++
			continue
		}
		// An alphanumeric run [s, e).
		s := i
		hex := true
		for i < n && cls[text[i]]&cAlnum != 0 {
			if cls[text[i]]&cHex == 0 {
				hex = false
			}
			i++
		}
		e := i
		if hex {
			switch e - s {
			case 32:
				if want&bMD5 != 0 {
					x.add(MD5, string(text[s:e]), base+s, base+e, false)
				}
			case 40:
				if want&bSHA1 != 0 {
					x.add(SHA1, string(text[s:e]), base+s, base+e, false)
				}
			case 64:
				if want&bSHA256 != 0 {
					x.add(SHA256, string(text[s:e]), base+s, base+e, false)
				}
			}
		}
		if e >= n {
			if s >= chainEnd {
				x.chain(text, s, base)
			}
			break
		}
		next := text[e]
		switch {
		case next == ':' || next == '[' || next == '(' || next == '{':
			if want&(bURL|bDNS|bHostname|bIPv4|bIPv6) != 0 {
				if end := x.url(text, s, e, base); end > 0 {
					urlEnd = end
					continue
				}
			}
			if next == ':' {
				if want&bIPv6 != 0 && hex && e-s <= 4 && (s == 0 || !is(text[s-1], cWord) && text[s-1] != ':' && text[s-1] != '.') {
					if end := x.ipv6(text, s, base); end > 0 {
						i = end
						continue
					}
				}
			}
		}
		if s > 0 && text[s-1] == '%' && e-s > 2 && is(text[s], cHex) && is(text[s+1], cHex) {
			// "%2Fevil.com": the escape's digits are no part of the name.
			s += 2
		}
		if s >= chainEnd {
			if end := x.chain(text, s, base); end > e {
				chainEnd = end
			}
		}
	}
}

// chain reads the dotted name that starts at s (labels of letters, digits and
// '-', separated by dots or defanged dots) and reports it as an IPv4 address, a
// domain, a host name or an email's domain. It returns where the name ends (s's
// label end when there is no separator).
func (x *Extractor) chain(text []byte, s, base int) int {
	n := len(text)
	labels := x.labels[:0]
	defanged := false
	p := s
	for {
		q := p
		for q < n && cls[text[q]]&cLabel != 0 {
			q++
		}
		labels = append(labels, span{p, q})
		k, d := sepAt(text, q)
		if k == 0 || len(labels) > 127 {
			p = q
			break
		}
		defanged = defanged || d
		p = q + k
	}
	x.labels = labels
	end := p
	if len(labels) < 2 {
		return end
	}
	want := x.want
	// IPv4: exactly four labels of one to three digits, each at most 255.
	if allDigits(text, labels) {
		if len(labels) == 4 && want&bIPv4 != 0 {
			if ip, ok := ipv4(text, labels); ok && !x.dropIP(ip) {
				x.add(IPv4, ip.String(), base+s, base+end, defanged)
			}
		}
		return end
	}
	if want&(bDNS|bHostname|bEmail) == 0 {
		return end
	}
	// A name: the longest run of labels that ends in an alphabetic TLD.
	last := len(labels) - 1
	for last >= 1 && !alphaLabel(text, labels[last]) {
		last--
	}
	if last < 1 {
		return end
	}
	for _, l := range labels[:last+1] {
		if l.e-l.s > 63 || text[l.s] == '-' || text[l.e-1] == '-' {
			return end
		}
	}
	if mixedCase(text[labels[last].s:labels[last].e]) {
		// "User.Read", "Principal.Name": a property, not a domain; TLDs are
		// written "com" or "COM".
		return end
	}
	nameEnd := labels[last].e
	if defanged {
		// Defanged only if a defanged separator lies inside the name kept.
		defanged = false
		for k := 0; k < last; k++ {
			if labels[k+1].s-labels[k].e != 1 {
				defanged = true
			}
		}
	}
	name := joinLabels(text, labels[:last+1])
	kind := x.nameKind(name, text, labels[last])
	if kind == "" || len(name) > 253 {
		return end
	}
	// An email: the name follows an at sign with a local part before it.
	at, atDef, isAt := atBefore(text, s)
	if isAt && want&bEmail != 0 && kind == DNS && base+s != x.userinfoHost {
		if ls := localStart(text, at); ls < at {
			if !x.allowed(name) {
				x.add(Email, string(text[ls:at])+"@"+name, base+ls, base+nameEnd, defanged || atDef)
			}
		}
	}
	// A name right before an at sign is an email's local part, and a name right
	// after a single path separator is a file name: neither is reported as a name.
	if _, _, before := atAfter(text, nameEnd); before {
		return end
	}
	if s > 0 && (text[s-1] == '\\' || text[s-1] == '/') && (s < 2 || text[s-2] != text[s-1]) {
		return end
	}
	if want&typeBitOf(kind) != 0 && !x.allowed(name) {
		x.add(kind, name, base+s, base+nameEnd, defanged)
	}
	return end
}

func typeBitOf(t Type) typeBit { return bits[t] }

// atAfter reports an at sign (plain or defanged) starting at i.
func atAfter(text []byte, i int) (int, bool, bool) {
	n := len(text)
	if i >= n {
		return 0, false, false
	}
	if text[i] == '@' {
		return 1, false, true
	}
	j := i
	if text[j] == ' ' {
		j++
	}
	for _, f := range atForms {
		if hasFold(text, j, f) {
			return j + len(f) - i, true, true
		}
	}
	return 0, false, false
}

// localStart walks back from the at sign over an email local part and returns
// where it starts; the part must begin with a letter, digit or '_'.
func localStart(text []byte, at int) int {
	ls := at
	for ls > 0 && cls[text[ls-1]]&cLocal != 0 && at-ls < 64 {
		ls--
	}
	for ls < at && cls[text[ls]]&cWord == 0 {
		ls++
	}
	return ls
}

func allDigits(text []byte, labels []span) bool {
	for _, l := range labels {
		for k := l.s; k < l.e; k++ {
			if cls[text[k]]&cDigit == 0 {
				return false
			}
		}
	}
	return true
}

// ipv4 reads four digit labels as an address: one to three digits each, at most
// 255 (msticpy takes 999.1.1.1).
func ipv4(text []byte, labels []span) (netip.Addr, bool) {
	var a [4]byte
	for k, l := range labels {
		if l.e-l.s > 3 {
			return netip.Addr{}, false
		}
		v := 0
		for p := l.s; p < l.e; p++ {
			v = v*10 + int(text[p]-'0')
		}
		if v > 255 {
			return netip.Addr{}, false
		}
		a[k] = byte(v)
	}
	return netip.AddrFrom4(a), true
}

func alphaLabel(text []byte, l span) bool {
	if l.e-l.s < 2 {
		return false
	}
	if l.e-l.s > 4 && hasFold(text, l.s, "xn--") {
		return true
	}
	for k := l.s; k < l.e; k++ {
		if cls[text[k]]&cAlpha == 0 {
			return false
		}
	}
	return true
}

func joinLabels(text []byte, labels []span) string {
	size := len(labels) - 1
	for _, l := range labels {
		size += l.e - l.s
	}
	b := make([]byte, 0, size)
	for k, l := range labels {
		if k > 0 {
			b = append(b, '.')
		}
		b = append(b, text[l.s:l.e]...)
	}
	return string(b)
}

// dropIP reports whether the options say to ignore the address.
func (x *Extractor) dropIP(ip netip.Addr) bool {
	return x.opts.IgnorePrivate && !Public(ip)
}

// allowed reports whether a name is on the allow list (or under a listed domain).
func (x *Extractor) allowed(name string) bool {
	if len(x.allow) == 0 {
		return false
	}
	for _, d := range x.allow {
		if len(name) < len(d) {
			continue
		}
		tail := name[len(name)-len(d):]
		if strings.EqualFold(tail, d) && (len(name) == len(d) || name[len(name)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}

// mixedCase reports a word with both upper- and lower-case letters.
func mixedCase(w []byte) bool {
	up, low := false, false
	for _, c := range w {
		up = up || c >= 'A' && c <= 'Z'
		low = low || c >= 'a' && c <= 'z'
	}
	return up && low
}
