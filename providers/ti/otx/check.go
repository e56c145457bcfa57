package otx

import (
	"fmt"
	"net/netip"
	"strings"
)

// Bounds on an indicator sent to the API: longer values are not real
// indicators and would only waste the quota.
const (
	maxHost = 253
	maxIOC  = 8192
)

// checkIP reports whether s is an IP address of the wanted version.
func checkIP(s string, v4 bool) error {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return fmt.Errorf("%q is not an IP address", clean(s, maxText))
	}
	if v4 != a.Is4() {
		if v4 {
			return fmt.Errorf("%q is not an IPv4 address", clean(s, maxText))
		}
		return fmt.Errorf("%q is not an IPv6 address", clean(s, maxText))
	}
	return nil
}

// checkHost reports whether s can be a domain or host name: not empty, not
// too long, and free of spaces, slashes and control characters.
func checkHost(s string) error {
	if s == "" || len(s) > maxHost || strings.ContainsAny(s, "/\\?#@ ") || !printable(s) {
		return fmt.Errorf("%q is not a domain name", clean(s, maxText))
	}
	return nil
}

// checkURL reports whether s is a plausible URL to send: not empty, bounded,
// no control characters.
func checkURL(s string) error {
	if s == "" || len(s) > maxIOC || !printable(s) {
		return fmt.Errorf("%q is not a URL", clean(s, maxText))
	}
	return nil
}

// hashLen is the hex length of each hash type.
var hashLen = map[string]int{"md5_hash": 32, "sha1_hash": 40, "sha256_hash": 64}

// checkHash reports whether s is a hex digest of the length its type needs.
func checkHash(s, iocType string) error {
	if len(s) != hashLen[iocType] {
		return fmt.Errorf("%q is not a %s (want %d hex digits)", clean(s, maxText), iocType, hashLen[iocType])
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return fmt.Errorf("%q is not a %s (want hex digits)", clean(s, maxText), iocType)
		}
	}
	return nil
}

// printable reports whether s has no ASCII control characters.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}
