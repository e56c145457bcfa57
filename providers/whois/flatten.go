package whois

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openrdap/rdap"
)

// Bounds on what one answer may contribute to a Result.
const (
	maxEntities   = 64
	maxDepth      = 4
	maxList       = 32
	maxRemarks    = 20
	maxField      = 1024
	maxRemark     = 2000
	maxCIDRs      = 64
	maxVCardProps = 256
)

// interpret turns the outcome of rdap.Client.Do for one server into a Result
// or an error.
func interpret(kind, q string, resp *rdap.Response, err error) (*Result, error) {
	var last *rdap.HTTPResponse
	if resp != nil && len(resp.HTTP) > 0 {
		last = resp.HTTP[len(resp.HTTP)-1]
	}
	src := ""
	if last != nil {
		src = last.URL
		if last.Response != nil && last.Response.Request != nil && last.Response.Request.URL != nil {
			src = last.Response.Request.URL.String()
		}
	}
	if err != nil {
		var ce *rdap.ClientError
		if errors.As(err, &ce) && ce.Type == rdap.ObjectDoesNotExist {
			return nil, fmt.Errorf("%w: %s has no record of %s", ErrNotFound, hostOf(src), q)
		}
		if last == nil {
			return nil, fmt.Errorf("%v", err)
		}
		status := 0
		if last.Response != nil {
			status = last.Response.StatusCode
		}
		switch {
		case errors.Is(last.Error, errTooLarge):
			return nil, fmt.Errorf("the answer from %s is larger than %d bytes", src, maxBody)
		case last.Error != nil && status >= 200 && status <= 299:
			return nil, fmt.Errorf("malformed RDAP answer from %s: %v", src, last.Error)
		case last.Error != nil:
			return nil, fmt.Errorf("%v", last.Error)
		case status >= 200 && status <= 299:
			return nil, fmt.Errorf("empty answer from %s", src)
		case status != 0:
			msg := fmt.Sprintf("HTTP %d from %s", status, src)
			if d := rdapErrorText(last.Body); d != "" {
				msg += ": " + d
			}
			if status == http.StatusBadRequest {
				msg += " (the server rejected the query)"
			}
			return nil, errors.New(msg)
		}
		return nil, fmt.Errorf("%v", err)
	}
	var body []byte
	if last != nil {
		body = last.Body
	}
	res, err := flatten(kind, resp.Object, src)
	if err != nil {
		return nil, err
	}
	res.Query = q
	res.Source = src
	if json.Valid(body) {
		res.Raw = json.RawMessage(body)
	}
	return res, nil
}

// parseAnswer decodes an RDAP JSON answer for a query of kind and flattens
// it (interpret's path, for one body).
func parseAnswer(kind string, body []byte) (*Result, error) {
	obj, err := rdap.NewDecoder(body).Decode()
	if err != nil {
		return nil, fmt.Errorf("malformed RDAP answer: %v", err)
	}
	return flatten(kind, obj, "")
}

// flatten turns a decoded RDAP object into a Result.
func flatten(kind string, obj any, src string) (*Result, error) {
	r := &Result{Kind: kind, Events: map[string]string{}}
	switch o := obj.(type) {
	case *rdap.IPNetwork:
		if kind != KindIP {
			break
		}
		r.Handle, r.Name, r.Type, r.Country = clean(o.Handle), clean(o.Name), clean(o.Type), clean(o.Country)
		r.StartAddress, r.EndAddress = clean(o.StartAddress), clean(o.EndAddress)
		r.CIDRs = networkCIDRs(o)
		r.ASN = originASNs(o.DecodeData)
		r.Status = cleanList(o.Status)
		addEvents(r.Events, o.Events)
		r.Entities = flattenEntities(o.Entities)
		r.Remarks = flattenRemarks(o.Remarks)
		r.Port43 = clean(o.Port43)
		return r, nil
	case *rdap.Domain:
		if kind != KindDomain {
			break
		}
		r.Handle = clean(o.Handle)
		r.Name = strings.ToLower(clean(o.LDHName))
		if r.Name == "" {
			r.Name = clean(o.UnicodeName)
		}
		r.Status = cleanList(o.Status)
		addEvents(r.Events, o.Events)
		for _, ns := range o.Nameservers {
			if len(r.Nameservers) >= maxList {
				break
			}
			n := strings.TrimSuffix(strings.ToLower(clean(ns.LDHName)), ".")
			if n == "" {
				n = clean(ns.UnicodeName)
			}
			if n != "" {
				r.Nameservers = append(r.Nameservers, n)
			}
		}
		r.Entities = flattenEntities(o.Entities)
		for _, e := range r.Entities {
			if hasRole(e.Roles, "registrar") {
				r.Registrar = firstOf(e.Name, e.Org, e.Handle)
				break
			}
		}
		r.Remarks = flattenRemarks(o.Remarks)
		r.Port43 = clean(o.Port43)
		return r, nil
	case *rdap.Autnum:
		if kind != KindAutnum {
			break
		}
		r.Handle, r.Name, r.Type, r.Country = clean(o.Handle), clean(o.Name), clean(o.Type), clean(o.Country)
		switch {
		case o.StartAutnum != nil && o.EndAutnum != nil && *o.EndAutnum != *o.StartAutnum:
			r.ASN = fmt.Sprintf("AS%d-AS%d", *o.StartAutnum, *o.EndAutnum)
		case o.StartAutnum != nil:
			r.ASN = fmt.Sprintf("AS%d", *o.StartAutnum)
		}
		r.Status = cleanList(o.Status)
		addEvents(r.Events, o.Events)
		r.Entities = flattenEntities(o.Entities)
		r.Remarks = flattenRemarks(o.Remarks)
		r.Port43 = clean(o.Port43)
		return r, nil
	case *rdap.Error:
		code := 0
		if o.ErrorCode != nil {
			code = int(*o.ErrorCode)
		}
		if code == http.StatusNotFound {
			return nil, fmt.Errorf("%w: %s has no record", ErrNotFound, hostOf(src))
		}
		return nil, fmt.Errorf("RDAP error %d from %s: %s", code, src, describe(o.Title, o.Description))
	}
	return nil, fmt.Errorf("unexpected RDAP answer from %s: %s, not the %s object asked for", src, objectName(obj), kind)
}

// objectName names a decoded RDAP object for an error.
func objectName(obj any) string {
	switch obj.(type) {
	case *rdap.IPNetwork:
		return "an ip network"
	case *rdap.Domain:
		return "a domain"
	case *rdap.Autnum:
		return "an autnum"
	case *rdap.Entity:
		return "an entity"
	case *rdap.Nameserver:
		return "a nameserver"
	case *rdap.Help:
		return "a help or unknown document"
	}
	return "a search result"
}

// rdapErrorText returns the title and description of an RDAP error body.
func rdapErrorText(body []byte) string {
	var e struct {
		Title       string   `json:"title"`
		Description []string `json:"description"`
	}
	if len(body) == 0 || json.Unmarshal(body, &e) != nil {
		return ""
	}
	return describe(e.Title, e.Description)
}

// describe joins an RDAP title and description.
func describe(title string, desc []string) string {
	parts := make([]string, 0, 1+len(desc))
	if t := clean(title); t != "" {
		parts = append(parts, t)
	}
	for i, d := range desc {
		if i >= maxList {
			break
		}
		if d = clean(d); d != "" {
			parts = append(parts, d)
		}
	}
	return clip(strings.Join(parts, " "), maxRemark)
}

// hostOf returns the host of a URL, or the URL.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	if raw == "" {
		return "the RDAP server"
	}
	return raw
}

// addEvents records each event's date under its action, first one wins.
func addEvents(m map[string]string, events []rdap.Event) {
	for i, e := range events {
		if i >= maxList {
			return
		}
		action := clean(e.Action)
		if action == "" {
			continue
		}
		if _, seen := m[action]; seen {
			continue
		}
		m[action] = normalizeDate(e.Date)
	}
}

// normalizeDate rewrites an RDAP date as RFC 3339 (dropping fractional
// seconds); a date it cannot read is kept as given.
func normalizeDate(d string) string {
	d = strings.TrimSpace(d)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, d); err == nil {
			return t.Format(time.RFC3339)
		}
	}
	return clean(d)
}

// networkCIDRs returns the network's prefixes: the cidr0 extension's list
// when present, else computed from the start and end addresses.
func networkCIDRs(n *rdap.IPNetwork) []string {
	var out []string
	if n.DecodeData != nil {
		if list, ok := n.DecodeData.Value("cidr0_cidrs").([]any); ok {
			for _, item := range list {
				if len(out) >= maxCIDRs {
					break
				}
				m, ok := item.(map[string]any)
				if !ok {
					continue
				}
				length, ok := m["length"].(float64)
				if !ok || length < 0 || length > 128 || length != float64(int(length)) {
					continue
				}
				for _, key := range []string{"v4prefix", "v6prefix"} {
					s, ok := m[key].(string)
					if !ok {
						continue
					}
					a, err := netip.ParseAddr(s)
					if err != nil {
						continue
					}
					if p, err := a.Prefix(int(length)); err == nil {
						out = append(out, p.String())
					}
				}
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	start, err1 := netip.ParseAddr(strings.TrimSpace(n.StartAddress))
	end, err2 := netip.ParseAddr(strings.TrimSpace(n.EndAddress))
	if err1 != nil || err2 != nil {
		return nil
	}
	return rangePrefixes(start.WithZone(""), end.WithZone(""))
}

// rangePrefixes returns the fewest prefixes covering start..end (at most
// maxCIDRs), or nil when the range is malformed.
func rangePrefixes(start, end netip.Addr) []string {
	if start.BitLen() != end.BitLen() || end.Less(start) {
		return nil
	}
	var out []string
	for len(out) < maxCIDRs {
		bits := start.BitLen()
		// The largest prefix that starts at start and stays within end.
		best := netip.PrefixFrom(start, bits)
		for l := bits - 1; l >= 0; l-- {
			p := netip.PrefixFrom(start, l)
			if p.Masked().Addr() != start || lastAddr(p).Compare(end) > 0 {
				break
			}
			best = p
		}
		out = append(out, best.String())
		last := lastAddr(best)
		if last == end {
			return out
		}
		start = last.Next()
		if !start.IsValid() {
			return out
		}
	}
	return out
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// originASNs reads ARIN's originas0 extension (the AS numbers announcing the
// network).
func originASNs(d *rdap.DecodeData) string {
	if d == nil {
		return ""
	}
	list, ok := d.Value("arin_originas0_originautnums").([]any)
	if !ok {
		return ""
	}
	var out []string
	for _, v := range list {
		if len(out) >= maxList {
			break
		}
		if f, ok := v.(float64); ok && f >= 0 && f <= 4294967295 && f == float64(uint32(f)) {
			out = append(out, "AS"+strconv.FormatUint(uint64(f), 10))
		}
	}
	return strings.Join(out, ",")
}

// flattenEntities lists entities and their nested entities (depth-first,
// bounded in depth and number).
func flattenEntities(list []rdap.Entity) []Entity {
	var out []Entity
	var walk func(list []rdap.Entity, depth int)
	walk = func(list []rdap.Entity, depth int) {
		for i := range list {
			if len(out) >= maxEntities {
				return
			}
			out = append(out, flattenEntity(&list[i]))
			if depth+1 < maxDepth {
				walk(list[i].Entities, depth+1)
			}
		}
	}
	walk(list, 0)
	return out
}

// flattenEntity reads one entity's handle, roles and vCard.
func flattenEntity(e *rdap.Entity) Entity {
	out := Entity{Handle: clean(e.Handle), Roles: cleanList(e.Roles)}
	if e.VCard != nil {
		out.Name, out.Org, out.Email, out.Phone, out.Address = flattenVCard(e.VCard)
	}
	return out
}

// flattenVCard reads the name (fn), organisation, first e-mail, voice phone
// and postal address of a jCard (RFC 7095).
func flattenVCard(v *rdap.VCard) (name, org, email, phone, address string) {
	var firstTel string
	for i, p := range v.Properties {
		if i >= maxVCardProps {
			break
		}
		if p == nil {
			continue
		}
		switch strings.ToLower(p.Name) {
		case "fn":
			if name == "" {
				name = clean(joinValue(p.Value, " "))
			}
		case "org":
			if org == "" {
				org = clean(joinValue(p.Value, ", "))
			}
		case "email":
			if email == "" {
				email = clean(joinValue(p.Value, " "))
			}
		case "tel":
			t := strings.TrimPrefix(clean(joinValue(p.Value, " ")), "tel:")
			if firstTel == "" {
				firstTel = t
			}
			types, typed := p.Parameters["type"]
			if phone == "" && (!typed || containsFold(types, "voice")) {
				phone = t
			}
		case "adr":
			if address == "" {
				address = formatAddress(p)
			}
		}
	}
	if phone == "" {
		phone = firstTel
	}
	return name, org, email, phone, address
}

// formatAddress renders an adr property: its label parameter when present
// (the full address as the registry prints it), else its components.
func formatAddress(p *rdap.VCardProperty) string {
	if labels := p.Parameters["label"]; len(labels) > 0 && strings.TrimSpace(labels[0]) != "" {
		lines := strings.FieldsFunc(labels[0], func(r rune) bool { return r == '\n' || r == '\r' })
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		return clean(strings.Join(nonEmpty(lines), ", "))
	}
	comps, ok := p.Value.([]any)
	if !ok {
		return clean(joinValue(p.Value, " "))
	}
	var parts []string
	for i, c := range comps {
		if i >= 16 {
			break
		}
		if s := strings.TrimSpace(joinValue(c, " ")); s != "" {
			parts = append(parts, s)
		}
	}
	return clean(strings.Join(parts, ", "))
}

// joinValue flattens a jCard value (string, number, bool, nested arrays)
// into text, bounded in size and depth.
func joinValue(v any, sep string) string {
	var parts []string
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if len(parts) >= maxList || depth > 4 {
			return
		}
		switch x := v.(type) {
		case string:
			if x = strings.TrimSpace(x); x != "" {
				parts = append(parts, clip(x, maxField))
			}
		case float64:
			parts = append(parts, strconv.FormatFloat(x, 'f', -1, 64))
		case bool:
			parts = append(parts, strconv.FormatBool(x))
		case []any:
			for _, y := range x {
				walk(y, depth+1)
			}
		}
	}
	walk(v, 0)
	return strings.Join(parts, sep)
}

// flattenRemarks renders each remark as "title: description".
func flattenRemarks(list []rdap.Remark) []string {
	var out []string
	for i, r := range list {
		if i >= maxRemarks {
			break
		}
		desc := describe("", r.Description)
		title := clean(r.Title)
		switch {
		case title != "" && desc != "":
			out = append(out, clip(title+": "+desc, maxRemark))
		case title != "" || desc != "":
			out = append(out, title+desc)
		}
	}
	return out
}

// clean makes a registry-supplied string safe to print: valid UTF-8,
// control characters (terminal escapes included) turned into spaces, runs of
// space collapsed, at most maxField bytes.
func clean(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 4*maxField {
		s = s[:4*maxField]
	}
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		if b.Len() >= maxField {
			break
		}
	}
	return b.String()
}

// cleanList cleans each string, dropping empty ones, at most maxList.
func cleanList(list []string) []string {
	var out []string
	for _, s := range list {
		if len(out) >= maxList {
			break
		}
		if s = clean(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// nonEmpty drops empty strings.
func nonEmpty(list []string) []string {
	out := list[:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// hasRole reports whether roles holds role.
func hasRole(roles []string, role string) bool {
	return containsFold(roles, role)
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// firstOf returns the first non-empty string.
func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
