package config

import (
	"os"
	"path/filepath"
	"runtime"
)

// GeoIP is the GeoIP settings: MaxMind's GeoLite2 databases (and the account
// that downloads them) and the IPStack service.
type GeoIP struct {
	// CityDB is the GeoLite2-City (or GeoIP2-City) database ("" = Folder's
	// GeoLite2-City.mmdb when it exists).
	CityDB string `yaml:"city_db,omitempty"`
	// ASNDB is the GeoLite2-ASN database ("" = Folder's GeoLite2-ASN.mmdb when
	// it exists).
	ASNDB string `yaml:"asn_db,omitempty"`
	// Folder is where `quarry geoip update` writes the databases ("" =
	// DefaultGeoIPFolder).
	Folder string `yaml:"folder,omitempty"`
	// AccountID is the MaxMind account ID.
	AccountID Secret `yaml:"account_id,omitempty"`
	// LicenceKey is the MaxMind licence key.
	LicenceKey Secret `yaml:"licence_key,omitempty"`
	// IPStack is the IPStack service's settings.
	IPStack IPStack `yaml:"ipstack,omitempty"`
}

// IPStack is the IPStack service's settings.
type IPStack struct {
	// Key is the IPStack access key.
	Key Secret `yaml:"key,omitempty"`
	// BaseURL replaces IPStack's base URL.
	BaseURL string `yaml:"base_url,omitempty"`
}

// Environment variables read for the GeoIP credentials when the settings name none.
const (
	MaxMindAccountEnv = "QUARRY_MAXMIND_ACCOUNT_ID"
	MaxMindLicenceEnv = "QUARRY_MAXMIND_LICENCE_KEY"
	IPStackKeyEnv     = "QUARRY_IPSTACK_KEY"
)

// The file names `quarry geoip update` writes in the GeoIP folder.
const (
	CityDBName = "GeoLite2-City.mmdb"
	ASNDBName  = "GeoLite2-ASN.mmdb"
)

// DefaultGeoIPFolder is $XDG_DATA_HOME/quarry/geoip, else
// ~/.local/share/quarry/geoip (on Windows %LocalAppData%\quarry\geoip); ""
// when there is no home folder.
func DefaultGeoIPFolder() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "quarry", "geoip")
	}
	if runtime.GOOS == "windows" {
		if d, err := os.UserCacheDir(); err == nil {
			return filepath.Join(d, "quarry", "geoip")
		}
		return ""
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "share", "quarry", "geoip")
}

// GeoIPFolder is geoip.folder, else DefaultGeoIPFolder.
func (c *Config) GeoIPFolder() string {
	if c != nil && c.GeoIP.Folder != "" {
		return c.GeoIP.Folder
	}
	return DefaultGeoIPFolder()
}

// GeoIPCityDB is geoip.city_db, else the GeoIP folder's GeoLite2-City.mmdb
// when it exists, else "".
func (c *Config) GeoIPCityDB() string {
	if c != nil && c.GeoIP.CityDB != "" {
		return c.GeoIP.CityDB
	}
	return existing(c.GeoIPFolder(), CityDBName)
}

// GeoIPASNDB is geoip.asn_db, else the GeoIP folder's GeoLite2-ASN.mmdb when
// it exists, else "".
func (c *Config) GeoIPASNDB() string {
	if c != nil && c.GeoIP.ASNDB != "" {
		return c.GeoIP.ASNDB
	}
	return existing(c.GeoIPFolder(), ASNDBName)
}

// existing is dir/name when that is a file, else "".
func existing(dir, name string) string {
	if dir == "" {
		return ""
	}
	p := filepath.Join(dir, name)
	if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
		return p
	}
	return ""
}

// GeoIPAccountID is the MaxMind account ID: geoip.account_id, else
// $QUARRY_MAXMIND_ACCOUNT_ID (see ResolveSetting for source and errors).
func (c *Config) GeoIPAccountID() (value, source string, err error) {
	return ResolveSetting("geoip.account_id", c.geoip().AccountID, MaxMindAccountEnv)
}

// GeoIPLicenceKey is the MaxMind licence key: geoip.licence_key, else
// $QUARRY_MAXMIND_LICENCE_KEY.
func (c *Config) GeoIPLicenceKey() (value, source string, err error) {
	return ResolveSetting("geoip.licence_key", c.geoip().LicenceKey, MaxMindLicenceEnv)
}

// IPStackKey is the IPStack access key: geoip.ipstack.key, else $QUARRY_IPSTACK_KEY.
func (c *Config) IPStackKey() (value, source string, err error) {
	return ResolveSetting("geoip.ipstack.key", c.geoip().IPStack.Key, IPStackKeyEnv)
}

// geoip is the GeoIP settings of a possibly nil Config.
func (c *Config) geoip() GeoIP {
	if c == nil {
		return GeoIP{}
	}
	return c.GeoIP
}

// DefaultCachePath is the look-up cache's default file: the user cache folder's
// quarry/lookups.db (~/.cache/quarry/lookups.db on Linux); "" when there is none.
func DefaultCachePath() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "quarry", "lookups.db")
}

// CachePath is cache.path, else DefaultCachePath.
func (c *Config) CachePath() string {
	if c != nil && c.Cache.Path != "" {
		return c.Cache.Path
	}
	return DefaultCachePath()
}
