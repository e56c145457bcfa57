package geoip

import (
	"net/netip"
	"testing"
)

// benchAddrs mixes found, missing, IPv6 and non-public addresses.
var benchAddrs = []string{
	"81.2.69.160", "89.160.20.112", "216.160.83.58", "175.16.199.5", "1.128.0.1",
	"8.8.8.8", "2001:218::1", "2a02:d280::1", "10.1.2.3", "12.81.92.1",
	"2.125.160.217", "67.43.156.1", "202.196.224.7", "192.168.0.1", "1.0.0.1", "18.1.2.3",
}

func BenchmarkLocate(b *testing.B) {
	m, err := OpenMaxMind("testdata/GeoLite2-City-Test.mmdb", "testdata/GeoLite2-ASN-Test.mmdb")
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	addrs := make([]netip.Addr, len(benchAddrs))
	for i, s := range benchAddrs {
		addrs[i] = netip.MustParseAddr(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; i < b.N; i++ {
		if m.Locate(addrs[i%len(addrs)]).Found {
			found++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	if b.N >= len(addrs) && found == 0 {
		b.Fatal("nothing found")
	}
}
