package geoip

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

const (
	liteCity    = "testdata/GeoLite2-City-Test.mmdb"
	liteASN     = "testdata/GeoLite2-ASN-Test.mmdb"
	liteCountry = "testdata/GeoLite2-Country-Test.mmdb"
	geoip2City  = "testdata/GeoIP2-City-Test.mmdb"
)

func openTest(t testing.TB, city, asn string) *MaxMind {
	t.Helper()
	m, err := OpenMaxMind(city, asn)
	if err != nil {
		t.Fatalf("OpenMaxMind(%q, %q): %v", city, asn, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestLocateMaxMindTestDatabases checks answers against the records listed
// in maxmind/MaxMind-DB source-data/*.json for the same databases.
func TestLocateMaxMindTestDatabases(t *testing.T) {
	lite := openTest(t, liteCity, liteASN)
	g2 := openTest(t, geoip2City, "")
	country := openTest(t, liteCountry, "")
	asnOnly := openTest(t, "", liteASN)
	tests := []struct {
		name string
		m    *MaxMind
		ip   string
		want Location
	}{
		{"London", lite, "81.2.69.160", Location{
			IP: "81.2.69.160", CountryCode: "GB", Country: "United Kingdom", Subdivision: "England",
			City: "London", Latitude: 51.5142, Longitude: -0.0931, IPType: "Public", Source: "maxmind", Found: true}},
		{"Linköping with ASN", lite, "89.160.20.112", Location{
			IP: "89.160.20.112", CountryCode: "SE", Country: "Sweden", Subdivision: "Östergötland County",
			City: "Linköping", Latitude: 58.4167, Longitude: 15.6167, ASN: 29518, ASNOrg: "Bredband2 AB",
			IPType: "Public", Source: "maxmind", Found: true}},
		{"Milton, ASN without org", lite, "216.160.83.58", Location{
			IP: "216.160.83.58", CountryCode: "US", Country: "United States", Subdivision: "Washington",
			City: "Milton", Latitude: 47.2513, Longitude: -122.3149, ASN: 209,
			IPType: "Public", Source: "maxmind", Found: true}},
		{"ASN only (Telstra)", lite, "1.128.0.1", Location{
			IP: "1.128.0.1", ASN: 1221, ASNOrg: "Telstra Pty Ltd", IPType: "Public", Source: "maxmind", Found: true}},
		{"Changchun", lite, "175.16.199.5", Location{
			IP: "175.16.199.5", CountryCode: "CN", Country: "China", Subdivision: "Jilin Sheng",
			City: "Changchun", Latitude: 43.88, Longitude: 125.3228, IPType: "Public", Source: "maxmind", Found: true}},
		{"country-level Bhutan", lite, "67.43.156.1", Location{
			IP: "67.43.156.1", CountryCode: "BT", Country: "Bhutan", Latitude: 27.5, Longitude: 90.5, ASN: 35908,
			IPType: "Public", Source: "maxmind", Found: true}},
		{"IPv6 Japan", lite, "2001:218::1", Location{
			IP: "2001:218::1", CountryCode: "JP", Country: "Japan", Latitude: 35.68536, Longitude: 139.75309,
			IPType: "Public", Source: "maxmind", Found: true}},
		{"IPv6 Czech Republic", lite, "2a02:d280::1", Location{
			IP: "2a02:d280::1", CountryCode: "CZ", Country: "Czech Republic", Latitude: 49.75, Longitude: 15,
			IPType: "Public", Source: "maxmind", Found: true}},
		{"IPv6 ASN (Merit)", lite, "2600:6000::1", Location{
			IP: "2600:6000::1", ASN: 237, ASNOrg: "Merit Network Inc.", IPType: "Public", Source: "maxmind", Found: true}},
		{"v4-mapped IPv6 is looked up as IPv4", lite, "::ffff:81.2.69.160", Location{
			IP: "::ffff:81.2.69.160", CountryCode: "GB", Country: "United Kingdom", Subdivision: "England",
			City: "London", Latitude: 51.5142, Longitude: -0.0931, IPType: "Public", Source: "maxmind", Found: true}},
		{"absent address", lite, "8.8.8.8", Location{
			IP: "8.8.8.8", IPType: "Public", Source: "maxmind", Found: false}},
		{"private address answered locally", lite, "192.168.1.10", Location{
			IP: "192.168.1.10", IPType: "Private", Source: "local"}},
		{"loopback answered locally", lite, "127.0.0.1", Location{
			IP: "127.0.0.1", IPType: "Loopback", Source: "local"}},
		{"v4-mapped private answered locally", lite, "::ffff:10.1.2.3", Location{
			IP: "::ffff:10.1.2.3", IPType: "Private", Source: "local"}},
		{"multicast answered locally", lite, "ff02::1", Location{
			IP: "ff02::1", IPType: "Multicast", Source: "local"}},
		{"GeoIP2 City: San Diego", g2, "214.78.120.5", Location{
			IP: "214.78.120.5", CountryCode: "US", Country: "United States", Subdivision: "California",
			City: "San Diego", Latitude: 32.7405, Longitude: -117.0935, IPType: "Public", Source: "maxmind", Found: true}},
		{"GeoIP2 City: IPv6 San Diego", g2, "2001:480:10::1", Location{
			IP: "2001:480:10::1", CountryCode: "US", Country: "United States", Subdivision: "California",
			City: "San Diego", Latitude: 32.7203, Longitude: -117.1552, IPType: "Public", Source: "maxmind", Found: true}},
		{"GeoIP2 City: Melbourne, first subdivision", g2, "214.0.1.9", Location{
			IP: "214.0.1.9", CountryCode: "AU", Country: "Australia", Subdivision: "Victoria",
			City: "Melbourne", Latitude: -37.8159, Longitude: 144.9669, IPType: "Public", Source: "maxmind", Found: true}},
		{"GeoIP2 City: Boxford, first of two subdivisions", g2, "2.125.160.217", Location{
			IP: "2.125.160.217", CountryCode: "GB", Country: "United Kingdom", Subdivision: "England",
			City: "Boxford", Latitude: 51.75, Longitude: -1.25, IPType: "Public", Source: "maxmind", Found: true}},
		{"Country database gives the country only", country, "81.2.69.160", Location{
			IP: "81.2.69.160", CountryCode: "GB", Country: "United Kingdom", IPType: "Public", Source: "maxmind", Found: true}},
		{"Country database: Gibraltar", country, "217.65.48.1", Location{
			IP: "217.65.48.1", CountryCode: "GI", Country: "Gibraltar", IPType: "Public", Source: "maxmind", Found: true}},
		{"ASN database alone", asnOnly, "12.81.92.1", Location{
			IP: "12.81.92.1", ASN: 7018, ASNOrg: "AT&T Services", IPType: "Public", Source: "maxmind", Found: true}},
		{"ASN database alone, no city data", asnOnly, "81.2.69.160", Location{
			IP: "81.2.69.160", IPType: "Public", Source: "maxmind", Found: false}},
	}
	for _, tc := range tests {
		got := tc.m.Locate(netip.MustParseAddr(tc.ip))
		if got != tc.want {
			t.Errorf("%s: Locate(%s)\n got %+v\nwant %+v", tc.name, tc.ip, got, tc.want)
		}
	}
}

func TestLocateInvalidAddress(t *testing.T) {
	m := openTest(t, liteCity, "")
	got := m.Locate(netip.Addr{})
	want := Location{IPType: "Unspecified", Source: "local"}
	if got != want {
		t.Fatalf("Locate(invalid) = %+v, want %+v", got, want)
	}
}

func TestLocateAfterCloseDoesNotPanic(t *testing.T) {
	m, err := OpenMaxMind(liteCity, liteASN)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := m.Locate(netip.MustParseAddr("81.2.69.160"))
	if got.Found || got.Source != SourceMaxMind || got.IPType != TypePublic {
		t.Fatalf("Locate after Close = %+v, want an empty maxmind answer", got)
	}
}

func TestOpenMaxMindErrors(t *testing.T) {
	dir := t.TempDir()
	notMMDB := filepath.Join(dir, "notes.mmdb")
	if err := os.WriteFile(notMMDB, []byte("this is not a MaxMind database at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "GeoLite2-City.mmdb")
	tests := []struct {
		name      string
		city, asn string
		is        error
		contains  []string
	}{
		{"nothing configured", "", "", ErrNoDatabase, []string{"geoip.city_db", "quarry geoip update", "licence key"}},
		{"missing city file", missing, "", ErrNoDatabase, []string{missing, "geoip.city_db", "quarry geoip update"}},
		{"missing asn file", liteCity, filepath.Join(dir, "nope-ASN.mmdb"), ErrNoDatabase, []string{"nope-ASN.mmdb"}},
		{"a folder", dir, "", ErrNoDatabase, []string{dir, "folder"}},
		{"not an mmdb", notMMDB, "", ErrWrongDatabase, []string{notMMDB, "not a MaxMind DB file"}},
		{"ASN database given as the city database", liteASN, "", ErrWrongDatabase, []string{`"GeoLite2-ASN"`, "City or Country"}},
		{"City database given as the ASN database", liteCity, liteCity, ErrWrongDatabase, []string{`"GeoLite2-City"`, "ASN database"}},
	}
	for _, tc := range tests {
		m, err := OpenMaxMind(tc.city, tc.asn)
		if err == nil {
			m.Close()
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !errors.Is(err, tc.is) {
			t.Errorf("%s: error %q does not wrap %v", tc.name, err, tc.is)
		}
		for _, c := range tc.contains {
			if !strings.Contains(err.Error(), c) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, c)
			}
		}
	}
}

func TestOpenMaxMindUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	p := filepath.Join(t.TempDir(), "locked.mmdb")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, err := OpenMaxMind(p, "")
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), p) {
		t.Fatalf("unreadable file: got %v, want ErrNoDatabase naming %s", err, p)
	}
}

func TestDatabaseTypes(t *testing.T) {
	m := openTest(t, liteCity, liteASN)
	city, asn := m.DatabaseTypes()
	if city != "GeoLite2-City" || asn != "GeoLite2-ASN" {
		t.Fatalf("DatabaseTypes = %q, %q", city, asn)
	}
	m2 := openTest(t, "", liteASN)
	if city, asn := m2.DatabaseTypes(); city != "" || asn != "GeoLite2-ASN" {
		t.Fatalf("DatabaseTypes (asn only) = %q, %q", city, asn)
	}
}

// writeDB writes an mmdb of dbType holding records to a temporary file.
func writeDB(t testing.TB, dbType string, records map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	p := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// cityShaped builds a City-shaped record as MaxMind's databases hold them.
func cityShaped(cc, country, city string, lat, lon float64, subdivisions ...string) mmdbtype.Map {
	rec := mmdbtype.Map{
		"country": mmdbtype.Map{
			"iso_code": mmdbtype.String(cc),
			"names":    mmdbtype.Map{"en": mmdbtype.String(country), "de": mmdbtype.String("x-" + country)},
		},
		"location": mmdbtype.Map{
			"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon),
			"accuracy_radius": mmdbtype.Uint16(5), "time_zone": mmdbtype.String("Etc/UTC"),
		},
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU")},
	}
	if city != "" {
		rec["city"] = mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(city)}, "geoname_id": mmdbtype.Uint32(42)}
	}
	var subs mmdbtype.Slice
	for _, s := range subdivisions {
		subs = append(subs, mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(s)}, "iso_code": mmdbtype.String("XX")})
	}
	if len(subs) > 0 {
		rec["subdivisions"] = subs
	}
	return rec
}

// TestLocateReadsBackWrittenDatabase writes City and ASN databases with
// mmdbwriter and checks Locate returns exactly what was written.
func TestLocateReadsBackWrittenDatabase(t *testing.T) {
	cityPath := writeDB(t, "GeoIP2-City", map[string]mmdbtype.Map{
		"45.33.32.0/24":  cityShaped("NL", "Netherlands", "Amsterdam", 52.3676, 4.9041, "North Holland", "Amsterdam-Zuid"),
		"2a00:1450::/32": cityShaped("IE", "Ireland", "Dublin", 53.3498, -6.2603),
		"185.220.101.0/24": {
			// Only the registered country: Locate falls back to it.
			"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String("DE"), "names": mmdbtype.Map{"en": mmdbtype.String("Germany")}},
		},
	})
	asnPath := writeDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"45.33.32.0/20": {
			"autonomous_system_number":       mmdbtype.Uint32(4200000001),
			"autonomous_system_organization": mmdbtype.String("Quarry Test Networks"),
		},
	})
	m := openTest(t, cityPath, asnPath)
	tests := []struct {
		ip   string
		want Location
	}{
		{"45.33.32.156", Location{IP: "45.33.32.156", CountryCode: "NL", Country: "Netherlands", Subdivision: "North Holland",
			City: "Amsterdam", Latitude: 52.3676, Longitude: 4.9041, ASN: 4200000001, ASNOrg: "Quarry Test Networks",
			IPType: "Public", Source: "maxmind", Found: true}},
		{"::ffff:45.33.32.1", Location{IP: "::ffff:45.33.32.1", CountryCode: "NL", Country: "Netherlands", Subdivision: "North Holland",
			City: "Amsterdam", Latitude: 52.3676, Longitude: 4.9041, ASN: 4200000001, ASNOrg: "Quarry Test Networks",
			IPType: "Public", Source: "maxmind", Found: true}},
		{"45.33.40.1", Location{IP: "45.33.40.1", ASN: 4200000001, ASNOrg: "Quarry Test Networks",
			IPType: "Public", Source: "maxmind", Found: true}},
		{"2a00:1450:4009::200e", Location{IP: "2a00:1450:4009::200e", CountryCode: "IE", Country: "Ireland",
			City: "Dublin", Latitude: 53.3498, Longitude: -6.2603, IPType: "Public", Source: "maxmind", Found: true}},
		{"185.220.101.7", Location{IP: "185.220.101.7", CountryCode: "DE", Country: "Germany",
			IPType: "Public", Source: "maxmind", Found: true}},
		{"45.33.48.1", Location{IP: "45.33.48.1", IPType: "Public", Source: "maxmind"}},
	}
	for _, tc := range tests {
		if got := m.Locate(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("Locate(%s)\n got %+v\nwant %+v", tc.ip, got, tc.want)
		}
	}
}

func TestOpenMaxMindRejectsForeignDatabaseType(t *testing.T) {
	p := writeDB(t, "Quarry-Custom", map[string]mmdbtype.Map{"45.33.32.0/24": {"x": mmdbtype.String("y")}})
	_, err := OpenMaxMind(p, "")
	if !errors.Is(err, ErrWrongDatabase) || !strings.Contains(err.Error(), `"Quarry-Custom"`) {
		t.Fatalf("got %v, want ErrWrongDatabase naming the type", err)
	}
}

// TestLocateWrongShapeRecord checks a City-typed database whose records
// have the wrong shape answers Found false rather than failing.
func TestLocateWrongShapeRecord(t *testing.T) {
	p := writeDB(t, "GeoLite2-City", map[string]mmdbtype.Map{
		"45.33.32.0/24": {"country": mmdbtype.String("not a map"), "location": mmdbtype.Map{"latitude": mmdbtype.String("north")}},
	})
	m := openTest(t, p, "")
	got := m.Locate(netip.MustParseAddr("45.33.32.1"))
	if got.Found || got.Country != "" {
		t.Fatalf("Locate on a malformed record = %+v, want Found false", got)
	}
}
