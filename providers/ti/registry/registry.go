// Package registry lists Quarry's threat-intelligence providers and builds
// the look-up engine from the analyst's settings: which providers, with which
// keys, base URLs, rate limits and cache.
package registry

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/abuseipdb"
	"github.com/quarry-sec/quarry/providers/ti/feed"
	"github.com/quarry-sec/quarry/providers/ti/greynoise"
	"github.com/quarry-sec/quarry/providers/ti/otx"
	"github.com/quarry-sec/quarry/providers/ti/tor"
	"github.com/quarry-sec/quarry/providers/ti/urlhaus"
	"github.com/quarry-sec/quarry/providers/ti/virustotal"
	"github.com/quarry-sec/quarry/providers/ti/xforce"
)

// Specs returns every provider's description, in display order.
func Specs() []ti.Spec {
	return []ti.Spec{virustotal.Spec, otx.Spec, greynoise.Spec, abuseipdb.Spec, xforce.Spec, urlhaus.Spec, tor.Spec, feed.Spec}
}

// Find returns the spec named name or one of its aliases (any case).
func Find(name string) (ti.Spec, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, s := range Specs() {
		if s.Name == n || slices.Contains(s.Aliases, n) {
			return s, true
		}
	}
	return ti.Spec{}, false
}

// Names returns every provider name, in display order.
func Names() []string {
	var out []string
	for _, s := range Specs() {
		out = append(out, s.Name)
	}
	return out
}

// Settings is one provider's resolved settings (keys already read from the
// environment, a file or the keyring).
type Settings struct {
	// Key and APIID are the credentials ("" = none).
	Key, APIID string
	// KeySource says where the key came from, for messages (never the key).
	KeySource string
	// BaseURL replaces the provider's default.
	BaseURL string
	// RatePerMinute, Burst, Concurrency and Timeout override the provider's
	// HTTP defaults (0 = the default).
	RatePerMinute float64
	Burst         int
	Concurrency   int
	Timeout       time.Duration
	// TTL overrides how long answers are cached (0 = the default).
	TTL time.Duration
	// Disabled leaves the provider out of the default set.
	Disabled bool
	// Paths are files the provider reads (the offline feed, a saved Tor list).
	Paths []string
}

// Scope picks the settings' provider sets, as msticpy's prov_scope does.
type Scope string

// The scopes.
const (
	Primary   Scope = "primary"
	Secondary Scope = "secondary"
	All       Scope = "all"
)

// Options says what to build.
type Options struct {
	// Names are providers asked for by name (--providers); they are used even
	// without a key (their results then say what is missing). nil = the
	// default set.
	Names []string
	// Primary and Secondary are the settings' provider sets; Scope picks.
	Primary, Secondary []string
	Scope              Scope
	// Settings are each provider's settings, by name.
	Settings map[string]Settings
	// Cache is the look-up cache (nil = none).
	Cache ti.Cache
	// Transport carries every provider's requests (nil = httpx's default, with
	// the proxy from the environment).
	Transport http.RoundTripper
	// ShowUnsupported reports unsupported types as results.
	ShowUnsupported bool
}

// Build makes the engine. Notes are warnings for the analyst (a provider
// left out for want of a key, and how to give it one); the error is for
// names that are no provider and providers that cannot be built.
func Build(o Options) (*ti.Engine, []string, error) {
	names, notes, err := choose(o)
	if err != nil {
		return nil, nil, err
	}
	e := &ti.Engine{Cache: o.Cache, TTL: map[string]time.Duration{}, Workers: map[string]int{}, ShowUnsupported: o.ShowUnsupported}
	for _, n := range names {
		spec, _ := Find(n)
		st := o.Settings[spec.Name]
		if spec.NeedsKey && (st.Key == "" || (spec.IDEnv != "" && st.APIID == "")) {
			e.Providers = append(e.Providers, missingKey{spec: spec})
			continue
		}
		p, hopts, err := build(spec, st, o.Transport)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", spec.Name, err)
		}
		e.Providers = append(e.Providers, p)
		e.TTL[spec.Name] = spec.TTL
		if st.TTL > 0 {
			e.TTL[spec.Name] = st.TTL
		}
		e.Workers[spec.Name] = hopts.Concurrency
	}
	return e, notes, nil
}

// choose returns the provider names to build.
func choose(o Options) ([]string, []string, error) {
	var notes []string
	canon := func(list []string, what string) ([]string, error) {
		var out []string
		for _, n := range list {
			for _, part := range strings.Split(n, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				s, ok := Find(part)
				if !ok {
					return nil, fmt.Errorf("%s: no provider %q (known: %s)", what, part, strings.Join(Names(), ", "))
				}
				if !slices.Contains(out, s.Name) {
					out = append(out, s.Name)
				}
			}
		}
		return out, nil
	}
	if len(o.Names) > 0 {
		out, err := canon(o.Names, "--providers")
		return out, nil, err
	}
	prim, err := canon(o.Primary, "ti.primary")
	if err != nil {
		return nil, nil, err
	}
	sec, err := canon(o.Secondary, "ti.secondary")
	if err != nil {
		return nil, nil, err
	}
	var cand []string
	switch o.Scope {
	case Secondary:
		cand = sec
	case All:
		cand = append(prim, sec...)
		if len(prim) == 0 && len(sec) == 0 {
			cand = Names()
		}
	default:
		cand = prim
		if len(prim) == 0 {
			cand = Names()
		}
	}
	var out []string
	for _, n := range cand {
		spec, _ := Find(n)
		st := o.Settings[spec.Name]
		switch {
		case slices.Contains(out, n):
		case st.Disabled:
		case spec.NeedsKey && st.Key == "":
			notes = append(notes, fmt.Sprintf("%s left out: no API key (set %s, or ti.providers.%s.key in the settings)", spec.Name, spec.KeyEnv, spec.Name))
		case spec.Name == feed.Spec.Name && len(st.Paths) == 0:
			// The offline feed has nothing to read until paths are set.
		default:
			out = append(out, n)
		}
	}
	return out, notes, nil
}

// build makes one provider with its HTTP client.
func build(spec ti.Spec, st Settings, tr http.RoundTripper) (ti.Provider, httpx.Options, error) {
	h := spec.HTTP
	h.Name = spec.Name
	if st.RatePerMinute > 0 {
		h.Rate = rate.Limit(st.RatePerMinute / 60)
	}
	if st.Burst > 0 {
		h.Burst = st.Burst
	}
	if st.Concurrency > 0 {
		h.Concurrency = st.Concurrency
	}
	if st.Timeout > 0 {
		h.Timeout = st.Timeout
	}
	if tr != nil {
		h.Transport = tr
	}
	h.Secrets = append(append([]string(nil), h.Secrets...), st.Key, st.APIID)
	c := httpx.New(h)
	p, err := spec.New(ti.Config{Key: st.Key, APIID: st.APIID, BaseURL: st.BaseURL, Client: c, Paths: st.Paths})
	return p, c.Options(), err
}

// missingKey stands in for a provider asked for by name that has no key: each
// of its results says how to give it one.
type missingKey struct{ spec ti.Spec }

func (m missingKey) Name() string    { return m.spec.Name }
func (m missingKey) Types() []string { return m.spec.Types }
func (m missingKey) Lookup(_ context.Context, ioc, typ string) ti.Result {
	what := "an API key (" + m.spec.KeyEnv
	if m.spec.IDEnv != "" {
		what = "an API key and key ID (" + m.spec.KeyEnv + " and " + m.spec.IDEnv
	}
	return ti.NewResult(m.spec.Name, ioc, typ).Fail("%s needs %s, or ti.providers.%s in the settings)", m.spec.Name, what, m.spec.Name)
}
