package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
)

// ProviderInfo describes a threat-intel provider for Check (the integrator
// passes the registry's list; this package does not import the providers).
type ProviderInfo struct {
	// Name is the registry name ("virustotal").
	Name string
	// KeyEnv is the environment variable read for the key ("QUARRY_VT_KEY";
	// "" when the provider takes no key).
	KeyEnv string
	// IDEnv is the environment variable for the second credential, if any.
	IDEnv string
	// NeedsKey reports that look-ups fail without a key (and the api_id, when
	// IDEnv is set).
	NeedsKey bool
	// Aliases are the other names the command line accepts ("vt").
	Aliases []string
}

// CheckItem is one line of Check's report. No field ever holds a secret.
type CheckItem struct {
	// Area is "settings", "ti", "cache", "geoip" or "whois".
	Area string
	// Name is the provider or setting checked ("virustotal", "city_db").
	Name string
	// State is StateSet, StateMissing, StateInvalid, StateWarning or StateOff.
	State string
	// Detail says where a value came from, or what is wrong and how to fix it.
	Detail string
}

// The States of a CheckItem.
const (
	StateSet     = "set"
	StateMissing = "missing"
	StateInvalid = "invalid"
	StateWarning = "warning"
	StateOff     = "off"
)

// Check reports the state of the settings: the settings file's mode; each
// known provider's key (where it comes from, or what would supply it), its
// resolution errors and whether it is disabled; unknown provider names in
// ti.providers, ti.primary and ti.secondary (with the nearest known name);
// keys written into the file and key files other users can read; the GeoIP
// databases and credentials; the cache's file; the RDAP server. It resolves
// every secret (so it may wait on the system keyring) but never reports a
// value. known empty skips the provider-name checks.
func Check(c *Config, known []ProviderInfo) []CheckItem {
	if c == nil {
		c = &Config{}
	}
	var items []CheckItem
	items = append(items, checkFile(c))
	items = append(items, checkProviders(c, known)...)
	items = append(items, checkGeoIP(c)...)
	items = append(items, checkCache(c))
	items = append(items, checkWhois(c))
	return items
}

// checkFile reports the settings file and its mode.
func checkFile(c *Config) CheckItem {
	it := CheckItem{Area: "settings", Name: "file"}
	if c.Path == "" {
		it.State, it.Detail = StateOff, "no settings file: the defaults are in use"
		if p := DefaultPath(); p != "" {
			it.Detail += " (create " + p + ")"
		}
		return it
	}
	info, err := os.Stat(c.Path)
	if err != nil {
		it.State, it.Detail = StateInvalid, err.Error()
		return it
	}
	if w := modeWarning(c.Path, info.Mode()); w != "" {
		it.State, it.Detail = StateWarning, w
		return it
	}
	it.State, it.Detail = StateSet, c.Path
	if runtime.GOOS != "windows" {
		it.Detail += fmt.Sprintf(" (mode %04o)", info.Mode().Perm())
	}
	return it
}

// checkProviders reports the known providers, unknown names and key hygiene.
func checkProviders(c *Config, known []ProviderInfo) []CheckItem {
	var items []CheckItem
	for _, p := range known {
		items = append(items, checkProvider(c, p)...)
	}
	names := make([]string, 0, len(c.TI.Providers))
	for n := range c.TI.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if len(known) > 0 {
			if canon, exact := lookupProvider(n, known); !exact {
				items = append(items, CheckItem{Area: "ti", Name: "ti.providers." + n, State: StateInvalid, Detail: unknownDetail(n, canon, known)})
			}
		}
		ps := c.TI.Providers[n]
		items = append(items, secretHygiene("ti", "ti.providers."+n+".key", ps.Key, true)...)
		items = append(items, secretHygiene("ti", "ti.providers."+n+".api_id", ps.APIID, true)...)
	}
	for _, list := range []struct {
		field string
		names []string
	}{{"ti.primary", c.TI.Primary}, {"ti.secondary", c.TI.Secondary}} {
		items = append(items, checkScope(c, list.field, list.names, known)...)
	}
	return items
}

// checkProvider reports one known provider's key.
func checkProvider(c *Config, p ProviderInfo) []CheckItem {
	it := CheckItem{Area: "ti", Name: p.Name}
	ps, _ := c.TIProvider(p.Name)
	field := "ti.providers." + p.Name
	var items []CheckItem
	for _, f := range ps.Paths {
		if _, err := os.Stat(f); err != nil {
			items = append(items, CheckItem{Area: "ti", Name: p.Name + ".paths", State: StateWarning, Detail: err.Error()})
		}
	}
	if ps.Disabled {
		it.State, it.Detail = StateOff, "disabled in the settings ("+field+".disabled)"
		return append([]CheckItem{it}, items...)
	}
	key, ksrc, kerr := c.ProviderKey(p.Name, p.KeyEnv)
	var id, isrc string
	var ierr error
	if p.IDEnv != "" || ps.APIID.IsSet() {
		id, isrc, ierr = c.ProviderID(p.Name, p.IDEnv)
	}
	keyFix := "set " + field + ".key (env:NAME, file:PATH or keyring:NAME)"
	if p.KeyEnv != "" {
		keyFix += " or the environment variable " + p.KeyEnv
	}
	idFix := "set " + field + ".api_id"
	if p.IDEnv != "" {
		idFix += " or the environment variable " + p.IDEnv
	}
	switch {
	case kerr != nil:
		it.State, it.Detail = StateInvalid, kerr.Error()
	case ierr != nil:
		it.State, it.Detail = StateInvalid, ierr.Error()
	case key == "" && p.NeedsKey:
		it.State, it.Detail = StateMissing, "no key: "+keyFix
	case key != "" && p.NeedsKey && p.IDEnv != "" && id == "":
		it.State, it.Detail = StateMissing, "key from "+ksrc+"; no api_id: "+idFix
	case key != "":
		it.State, it.Detail = StateSet, "key from "+ksrc
		if id != "" {
			it.Detail += "; api_id from " + isrc
		}
	case p.KeyEnv != "":
		it.State, it.Detail = StateSet, "no key (optional: "+keyFix+")"
	default:
		it.State, it.Detail = StateSet, "no key needed"
	}
	if ps.BaseURL != "" {
		it.Detail += "; base_url " + redactURL(ps.BaseURL)
	}
	return append([]CheckItem{it}, items...)
}

// checkScope reports unknown or disabled names in ti.primary or ti.secondary.
func checkScope(c *Config, field string, names []string, known []ProviderInfo) []CheckItem {
	var items []CheckItem
	good := 0
	for _, n := range names {
		if len(known) > 0 {
			canon, _ := lookupProvider(n, known)
			if canon == "" {
				items = append(items, CheckItem{Area: "ti", Name: field, State: StateInvalid, Detail: unknownDetail(n, "", known)})
				continue
			}
			if ps, _ := c.TIProvider(canon); ps.Disabled {
				items = append(items, CheckItem{Area: "ti", Name: field, State: StateWarning, Detail: fmt.Sprintf("%s is listed but disabled (ti.providers.%s.disabled)", n, canon)})
				continue
			}
		}
		good++
	}
	if len(names) == 0 {
		return append(items, CheckItem{Area: "ti", Name: field, State: StateOff, Detail: "not set: the registry's defaults are used"})
	}
	if good == len(names) {
		items = append(items, CheckItem{Area: "ti", Name: field, State: StateSet, Detail: strings.Join(names, ", ")})
	}
	return items
}

// lookupProvider finds name among the known names and aliases (case-
// insensitively): the registry name, and whether name is that name itself.
func lookupProvider(name string, known []ProviderInfo) (canon string, exact bool) {
	for _, p := range known {
		if strings.EqualFold(name, p.Name) {
			return p.Name, true
		}
	}
	for _, p := range known {
		for _, a := range p.Aliases {
			if strings.EqualFold(name, a) {
				return p.Name, false
			}
		}
	}
	return "", false
}

// unknownDetail explains an unknown provider name (canon: the provider an
// alias stands for, or "").
func unknownDetail(name, canon string, known []ProviderInfo) string {
	if canon != "" {
		return fmt.Sprintf("%s is an alias: ti.providers uses the provider's name, %s", name, canon)
	}
	var cands []string
	for _, p := range known {
		cands = append(cands, p.Name)
		cands = append(cands, p.Aliases...)
	}
	if best, d := nearest(strings.ToLower(name), cands); best != "" && d <= max(2, len(name)/3) {
		canon, _ = lookupProvider(best, known)
		return fmt.Sprintf("unknown provider %s; did you mean %s?", name, canon)
	}
	all := make([]string, 0, len(known))
	for _, p := range known {
		all = append(all, p.Name)
	}
	return fmt.Sprintf("unknown provider %s; known: %s", name, strings.Join(all, ", "))
}

// nearest is the candidate with the smallest edit distance to s.
func nearest(s string, cands []string) (string, int) {
	best, bestD := "", -1
	for _, c := range cands {
		if d := editDistance(s, strings.ToLower(c)); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// secretHygiene warns about a key written into the settings (when isKey: an
// account ID is no secret) and a key file other users can read.
func secretHygiene(area, field string, s Secret, isKey bool) []CheckItem {
	switch s.Kind() {
	case KindLiteral:
		if !isKey {
			return nil
		}
		return []CheckItem{{Area: area, Name: field, State: StateWarning, Detail: "the key is written in the settings file; move it to env:NAME, file:PATH or keyring:NAME"}}
	case KindFile:
		if runtime.GOOS == "windows" || s.Path() == "" {
			return nil
		}
		if info, err := os.Stat(s.Path()); err == nil && info.Mode().Perm()&0o077 != 0 {
			return []CheckItem{{Area: area, Name: field, State: StateWarning, Detail: fmt.Sprintf("key file %s can be read by other users (mode %04o): chmod 600 %s", s.Path(), info.Mode().Perm(), s.Path())}}
		}
	}
	return nil
}

// checkGeoIP reports the GeoIP databases and credentials.
func checkGeoIP(c *Config) []CheckItem {
	var items []CheckItem
	for _, db := range []struct {
		name, set, path, file string
	}{
		{"city_db", c.GeoIP.CityDB, c.GeoIPCityDB(), CityDBName},
		{"asn_db", c.GeoIP.ASNDB, c.GeoIPASNDB(), ASNDBName},
	} {
		it := CheckItem{Area: "geoip", Name: db.name}
		switch {
		case db.path == "":
			it.State = StateMissing
			it.Detail = fmt.Sprintf("no %s in %s: run `quarry geoip update` (needs geoip.account_id and geoip.licence_key) or set geoip.%s", db.file, c.GeoIPFolder(), db.name)
		default:
			if err := checkMMDB(db.path); err != nil {
				it.State, it.Detail = StateInvalid, err.Error()
				if db.set != "" {
					it.Detail += " (geoip." + db.name + ")"
				}
			} else {
				it.State, it.Detail = StateSet, db.path
			}
		}
		items = append(items, it)
	}
	for _, cred := range []struct {
		name, env, use string
		get            func() (string, string, error)
		s              Secret
		optional       bool
	}{
		{"account_id", MaxMindAccountEnv, "needed by `quarry geoip update`", c.GeoIPAccountID, c.GeoIP.AccountID, false},
		{"licence_key", MaxMindLicenceEnv, "needed by `quarry geoip update`", c.GeoIPLicenceKey, c.GeoIP.LicenceKey, false},
		{"ipstack.key", IPStackKeyEnv, "optional: only for the IPStack service", c.IPStackKey, c.GeoIP.IPStack.Key, true},
	} {
		it := CheckItem{Area: "geoip", Name: cred.name}
		v, src, err := cred.get()
		switch {
		case err != nil:
			it.State, it.Detail = StateInvalid, err.Error()
		case v == "" && cred.optional:
			it.State, it.Detail = StateOff, fmt.Sprintf("not set (%s): set geoip.%s or the environment variable %s", cred.use, cred.name, cred.env)
		case v == "":
			it.State, it.Detail = StateMissing, fmt.Sprintf("not set (%s): set geoip.%s (env:NAME, file:PATH or keyring:NAME) or the environment variable %s", cred.use, cred.name, cred.env)
		default:
			it.State, it.Detail = StateSet, "from "+src
		}
		items = append(items, it)
		items = append(items, secretHygiene("geoip", "geoip."+cred.name, cred.s, cred.name != "account_id")...)
	}
	return items
}

// mmdbMarker starts a MaxMind database's metadata section, near the file's end.
const mmdbMarker = "\xab\xcd\xefMaxMind.com"

// checkMMDB checks that path is a readable file with MaxMind metadata.
func checkMMDB(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", path)
	}
	const tail = 128 << 10
	off := max(info.Size()-tail, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, tail))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if !bytes.Contains(b, []byte(mmdbMarker)) {
		return fmt.Errorf("%s is not a MaxMind database", path)
	}
	return nil
}

// checkCache reports whether the cache's file can be written.
func checkCache(c *Config) CheckItem {
	it := CheckItem{Area: "cache", Name: "path"}
	if c.Cache.Disabled {
		it.State, it.Detail = StateOff, "disabled in the settings (cache.disabled)"
		return it
	}
	p := c.CachePath()
	if p == "" {
		it.State, it.Detail = StateMissing, "no user cache folder: set cache.path"
		return it
	}
	created, err := writable(p)
	switch {
	case err != nil:
		it.State, it.Detail = StateInvalid, fmt.Sprintf("%s cannot be written: %v", p, err)
	case created:
		it.State, it.Detail = StateSet, p+" (created on first use)"
	default:
		it.State, it.Detail = StateSet, p
	}
	return it
}

// writable checks that path can be opened for writing, or created (reporting
// created) in its nearest existing folder; it leaves nothing behind.
func writable(path string) (created bool, err error) {
	info, err := os.Stat(path)
	if err == nil {
		if info.IsDir() {
			return false, errors.New("it is a folder")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return false, err
		}
		return false, f.Close()
	}
	if !absent(err) {
		return false, err
	}
	dir := filepath.Dir(path)
	for {
		info, err := os.Stat(dir)
		if err == nil {
			if !info.IsDir() {
				return false, fmt.Errorf("%s is not a folder", dir)
			}
			break
		}
		if !absent(err) {
			return false, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false, err
		}
		dir = parent
	}
	f, err := os.CreateTemp(dir, ".quarry-check-*")
	if err != nil {
		return false, fmt.Errorf("cannot create files in %s: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return true, os.Remove(name)
}

// absent reports a stat error saying the path is not there (a file where a
// folder should be counts: the walk up finds it).
func absent(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// checkWhois reports the RDAP server.
func checkWhois(c *Config) CheckItem {
	it := CheckItem{Area: "whois", Name: "server", State: StateSet}
	switch {
	case c.Whois.Server != "":
		it.Detail = "RDAP server " + redactURL(c.Whois.Server)
	case c.Whois.BootstrapURL != "":
		it.Detail = "RDAP bootstrap " + redactURL(c.Whois.BootstrapURL)
	default:
		it.Detail = "IANA's RDAP bootstrap"
	}
	return it
}

// redactURL shows a URL without credentials, query or fragment (where a
// token might hide).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(not a URL)"
	}
	hidden := u.User != nil || u.RawQuery != "" || u.Fragment != ""
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	if hidden {
		return u.String() + " (credentials or query hidden)"
	}
	return u.String()
}
