// Package tor tells whether an IP address is a Tor exit node, from the Tor
// Project's exit list (https://check.torproject.org/exit-addresses), as
// msticpy's Tor provider does: the list is downloaded once and kept in
// memory, refreshed when it is older than a day, and every look-up is a map
// look-up. A saved copy of the list (Config.Paths[0]) replaces the download
// on machines without Internet access.
//
// A hit is a warning (msticpy's severity for Tor exits); a miss is
// information.
package tor

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// DefaultBaseURL is the exit list's address (the whole URL of the list).
const DefaultBaseURL = "https://check.torproject.org/exit-addresses"

// DefaultRefresh is how old the list may grow before it is fetched again
// (msticpy: refresh when older than a day).
const DefaultRefresh = 24 * time.Hour

// DefaultRetry is how long after a failed download the next look-up tries
// again; look-ups in between get the failure at once.
const DefaultRetry = time.Minute

// maxStale is how long an old list is still served while refreshes fail.
const maxStale = 7 * 24 * time.Hour

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           "tor",
	Title:          "Tor exit nodes",
	Types:          []string{"ipv4", "ipv6"},
	DefaultBaseURL: DefaultBaseURL,
	// The provider downloads one file a day; there is no published quota.
	// The rate limit only guards against a download loop: at most one
	// request a second, one in flight. The list is a few MB.
	HTTP: httpx.Options{
		Rate:        1,
		Burst:       1,
		Concurrency: 1,
		Timeout:     2 * time.Minute,
		MaxBody:     MaxListBytes,
	},
	// Look-ups are answered from memory; caching them would only keep a
	// verdict past the list's own refresh.
	TTL:  0,
	Docs: "https://metrics.torproject.org/collector.html#type-tordnsel",
	// New is set in init (New itself reads Spec).
}

func init() {
	Spec.New = ti.Constructor(New)
}

// Options tunes the list's refresh.
type Options struct {
	// Refresh is the list's lifetime (default DefaultRefresh).
	Refresh time.Duration
	// Retry is the wait after a failed download before the next look-up
	// tries again (default DefaultRetry).
	Retry time.Duration
}

// Provider answers Tor exit look-ups. It is safe for concurrent use.
type Provider struct {
	client  *httpx.Client
	src     string // the list's URL
	path    string // a saved list, read instead of src
	refresh time.Duration
	retry   time.Duration
	now     func() time.Time

	mu      sync.Mutex
	list    *ExitList
	loaded  time.Time
	err     error
	failed  time.Time
	loading *call
}

// call is one download (or file read) in progress; every look-up that needs
// the list while it runs waits for it.
type call struct {
	done chan struct{}
	list *ExitList
	err  error
}

// New builds the provider with the default refresh.
func New(cfg ti.Config) (*Provider, error) { return NewWithOptions(cfg, Options{}) }

// NewWithOptions builds the provider. cfg.BaseURL replaces the list's URL;
// cfg.Paths[0], when set, is a saved exit list read instead (it must exist).
// Nothing is downloaded until the first look-up.
func NewWithOptions(cfg ti.Config, o Options) (*Provider, error) {
	p := &Provider{refresh: o.Refresh, retry: o.Retry, now: time.Now}
	if p.refresh <= 0 {
		p.refresh = DefaultRefresh
	}
	if p.retry <= 0 {
		p.retry = DefaultRetry
	}
	if len(cfg.Paths) > 0 && cfg.Paths[0] != "" {
		st, err := os.Stat(cfg.Paths[0])
		if err != nil {
			return nil, fmt.Errorf("tor: saved exit list: %w", err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("tor: saved exit list %s is not a regular file", cfg.Paths[0])
		}
		p.path = cfg.Paths[0]
		return p, nil
	}
	p.src = ti.BaseURL(cfg, DefaultBaseURL)
	u, err := url.Parse(p.src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("tor: exit list URL %q is not an http(s) URL", p.src)
	}
	p.client = ti.ClientFor(cfg, Spec)
	return p, nil
}

// Name returns "tor".
func (p *Provider) Name() string { return Spec.Name }

// Types returns ipv4 and ipv6.
func (p *Provider) Types() []string { return append([]string(nil), Spec.Types...) }

// Lookup tells whether ioc is a Tor exit address.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	r := ti.NewResult(Spec.Name, ioc, iocType)
	if iocType != "ipv4" && iocType != "ipv6" {
		return ti.Unsupported(Spec.Name, ioc, iocType)
	}
	a, err := netip.ParseAddr(strings.TrimSpace(ioc))
	if err != nil || (iocType == "ipv4") != a.Unmap().Is4() {
		r = r.Reject("not an " + iocType + " address")
		return r
	}
	l, err := p.List(ctx)
	if err != nil {
		return r.Fail("%s", strings.TrimPrefix(err.Error(), "tor: "))
	}
	e, ok := l.Lookup(a)
	if !ok {
		r.Severity = ti.SevInformation
		return r.NotFound("not a Tor exit node")
	}
	r.Found, r.Severity = true, ti.SevWarning
	d := map[string]any{}
	if e.NodeID != "" {
		d["node_id"] = e.NodeID
	}
	putTime(d, "last_status", e.LastStatus)
	putTime(d, "published", e.Published)
	putTime(d, "exit_address_seen", e.Seen)
	r.Details = d
	r.Reference = "https://metrics.torproject.org/rs.html#search/" + a.Unmap().WithZone("").String()
	return r
}

func putTime(d map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		d[k] = t.UTC().Format(time.RFC3339)
	}
}

// List returns the exit list, loading it when there is none or it is older
// than the refresh period. Concurrent callers share one load. After a failed
// load, callers get the failure (or the previous list, if it is less than a
// week old) until the retry wait has passed; then the next call loads again.
func (p *Provider) List(ctx context.Context) (*ExitList, error) {
	p.mu.Lock()
	now := p.now()
	if p.list != nil && now.Sub(p.loaded) < p.refresh {
		l := p.list
		p.mu.Unlock()
		return l, nil
	}
	c := p.loading
	if c == nil {
		if p.err != nil && now.Sub(p.failed) < p.retry {
			l, err := p.staleLocked(now), p.err
			p.mu.Unlock()
			if l != nil {
				return l, nil
			}
			return nil, err
		}
		c = &call{done: make(chan struct{})}
		p.loading = c
		// The load outlives any one caller: a caller that gives up must not
		// fail the others waiting for the same list.
		go p.load(context.WithoutCancel(ctx), c)
	}
	p.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("tor: waiting for the exit list: %w", ctx.Err())
	}
	if c.err != nil {
		p.mu.Lock()
		l := p.staleLocked(p.now())
		p.mu.Unlock()
		if l != nil {
			return l, nil
		}
		return nil, c.err
	}
	return c.list, nil
}

// staleLocked returns the previous list if it may still be served.
func (p *Provider) staleLocked(now time.Time) *ExitList {
	if p.list != nil && now.Sub(p.loaded) < maxStale {
		return p.list
	}
	return nil
}

// load fetches the list and records the outcome.
func (p *Provider) load(ctx context.Context, c *call) {
	l, err := p.fetch(ctx)
	if err == nil && l.Len() == 0 {
		err = fmt.Errorf("tor: the exit list from %s holds no exit addresses", p.source())
	}
	p.mu.Lock()
	if err != nil {
		p.err, p.failed = err, p.now()
	} else {
		p.list, p.loaded, p.err = l, p.now(), nil
	}
	p.loading = nil
	p.mu.Unlock()
	c.list, c.err = l, err
	close(c.done)
}

func (p *Provider) source() string {
	if p.path != "" {
		return p.path
	}
	return p.src
}

// fetch reads the saved list or downloads it.
func (p *Provider) fetch(ctx context.Context) (*ExitList, error) {
	if p.path != "" {
		f, err := os.Open(p.path)
		if err != nil {
			return nil, fmt.Errorf("tor: saved exit list: %w", err)
		}
		defer f.Close()
		l, err := ParseExitList(f)
		if err != nil {
			return nil, fmt.Errorf("tor: saved exit list %s: %w", p.path, err)
		}
		return l, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.src, nil)
	if err != nil {
		return nil, fmt.Errorf("tor: exit list request: %w", err)
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := p.client.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("tor: downloading the exit list: %w", trimName(err))
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("tor: downloading the exit list: HTTP %d %s", resp.Status, http.StatusText(resp.Status))
	}
	l, err := ParseExitList(bytes.NewReader(resp.Body))
	if err != nil {
		return nil, fmt.Errorf("tor: exit list from %s: %w", p.src, err)
	}
	return l, nil
}

// trimName drops the client's "tor: " prefix from err's message, keeping err
// reachable for errors.Is.
func trimName(err error) error {
	msg := strings.TrimPrefix(err.Error(), Spec.Name+": ")
	return &namedErr{msg: msg, err: err}
}

type namedErr struct {
	msg string
	err error
}

func (e *namedErr) Error() string { return e.msg }
func (e *namedErr) Unwrap() error { return e.err }
