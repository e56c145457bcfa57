package ioc

import (
	"fmt"
	"regexp"
	"strings"
)

// Type is a kind of indicator.
type Type string

// The built-in types, named as msticpy names them.
const (
	IPv4        Type = "ipv4"
	IPv6        Type = "ipv6"
	URL         Type = "url"
	DNS         Type = "dns"
	Email       Type = "email"
	MD5         Type = "md5_hash"
	SHA1        Type = "sha1_hash"
	SHA256      Type = "sha256_hash"
	WindowsPath Type = "windows_path"
	LinuxPath   Type = "linux_path"
	Hostname    Type = "hostname"
)

// Builtin lists the built-in types in msticpy's priority order (ties by name).
var Builtin = []Type{IPv4, IPv6, URL, Email, MD5, SHA1, SHA256, DNS, Hostname, WindowsPath, LinuxPath}

// Priority is msticpy's rank for a built-in type: when one string matches several
// types it is reported as the one with the lowest number. Custom types carry their
// own.
func Priority(t Type) int {
	switch t {
	case IPv4, IPv6, URL:
		return 0
	case Email, MD5, SHA1, SHA256:
		return 1
	case DNS, Hostname:
		return 2
	case WindowsPath:
		return 3
	case LinuxPath:
		return 4
	}
	return 0
}

// Match is one indicator found in a text.
type Match struct {
	// Type is what it is.
	Type Type `json:"type"`
	// Value is the indicator, refanged when it was written defanged.
	Value string `json:"value"`
	// Start and End are its byte offsets in the text scanned. For a value derived
	// from another (a URL's host, a percent-decoded URL) they are the offsets of
	// the text it came from.
	Start int `json:"start"`
	End   int `json:"end"`
	// Defanged reports that the text wrote it defanged (hxxp, [.], [at]…).
	Defanged bool `json:"defanged"`
}

// Pattern is a user-added indicator type, matched with a regular expression.
type Pattern struct {
	// Type names it; it must not be a built-in type's name.
	Type Type
	// Regexp is the expression (Go RE2 syntax, case-sensitive unless it says (?i)).
	Regexp string
	// Group, when set, names the capture group that holds the value (else the
	// whole match).
	Group string
	// Priority ranks it against other types (lower wins), as msticpy's add_ioc_type.
	Priority int
}

// Options say what to look for.
type Options struct {
	// Types are the types wanted; empty means the default set: every built-in type
	// but the paths (msticpy's default), plus windows_path when Paths is set, plus
	// every custom pattern.
	Types []Type
	// Paths adds windows_path to the default set (msticpy's include_paths).
	Paths bool
	// IgnorePrivate drops addresses that are private, loopback, link-local,
	// multicast, unspecified or reserved for documentation (and URLs whose host is
	// one).
	IgnorePrivate bool
	// Allow lists domains that are never reported, with their subdomains: as dns,
	// hostname, a URL's host, or an email's domain.
	Allow []string
	// IgnoreTLDs turns off the Public Suffix List check on domains (msticpy's
	// ignore_tlds).
	IgnoreTLDs bool
	// Custom are user-added types.
	Custom []Pattern
}

// ParseTypes reads a comma-separated list of type names ("ipv4,url").
func ParseTypes(s string) ([]Type, error) {
	var out []Type
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		t := Type(f)
		known := false
		for _, b := range Builtin {
			if b == t {
				known = true
				break
			}
		}
		if !known {
			return nil, fmt.Errorf("unknown IoC type %q (known: %s)", f, typeNames())
		}
		out = append(out, t)
	}
	return out, nil
}

func typeNames() string {
	s := make([]string, len(Builtin))
	for i, t := range Builtin {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// compiled is a custom pattern ready to run.
type compiled struct {
	Pattern
	re    *regexp.Regexp
	group int
}
