package otx

import (
	"encoding/json"
	"net/http"

	"github.com/quarry-sec/quarry/providers/ti"
)

// general is the fields Quarry reads from an indicator's general section.
type general struct {
	Indicator string     `json:"indicator"`
	PulseInfo *pulseInfo `json:"pulse_info"`
}

// pulseInfo summarises the pulses that name the indicator.
type pulseInfo struct {
	Count      int      `json:"count"`
	References []string `json:"references"`
	Pulses     []pulse  `json:"pulses"`
	Related    struct {
		AlienVault struct {
			MalwareFamilies []family `json:"malware_families"`
		} `json:"alienvault"`
		Other struct {
			MalwareFamilies []family `json:"malware_families"`
		} `json:"other"`
	} `json:"related"`
}

// pulse is one community threat report.
type pulse struct {
	Name            string   `json:"name"`
	Tags            []string `json:"tags"`
	References      []string `json:"references"`
	MalwareFamilies []family `json:"malware_families"`
}

// family is a malware family: OTX writes it as a plain string in "related"
// and as {"id", "display_name"} in a pulse.
type family struct{ name string }

// UnmarshalJSON reads either form; any other value is ignored rather than
// failing the whole answer.
func (f *family) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f.name = s
		return nil
	}
	var o struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	}
	if json.Unmarshal(b, &o) == nil {
		f.name = o.DisplayName
		if f.name == "" {
			f.name = o.ID
		}
	}
	return nil
}

// errorBody is OTX's error answer (Django REST framework style).
type errorBody struct {
	Detail string `json:"detail"`
	Error  string `json:"error"`
}

// Caps on the lists kept in Details.
const (
	maxTags = 20
)

// severity is msticpy's verdict on the pulse count: none is information, one
// is a warning, two or more is high.
func severity(pulses int) ti.Severity {
	switch {
	case pulses >= 2:
		return ti.SevHigh
	case pulses == 1:
		return ti.SevWarning
	}
	return ti.SevInformation
}

// interpret fills r from an answer that ti.Send accepted: a 2xx with the
// general section, or a 400 (OTX rejected the indicator).
func interpret(r ti.Result, status int, body []byte) ti.Result {
	if status == http.StatusBadRequest {
		var e errorBody
		_ = json.Unmarshal(body, &e) // the message is optional
		r = r.Reject("OTX rejected the indicator as malformed (400)")
		if msg := ti.Clean(firstNonEmpty(e.Detail, e.Error), ti.MaxText); msg != "" {
			r.Reason += ": " + msg
		}
		return r
	}
	var g general
	if !ti.Decode(body, &g, &r) {
		return r
	}
	pi := g.PulseInfo
	if pi == nil {
		return r.Fail("unexpected response: no pulse_info")
	}
	count := max(pi.Count, len(pi.Pulses))
	r.Severity = severity(count)
	d := map[string]any{"pulse_count": count}
	r.Details = d
	if count == 0 {
		return r.NotFound("no pulses")
	}
	r.Found = true
	r.Status = ti.StatusOK
	var names, tags, refs, fams []string
	refs = ti.AppendUnique(refs, ti.MaxItems, ti.MaxURL, pi.References...)
	for _, p := range pi.Pulses {
		names = ti.AppendUnique(names, ti.MaxItems, ti.MaxText, p.Name)
		tags = ti.AppendUnique(tags, maxTags, ti.MaxText, p.Tags...)
		refs = ti.AppendUnique(refs, ti.MaxItems, ti.MaxURL, p.References...)
		fams = appendFamilies(fams, p.MalwareFamilies)
	}
	fams = appendFamilies(fams, pi.Related.AlienVault.MalwareFamilies)
	fams = appendFamilies(fams, pi.Related.Other.MalwareFamilies)
	putList(d, "names", names)
	putList(d, "tags", tags)
	putList(d, "references", refs)
	putList(d, "malware_families", fams)
	return r
}

// appendFamilies adds the families' names to dst, without repeats.
func appendFamilies(dst []string, fs []family) []string {
	for _, f := range fs {
		if len(dst) >= ti.MaxItems {
			break
		}
		dst = ti.AppendUnique(dst, ti.MaxItems, ti.MaxText, f.name)
	}
	return dst
}

// putList stores a non-empty list.
func putList(d map[string]any, k string, v []string) {
	if len(v) > 0 {
		d[k] = v
	}
}

// firstNonEmpty returns the first of ss that is not "".
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
