// Package httpx is the HTTP client every outside provider shares: per-attempt
// time-outs, retries with exponential backoff that honour Retry-After on 429
// and 503, a per-provider rate limit (golang.org/x/time/rate), a cap on
// requests in flight, the proxy from the environment, and errors that never
// carry a secret. The persistent look-up cache lives beside it (cache.go).
package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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

// DefaultTransport is a transport with the proxy from the environment and
// connection reuse suited to many small API calls.
func DefaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	t.MaxIdleConnsPerHost = 32
	return t
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
		http:    &http.Client{Transport: opts.Transport},
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
// the time-out passed on every attempt, or the network failed. A request with
// a body must set GetBody (http.NewRequest does for bytes and strings
// readers) so it can be retried.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	backoff := c.opts.Backoff
	var lastErr error
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, req)
		if ctx.Err() != nil {
			return nil, c.redact(ctx.Err())
		}
		wait := backoff
		retryable := false
		switch {
		case err != nil:
			lastErr = err
			retryable = true
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
		if !retryable || attempt >= c.opts.Retries {
			if err != nil {
				return nil, c.redact(fmt.Errorf("%s: %w", c.opts.Name, lastErr))
			}
			resp.Attempts = attempt + 1
			return resp, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, c.redact(err)
		}
		backoff *= 2
		if backoff > c.opts.MaxBackoff {
			backoff = c.opts.MaxBackoff
		}
	}
}

// once sends one attempt.
func (c *Client) once(ctx context.Context, req *http.Request) (*Response, error) {
	if err := c.limiter.Wait(ctx); err != nil {
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
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	resp, err := c.http.Do(r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("no answer within %s", c.opts.Timeout)
		}
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("no answer within %s", c.opts.Timeout)
		}
		return nil, err
	}
	if n > c.opts.MaxBody {
		return nil, fmt.Errorf("response larger than %d bytes", c.opts.MaxBody)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}, nil
}

// redact strips query strings from URLs in err (url.Error prints the whole
// URL, and some APIs take their key as a parameter) and removes every secret.
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
	msg = Redact(msg, c.opts.Secrets...)
	return &Error{msg: msg, err: err}
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
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
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
