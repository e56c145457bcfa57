package virustotal

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/ti"
)

// envelope is every VirusTotal v3 answer: a data object or an error.
type envelope struct {
	Data  *object   `json:"data"`
	Error *apiError `json:"error"`
}

// apiError is VirusTotal's error body ({"error": {"code", "message"}}).
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// object is a file, ip_address, domain or url object.
type object struct {
	Type       string     `json:"type"`
	ID         string     `json:"id"`
	Attributes attributes `json:"attributes"`
}

// attributes are the fields Quarry summarises, across the object types.
type attributes struct {
	Stats struct {
		Malicious  int `json:"malicious"`
		Suspicious int `json:"suspicious"`
		Harmless   int `json:"harmless"`
		Undetected int `json:"undetected"`
	} `json:"last_analysis_stats"`
	Reputation       int   `json:"reputation"`
	LastAnalysisDate int64 `json:"last_analysis_date"`

	// file
	MeaningfulName  string `json:"meaningful_name"`
	TypeDescription string `json:"type_description"`
	Size            int64  `json:"size"`
	PopularThreat   struct {
		SuggestedThreatLabel string `json:"suggested_threat_label"`
	} `json:"popular_threat_classification"`

	// ip_address
	ASOwner string `json:"as_owner"`
	ASN     int64  `json:"asn"`
	Country string `json:"country"`

	// domain
	Registrar    string            `json:"registrar"`
	Categories   map[string]string `json:"categories"`
	CreationDate int64             `json:"creation_date"`

	// url
	LastFinalURL string   `json:"last_final_url"`
	Title        string   `json:"title"`
	ThreatNames  []string `json:"threat_names"`
}

// maxCategories caps the distinct domain categories kept.
const maxCategories = 5

// severity is msticpy's verdict on last_analysis_stats: more than one
// malicious detection is high; exactly one, or any suspicious one, is a
// warning; none is information.
func severity(malicious, suspicious int) ti.Severity {
	switch {
	case malicious > 1:
		return ti.SevHigh
	case malicious == 1 || suspicious > 0:
		return ti.SevWarning
	}
	return ti.SevInformation
}

// interpret fills r from an answer that ti.Send accepted: a 2xx with a data
// object, a 404 (not found) or a 400 (the indicator was rejected).
func interpret(r ti.Result, status int, body []byte) ti.Result {
	var env envelope
	if status == http.StatusNotFound || status == http.StatusBadRequest {
		// The error body is informative but optional: a bare 404 or 400 is
		// still a clear answer, so a body that does not decode is ignored.
		var msg string
		if json.Unmarshal(body, &env) == nil && env.Error != nil {
			msg = ti.Clean(env.Error.Message, ti.MaxText)
		}
		if status == http.StatusNotFound {
			return r.NotFound(msg)
		}
		r = r.Reject("VirusTotal rejected the indicator")
		if msg != "" {
			r.Reason += ": " + msg
		}
		return r
	}
	if !ti.Decode(body, &env, &r) {
		return r
	}
	if env.Data == nil {
		if env.Error != nil {
			return r.Fail("VirusTotal error %s: %s", ti.Clean(env.Error.Code, ti.MaxText), ti.Clean(env.Error.Message, ti.MaxText))
		}
		return r.Fail("unexpected response: no data object")
	}
	a := &env.Data.Attributes
	r.Found = true
	r.Status = ti.StatusOK
	r.Severity = severity(a.Stats.Malicious, a.Stats.Suspicious)
	d := map[string]any{
		"malicious":  a.Stats.Malicious,
		"suspicious": a.Stats.Suspicious,
		"harmless":   a.Stats.Harmless,
		"undetected": a.Stats.Undetected,
		"reputation": a.Reputation,
	}
	putTime(d, "last_analysis_date", a.LastAnalysisDate)
	switch r.IocType {
	case "md5_hash", "sha1_hash", "sha256_hash":
		putText(d, "meaningful_name", a.MeaningfulName, ti.MaxText)
		putText(d, "type_description", a.TypeDescription, ti.MaxText)
		if a.Size > 0 {
			d["size"] = a.Size
		}
		putText(d, "suggested_threat_label", a.PopularThreat.SuggestedThreatLabel, ti.MaxText)
	case "ipv4", "ipv6":
		putText(d, "as_owner", a.ASOwner, ti.MaxText)
		if a.ASN > 0 {
			d["asn"] = a.ASN
		}
		putText(d, "country", a.Country, ti.MaxText)
	case "dns", "hostname":
		putText(d, "registrar", a.Registrar, ti.MaxText)
		if cats := categories(a.Categories); len(cats) > 0 {
			d["categories"] = cats
		}
		putTime(d, "creation_date", a.CreationDate)
	case "url":
		putText(d, "last_final_url", a.LastFinalURL, ti.MaxURL)
		putText(d, "title", a.Title, ti.MaxText)
		if names := ti.AppendUnique(nil, ti.MaxItems, ti.MaxText, a.ThreatNames...); len(names) > 0 {
			d["threat_names"] = names
		}
	}
	r.Details = d
	return r
}

// categories returns the distinct category labels the vendors gave, sorted
// without regard to case,
// at most maxCategories of them.
func categories(m map[string]string) []string {
	vals := make([]string, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool { return strings.ToLower(vals[i]) < strings.ToLower(vals[j]) })
	return ti.AppendUnique(nil, maxCategories, ti.MaxText, vals...)
}

// putText stores a cleaned, non-empty string.
func putText(d map[string]any, k, v string, max int) {
	if v = ti.Clean(v, max); v != "" {
		d[k] = v
	}
}

// maxEpoch is 9999-12-31T23:59:59Z, the last instant RFC 3339 can write.
const maxEpoch = 253402300799

// putTime stores a Unix time as RFC 3339 UTC, when it is set and sane.
func putTime(d map[string]any, k string, sec int64) {
	if sec > 0 && sec <= maxEpoch {
		d[k] = time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
}
