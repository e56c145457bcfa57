package ioc

import (
	"net/netip"

	"golang.org/x/net/publicsuffix"
)

// privateTLD reports the suffixes of names that resolve only inside a network
// (RFC 6762 .local, RFC 8375 home.arpa, ICANN's reserved .internal, and the
// common private choices): such a name is a hostname, not a public domain.
func privateTLD(tld []byte) bool {
	switch string(tld) {
	case "local", "localdomain", "lan", "internal", "intranet", "corp", "home", "private", "localhost":
		return true
	}
	return false
}

// nameKind says what the dotted name with the given last label is: dns when the
// label is a public top-level domain (or the TLD check is off), hostname when it
// is a private-network suffix, "" otherwise (file.exe, config.json).
func (x *Extractor) nameKind(name string, text []byte, tld span) Type {
	var buf [64]byte
	l := tld.e - tld.s
	if l > len(buf) {
		return ""
	}
	for k := 0; k < l; k++ {
		buf[k] = lower(text[tld.s+k])
	}
	return x.kindOfTLD(name, buf[:l])
}

// nameKindString is nameKind for a name held as a string.
func (x *Extractor) nameKindString(name, tld string) Type {
	var buf [64]byte
	if len(tld) > len(buf) {
		return ""
	}
	for k := 0; k < len(tld); k++ {
		buf[k] = lower(tld[k])
	}
	return x.kindOfTLD(name, buf[:len(tld)])
}

func (x *Extractor) kindOfTLD(name string, tld []byte) Type {
	if privateTLD(tld) {
		return Hostname
	}
	if len(tld) == 4 && string(tld) == "arpa" && len(name) > 10 && hasFoldString(name, len(name)-10, ".home.arpa") {
		return Hostname
	}
	if x.opts.IgnoreTLDs {
		return DNS
	}
	var ok, seen bool
	if len(tld) <= 8 {
		// Most TLDs fit a word: the cache key is the bytes packed with the length.
		key := uint64(len(tld))
		for _, c := range tld {
			key = key<<8 | uint64(c)
		}
		if ok, seen = x.shortTLDs[key]; !seen {
			ok = PublicTLD(string(tld))
			x.shortTLDs[key] = ok
		}
	} else if ok, seen = x.tlds[string(tld)]; !seen {
		ok = PublicTLD(string(tld))
		x.tlds[string(tld)] = ok
	}
	if ok {
		return DNS
	}
	return ""
}

// PublicTLD reports whether tld (lower case, no dot) is a top-level domain in
// the Public Suffix List's ICANN section.
func PublicTLD(tld string) bool {
	_, icann := publicsuffix.PublicSuffix(tld)
	return icann
}

func hasFoldString(s string, i int, pat string) bool {
	if i < 0 || i+len(pat) > len(s) {
		return false
	}
	for k := 0; k < len(pat); k++ {
		if lower(s[i+k]) != pat[k] {
			return false
		}
	}
	return true
}

// special are the IPv4 and IPv6 ranges that are not public addresses beyond
// what netip's predicates cover: shared (CGNAT), benchmarking, documentation,
// reserved, "this network", and IPv6 documentation, discard and ORCHID.
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
		"2001:db8::/32", "100::/64", "2001:10::/28", "2001:20::/28", "3fff::/20",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Public reports whether ip is a public, routable address: not private,
// loopback, link-local, multicast, unspecified, shared, documentation or
// otherwise reserved. An IPv4-mapped IPv6 address is judged as its IPv4.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range special {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// ipv6 reads an IPv6 address starting at s (a hex group or "::"): hex digits and
// colons, optionally ending in a dotted IPv4, not touching a word character, a
// colon or a dotted word on either side, and valid as an address (msticpy's
// expression takes a clock time "12:30:45" or a MAC address; these are not).
// It returns the end, or 0.
func (x *Extractor) ipv6(text []byte, s, base int) int {
	n := len(text)
	p := s
	colons := 0
	for p < n && (is(text[p], cHex) || text[p] == ':') {
		if text[p] == ':' {
			colons++
		}
		p++
	}
	if colons < 2 {
		return 0
	}
	if p+1 < n && text[p] == '.' && is(text[p+1], cDigit) {
		for p < n && (is(text[p], cDigit) || text[p] == '.') {
			p++
		}
		for p > s && text[p-1] == '.' {
			p--
		}
	}
	if p < n && (is(text[p], cWord) || text[p] == '.' && p+1 < n && is(text[p+1], cAlnum)) {
		return 0
	}
	a, err := netip.ParseAddr(string(text[s:p]))
	if err != nil || !a.Is6() || a.IsUnspecified() && !hasHexDigit(text[s:p]) {
		return 0
	}
	if !x.dropIP(a) {
		x.add(IPv6, string(text[s:p]), base+s, base+p, false)
	}
	return p
}

func hasHexDigit(b []byte) bool {
	for _, c := range b {
		if c != ':' {
			return true
		}
	}
	return false
}
