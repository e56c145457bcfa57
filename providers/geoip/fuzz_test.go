package geoip

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"unicode/utf8"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	geoip2 "github.com/oschwald/geoip2-golang/v2"
)

func FuzzParseIPStack(f *testing.F) {
	f.Add([]byte(ipstackSuccess))
	f.Add([]byte(ipstackUnplaced))
	f.Add([]byte(`{"success": false, "error": {"code": 101, "type": "invalid_access_key", "info": "x"}}`))
	f.Add([]byte(`{"success": false}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"connection": {"asn": -1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var loc Location
		err := parseIPStack(body, &loc)
		if err != nil && (loc.Found || loc.Country != "") {
			t.Fatalf("error %v but location filled: %+v", err, loc)
		}
		for _, s := range []string{loc.CountryCode, loc.Country, loc.Subdivision, loc.City, loc.ASNOrg} {
			if len(s) > 512 || !utf8.ValidString(s) {
				t.Fatalf("unbounded or invalid field %q", s)
			}
		}
		if err != nil && len(err.Error()) > 2000 {
			t.Fatalf("error message of %d bytes", len(err.Error()))
		}
	})
}

func FuzzExtractMMDB(f *testing.F) {
	f.Add(makeTarGz(f, tarEntry{name: "x/a.mmdb", body: []byte("db")}))
	f.Add(makeTarGz(f, tarEntry{name: "x/", dir: true}, tarEntry{name: "x/LICENSE", body: []byte("l")}))
	f.Add(gzipped(f, []byte("plain")))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, archive []byte) {
		var out bytes.Buffer
		n, err := extractMMDB(bytes.NewReader(archive), &out)
		if int64(out.Len()) != n {
			t.Fatalf("reported %d bytes, wrote %d", n, out.Len())
		}
		if err == nil && n > maxEntry {
			t.Fatalf("accepted %d bytes", n)
		}
	})
}

// openBytes builds a MaxMind from in-memory databases (fuzzing only).
func openBytes(city, asn []byte) (*MaxMind, error) {
	m := &MaxMind{}
	if city != nil {
		r, err := geoip2.OpenBytes(city)
		if err != nil {
			return nil, err
		}
		m.city = r
	}
	if asn != nil {
		r, err := geoip2.OpenBytes(asn)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.asn = r
	}
	return m, nil
}

// FuzzLocateHostileDatabase feeds mutated database files to Locate: a
// hostile or corrupt file must never panic or hang a look-up.
func FuzzLocateHostileDatabase(f *testing.F) {
	// Small databases keep each run (and the fuzzer's minimising) quick.
	for _, dbType := range []string{"GeoLite2-City", "GeoLite2-ASN"} {
		var buf bytes.Buffer
		tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24, IPVersion: 4})
		if err != nil {
			f.Fatal(err)
		}
		for i, cidr := range []string{"81.2.69.0/24", "1.128.0.0/11"} {
			_, n, _ := net.ParseCIDR(cidr)
			rec := cityShaped("GB", "United Kingdom", "London", 51.5, -0.09, "England")
			rec["autonomous_system_number"] = mmdbtype.Uint32(1221 + i)
			rec["autonomous_system_organization"] = mmdbtype.String("Telstra")
			if err := tree.Insert(n, rec); err != nil {
				f.Fatal(err)
			}
		}
		if _, err := tree.WriteTo(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes(), []byte{81, 2, 69, 160})
		f.Add(buf.Bytes(), []byte{1, 128, 0, 1})
	}
	f.Fuzz(func(t *testing.T, db []byte, ip []byte) {
		if len(ip) != 4 && len(ip) != 16 {
			return
		}
		addr, _ := netip.AddrFromSlice(ip)
		m, err := openBytes(bytes.Clone(db), bytes.Clone(db))
		if err != nil {
			return
		}
		defer m.Close()
		loc := m.Locate(addr)
		if loc.Source == SourceLocal && loc.Found {
			t.Fatalf("local answer marked found: %+v", loc)
		}
		for _, s := range []string{loc.CountryCode, loc.Country, loc.Subdivision, loc.City, loc.ASNOrg} {
			if len(s) > 4096 {
				t.Fatalf("field of %d bytes", len(s))
			}
		}
	})
}
