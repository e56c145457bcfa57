package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	geoip2 "github.com/oschwald/geoip2-golang/v2"
)

// ErrNoDatabase means no usable MaxMind database file was found: none was
// configured, or the file is missing or unreadable.
var ErrNoDatabase = errors.New("no GeoIP database")

// ErrWrongDatabase means a file opened but is not a MaxMind database of the
// kind needed (not an mmdb at all, or an mmdb of another type).
var ErrWrongDatabase = errors.New("not a usable GeoIP database")

// howToGet tells the user how to get a database.
const howToGet = "set geoip.city_db in the settings, or run `quarry geoip update` with a MaxMind licence key"

// MaxMind answers look-ups from local MaxMind databases: a City (or Country)
// database for the place and an ASN database for the network owner; either
// may be absent. It is safe for concurrent use; Close must not run alongside
// Locate.
type MaxMind struct {
	city *geoip2.Reader
	asn  *geoip2.Reader
}

// cityTypes are the database types whose records have the City/Country
// shape (geoip2-golang's list; Country databases give the country only).
var cityTypes = map[string]bool{
	"DBIP-City-Lite": true, "DBIP-Country-Lite": true, "DBIP-Country": true,
	"DBIP-Location (compat=City)": true, "GeoLite2-City": true,
	"GeoIP-City-Redacted-US": true, "GeoIP2-City": true, "GeoIP2-City-Africa": true,
	"GeoIP2-City-Asia-Pacific": true, "GeoIP2-City-Europe": true,
	"GeoIP2-City-North-America": true, "GeoIP2-City-South-America": true,
	"GeoIP2-Precision-City": true, "GeoLite2-Country": true, "GeoIP2-Country": true,
	"DBIP-ISP (compat=Enterprise)": true, "DBIP-Location-ISP (compat=Enterprise)": true,
	"GeoIP-Enterprise-Redacted-US": true, "GeoIP2-Enterprise": true,
}

// asnTypes are the database types whose records carry
// autonomous_system_number and autonomous_system_organization.
var asnTypes = map[string]bool{
	"GeoLite2-ASN": true, "DBIP-ASN-Lite (compat=GeoLite2-ASN)": true,
	"GeoIP2-ISP": true, "GeoIP2-Precision-ISP": true,
}

// OpenMaxMind opens a City (or Country) database at cityPath and an ASN
// database at asnPath; either may be "", not both. A missing or unreadable
// file gives an error wrapping ErrNoDatabase that names the path and says how
// to get one; a file that is not an mmdb of the right type gives an error
// wrapping ErrWrongDatabase.
func OpenMaxMind(cityPath, asnPath string) (*MaxMind, error) {
	if cityPath == "" && asnPath == "" {
		return nil, fmt.Errorf("geoip: %w configured: %s", ErrNoDatabase, howToGet)
	}
	m := &MaxMind{}
	if cityPath != "" {
		r, err := openDB(cityPath, "City or Country", cityTypes)
		if err != nil {
			return nil, err
		}
		m.city = r
	}
	if asnPath != "" {
		r, err := openDB(asnPath, "ASN", asnTypes)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.asn = r
	}
	return m, nil
}

// openDB opens path and checks its database type is one of want.
func openDB(path, kind string, want map[string]bool) (*geoip2.Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: %w at %s (%v): %s", ErrNoDatabase, path, unwrapPathErr(err), howToGet)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("geoip: %w at %s (it is a folder): %s", ErrNoDatabase, path, howToGet)
	}
	r, err := geoip2.Open(path)
	var unknown geoip2.UnknownDatabaseTypeError
	if errors.As(err, &unknown) {
		if r != nil {
			r.Close()
		}
		return nil, fmt.Errorf("geoip: %s is %w: it is a %q database, a %s database is needed", path, ErrWrongDatabase, unknown.DatabaseType, kind)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("geoip: %w at %s (%v): %s", ErrNoDatabase, path, pe.Err, howToGet)
		}
		return nil, fmt.Errorf("geoip: %s is %w: not a MaxMind DB file (%v)", path, ErrWrongDatabase, err)
	}
	if t := r.Metadata().DatabaseType; !want[t] {
		r.Close()
		return nil, fmt.Errorf("geoip: %s is %w: it is a %q database, a %s database is needed", path, ErrWrongDatabase, t, kind)
	}
	return r, nil
}

// unwrapPathErr returns the reason inside an *os.PathError (the path is
// already in the message).
func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Close releases the databases.
func (m *MaxMind) Close() error {
	var errs []error
	if m.city != nil {
		errs = append(errs, m.city.Close())
		m.city = nil
	}
	if m.asn != nil {
		errs = append(errs, m.asn.Close())
		m.asn = nil
	}
	return errors.Join(errs...)
}

// DatabaseTypes returns the types of the open databases ("" when absent), for
// display: for example "GeoLite2-City" and "GeoLite2-ASN".
func (m *MaxMind) DatabaseTypes() (city, asn string) {
	if m.city != nil {
		city = m.city.Metadata().DatabaseType
	}
	if m.asn != nil {
		asn = m.asn.Metadata().DatabaseType
	}
	return city, asn
}

// Locate places addr. Addresses that are not public are answered locally
// (Source "local", IPType set, no database read). An IPv4-mapped IPv6 address
// (::ffff:1.2.3.4) is looked up as its IPv4 address. An address neither
// database holds comes back with Found false.
func (m *MaxMind) Locate(addr netip.Addr) Location {
	loc, a, ok := prepare(addr)
	if !ok {
		return loc
	}
	loc.Source = SourceMaxMind
	if m.city != nil {
		if rec, err := m.city.City(a); err == nil && rec.HasData() {
			loc.Found = true
			loc.CountryCode = rec.Country.ISOCode
			loc.Country = rec.Country.Names.English
			if loc.CountryCode == "" {
				// Some networks (anycast, satellite) carry only the
				// registered country.
				loc.CountryCode = rec.RegisteredCountry.ISOCode
				loc.Country = rec.RegisteredCountry.Names.English
			}
			if len(rec.Subdivisions) > 0 {
				loc.Subdivision = rec.Subdivisions[0].Names.English
			}
			loc.City = rec.City.Names.English
			if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
				loc.Latitude = *rec.Location.Latitude
				loc.Longitude = *rec.Location.Longitude
			}
		}
	}
	if m.asn != nil {
		if rec, err := m.asn.ASN(a); err == nil && rec.HasData() {
			loc.Found = true
			loc.ASN = rec.AutonomousSystemNumber
			loc.ASNOrg = rec.AutonomousSystemOrganization
		}
	}
	return loc
}

// prepare starts the Location for addr and decides whether it needs a
// look-up: it returns the address to look up (unmapped, no zone) and true
// for public addresses; otherwise the local answer and false.
func prepare(addr netip.Addr) (Location, netip.Addr, bool) {
	loc := Location{Source: SourceLocal}
	if !addr.IsValid() {
		loc.IPType = TypeUnspecified
		return loc, addr, false
	}
	loc.IP = addr.String()
	a := addr.WithZone("").Unmap()
	loc.IPType = IPType(a)
	if loc.IPType != TypePublic {
		return loc, a, false
	}
	return loc, a, true
}
