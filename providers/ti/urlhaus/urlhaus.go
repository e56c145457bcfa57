// Package urlhaus looks indicators up in abuse.ch URLhaus, the database of
// URLs used to spread malware: a URL (/url/), a host name or IPv4 address
// (/host/) and a payload by MD5 or SHA-256 (/payload/). Requests are
// form-encoded POSTs carrying the key in the Auth-Key header; the answer's
// query_status (not the HTTP status) says whether anything was found.
//
// msticpy has no URLhaus provider, so the severity rule is Quarry's own:
//   - a listed URL whose url_status is "online" is high, a listed URL that is
//     offline (or of unknown status) is a warning;
//   - a host with at least one online URL is high, a host whose URLs are all
//     offline is a warning;
//   - a known payload is high (URLhaus only records malware payloads);
//   - no_results is not found, with severity information.
package urlhaus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// DefaultBaseURL is the URLhaus API root.
const DefaultBaseURL = "https://urlhaus-api.abuse.ch/v1"

// referencePrefix is the only prefix accepted for a Reference: URLhaus's own
// web pages.
const referencePrefix = "https://urlhaus.abuse.ch/"

// maxList caps the lists and maps copied into Details.
const maxList = 10

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           "urlhaus",
	Title:          "abuse.ch URLhaus",
	Types:          []string{"url", "dns", "hostname", "ipv4", "md5_hash", "sha256_hash"},
	KeyEnv:         "QUARRY_URLHAUS_KEY",
	NeedsKey:       true,
	DefaultBaseURL: DefaultBaseURL,
	// abuse.ch publishes no hard rate limit for the URLhaus API, only a
	// fair-use expectation. Two requests a second (burst 2, two in flight)
	// is a polite default that still looks up a few hundred indicators in
	// minutes.
	HTTP: httpx.Options{
		Rate:        2,
		Burst:       2,
		Concurrency: 2,
	},
	// A URL's online/offline status changes within hours; keep answers
	// for six.
	TTL:  6 * time.Hour,
	Docs: "https://urlhaus-api.abuse.ch/",
	// New is set in init (New itself reads Spec).
}

func init() {
	Spec.New = ti.Constructor(New)
}

// Provider is a URLhaus client. It is safe for concurrent use.
type Provider struct {
	client *httpx.Client
	base   string
	key    string
}

// New builds the provider; cfg.Key is the abuse.ch Auth-Key.
func New(cfg ti.Config) (*Provider, error) {
	if cfg.Key == "" {
		return nil, errors.New("urlhaus: needs an abuse.ch Auth-Key (" + Spec.KeyEnv + ")")
	}
	base, err := ti.CheckedBaseURL(cfg, DefaultBaseURL, Spec.Name)
	if err != nil {
		return nil, err
	}
	return &Provider{client: ti.ClientFor(cfg, Spec), base: base, key: cfg.Key}, nil
}

// Name returns "urlhaus".
func (p *Provider) Name() string { return Spec.Name }

// Types returns the indicator types URLhaus takes.
func (p *Provider) Types() []string { return append([]string(nil), Spec.Types...) }

// Lookup asks URLhaus about one indicator.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	r := ti.NewResult(Spec.Name, ioc, iocType)
	v := strings.TrimSpace(ioc)
	var endpoint, field string
	switch iocType {
	case "url":
		endpoint, field = "url", "url"
	case "dns", "hostname":
		endpoint, field = "host", "host"
		v = strings.TrimSuffix(strings.ToLower(v), ".")
	case "ipv4":
		a, err := netip.ParseAddr(v)
		if err != nil || !a.Unmap().Is4() {
			r = r.Reject("not an ipv4 address")
			return r
		}
		v = a.Unmap().String()
		endpoint, field = "host", "host"
	case "md5_hash":
		endpoint, field = "payload", "md5_hash"
		v = strings.ToLower(v)
	case "sha256_hash":
		endpoint, field = "payload", "sha256_hash"
		v = strings.ToLower(v)
	default:
		return ti.Unsupported(Spec.Name, ioc, iocType)
	}
	if v == "" {
		r = r.Reject("empty indicator")
		return r
	}
	form := url.Values{field: {v}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/"+endpoint+"/", strings.NewReader(form))
	if err != nil {
		return r.Fail("urlhaus: building the request: %s", p.redact(err.Error()))
	}
	req.Header.Set("Auth-Key", p.key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r)
	if !ok {
		r.Reason = p.redact(r.Reason)
		return r
	}
	parse(resp.Body, endpoint, &r)
	r.Reason = p.redact(r.Reason)
	return r
}

// redact removes the key from s.
func (p *Provider) redact(s string) string { return httpx.Redact(s, p.key) }

// flexInt reads a number sent as a JSON number or a string ("4"); anything
// else is 0.
type flexInt int64

// UnmarshalJSON reads a number or a numeric string, never failing.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f >= -1e18 && f <= 1e18 {
			v = int64(f)
		} else {
			v = 0
		}
	}
	*n = flexInt(v)
	return nil
}

// flexString reads a string, a number or null as a string; other values are "".
type flexString string

// UnmarshalJSON reads a string or a scalar, never failing.
func (s *flexString) UnmarshalJSON(b []byte) error {
	var v any
	if json.Unmarshal(b, &v) != nil {
		*s = ""
		return nil
	}
	switch x := v.(type) {
	case string:
		*s = flexString(x)
	case float64:
		*s = flexString(strconv.FormatFloat(x, 'f', -1, 64))
	case bool:
		*s = flexString(strconv.FormatBool(x))
	default:
		*s = ""
	}
	return nil
}

type urlEntry struct {
	URL       flexString `json:"url"`
	URLStatus flexString `json:"url_status"`
	Threat    flexString `json:"threat"`
	DateAdded flexString `json:"date_added"`
	Tags      []any      `json:"tags"`
}

type payloadEntry struct {
	Signature flexString `json:"signature"`
	FileType  flexString `json:"file_type"`
}

// response holds the fields of the url, host and payload answers.
type response struct {
	QueryStatus      *flexString `json:"query_status"`
	URLhausReference flexString  `json:"urlhaus_reference"`
	// url answer
	URL        flexString     `json:"url"`
	URLStatus  flexString     `json:"url_status"`
	Threat     flexString     `json:"threat"`
	DateAdded  flexString     `json:"date_added"`
	LastOnline flexString     `json:"last_online"`
	Tags       []any          `json:"tags"`
	Payloads   []payloadEntry `json:"payloads"`
	Blacklists map[string]any `json:"blacklists"`
	// host answer
	FirstSeen flexString `json:"firstseen"`
	URLCount  flexInt    `json:"url_count"`
	URLs      []urlEntry `json:"urls"`
	// payload answer
	LastSeen  flexString `json:"lastseen"`
	FileType  flexString `json:"file_type"`
	FileSize  flexInt    `json:"file_size"`
	Signature flexString `json:"signature"`
}

// parse reads a 2xx body of an endpoint ("url", "host", "payload") into r.
func parse(body []byte, endpoint string, r *ti.Result) {
	var resp response
	if !ti.Decode(body, &resp, r) {
		return
	}
	if resp.QueryStatus == nil {
		*r = r.Fail("URLhaus answer has no query_status")
		return
	}
	qs := string(*resp.QueryStatus)
	switch qs {
	case "ok":
	case "no_results":
		r.Severity = ti.SevInformation
		*r = r.NotFound("no results")
		return
	case "invalid_url", "invalid_host", "invalid_md5", "invalid_sha256", "invalid_payload", "http_post_expected":
		*r = r.Reject("URLhaus rejected the indicator: " + qs)
		return
	case "unknown_auth_key":
		*r = r.Fail("authorization failed: URLhaus did not accept the Auth-Key (unknown_auth_key)")
		return
	default:
		*r = r.Fail("URLhaus answered query_status %q", truncate(qs, 60))
		return
	}
	d := map[string]any{}
	r.Found = true
	switch endpoint {
	case "url":
		if resp.URLStatus == "online" {
			r.Severity = ti.SevHigh
		} else {
			r.Severity = ti.SevWarning
		}
		putStr(d, "url_status", string(resp.URLStatus))
		putStr(d, "threat", string(resp.Threat))
		putStr(d, "date_added", string(resp.DateAdded))
		putStr(d, "last_online", string(resp.LastOnline))
		putList(d, "tags", strs(resp.Tags))
		var sigs, types []string
		for _, pl := range resp.Payloads {
			sigs = appendUniq(sigs, string(pl.Signature))
			types = appendUniq(types, string(pl.FileType))
		}
		putList(d, "signature", sigs)
		putList(d, "file_type", types)
		if len(resp.Payloads) > 0 {
			d["payload_count"] = len(resp.Payloads)
		}
	case "host":
		online := 0
		var threats, tags []string
		for _, u := range resp.URLs {
			if u.URLStatus == "online" {
				online++
			}
			threats = appendUniq(threats, string(u.Threat))
			for _, t := range strs(u.Tags) {
				tags = appendUniq(tags, t)
			}
		}
		if online > 0 {
			r.Severity = ti.SevHigh
		} else {
			r.Severity = ti.SevWarning
		}
		count := int64(resp.URLCount)
		if count < int64(len(resp.URLs)) {
			count = int64(len(resp.URLs))
		}
		d["url_count"] = count
		d["online_urls"] = online
		putStr(d, "firstseen", string(resp.FirstSeen))
		putList(d, "threat", threats)
		putList(d, "tags", tags)
	case "payload":
		r.Severity = ti.SevHigh
		putStr(d, "signature", string(resp.Signature))
		putStr(d, "file_type", string(resp.FileType))
		putStr(d, "firstseen", string(resp.FirstSeen))
		putStr(d, "lastseen", string(resp.LastSeen))
		d["url_count"] = int64(resp.URLCount)
		if resp.FileSize > 0 {
			d["file_size"] = int64(resp.FileSize)
		}
		online := 0
		for _, u := range resp.URLs {
			if u.URLStatus == "online" {
				online++
			}
		}
		d["online_urls"] = online
	}
	if bl := blacklists(resp.Blacklists); len(bl) > 0 {
		d["blacklists"] = bl
	}
	r.Details = d
	if ref := string(resp.URLhausReference); strings.HasPrefix(ref, referencePrefix) && len(ref) < 300 &&
		!strings.ContainsAny(ref, " \t\r\n\"<>") {
		r.Reference = ref
	}
}

// blacklists keeps up to maxList string verdicts, by list name.
func blacklists(m map[string]any) map[string]string {
	out := map[string]string{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(out) == maxList {
			break
		}
		if s, ok := m[k].(string); ok {
			out[truncate(k, 60)] = truncate(s, 100)
		}
	}
	return out
}

// strs keeps the non-empty strings of a JSON list, capped.
func strs(l []any) []string {
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = appendUniq(out, s)
		}
	}
	return out
}

// appendUniq appends s (shortened) when it is new, non-empty and the list has
// room.
func appendUniq(l []string, s string) []string {
	if s == "" || len(l) >= maxList {
		return l
	}
	s = truncate(s, 100)
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func putStr(d map[string]any, k, v string) {
	if v != "" {
		d[k] = truncate(v, 300)
	}
}

func putList(d map[string]any, k string, v []string) {
	if len(v) > 0 {
		d[k] = v
	}
}

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
