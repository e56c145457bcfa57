package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

// TI is the threat-intel providers' settings.
type TI struct {
	// Primary are the providers a look-up uses by default (names or aliases).
	Primary []string `yaml:"primary,omitempty"`
	// Secondary are the providers used when asked (scope secondary or all).
	Secondary []string `yaml:"secondary,omitempty"`
	// Providers are each provider's settings, by registry name ("virustotal").
	Providers map[string]ProviderSettings `yaml:"providers,omitempty"`
}

// ProviderSettings is one threat-intel provider's settings. Zero values take
// the provider's defaults.
type ProviderSettings struct {
	// Key is the API key.
	Key Secret `yaml:"key,omitempty"`
	// APIID is the second credential some providers use (X-Force's key ID).
	APIID Secret `yaml:"api_id,omitempty"`
	// BaseURL replaces the provider's base URL (a proxy, a private mirror).
	BaseURL string `yaml:"base_url,omitempty"`
	// RatePerMinute overrides the provider's free-tier request rate.
	RatePerMinute float64 `yaml:"rate_per_minute,omitempty"`
	// Burst is how many requests may go at once before the rate applies.
	Burst int `yaml:"burst,omitempty"`
	// Concurrency caps the requests in flight.
	Concurrency int `yaml:"concurrency,omitempty"`
	// Timeout bounds one request ("30s").
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// CacheTTL is how long a look-up's answer is kept in the cache ("24h").
	CacheTTL time.Duration `yaml:"cache_ttl,omitempty"`
	// Disabled turns the provider off.
	Disabled bool `yaml:"disabled,omitempty"`
	// Paths are files a local provider reads (the offline feed, a saved Tor
	// list); relative paths are taken from the settings file's folder.
	Paths []string `yaml:"paths,omitempty"`
}

// validate checks the providers' numbers and URLs.
func (t TI) validate() error {
	for _, list := range []struct {
		field string
		names []string
	}{{"ti.primary", t.Primary}, {"ti.secondary", t.Secondary}} {
		for _, n := range list.names {
			if strings.TrimSpace(n) == "" {
				return fmt.Errorf("%s: empty provider name", list.field)
			}
		}
	}
	names := make([]string, 0, len(t.Providers))
	for n := range t.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := t.Providers[n]
		field := "ti.providers." + n
		if strings.TrimSpace(n) == "" {
			return errors.New("ti.providers: empty provider name")
		}
		switch {
		case p.RatePerMinute < 0 || p.RatePerMinute != p.RatePerMinute:
			return fmt.Errorf("%s.rate_per_minute must not be negative", field)
		case p.Burst < 0:
			return fmt.Errorf("%s.burst must not be negative", field)
		case p.Concurrency < 0:
			return fmt.Errorf("%s.concurrency must not be negative", field)
		case p.Timeout < 0:
			return fmt.Errorf("%s.timeout must not be negative", field)
		case p.CacheTTL < 0:
			return fmt.Errorf("%s.cache_ttl must not be negative", field)
		}
		if err := checkURL(p.BaseURL); err != nil {
			return fmt.Errorf("%s.base_url: %w", field, err)
		}
	}
	return nil
}

// checkURL accepts "" or an absolute http(s) URL with a host.
func checkURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Error quotes the URL, which may carry a token: say only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("must be an http:// or https:// URL")
	}
	if u.Host == "" {
		return errors.New("names no host")
	}
	return nil
}

// TIProvider is the named threat-intel provider's settings (names match case-insensitively)
// and whether the settings have an entry for it.
func (c *Config) TIProvider(name string) (ProviderSettings, bool) {
	if c == nil {
		return ProviderSettings{}, false
	}
	if p, ok := c.TI.Providers[name]; ok {
		return p, true
	}
	for n, p := range c.TI.Providers {
		if strings.EqualFold(n, name) {
			return p, true
		}
	}
	return ProviderSettings{}, false
}

// ProviderKey is the named provider's API key: the settings' key when set,
// else the environment variable keyEnv ("QUARRY_VT_KEY"; "" = none). source
// says where it came from ("settings env:VT_KEY", "environment QUARRY_VT_KEY"),
// never the value; with no key anywhere all three are empty. A settings key
// that cannot be resolved is an error (the environment is not tried).
func (c *Config) ProviderKey(name, keyEnv string) (key, source string, err error) {
	p, _ := c.TIProvider(name)
	return ResolveSetting("ti.providers."+name+".key", p.Key, keyEnv)
}

// ProviderID is ProviderKey for the second credential (api_id; idEnv is e.g.
// "QUARRY_XFORCE_ID").
func (c *Config) ProviderID(name, idEnv string) (id, source string, err error) {
	p, _ := c.TIProvider(name)
	return ResolveSetting("ti.providers."+name+".api_id", p.APIID, idEnv)
}

// ResolveSetting resolves the secret s of the setting field, falling back to
// the environment variable env ("" = none) when s is empty. source is
// "settings REF" or "environment NAME" ("" when nothing is set); errors name
// the field and the reference, never a value.
func ResolveSetting(field string, s Secret, env string) (value, source string, err error) {
	if s.IsSet() {
		v, err := s.Resolve()
		if err != nil {
			return "", "settings " + s.String(), fmt.Errorf("%s: %w", field, err)
		}
		return v, "settings " + s.String(), nil
	}
	if env != "" {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v, "environment " + env, nil
		}
	}
	return "", "", nil
}
