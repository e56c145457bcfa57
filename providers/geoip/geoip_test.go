package geoip

import (
	"math"
	"net/netip"
	"testing"
)

// pythonIPTypes are msticpy get_ip_type's answers computed with Python
// 3.13.0's ipaddress module (the IANA-registry semantics; Python 3.12.1 and
// older differ on 192.0.0.0/24, 2001::/23 exceptions, 2002::/16 and
// 64:ff9b:1::/48).
var pythonIPTypes = []struct{ addr, want string }{
	{"0.0.0.0", "Unspecified"},
	{"0.1.2.3", "Private"},
	{"1.1.1.1", "Public"},
	{"8.8.8.8", "Public"},
	{"9.255.255.255", "Public"},
	{"10.0.0.1", "Private"},
	{"10.255.255.255", "Private"},
	{"11.0.0.0", "Public"},
	{"81.2.69.160", "Public"},
	{"100.63.255.255", "Public"},
	{"100.64.0.1", "Unspecified"},
	{"100.127.255.255", "Unspecified"},
	{"100.128.0.0", "Public"},
	{"126.255.255.255", "Public"},
	{"127.0.0.1", "Loopback"},
	{"127.255.255.254", "Loopback"},
	{"128.0.0.0", "Public"},
	{"169.253.255.255", "Public"},
	{"169.254.0.1", "Link Local"},
	{"169.254.255.255", "Link Local"},
	{"169.255.0.0", "Public"},
	{"172.15.255.255", "Public"},
	{"172.16.0.1", "Private"},
	{"172.31.255.255", "Private"},
	{"172.32.0.0", "Public"},
	{"192.0.0.0", "Private"},
	{"192.0.0.8", "Private"},
	{"192.0.0.9", "Public"},
	{"192.0.0.10", "Public"},
	{"192.0.0.11", "Private"},
	{"192.0.0.170", "Private"},
	{"192.0.0.171", "Private"},
	{"192.0.0.172", "Private"},
	{"192.0.0.255", "Private"},
	{"192.0.1.0", "Public"},
	{"192.0.2.1", "Private"},
	{"192.31.196.1", "Public"},
	{"192.52.193.1", "Public"},
	{"192.88.99.1", "Public"},
	{"192.167.255.255", "Public"},
	{"192.168.1.1", "Private"},
	{"192.169.0.0", "Public"},
	{"192.175.48.1", "Public"},
	{"198.17.255.255", "Public"},
	{"198.18.0.1", "Private"},
	{"198.19.255.255", "Private"},
	{"198.20.0.0", "Public"},
	{"198.51.100.7", "Private"},
	{"203.0.113.9", "Private"},
	{"223.255.255.255", "Public"},
	{"224.0.0.1", "Multicast"},
	{"233.252.0.1", "Multicast"},
	{"239.255.255.255", "Multicast"},
	{"240.0.0.1", "Private"},
	{"250.1.2.3", "Private"},
	{"255.255.255.254", "Private"},
	{"255.255.255.255", "Private"},
	{"::", "Unspecified"},
	{"::1", "Loopback"},
	{"::2", "Public"},
	{"::ffff:0:0", "Private"},
	{"::ffff:8.8.8.8", "Public"},
	{"::ffff:10.0.0.1", "Private"},
	{"::ffff:127.0.0.1", "Loopback"},
	{"::ffff:224.0.0.1", "Public"},
	{"::ffff:169.254.1.1", "Private"},
	{"::ffff:100.64.0.1", "Public"},
	{"::ffff:240.0.0.1", "Private"},
	{"::ffff:0.0.0.0", "Private"},
	{"::ffff:192.0.0.9", "Public"},
	{"::214.0.0.1", "Public"},
	{"::8.8.8.8", "Public"},
	{"::ffff:1:2:3", "Public"},
	{"::ffff:0:8.8.8.8", "Public"},
	{"64:ff9b::8.8.8.8", "Public"},
	{"64:ff9b:1::1", "Private"},
	{"64:ff9b:2::1", "Public"},
	{"100::1", "Private"},
	{"100::ffff:ffff:ffff:ffff", "Private"},
	{"100:0:0:1::1", "Public"},
	{"200::1", "Public"},
	{"2001::1", "Private"},
	{"2001:1::1", "Public"},
	{"2001:1::2", "Public"},
	{"2001:1::3", "Private"},
	{"2001:2::1", "Private"},
	{"2001:3::1", "Public"},
	{"2001:4:112::1", "Public"},
	{"2001:4:113::1", "Private"},
	{"2001:10::1", "Private"},
	{"2001:20::1", "Public"},
	{"2001:2f::1", "Public"},
	{"2001:30::1", "Public"},
	{"2001:40::1", "Private"},
	{"2001:1ff::1", "Private"},
	{"2001:200::1", "Public"},
	{"2001:218::1", "Public"},
	{"2001:480:10::1", "Public"},
	{"2001:db8::1", "Private"},
	{"2001:db9::1", "Public"},
	{"2002::1", "Private"},
	{"2002:c000:0204::1", "Private"},
	{"2003::1", "Public"},
	{"2400:cb00::1", "Public"},
	{"2600:6000::1", "Public"},
	{"2a02:d280::1", "Public"},
	{"3fff::1", "Public"},
	{"4000::1", "Public"},
	{"5f00::1", "Public"},
	{"fbff::1", "Public"},
	{"fc00::1", "Private"},
	{"fd12:3456::1", "Private"},
	{"fe00::1", "Public"},
	{"fe7f::1", "Public"},
	{"fe80::1", "Link Local"},
	{"febf::1", "Link Local"},
	{"fec0::1", "Public"},
	{"feff::1", "Public"},
	{"ff00::1", "Multicast"},
	{"ff02::1", "Multicast"},
	{"ff0e::101", "Multicast"},
	{"ffff::1", "Multicast"},
}

func TestIPTypeMatchesPython(t *testing.T) {
	for _, tc := range pythonIPTypes {
		a := netip.MustParseAddr(tc.addr)
		if got := IPType(a); got != tc.want {
			t.Errorf("IPType(%s) = %q, Python says %q", tc.addr, got, tc.want)
		}
	}
}

func TestIPTypeEdges(t *testing.T) {
	tests := []struct {
		name string
		addr netip.Addr
		want string
	}{
		{"invalid", netip.Addr{}, TypeUnspecified},
		{"zone ignored", netip.MustParseAddr("fe80::1%eth0"), TypeLinkLocal},
		{"zone on public", netip.MustParseAddr("2001:218::1%3"), TypePublic},
	}
	for _, tc := range tests {
		if got := IPType(tc.addr); got != tc.want {
			t.Errorf("%s: IPType(%v) = %q, want %q", tc.name, tc.addr, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		// Expected values from msticpy's geo_distance formula in Python.
		{"London to New York", 51.5074, -0.1278, 40.7128, -74.0060, 5570.222179737958},
		{"London to Linköping (test DB points)", 51.5142, -0.0931, 58.4167, 15.6167, 1257.7256259724234},
		{"antipodes on the equator", 0, 0, 0, 180, 20015.086796020572},
		{"pole to pole", 90, 0, -90, 0, 20015.086796020572},
		{"same point", 47.2513, -122.3149, 47.2513, -122.3149, 0},
	}
	for _, tc := range tests {
		got := Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s: Distance = %.9f km, want %.9f", tc.name, got, tc.want)
		}
		if back := Distance(tc.lat2, tc.lon2, tc.lat1, tc.lon1); math.Abs(back-got) > 1e-9 {
			t.Errorf("%s: not symmetric: %v vs %v", tc.name, got, back)
		}
	}
}

func BenchmarkIPType(b *testing.B) {
	addrs := make([]netip.Addr, len(pythonIPTypes))
	for i, tc := range pythonIPTypes {
		addrs[i] = netip.MustParseAddr(tc.addr)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = IPType(addrs[i%len(addrs)])
	}
}
