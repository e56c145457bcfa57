// Package intel holds the types of a threat-intelligence verdict: the
// normalised Result every provider returns, msticpy's Severity scale and the
// Status of a look-up. They live in the engine, with no I/O, so the panes can
// show results without depending on the providers that fetch them.
package intel

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Severity is msticpy's ResultSeverity: unknown < information < warning < high.
type Severity int

// The severities, with msticpy's values.
const (
	SevUnknown     Severity = -1
	SevInformation Severity = 0
	SevWarning     Severity = 1
	SevHigh        Severity = 2
)

// String returns the severity's name ("unknown", "information", "warning", "high").
func (s Severity) String() string {
	switch s {
	case SevInformation:
		return "information"
	case SevWarning:
		return "warning"
	case SevHigh:
		return "high"
	}
	return "unknown"
}

// ParseSeverity reads a severity by name (any case; "info" too) or msticpy value.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "unknown", "-1":
		return SevUnknown, nil
	case "information", "info", "0":
		return SevInformation, nil
	case "warning", "warn", "1":
		return SevWarning, nil
	case "high", "2":
		return SevHigh, nil
	}
	return SevUnknown, fmt.Errorf("unknown severity %q (want unknown, information, warning or high)", s)
}

// MarshalJSON writes the severity's name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity's name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p, err := ParseSeverity(v)
	*s = p
	return err
}

// Status is how a look-up ended.
type Status int

// The statuses.
const (
	// StatusOK: the provider answered and has a record of the indicator.
	StatusOK Status = iota
	// StatusNotFound: the provider answered and knows nothing of it.
	StatusNotFound
	// StatusUnsupported: the provider does not take this indicator type.
	StatusUnsupported
	// StatusBadFormat: the indicator is not a valid (or not a public) value of its type.
	StatusBadFormat
	// StatusError: the look-up failed; Reason says why.
	StatusError
)

var statusNames = [...]string{"ok", "not found", "unsupported type", "bad format", "error"}

// String returns the status's name.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "error"
}

// MarshalJSON writes the status's name.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a status's name.
func (s *Status) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for i, n := range statusNames {
		if n == v {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", v)
}

// Result is one provider's answer for one indicator, normalised.
type Result struct {
	// Provider is the provider's name ("virustotal").
	Provider string `json:"provider"`
	// Ioc is the indicator as looked up (refanged, trimmed).
	Ioc string `json:"ioc"`
	// IocType is the indicator's type, in engine/ioc's names (ipv4, dns, url, sha256_hash…).
	IocType string `json:"ioc_type"`
	// QuerySubtype is the provider's query variant, when not the default.
	QuerySubtype string `json:"query_subtype,omitempty"`
	// Found reports whether the provider has a record of the indicator.
	Found bool `json:"found"`
	// Severity is the provider's verdict on msticpy's scale, by msticpy's thresholds.
	Severity Severity `json:"severity"`
	// Details is the provider's summary (the fields msticpy shows).
	Details map[string]any `json:"details,omitempty"`
	// Raw is the provider's response body, when it was JSON.
	Raw json.RawMessage `json:"raw,omitempty"`
	// Reference is the provider's page for the indicator (for a person, not the API).
	Reference string `json:"reference,omitempty"`
	// Status is how the look-up ended.
	Status Status `json:"status"`
	// Reason explains a not-found, unsupported, bad-format or error status.
	Reason string `json:"reason,omitempty"`
	// Cached reports that the result came from the cache.
	Cached bool `json:"cached,omitempty"`
	// Time is when the provider answered (UTC).
	Time time.Time `json:"time"`
}

// Fail marks r as failed with a reason and returns it.
func (r Result) Fail(format string, args ...any) Result {
	r.Status = StatusError
	r.Found = false
	r.Severity = SevUnknown
	r.Reason = fmt.Sprintf(format, args...)
	return r
}

// NotFound marks r as answered with no record and returns it. The reason
// defaults to "not found". A severity of information or above (a provider
// that said "clean") is kept; anything else becomes unknown.
func (r Result) NotFound(reason string) Result {
	if reason == "" {
		reason = "not found"
	}
	r.Status = StatusNotFound
	r.Found = false
	r.Reason = reason
	if r.Severity < SevInformation {
		r.Severity = SevUnknown
	}
	return r
}

// Reject marks r as a bad-format indicator (malformed, or refused by the
// provider as malformed) with a reason, and returns it.
func (r Result) Reject(reason string) Result {
	r.Status = StatusBadFormat
	r.Found = false
	r.Severity = SevUnknown
	r.Reason = reason
	return r
}
