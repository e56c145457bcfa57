package intel

import (
	"encoding/json"
	"testing"
)

func TestSeverityAndStatusJSON(t *testing.T) {
	for _, s := range []Severity{SevUnknown, SevInformation, SevWarning, SevHigh} {
		b, _ := json.Marshal(s)
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("severity %v: %s → %v, %v", s, b, back, err)
		}
	}
	for _, v := range []string{"info", "INFORMATION", "0"} {
		if s, err := ParseSeverity(v); err != nil || s != SevInformation {
			t.Errorf("ParseSeverity(%q) = %v, %v", v, s, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity accepted severe")
	}
	for s := StatusOK; s <= StatusError; s++ {
		b, _ := json.Marshal(s)
		var back Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("status %v: %s → %v, %v", s, b, back, err)
		}
	}
	if !(SevUnknown < SevInformation && SevInformation < SevWarning && SevWarning < SevHigh) {
		t.Error("severities out of order")
	}
}

func TestResultHelpers(t *testing.T) {
	r := Result{Provider: "vt", Severity: SevHigh, Found: true}
	f := r.Fail("HTTP %d", 500)
	if f.Status != StatusError || f.Found || f.Severity != SevUnknown || f.Reason != "HTTP 500" {
		t.Errorf("Fail = %+v", f)
	}
	n := Result{Severity: SevInformation}.NotFound("")
	if n.Status != StatusNotFound || n.Reason != "not found" || n.Severity != SevInformation {
		t.Errorf("NotFound = %+v", n)
	}
	if n := (Result{Severity: SevUnknown}).NotFound("no pulses"); n.Severity != SevUnknown || n.Reason != "no pulses" {
		t.Errorf("NotFound = %+v", n)
	}
}

func TestReject(t *testing.T) {
	r := Result{Provider: "otx", Found: true, Severity: SevHigh}.Reject("not an IPv4 address")
	if r.Status != StatusBadFormat || r.Found || r.Severity != SevUnknown || r.Reason != "not an IPv4 address" {
		t.Errorf("Reject = %+v", r)
	}
}
