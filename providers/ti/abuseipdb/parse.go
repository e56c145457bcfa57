package abuseipdb

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/ti"
)

// checkResponse is the check endpoint's answer: data, or JSON:API errors.
type checkResponse struct {
	Data   *checkData `json:"data"`
	Errors []apiError `json:"errors"`
}

// checkData is the fields Quarry reads about one address.
type checkData struct {
	IPAddress            string   `json:"ipAddress"`
	AbuseConfidenceScore int      `json:"abuseConfidenceScore"`
	CountryCode          string   `json:"countryCode"`
	UsageType            string   `json:"usageType"`
	ISP                  string   `json:"isp"`
	Domain               string   `json:"domain"`
	Hostnames            []string `json:"hostnames"`
	IsTor                bool     `json:"isTor"`
	TotalReports         int      `json:"totalReports"`
	LastReportedAt       string   `json:"lastReportedAt"`
}

// apiError is one JSON:API error. Only the text is read: a status written as
// a string rather than a number must not spoil the message.
type apiError struct {
	Detail string `json:"detail"`
}

// severity is msticpy's verdict on the abuse confidence score (0-100).
func severity(score int) ti.Severity {
	switch {
	case score > 50:
		return ti.SevHigh
	case score > 0:
		return ti.SevWarning
	}
	return ti.SevInformation
}

// interpret fills r from an answer that ti.Send accepted: a 2xx with data,
// or a 400/422 with errors (the address was rejected).
func interpret(r ti.Result, status int, body []byte) ti.Result {
	var resp checkResponse
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
		_ = json.Unmarshal(body, &resp) // the details are optional
		r = r.Reject("AbuseIPDB rejected the address")
		if msg := details(resp.Errors); msg != "" {
			r.Reason += ": " + msg
		}
		return r
	}
	if !ti.Decode(body, &resp, &r) {
		return r
	}
	d := resp.Data
	if d == nil {
		if msg := details(resp.Errors); msg != "" {
			return r.Fail("AbuseIPDB error: %s", msg)
		}
		return r.Fail("unexpected response: no data object")
	}
	det := map[string]any{
		"abuse_confidence_score": d.AbuseConfidenceScore,
		"total_reports":          d.TotalReports,
		"is_tor":                 d.IsTor,
	}
	putText(det, "country_code", d.CountryCode, ti.MaxText)
	putText(det, "usage_type", d.UsageType, ti.MaxText)
	putText(det, "isp", d.ISP, ti.MaxText)
	putText(det, "domain", d.Domain, ti.MaxText)
	if hs := ti.AppendUnique(nil, ti.MaxItems, ti.MaxText, d.Hostnames...); len(hs) > 0 {
		det["hostnames"] = hs
	}
	if t, err := time.Parse(time.RFC3339, d.LastReportedAt); err == nil {
		det["last_reported_at"] = t.UTC().Format(time.RFC3339)
	} else {
		putText(det, "last_reported_at", d.LastReportedAt, ti.MaxText)
	}
	r.Details = det
	if d.TotalReports <= 0 {
		r.Severity = ti.SevInformation
		return r.NotFound("no reports")
	}
	r.Found = true
	r.Status = ti.StatusOK
	r.Severity = severity(d.AbuseConfidenceScore)
	return r
}

// details joins the errors' texts, cleaned and bounded.
func details(errs []apiError) string {
	var msgs []string
	for _, e := range errs {
		msgs = ti.AppendUnique(msgs, 3, ti.MaxText, e.Detail)
	}
	return strings.Join(msgs, "; ")
}

// putText stores a cleaned, non-empty string.
func putText(d map[string]any, k, v string, max int) {
	if v = ti.Clean(v, max); v != "" {
		d[k] = v
	}
}
