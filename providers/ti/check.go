package ti

import (
	"fmt"
	"net/netip"
	"strings"
)

// Bounds on an indicator a provider sends to its API: longer values are not real
// indicators and would only waste the quota.
const (
	MaxHost = 253
	MaxIoC  = 8192
)

// CheckIP reports whether s is an IP address of the wanted version.
func CheckIP(s string, v4 bool) error {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return fmt.Errorf("%q is not an IP address", Clean(s, MaxText))
	}
	if v4 != a.Is4() {
		if v4 {
			return fmt.Errorf("%q is not an IPv4 address", Clean(s, MaxText))
		}
		return fmt.Errorf("%q is not an IPv6 address", Clean(s, MaxText))
	}
	return nil
}

// CheckHost reports whether s can be a domain or host name: not empty, not
// too long, and free of spaces, slashes and control characters.
func CheckHost(s string) error {
	if s == "" || len(s) > MaxHost || strings.ContainsAny(s, "/\\?#@ ") || !printable(s) {
		return fmt.Errorf("%q is not a domain name", Clean(s, MaxText))
	}
	return nil
}

// CheckURL reports whether s is a plausible URL to send: not empty, bounded,
// no control characters.
func CheckURL(s string) error {
	if s == "" || len(s) > MaxIoC || !printable(s) {
		return fmt.Errorf("%q is not a URL", Clean(s, MaxText))
	}
	return nil
}

// hashLen is the hex length of each hash type.
var hashLen = map[string]int{"md5_hash": 32, "sha1_hash": 40, "sha256_hash": 64}

// CheckHash reports whether s is a hex digest of the length its type needs.
func CheckHash(s, iocType string) error {
	if len(s) != hashLen[iocType] {
		return fmt.Errorf("%q is not a %s (want %d hex digits)", Clean(s, MaxText), iocType, hashLen[iocType])
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return fmt.Errorf("%q is not a %s (want hex digits)", Clean(s, MaxText), iocType)
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
