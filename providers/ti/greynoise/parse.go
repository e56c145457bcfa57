package greynoise

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/quarry-sec/quarry/providers/ti"
)

// community is the Community API's answer, found or not.
type community struct {
	IP             string          `json:"ip"`
	Noise          *bool           `json:"noise"`
	Riot           *bool           `json:"riot"`
	Classification string          `json:"classification"`
	Name           string          `json:"name"`
	Link           string          `json:"link"`
	LastSeen       string          `json:"last_seen"`
	Message        string          `json:"message"`
	Code           json.RawMessage `json:"code"`
}

// quickCodes are GreyNoise's answer codes (the ones its quick-check API
// returns; a community answer carries none) that describe an address rather
// than a failure. Any other code (0x04 reserved, 0x07 invalid address, or
// one GreyNoise adds later) is treated as an error, as msticpy does for an
// answer with a code. The list is from GreyNoise's documentation as
// remembered, unverified against a live answer.
var quickCodes = map[string]bool{
	"0x00": true, // never observed
	"0x01": true, // observed scanning
	"0x02": true, // observed, handshake not completed
	"0x03": true, // adjacent to an observed host
	"0x05": true, // commonly spoofed
	"0x06": true, // noise from a cloud provider's address
	"0x08": true, // noise, but not seen in 90 days
}

// codeNotObserved is the code for an address GreyNoise has never seen.
const codeNotObserved = "0x00"

// maxLink caps the length of a link used as the Reference.
const maxLink = 300

// severity is msticpy's verdict: "malicious" is high, anything else
// (benign, unknown, none) is information.
func severity(classification string) ti.Severity {
	if strings.EqualFold(strings.TrimSpace(classification), "malicious") {
		return ti.SevHigh
	}
	return ti.SevInformation
}

// interpret fills r from an answer that ti.Send accepted: a 2xx, a 404 (not
// observed, with a JSON message) or a 400 (not a valid routable address).
func interpret(r ti.Result, status int, body []byte) ti.Result {
	var c community
	switch status {
	case http.StatusNotFound:
		_ = json.Unmarshal(body, &c) // the message is optional
		r.Severity = ti.SevInformation
		if msg := ti.Clean(c.Message, ti.MaxText); msg != "" {
			return r.NotFound(msg)
		}
		return r.NotFound("IP not observed by GreyNoise")
	case http.StatusBadRequest:
		_ = json.Unmarshal(body, &c)
		r = r.Reject("GreyNoise rejected the address (400)")
		if msg := ti.Clean(c.Message, ti.MaxText); msg != "" {
			r.Reason += ": " + msg
		}
		return r
	}
	if !ti.Decode(body, &c, &r) {
		return r
	}
	if code, ok := codeOf(c.Code); ok {
		if !quickCodes[code] {
			reason := "GreyNoise answered with code " + ti.Clean(code, ti.MaxText)
			if msg := ti.Clean(c.Message, ti.MaxText); msg != "" {
				reason += ": " + msg
			}
			return r.Fail("%s", reason)
		}
		if code == codeNotObserved {
			r.Severity = ti.SevInformation
			return r.NotFound("IP not observed by GreyNoise (code 0x00)")
		}
	}
	if c.IP == "" && c.Noise == nil && c.Riot == nil && c.Classification == "" {
		return r.Fail("unexpected response: no ip, noise, riot or classification field")
	}
	r.Found = true
	r.Status = ti.StatusOK
	r.Severity = severity(c.Classification)
	d := map[string]any{}
	putText(d, "classification", c.Classification)
	putText(d, "name", c.Name)
	putText(d, "last_seen", c.LastSeen)
	putText(d, "message", c.Message)
	if c.Noise != nil {
		d["noise"] = *c.Noise
	}
	if c.Riot != nil {
		d["riot"] = *c.Riot
	}
	r.Details = d
	if vizLink(c.Link) {
		r.Reference = c.Link
	}
	return r
}

// codeOf returns an answer's code as text, and whether it carried one.
func codeOf(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.ToLower(strings.TrimSpace(s))
		return s, s != ""
	}
	return string(raw), true
}

// vizLink reports whether link is a plain GreyNoise web page, safe to offer
// as the Reference.
func vizLink(link string) bool {
	if !strings.HasPrefix(link, vizBase) || len(link) > maxLink {
		return false
	}
	for i := 0; i < len(link); i++ {
		if link[i] <= ' ' || link[i] >= 0x7f || link[i] == '"' || link[i] == '\\' {
			return false
		}
	}
	return true
}

// putText stores a cleaned, non-empty string.
func putText(d map[string]any, k, v string) {
	if v = ti.Clean(v, ti.MaxText); v != "" {
		d[k] = v
	}
}
