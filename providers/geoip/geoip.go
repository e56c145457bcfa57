// Package geoip places IP addresses on the map, as msticpy's GeoLiteLookup and
// IPStackLookup do: a MaxMind City/Country database with an optional ASN
// database read locally (MaxMind), the ipstack web API (IPStack), and the
// download of fresh MaxMind databases (Update). It also carries msticpy's
// get_ip_type (IPType) and geo_distance (Distance).
//
// Addresses that are not public (private, loopback, link-local, multicast,
// reserved…) are answered locally with their IPType and never sent to a
// database or a web service.
package geoip

import (
	"math"
	"net/netip"
)

// Sources named in Location.Source.
const (
	// SourceMaxMind marks an answer read from a MaxMind database.
	SourceMaxMind = "maxmind"
	// SourceIPStack marks an answer from the ipstack API.
	SourceIPStack = "ipstack"
	// SourceLocal marks an answer given without a database: the address is
	// not public, so only its IPType is known.
	SourceLocal = "local"
)

// IP types returned by IPType (msticpy get_ip_type's names).
const (
	TypeMulticast   = "Multicast"
	TypePublic      = "Public"
	TypeLoopback    = "Loopback"
	TypeLinkLocal   = "Link Local"
	TypeUnspecified = "Unspecified"
	TypePrivate     = "Private"
	TypeReserved    = "Reserved"
)

// Location is one address placed on the map. JSON names are the CLI contract.
type Location struct {
	// IP is the address looked up, as given.
	IP string `json:"ip"`
	// CountryCode is the ISO 3166-1 alpha-2 code of the country.
	CountryCode string `json:"country_code"`
	// Country is the English name of the country.
	Country string `json:"country"`
	// Subdivision is the English name of the first subdivision (state, region).
	Subdivision string `json:"subdivision"`
	// City is the English name of the city.
	City string `json:"city"`
	// Latitude is the approximate latitude, in degrees.
	Latitude float64 `json:"latitude"`
	// Longitude is the approximate longitude, in degrees.
	Longitude float64 `json:"longitude"`
	// ASN is the autonomous system number announcing the address (0 = unknown).
	ASN uint `json:"asn"`
	// ASNOrg is the organisation owning the autonomous system.
	ASNOrg string `json:"asn_org"`
	// IPType is msticpy get_ip_type's class: Multicast, Public, Loopback,
	// Link Local, Unspecified, Private or Reserved.
	IPType string `json:"ip_type"`
	// Source is "maxmind", "ipstack", or "local" (answered without a database).
	Source string `json:"source"`
	// Found reports that the database or service had the address.
	Found bool `json:"found"`
}

// Distance returns the great-circle distance in kilometres between two points
// given in degrees: the haversine formula with an Earth radius of 6371 km, as
// msticpy's geo_distance.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	c := 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
	return earthRadiusKm * c
}

// IPType classifies addr as msticpy's get_ip_type does: the first true of
// is_multicast (Multicast), is_global (Public), is_loopback (Loopback),
// is_link_local (Link Local), is_unspecified (Unspecified), is_private
// (Private), is_reserved (Reserved), else Unspecified. The properties follow
// Python 3.13's ipaddress module, which reads the IANA IPv4 and IPv6
// special-purpose address registries: 100.64.0.0/10 is neither global nor
// private; IPv4-mapped IPv6 addresses take is_private, is_global and
// is_loopback from their IPv4 address (but not is_multicast or
// is_link_local, as in Python). An invalid address is Unspecified. A zone
// (fe80::1%eth0) is ignored.
func IPType(addr netip.Addr) string {
	if !addr.IsValid() {
		return TypeUnspecified
	}
	addr = addr.WithZone("")
	if addr.Is4() {
		switch {
		case v4Multicast.Contains(addr):
			return TypeMulticast
		case v4Global(addr):
			return TypePublic
		case v4Loopback.Contains(addr):
			return TypeLoopback
		case v4LinkLocal.Contains(addr):
			return TypeLinkLocal
		case addr == v4Unspecified:
			return TypeUnspecified
		case v4Private(addr):
			return TypePrivate
		case v4Reserved.Contains(addr):
			return TypeReserved
		}
		return TypeUnspecified
	}
	switch {
	case v6Multicast.Contains(addr):
		return TypeMulticast
	case !v6Private(addr):
		return TypePublic
	case v6Loopback(addr):
		return TypeLoopback
	case v6LinkLocal.Contains(addr):
		return TypeLinkLocal
	case addr == netip.IPv6Unspecified():
		return TypeUnspecified
	case v6Private(addr):
		return TypePrivate
	case v6Reserved(addr):
		return TypeReserved
	}
	return TypeUnspecified
}

var (
	v4Multicast   = netip.MustParsePrefix("224.0.0.0/4")
	v4Loopback    = netip.MustParsePrefix("127.0.0.0/8")
	v4LinkLocal   = netip.MustParsePrefix("169.254.0.0/16")
	v4Shared      = netip.MustParsePrefix("100.64.0.0/10")
	v4Reserved    = netip.MustParsePrefix("240.0.0.0/4")
	v4Unspecified = netip.IPv4Unspecified()

	// v4PrivateNets are the blocks the IANA IPv4 special-purpose registry
	// lists as not globally reachable (Python's _IPv4Constants._private_networks).
	v4PrivateNets = prefixes(
		"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.0.170/31", "192.0.2.0/24",
		"192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
		"240.0.0.0/4", "255.255.255.255/32",
	)
	// v4PrivateExceptions are globally reachable blocks inside v4PrivateNets.
	v4PrivateExceptions = prefixes("192.0.0.9/32", "192.0.0.10/32")

	v6Multicast = netip.MustParsePrefix("ff00::/8")
	v6LinkLocal = netip.MustParsePrefix("fe80::/10")

	// v6PrivateNets are the blocks the IANA IPv6 special-purpose registry
	// lists as not globally reachable (Python's _IPv6Constants._private_networks).
	v6PrivateNets = prefixes(
		"::1/128", "::/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64",
		"2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10",
	)
	// v6PrivateExceptions are globally reachable blocks inside v6PrivateNets.
	v6PrivateExceptions = prefixes(
		"2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48",
		"2001:20::/28", "2001:30::/28",
	)
	// v6ReservedNets are Python's _IPv6Constants._reserved_networks.
	v6ReservedNets = prefixes(
		"::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4",
		"4000::/3", "6000::/3", "8000::/3", "a000::/3", "c000::/3", "e000::/4",
		"f000::/5", "f800::/6", "fe00::/9",
	)
)

// prefixes parses a fixed list of prefixes.
func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// inAny reports whether addr is in one of nets.
func inAny(addr netip.Addr, nets []netip.Prefix) bool {
	for _, n := range nets {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}

// v4Private is Python's IPv4Address.is_private.
func v4Private(addr netip.Addr) bool {
	return inAny(addr, v4PrivateNets) && !inAny(addr, v4PrivateExceptions)
}

// v4Global is Python's IPv4Address.is_global.
func v4Global(addr netip.Addr) bool {
	return !v4Shared.Contains(addr) && !v4Private(addr)
}

// v6Private is Python's IPv6Address.is_private (is_global is its negation).
func v6Private(addr netip.Addr) bool {
	if addr.Is4In6() {
		return v4Private(addr.Unmap())
	}
	return inAny(addr, v6PrivateNets) && !inAny(addr, v6PrivateExceptions)
}

// v6Loopback is Python's IPv6Address.is_loopback.
func v6Loopback(addr netip.Addr) bool {
	if addr.Is4In6() {
		return v4Loopback.Contains(addr.Unmap())
	}
	return addr == netip.IPv6Loopback()
}

// v6Reserved is Python's IPv6Address.is_reserved.
func v6Reserved(addr netip.Addr) bool {
	return inAny(addr, v6ReservedNets)
}
