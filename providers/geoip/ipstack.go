package geoip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/quarry-sec/quarry/providers/httpx"
)

// DefaultIPStackURL is the ipstack API base. HTTPS needs a paid plan, so
// msticpy (and Quarry) use plain HTTP by default.
const DefaultIPStackURL = "http://api.ipstack.com"

// maxIPStackBody bounds an ipstack answer (one address is under 2 KiB).
const maxIPStackBody = 1 << 20

// IPStack looks addresses up with the ipstack web API
// (GET {base}/{ip}?access_key=KEY&output=json). The key travels in the query
// string, so no error it returns carries the request URL's query or the key.
type IPStack struct {
	key    string
	base   string
	client *httpx.Client
}

// NewIPStack returns an ipstack client with the access key. baseURL "" means
// DefaultIPStackURL; client nil means a client of its own (named "ipstack",
// the key registered as a secret).
func NewIPStack(key, baseURL string, client *httpx.Client) *IPStack {
	if baseURL == "" {
		baseURL = DefaultIPStackURL
	}
	if client == nil {
		client = httpx.New(httpx.Options{Name: "ipstack", Secrets: []string{key}, MaxBody: maxIPStackBody})
	}
	return &IPStack{key: key, base: strings.TrimRight(baseURL, "/"), client: client}
}

// Locate asks ipstack for addr. Addresses that are not public are answered
// locally without a request. ipstack reports errors (a bad key, a spent
// quota) as HTTP 200 with {"success":false,"error":{...}}: they come back as
// an error naming the error type and ipstack's explanation.
func (s *IPStack) Locate(ctx context.Context, addr netip.Addr) (Location, error) {
	loc, a, ok := prepare(addr)
	if !ok {
		return loc, nil
	}
	loc.Source = SourceIPStack
	if s.key == "" {
		return loc, errors.New("ipstack: no access key: set one in the settings")
	}
	u := s.base + "/" + url.PathEscape(a.String()) + "?" + url.Values{
		"access_key": {s.key}, "output": {"json"},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
	if err != nil {
		return loc, s.fail("bad base URL %q: %v", redactURL(s.base), err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(ctx, req)
	if err != nil {
		return loc, s.wrap(err)
	}
	if resp.Status != http.StatusOK {
		msg := fmt.Sprintf("HTTP %d", resp.Status)
		if e := parseIPStackError(resp.Body); e != "" {
			msg += ": " + e
		}
		return loc, s.fail("%s", msg)
	}
	if err := parseIPStack(resp.Body, &loc); err != nil {
		return loc, s.fail("%v", err)
	}
	return loc, nil
}

// ipstackAnswer is the part of an ipstack answer Quarry reads.
type ipstackAnswer struct {
	Success *bool `json:"success"`
	Error   *struct {
		Code int    `json:"code"`
		Type string `json:"type"`
		Info string `json:"info"`
	} `json:"error"`
	CountryCode *string  `json:"country_code"`
	CountryName *string  `json:"country_name"`
	RegionName  *string  `json:"region_name"`
	City        *string  `json:"city"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
	Connection  *struct {
		ASN uint   `json:"asn"`
		ISP string `json:"isp"`
	} `json:"connection"`
}

// parseIPStack fills loc from an ipstack answer. An error object (or
// success false) is an error; an answer without a country (ipstack's reply
// for addresses it cannot place) leaves Found false.
func parseIPStack(body []byte, loc *Location) error {
	if len(body) > maxIPStackBody {
		return fmt.Errorf("answer larger than %d bytes", maxIPStackBody)
	}
	var a ipstackAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("unreadable answer: %v", err)
	}
	if a.Error != nil || (a.Success != nil && !*a.Success) {
		if a.Error == nil {
			return errors.New("the request failed (no reason given)")
		}
		return fmt.Errorf("%s (%d): %s", trimName(a.Error.Type), a.Error.Code, trimName(a.Error.Info))
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return trimName(*p)
	}
	loc.CountryCode = str(a.CountryCode)
	loc.Country = str(a.CountryName)
	loc.Subdivision = str(a.RegionName)
	loc.City = str(a.City)
	if a.Latitude != nil {
		loc.Latitude = *a.Latitude
	}
	if a.Longitude != nil {
		loc.Longitude = *a.Longitude
	}
	if a.Connection != nil {
		loc.ASN = a.Connection.ASN
		loc.ASNOrg = trimName(a.Connection.ISP)
	}
	loc.Found = loc.CountryCode != "" || a.Latitude != nil
	return nil
}

// parseIPStackError returns the error an ipstack body describes, or "".
func parseIPStackError(body []byte) string {
	var loc Location
	if err := parseIPStack(body, &loc); err != nil && json.Valid(body) {
		return err.Error()
	}
	return ""
}

// fail builds an ipstack error with the key removed.
func (s *IPStack) fail(format string, args ...any) error {
	return &keyless{msg: httpx.Redact("ipstack: "+fmt.Sprintf(format, args...), s.key, url.QueryEscape(s.key))}
}

// wrap turns a transport error into one with no URL query and no key; it
// still unwraps to context.Canceled or context.DeadlineExceeded.
func (s *IPStack) wrap(err error) error {
	msg := stripQueries(err.Error())
	if !strings.HasPrefix(msg, "ipstack:") {
		msg = "ipstack: " + msg
	}
	msg = httpx.Redact(msg, s.key, url.QueryEscape(s.key))
	return &keyless{msg: msg, cause: contextCause(err)}
}

// keyless is an error whose message carries no secret. Unwrap reaches only a
// context error, never a cause whose text could hold the key.
type keyless struct {
	msg   string
	cause error
}

// Error returns the redacted message.
func (e *keyless) Error() string { return e.msg }

// Unwrap returns context.Canceled or context.DeadlineExceeded when the
// failure was the context's, else nil.
func (e *keyless) Unwrap() error { return e.cause }

// contextCause returns the context error inside err, if any.
func contextCause(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

// stripQueries removes the query string of every http(s) URL in s.
func stripQueries(s string) string {
	var b strings.Builder
	for {
		i := indexURL(s)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.IndexAny(s, " \t\n\"'<>")
		if end < 0 {
			end = len(s)
		}
		b.WriteString(redactURL(s[:end]))
		s = s[end:]
	}
}

// indexURL returns the start of the first http:// or https:// in s, or -1.
func indexURL(s string) int {
	i := strings.Index(s, "http://")
	j := strings.Index(s, "https://")
	switch {
	case i < 0:
		return j
	case j < 0:
		return i
	}
	return min(i, j)
}

// redactURL drops the query, fragment and user information of a URL.
func redactURL(raw string) string {
	if q := strings.IndexAny(raw, "?#"); q >= 0 {
		raw = raw[:q]
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		host := rest
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			host = rest[:j]
		}
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			raw = raw[:i+3] + rest[at+1:]
		}
	}
	return raw
}

// trimName bounds a name read from a database file.
func trimName(s string) string {
	const maxName = 512
	if len(s) > maxName {
		s = s[:maxName]
	}
	return strings.ToValidUTF8(s, "")
}
