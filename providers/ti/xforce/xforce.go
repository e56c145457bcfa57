// Package xforce looks indicators up in IBM X-Force Exchange: IP reputation
// (/ipr), URL and domain reputation (/url) and malware by file hash
// (/malware), with msticpy's severity thresholds on the X-Force risk score.
//
// Authentication is HTTP Basic with the API key (Config.APIID, read from
// QUARRY_XFORCE_ID) as the user and the API password (Config.Key, read from
// QUARRY_XFORCE_KEY) as the password.
package xforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// DefaultBaseURL is the API root in IBM's current documentation. msticpy uses
// the host alone ("https://api.xforce.ibmcloud.com", paths without /api);
// IBM serves the same paths under both roots, and since the base URL is
// configurable either one works.
const DefaultBaseURL = "https://api.xforce.ibmcloud.com/api"

// referenceBase is the X-Force Exchange web portal (for people, not the API).
const referenceBase = "https://exchange.xforce.ibmcloud.com"

// maxList caps the lists and maps copied into Details.
const maxList = 10

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:           "xforce",
	Aliases:        []string{"xfe"},
	Title:          "IBM X-Force Exchange",
	Types:          []string{"ipv4", "ipv6", "dns", "url", "md5_hash", "sha1_hash", "sha256_hash"},
	KeyEnv:         "QUARRY_XFORCE_KEY",
	IDEnv:          "QUARRY_XFORCE_ID",
	NeedsKey:       true,
	DefaultBaseURL: DefaultBaseURL,
	// The free X-Force Exchange API is limited by a monthly allowance of
	// calls (5,000 a month for a free IBMid at the time of writing; IBM
	// documents the quota on the API key page, and answers 402 or 429 once it
	// is spent) rather than a per-second rate. A rate limiter cannot enforce a
	// monthly total, so the default is deliberately slow: one call every two
	// seconds, no burst, two in flight. A careless batch of a few hundred
	// indicators then takes minutes, not seconds, which leaves time to stop
	// it before it drains the month's allowance. Paid keys can raise it.
	HTTP: httpx.Options{
		Rate:        0.5,
		Burst:       1,
		Concurrency: 2,
	},
	TTL:  24 * time.Hour,
	Docs: "https://api.xforce.ibmcloud.com/doc/",
	// New is set in init (New itself reads Spec).
}

func init() {
	Spec.New = ti.Constructor(New)
}

// Provider is an X-Force Exchange client. It is safe for concurrent use.
type Provider struct {
	client *httpx.Client
	base   string
	id     string
	key    string
}

// New builds the provider. cfg.APIID is the X-Force API key and cfg.Key its
// password; both are required.
func New(cfg ti.Config) (*Provider, error) {
	if cfg.Key == "" || cfg.APIID == "" {
		return nil, errors.New("xforce: needs both an API key (" + Spec.IDEnv + ") and an API password (" + Spec.KeyEnv + ")")
	}
	base, err := ti.CheckedBaseURL(cfg, DefaultBaseURL, Spec.Name)
	if err != nil {
		return nil, err
	}
	return &Provider{client: ti.ClientFor(cfg, Spec), base: base, id: cfg.APIID, key: cfg.Key}, nil
}

// Name returns "xforce".
func (p *Provider) Name() string { return Spec.Name }

// Types returns the indicator types X-Force takes.
func (p *Provider) Types() []string { return append([]string(nil), Spec.Types...) }

// Lookup asks X-Force about one indicator.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	r := ti.NewResult(Spec.Name, ioc, iocType)
	v := strings.TrimSpace(ioc)
	var kind, refKind string
	switch iocType {
	case "ipv4", "ipv6":
		a, err := netip.ParseAddr(v)
		if err != nil || (iocType == "ipv4") != a.Unmap().Is4() {
			r = r.Reject(fmt.Sprintf("not an %s address", iocType))
			return r
		}
		v = a.Unmap().String()
		kind, refKind = "ipr", "ip"
	case "dns", "url":
		if v == "" {
			r = r.Reject("empty indicator")
			return r
		}
		kind, refKind = "url", "url"
	case "md5_hash", "sha1_hash", "sha256_hash":
		if !isHash(v, iocType) {
			r = r.Reject(fmt.Sprintf("not a %s", iocType))
			return r
		}
		v = strings.ToLower(v)
		kind, refKind = "malware", "malware"
	default:
		return ti.Unsupported(Spec.Name, ioc, iocType)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/"+kind+"/"+url.PathEscape(v), nil)
	if err != nil {
		return r.Fail("xforce: building the request: %v", p.redact(err.Error()))
	}
	req.SetBasicAuth(p.id, p.key)
	req.Header.Set("Accept", "application/json")
	resp, ok := ti.Send(ctx, p.client, req, &r, http.StatusBadRequest, http.StatusPaymentRequired,
		http.StatusTooManyRequests, http.StatusUnprocessableEntity)
	if !ok {
		r.Reason = p.redact(r.Reason)
		return r
	}
	switch resp.Status {
	case http.StatusPaymentRequired, http.StatusTooManyRequests:
		msg := fmt.Sprintf("X-Force API quota exhausted (%d): the key's call allowance is spent", resp.Status)
		if ra := strings.TrimSpace(resp.Header.Get("Retry-After")); ra != "" {
			msg += "; retry after " + ra
			if _, err := strconv.Atoi(ra); err == nil {
				msg += "s"
			}
		}
		return r.Fail("%s", p.redact(truncate(msg, 200)))
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		r = r.Reject(fmt.Sprintf("X-Force rejected the indicator (%d)", resp.Status))
		if e := errorText(resp.Body); e != "" {
			r.Reason += ": " + p.redact(e)
		}
		return r
	}
	if !parse(resp.Body, kind, &r) {
		r.Reason = p.redact(r.Reason)
		return r
	}
	if r.Status == ti.StatusOK && r.Found {
		r.Reference = referenceBase + "/" + refKind + "/" + url.PathEscape(v)
	}
	return r
}

// redact removes the credentials from s.
func (p *Provider) redact(s string) string { return httpx.Redact(s, p.key, p.id) }

// Severity maps an X-Force risk score (1–10) to msticpy's scale: below 2
// information, 2 up to 5 warning, 5 and above high.
func Severity(score float64) ti.Severity {
	switch {
	case score >= 5:
		return ti.SevHigh
	case score >= 2:
		return ti.SevWarning
	}
	return ti.SevInformation
}

// report is the shape shared by /ipr answers and /url's "result".
type report struct {
	IP                   string                     `json:"ip"`
	URL                  string                     `json:"url"`
	Score                *float64                   `json:"score"`
	Cats                 map[string]json.RawMessage `json:"cats"`
	CategoryDescriptions map[string]string          `json:"categoryDescriptions"`
	Reason               string                     `json:"reason"`
	ReasonDescription    string                     `json:"reasonDescription"`
}

type response struct {
	report
	Result  *report           `json:"result"`
	Malware *malware          `json:"malware"`
	Tags    []json.RawMessage `json:"tags"`
	Error   string            `json:"error"`
}

type malware struct {
	Type     string          `json:"type"`
	Risk     string          `json:"risk"`
	Family   json.RawMessage `json:"family"`
	Created  string          `json:"created"`
	Origins  json.RawMessage `json:"origins"`
	MimeType string          `json:"mimetype"`
}

// parse decodes a 2xx body of the given endpoint kind ("ipr", "url",
// "malware") into r: Found, Severity and Details. It returns false when r
// was marked as failed.
func parse(body []byte, kind string, r *ti.Result) bool {
	var resp response
	if !ti.Decode(body, &resp, r) {
		return false
	}
	if resp.Error != "" {
		if strings.Contains(strings.ToLower(resp.Error), "not found") {
			*r = r.NotFound("not found")
			return true
		}
		*r = r.Fail("X-Force answered with an error: %s", truncate(resp.Error, 200))
		return false
	}
	d := map[string]any{}
	switch kind {
	case "malware":
		m := resp.Malware
		if m == nil {
			*r = r.Fail("X-Force answer carries no malware record")
			return false
		}
		r.Found, r.Severity = true, ti.SevHigh
		putStr(d, "risk", m.Risk)
		putStr(d, "type", m.Type)
		putStr(d, "created", m.Created)
		if fam := stringList(m.Family); len(fam) > 0 {
			d["family"] = fam
		}
	default:
		rep := &resp.report
		if kind == "url" {
			rep = resp.Result
		}
		if rep == nil || rep.Score == nil {
			*r = r.Fail("X-Force answer carries no %s report", map[string]string{"ipr": "IP", "url": "URL"}[kind])
			return false
		}
		r.Found = true
		r.Severity = Severity(*rep.Score)
		d["score"] = *rep.Score
		if c := cats(rep.Cats); len(c) > 0 {
			d["cats"] = c
		}
		if cd := capMap(rep.CategoryDescriptions); len(cd) > 0 {
			d["category_descriptions"] = cd
		}
		putStr(d, "reason", rep.Reason)
		putStr(d, "reason_description", rep.ReasonDescription)
	}
	if t := tags(resp.Tags); len(t) > 0 {
		d["tags"] = t
	}
	r.Details = d
	return true
}

// cats keeps up to maxList categories (alphabetically), with their values
// (a percentage for IPs, true for URLs).
func cats(m map[string]json.RawMessage) map[string]any {
	out := map[string]any{}
	for _, k := range sortedKeys(m) {
		if len(out) == maxList {
			break
		}
		var v any
		if json.Unmarshal(m[k], &v) == nil {
			out[truncate(k, 100)] = v
		}
	}
	return out
}

// capMap keeps up to maxList entries (alphabetically), values shortened.
func capMap(m map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range sortedKeys(m) {
		if len(out) == maxList {
			break
		}
		out[truncate(k, 100)] = truncate(m[k], 300)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// tags reads X-Force tags, which are strings or objects with a value or
// displayName.
func tags(raw []json.RawMessage) []string {
	var out []string
	for _, t := range raw {
		if len(out) == maxList {
			break
		}
		var s string
		if json.Unmarshal(t, &s) == nil && s != "" {
			out = append(out, truncate(s, 100))
			continue
		}
		var o struct {
			Value       string `json:"value"`
			DisplayName string `json:"displayName"`
		}
		if json.Unmarshal(t, &o) == nil {
			if o.DisplayName != "" {
				out = append(out, truncate(o.DisplayName, 100))
			} else if o.Value != "" {
				out = append(out, truncate(o.Value, 100))
			}
		}
	}
	return out
}

// stringList reads a string or a list of strings, capped.
func stringList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{truncate(one, 100)}
	}
	var many []any
	if json.Unmarshal(raw, &many) != nil {
		return nil
	}
	var out []string
	for _, v := range many {
		if s, ok := v.(string); ok && s != "" && len(out) < maxList {
			out = append(out, truncate(s, 100))
		}
	}
	return out
}

// errorText returns the "error" field of a JSON error body, shortened.
func errorText(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return truncate(e.Error, 200)
}

func putStr(d map[string]any, k, v string) {
	if v != "" {
		d[k] = truncate(v, 500)
	}
}

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// isHash reports whether v is a hex string of the length iocType needs.
func isHash(v, iocType string) bool {
	n := map[string]int{"md5_hash": 32, "sha1_hash": 40, "sha256_hash": 64}[iocType]
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
