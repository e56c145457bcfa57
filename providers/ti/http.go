package ti

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
)

// NewResult starts a result for one look-up: provider, indicator, type and
// time set, severity unknown, status ok.
func NewResult(provider, ioc, iocType string) Result {
	return Result{Provider: provider, Ioc: ioc, IocType: iocType, Severity: SevUnknown, Time: time.Now().UTC()}
}

// Unsupported returns the result for a type the provider does not take.
func Unsupported(provider, ioc, iocType string) Result {
	r := NewResult(provider, ioc, iocType)
	r.Status = StatusUnsupported
	r.Reason = fmt.Sprintf("%s does not look up %s", provider, iocType)
	return r
}

// Send performs req through c for the look-up r. On success (a 2xx status, or
// one of the statuses in accept, which the provider interprets itself) it
// returns the response and true, with r.Raw set when the body is JSON. On any
// other outcome it returns false with r's Status and Reason filled in with
// msticpy's wording: 404 is not found; 401, 403, 429 and other statuses and
// network errors are errors.
func Send(ctx context.Context, c *httpx.Client, req *http.Request, r *Result, accept ...int) (*httpx.Response, bool) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		// The result names its provider: the client's "name: " prefix would repeat it.
		*r = r.Fail("%s", strings.TrimPrefix(err.Error(), r.Provider+": "))
		return nil, false
	}
	if json.Valid(resp.Body) {
		r.Raw = json.RawMessage(resp.Body)
	}
	for _, a := range accept {
		if resp.Status == a {
			return resp, true
		}
	}
	if resp.Status >= 200 && resp.Status < 300 {
		return resp, true
	}
	switch resp.Status {
	case http.StatusNotFound:
		*r = r.NotFound("not found")
	case http.StatusUnauthorized:
		*r = r.Fail("authorization failed (401): check the account and key")
	case http.StatusForbidden:
		*r = r.Fail("request forbidden (403): the allowed query rate may have been exceeded")
	case http.StatusTooManyRequests:
		msg := "rate limited (429)"
		if ra := strings.TrimSpace(resp.Header.Get("Retry-After")); ra != "" {
			msg += "; retry after " + ra
			if _, err := time.ParseDuration(ra + "s"); err == nil {
				msg += "s"
			}
		}
		*r = r.Fail("%s", msg)
	default:
		*r = r.Fail("HTTP %d %s", resp.Status, http.StatusText(resp.Status))
	}
	return resp, false
}

// Decode unmarshals a response body into v; a malformed body marks r as an
// error ("malformed response") and returns false.
func Decode(body []byte, v any, r *Result) bool {
	if err := json.Unmarshal(body, v); err != nil {
		*r = r.Fail("malformed response: %v", err)
		r.Raw = nil
		return false
	}
	return true
}

// BaseURL returns cfg's base URL or def, without a trailing slash.
func BaseURL(cfg Config, def string) string {
	u := cfg.BaseURL
	if u == "" {
		u = def
	}
	return strings.TrimRight(u, "/")
}

// ClientFor returns cfg.Client, or a new client from the spec's defaults with
// the credentials registered as secrets.
func ClientFor(cfg Config, s Spec) *httpx.Client {
	if cfg.Client != nil {
		return cfg.Client
	}
	o := s.HTTP
	if o.Name == "" {
		o.Name = s.Name
	}
	o.Secrets = append(append([]string(nil), o.Secrets...), cfg.Key, cfg.APIID)
	return httpx.New(o)
}

// CheckedBaseURL returns cfg's base URL or def, without a trailing slash, or
// an error when it is not an http(s) URL with a host. The error names the
// provider, not the URL, which may carry credentials.
func CheckedBaseURL(cfg Config, def, provider string) (string, error) {
	base := BaseURL(cfg, def)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%s: the base URL is not an http(s) URL with a host", provider)
	}
	return base, nil
}
