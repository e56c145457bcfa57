// Package httpx is the HTTP client every outside provider shares: per-attempt
// time-outs, retries with exponential backoff that honour Retry-After on 429
// and 503, a per-provider rate limit (golang.org/x/time/rate), a cap on
// requests in flight, the proxy from the environment, and errors that never
// carry a secret. The persistent look-up cache lives beside it (cache.go).
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
	"golang.org/x/time/rate"
)

// Options configures one provider's client. The zero value of each field
// takes the default named on it.
type Options struct {
	// Name is the provider's name, used in error messages.
	Name string
	// Timeout bounds one attempt, from sending the request to reading the
	// whole body (default 30s).
	Timeout time.Duration
	// Retries is the number of extra attempts after a 429, 500, 502, 503, 504
	// or a network error (default 3; negative = none).
	Retries int
	// Backoff is the wait before the first retry; it doubles on each retry up
	// to MaxBackoff (default 1s).
	Backoff time.Duration
	// MaxBackoff caps the doubled backoff (default 30s).
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a longer
	// one (a daily quota) ends the retries at once (default 2m).
	MaxRetryAfter time.Duration
	// MaxRateWait is the longest the client holds a request for the rate
	// limit; a longer wait (a daily quota spent) fails at once with a
	// *RateLimitError saying when the next request is due (default 2m).
	MaxRateWait time.Duration
	// Rate is the steady request rate, in requests a second (0 = unlimited).
	Rate rate.Limit
	// Burst is how many requests may go at once before Rate applies (default 1).
	Burst int
	// Concurrency caps the requests in flight (default 4).
	Concurrency int
	// MaxBody caps a response body (default 32 MiB); a longer one is an error.
	MaxBody int64
	// Transport carries the requests (nil = a transport that honours
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY).
	Transport http.RoundTripper
	// UserAgent is sent when the request has none (default "quarry").
	UserAgent string
	// Secrets are strings (API keys) removed from every error the client returns.
	Secrets []string
}

// Response is a finished exchange: the final status after any retries, and the
// whole body.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header is the response's header.
	Header http.Header
	// Body is the response body, at most Options.MaxBody bytes.
	Body []byte
	// Attempts is how many requests were sent.
	Attempts int
}

// Client sends one provider's requests. It is safe for concurrent use.
type Client struct {
	opts    Options
	http    *http.Client
	limiter *rate.Limiter
	slots   chan struct{}
	sleep   func(ctx context.Context, d time.Duration) error
}

// ErrBodyTooLarge is reported (wrapped) when a response body is longer than
// Options.MaxBody. It is not retried.
var ErrBodyTooLarge = errors.New("response body too large")

// maxRedirects is how many redirects a request follows.
const maxRedirects = 10

// DefaultTransport is a transport with the proxy from the environment and
// connection reuse suited to many small API calls. HTTPS_PROXY, HTTP_PROXY
// and NO_PROXY (and their lower-case forms) are read when the transport is
// built, not once per process, so each new client sees the current settings.
// As in net/http, requests to localhost and loopback addresses never go
// through the proxy.
func DefaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	t.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	t.MaxIdleConnsPerHost = 32
	return t
}

// checkRedirect follows at most maxRedirects redirects, and none that moves
// to another host or from https to http: API keys travel in custom headers
// (x-apikey and the like), which net/http forwards to any host. Such a
// redirect comes back as the 3xx response itself.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) || (first.Scheme == "https" && req.URL.Scheme != "https") {
		return http.ErrUseLastResponse
	}
	return nil
}

// New returns a client with opts, defaults filled in.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 3
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 2 * time.Minute
	}
	if opts.MaxRateWait <= 0 {
		opts.MaxRateWait = 2 * time.Minute
	}
	if opts.Burst <= 0 {
		opts.Burst = 1
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 32 << 20
	}
	if opts.Transport == nil {
		opts.Transport = DefaultTransport()
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "quarry"
	}
	lim := rate.NewLimiter(rate.Inf, 0)
	if opts.Rate > 0 {
		lim = rate.NewLimiter(opts.Rate, opts.Burst)
	}
	return &Client{
		opts:    opts,
		http:    &http.Client{Transport: opts.Transport, CheckRedirect: checkRedirect},
		limiter: lim,
		slots:   make(chan struct{}, opts.Concurrency),
		sleep:   sleepCtx,
	}
}

// Options returns the client's options, defaults filled in (Secrets elided).
func (c *Client) Options() Options {
	o := c.opts
	o.Secrets = nil
	return o
}

// Do sends req, waiting for the rate limit and a free slot, and retries as
// Options say. Any HTTP status is returned as a Response (after retries on
// 429/5xx are spent); an error means no usable response: the context ended,
// the time-out passed on every attempt, the network failed, or the body was
// longer than MaxBody (ErrBodyTooLarge). A request with a body must set
// GetBody (http.NewRequest does for bytes and strings readers) to be retried;
// one without GetBody is sent once. req is not modified.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	if req == nil || req.URL == nil {
		return nil, fmt.Errorf("%s: no request", c.opts.Name)
	}
	retries := c.opts.Retries
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		retries = 0 // the body cannot be read twice
	}
	backoff := c.opts.Backoff
	timeouts := 0
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, req)
		if err != nil && ctx.Err() != nil {
			return nil, c.redact(fmt.Errorf("%s: %w", c.opts.Name, ctx.Err()))
		}
		wait := min(backoff, c.opts.MaxBackoff)
		retryable := false
		switch {
		case err != nil:
			retryable = retryableErr(err)
			// A server that did not answer in Timeout once is asked once more, not
			// Retries times: a dropped connection would otherwise hold the
			// provider's answer for minutes.
			if errors.As(err, new(timeoutError)) {
				timeouts++
				retryable = retryable && timeouts < 2
			}
		case resp.Status == http.StatusTooManyRequests || resp.Status == http.StatusServiceUnavailable:
			retryable = true
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if ra > c.opts.MaxRetryAfter {
					resp.Attempts = attempt + 1
					return resp, nil
				}
				wait = ra
			}
		case resp.Status == http.StatusInternalServerError || resp.Status == http.StatusBadGateway ||
			resp.Status == http.StatusGatewayTimeout:
			retryable = true
		}
		if !retryable || attempt >= retries {
			if err != nil {
				return nil, c.redact(fmt.Errorf("%s: %w", c.opts.Name, plain(req.URL, err)))
			}
			resp.Attempts = attempt + 1
			return resp, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, c.redact(fmt.Errorf("%s: %w", c.opts.Name, err))
		}
		backoff = min(backoff*2, c.opts.MaxBackoff)
	}
}

// plain says what went wrong with the network in words an analyst can act
// on ("cannot resolve otx.alienvault.com: no network, or a proxy is needed"),
// instead of Go's `Get "https://…": dial tcp: lookup …` chain. The cause stays
// reachable with errors.Is and errors.As.
func plain(u *url.URL, err error) error {
	host := ""
	if u != nil {
		host = u.Host // with the port: a mirror on 8443 is not the API on 443
	}
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		authErr x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		opErr   *net.OpError
		to      timeoutError
	)
	msg := ""
	switch {
	case errors.As(err, &to), errors.Is(err, ErrBodyTooLarge), errors.As(err, new(*RateLimitError)):
		return err // already plain
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		msg = fmt.Sprintf("cannot resolve %s: no network, or a proxy is needed (HTTPS_PROXY)", host)
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("cannot resolve %s: %s", host, dnsErr.Err)
	case errors.As(err, &certErr), errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invErr):
		msg = fmt.Sprintf("%s's TLS certificate is not trusted (an intercepting proxy needs its CA in the system store)", host)
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = fmt.Sprintf("%s refused the connection", host)
	case errors.As(err, &opErr) && opErr.Op == "dial":
		msg = fmt.Sprintf("cannot connect to %s: %v", host, opErr.Err)
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = fmt.Sprintf("%s: %v", host, ue.Err)
		} else {
			return err
		}
	}
	return &Error{msg: msg, err: err}
}

// retryableErr reports whether another attempt might succeed after err: not
// for an over-long body, a certificate the client rejects, or a host name
// that does not exist.
func retryableErr(err error) bool {
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalErr x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, ErrBodyTooLarge), errors.Is(err, errNoBody), errors.Is(err, errRateWait):
		return false
	case errors.As(err, new(*RateLimitError)):
		return false
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	case errors.As(err, &certErr), errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invalErr):
		return false
	}
	return true
}

// errNoBody is reported when a request's GetBody fails.
var errNoBody = errors.New("cannot re-read the request body")

// errRateWait is reported when the rate limit would hold a request past the
// context's deadline.
var errRateWait = fmt.Errorf("rate limit: next request due after the deadline: %w", context.DeadlineExceeded)

// RateLimitError reports that the provider's own rate limit (its free-tier
// quota) would hold a request longer than Options.MaxRateWait.
type RateLimitError struct {
	// Wait is how long until the next request is due.
	Wait time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("over the provider's rate limit: the next request is due in %s (raise rate_per_minute in the settings if your plan allows more)", e.Wait.Round(time.Second))
}

// waitRate waits for the rate limiter: not past ctx's deadline, and not longer
// than MaxRateWait.
func (c *Client) waitRate(ctx context.Context) error {
	r := c.limiter.Reserve()
	if !r.OK() {
		return errRateWait
	}
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if d > c.opts.MaxRateWait {
		r.Cancel()
		return &RateLimitError{Wait: d}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		r.Cancel()
		return errRateWait
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}

// timeoutError is one attempt's time-out; it unwraps to
// context.DeadlineExceeded.
type timeoutError struct{ d time.Duration }

func (e timeoutError) Error() string { return fmt.Sprintf("no answer within %s", e.d) }
func (e timeoutError) Unwrap() error { return context.DeadlineExceeded }

// once sends one attempt.
func (c *Client) once(ctx context.Context, req *http.Request) (*Response, error) {
	if err := c.waitRate(ctx); err != nil {
		return nil, err
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.slots }()
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	r := req.Clone(actx)
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", c.opts.UserAgent)
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errNoBody, err)
		}
		r.Body = body
	}
	resp, err := c.http.Do(r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, timeoutError{c.opts.Timeout}
		}
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		if actx.Err() != nil && ctx.Err() == nil {
			return nil, timeoutError{c.opts.Timeout}
		}
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if n > c.opts.MaxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, c.opts.MaxBody)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}, nil
}

// redact strips query strings and user information from URLs in err
// (url.Error prints the whole URL, and some APIs take their key as a
// parameter) and removes every secret.
func (c *Client) redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	msg := err.Error()
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			u.User = nil
			msg = strings.ReplaceAll(msg, ue.URL, u.String())
		}
	}
	msg = stripURLs(msg)
	msg = Redact(msg, c.opts.Secrets...)
	return &Error{msg: msg, err: err}
}

// urlQuery matches a URL's query string and fragment; urlUser its user
// information (up to the authority's last "@", as URL parsers read it).
var (
	urlQuery = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^\s"'?#]*)[?#][^\s"']*`)
	urlUser  = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://)[^\s"'/?#]*@`)
)

// stripURLs removes query strings, fragments and user information from every
// URL in s (a URL in a wrapped error, a redirect's Location, a proxy's).
func stripURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	s = urlQuery.ReplaceAllString(s, "$1")
	return urlUser.ReplaceAllString(s, "$1")
}

// Redact replaces every non-empty secret in s with "[redacted]".
func Redact(s string, secrets ...string) string {
	for _, k := range secrets {
		if k != "" {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return s
}

// Error is a redacted failure: its message carries no secret; Unwrap still
// reaches the cause for errors.Is (context.Canceled and the like).
type Error struct {
	msg string
	err error
}

// Error returns the redacted message.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseUint(v, 10, 64); err == nil {
		if s > uint64(math.MaxInt64/int64(time.Second)) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(s) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) {
		return time.Duration(math.MaxInt64), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
