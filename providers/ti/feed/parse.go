package feed

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quarry-sec/quarry/providers/ti"
)

// Entry is one indicator read from a feed.
type Entry struct {
	// Type is the indicator's type in engine/ioc's names (ipv4, ipv6, dns,
	// hostname, url, email, md5_hash, sha1_hash, sha256_hash).
	Type string
	// Value is the normalised indicator: addresses canonical, domains,
	// e-mail addresses and hashes lower-case, URLs as given (trimmed).
	Value string
	// FeedType is the type as the feed named it ("FileHash-MD5"; "" when the
	// feed gave none and it was inferred).
	FeedType string
	// Severity is the feed's severity, or the one derived from Confidence,
	// or warning.
	Severity ti.Severity
	// Name, Description and ID are the feed's, when given.
	Name, Description, ID string
	// Reference is the feed's link for the indicator (http or https only).
	Reference string
	// Labels are the feed's labels, tags or STIX indicator_types.
	Labels []string
	// Confidence is the feed's confidence (0–100), -1 when absent.
	Confidence int
	// ValidFrom and ValidUntil bound the indicator's validity (zero = open).
	ValidFrom, ValidUntil time.Time
	// Source is the file the entry came from.
	Source string
	// Format is the file's format: csv, json, jsonl or stix.
	Format string
}

// Stats counts what a parse read.
type Stats struct {
	// Entries is the number of indicators kept (one STIX pattern may give several).
	Entries int
	// Skipped counts rows, records and STIX indicators that were read but
	// gave no indicator: an unknown type (CVE, YARA, CIDR…), a value that is
	// not of its type, an unsupported pattern type, a revoked indicator.
	Skipped int
}

// MaxEntries bounds the indicators kept from all files together.
const MaxEntries = 10_000_000

// maxField bounds a string copied from a feed into an entry's text fields.
const maxField = 1000

// maxLabels bounds an entry's labels.
const maxLabels = 10

// ErrTooLarge is wrapped when input passes a size or count bound.
var ErrTooLarge = errors.New("feed too large")

// parser accumulates entries from one file.
type parser struct {
	source   string
	format   string
	entries  []Entry
	stats    Stats
	limit    int  // entries this parse may still add
	inBundle bool // reading a STIX bundle's "objects"
}

// ParseFeed reads one feed file, detecting its format from the content: a
// JSON array, an object (a STIX 2.1 bundle, {"indicators": […]} or a single
// record) or JSON Lines when it starts with '[' or '{', otherwise CSV with a
// header row. source names the file in entries and errors. A malformed file
// is an error naming the source and the line (CSV) or byte offset (JSON).
func ParseFeed(r io.Reader, source string) ([]Entry, Stats, error) {
	p := &parser{source: source, limit: MaxEntries}
	err := p.parse(r)
	return p.entries, p.stats, err
}

func (p *parser) parse(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	// Skip a UTF-8 byte-order mark and find the first significant byte.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	first := byte(0)
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil // an empty feed
			}
			return fmt.Errorf("%s: %w", p.source, err)
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			_, _ = br.Discard(1)
			continue
		}
		first = b[0]
		break
	}
	if first == '[' || first == '{' {
		return p.parseJSON(br)
	}
	p.format = "csv"
	return p.parseCSV(br)
}

// column names, lower-case.
var (
	colIndicator   = []string{"indicator", "ioc", "value", "observable"}
	colType        = []string{"indicator type", "indicator_type", "indicatortype", "ioc_type", "ioc type", "type"}
	colSeverity    = []string{"severity"}
	colDescription = []string{"description", "details", "title"}
	colName        = []string{"name"}
	colReference   = []string{"reference", "link"}
	colConfidence  = []string{"confidence"}
	colLabels      = []string{"labels", "tags", "indicator_types"}
	colValidFrom   = []string{"valid_from"}
	colValidUntil  = []string{"valid_until", "expiration", "expiration_date"}
	colID          = []string{"id"}
)

// record is one row or JSON record, as strings.
type record struct {
	indicator, typ, severity, description, name, reference, confidence string
	labels                                                             []string
	validFrom, validUntil, id                                          string
}

// parseCSV reads a CSV feed with a header row.
func (p *parser) parseCSV(r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the CSV header: %w", p.source, err)
	}
	idx := map[string]int{}
	for i, h := range head {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := idx[k]; !dup {
			idx[k] = i
		}
	}
	col := func(names []string) int {
		for _, n := range names {
			if i, ok := idx[n]; ok {
				return i
			}
		}
		return -1
	}
	ci := col(colIndicator)
	if ci < 0 {
		return fmt.Errorf("%s: line 1: no indicator column (want one of %s)", p.source, strings.Join(colIndicator, ", "))
	}
	cType, cSev, cDesc, cName, cRef := col(colType), col(colSeverity), col(colDescription), col(colName), col(colReference)
	cConf, cLab, cFrom, cUntil, cID := col(colConfidence), col(colLabels), col(colValidFrom), col(colValidUntil), col(colID)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.source, err)
		}
		get := func(i int) string {
			if i < 0 || i >= len(row) {
				return ""
			}
			return row[i]
		}
		rec := record{
			indicator: get(ci), typ: get(cType), severity: get(cSev), description: get(cDesc), name: get(cName),
			reference: get(cRef), confidence: get(cConf), validFrom: get(cFrom), validUntil: get(cUntil), id: get(cID),
		}
		if l := get(cLab); l != "" {
			rec.labels = splitLabels(l)
		}
		if err := p.add(rec); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("%s: line %d: %w", p.source, line, err)
		}
	}
}

// splitLabels splits a CSV cell of labels on commas, semicolons or '|'.
func splitLabels(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
	var out []string
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" && len(out) < maxLabels {
			out = append(out, clip(x))
		}
	}
	return out
}

// add turns a record into an entry.
func (p *parser) add(rec record) error {
	v := strings.TrimSpace(rec.indicator)
	if v == "" {
		p.stats.Skipped++
		return nil
	}
	typ, ok := canonType(rec.typ)
	if !ok {
		p.stats.Skipped++
		return nil
	}
	if typ == "" || typ == "hash" {
		typ = inferType(v)
		if rec.typ != "" && !strings.HasSuffix(typ, "_hash") {
			p.stats.Skipped++ // said it was a hash; is not one
			return nil
		}
	}
	val, ok := normalise(typ, v)
	if !ok {
		p.stats.Skipped++
		return nil
	}
	e := Entry{
		Type: typ, Value: val, FeedType: clip(strings.TrimSpace(rec.typ)),
		Name: clip(rec.name), Description: clip(rec.description), ID: clip(rec.id),
		Reference: reference(rec.reference), Labels: rec.labels, Confidence: -1,
		ValidFrom: parseTime(rec.validFrom), ValidUntil: parseTime(rec.validUntil),
		Source: p.source, Format: p.format,
	}
	if c, err := strconv.ParseFloat(strings.TrimSpace(rec.confidence), 64); err == nil && c >= 0 && c <= 100 {
		e.Confidence = int(c)
	}
	e.Severity = severity(rec.severity, e.Confidence)
	return p.push(e)
}

// push appends an entry, within the bound.
func (p *parser) push(e Entry) error {
	if p.limit <= 0 {
		return fmt.Errorf("%w: more than %d indicators", ErrTooLarge, MaxEntries)
	}
	p.limit--
	p.entries = append(p.entries, e)
	p.stats.Entries++
	return nil
}

// severity is the feed's severity when it names one, else high for a
// confidence of 80 or more (msticpy's Sentinel TI rule), else warning.
func severity(s string, confidence int) ti.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
	case "low", "informational", "none":
		return ti.SevInformation
	case "medium", "moderate":
		return ti.SevWarning
	case "critical", "severe":
		return ti.SevHigh
	default:
		if sev, err := ti.ParseSeverity(s); err == nil {
			return sev
		}
	}
	if confidence >= 80 {
		return ti.SevHigh
	}
	return ti.SevWarning
}

// canonType maps a feed's type name (engine/ioc's, OTX's, STIX's, MISP's)
// to engine/ioc's; "" means infer from the value, "hash" a hash of the
// length's kind. ok is false for a type Quarry does not look up.
func canonType(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "ipv4", "ip", "ipv4-addr", "ip-dst", "ip-src", "ip_address", "ipaddress", "ip address", "ipv4_address", "ipv4address":
		return "ipv4", true
	case "ipv6", "ipv6-addr", "ipv6_address", "ipv6address":
		return "ipv6", true
	case "dns", "domain", "domain-name", "domain_name", "domainname", "fqdn":
		return "dns", true
	case "hostname", "host", "host_name":
		return "hostname", true
	case "url", "uri", "link":
		return "url", true
	case "email", "e-mail", "email-addr", "email_address", "emailaddress", "email-src", "email-dst":
		return "email", true
	case "md5", "md5_hash", "filehash-md5", "hash-md5", "file:hashes.md5":
		return "md5_hash", true
	case "sha1", "sha-1", "sha1_hash", "filehash-sha1", "hash-sha1":
		return "sha1_hash", true
	case "sha256", "sha-256", "sha256_hash", "filehash-sha256", "hash-sha256":
		return "sha256_hash", true
	case "hash", "file_hash", "filehash", "file hash":
		return "hash", true
	}
	return "", false
}

// inferType guesses a value's type: an address, a 32/40/64-digit hex hash,
// a URL (has "://"), an e-mail address (has "@"), else a domain. A /32 or
// /128 CIDR is its address; a wider range is "cidr", which is skipped.
func inferType(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		if a.Unmap().Is4() {
			return "ipv4"
		}
		return "ipv6"
	}
	if pf, err := netip.ParsePrefix(v); err == nil {
		if pf.Bits() != pf.Addr().BitLen() {
			return "cidr" // a range: not looked up
		}
		if pf.Addr().Unmap().Is4() {
			return "ipv4"
		}
		return "ipv6"
	}
	if isHex(v) {
		switch len(v) {
		case 32:
			return "md5_hash"
		case 40:
			return "sha1_hash"
		case 64:
			return "sha256_hash"
		}
	}
	switch {
	case strings.Contains(v, "://"):
		return "url"
	case strings.Contains(v, "@"):
		return "email"
	}
	return "dns"
}

// family groups types that match each other: hostname and dns share one.
type family uint8

const (
	famNone family = iota
	famIP
	famDNS
	famURL
	famEmail
	famMD5
	famSHA1
	famSHA256
)

func familyOf(typ string) family {
	switch typ {
	case "ipv4", "ipv6":
		return famIP
	case "dns", "hostname":
		return famDNS
	case "url":
		return famURL
	case "email":
		return famEmail
	case "md5_hash":
		return famMD5
	case "sha1_hash":
		return famSHA1
	case "sha256_hash":
		return famSHA256
	}
	return famNone
}

// normalise returns v's indexed form for typ; ok is false when v is not a
// value of typ.
func normalise(typ, v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 8192 {
		return "", false
	}
	switch typ {
	case "ipv4", "ipv6":
		a, err := netip.ParseAddr(v)
		if err != nil {
			pf, perr := netip.ParsePrefix(v)
			if perr != nil || pf.Bits() != pf.Addr().BitLen() {
				return "", false
			}
			a = pf.Addr()
		}
		a = a.Unmap().WithZone("")
		if (typ == "ipv4") != a.Is4() {
			return "", false
		}
		return a.String(), true
	case "dns", "hostname":
		if !utf8.ValidString(v) {
			return "", false
		}
		v = strings.TrimRight(strings.ToLower(v), ".")
		if v == "" || strings.ContainsAny(v, " \t\r\n/@") {
			return "", false
		}
		return v, true
	case "url":
		return v, true
	case "email":
		if !strings.Contains(v, "@") || !utf8.ValidString(v) {
			return "", false
		}
		return strings.ToLower(v), true
	case "md5_hash", "sha1_hash", "sha256_hash":
		want := map[string]int{"md5_hash": 32, "sha1_hash": 40, "sha256_hash": 64}[typ]
		if len(v) != want || !isHex(v) {
			return "", false
		}
		return strings.ToLower(v), true
	}
	return "", false
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// reference keeps s when it is an http(s) URL with a host.
func reference(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2048 {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return s
}

// parseTime reads an RFC 3339 time or a date; zero when absent or malformed.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// clip shortens s to maxField bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxField {
		return s
	}
	n := maxField
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// parseJSON reads a JSON array of records, a wrapper object ("objects" of a
// STIX bundle, or "indicators"), a single record, or a stream of them (JSON
// Lines).
func (p *parser) parseJSON(r io.Reader) error {
	p.format = "json"
	start := len(p.entries)
	dec := json.NewDecoder(r)
	dec.UseNumber()
	values := 0
	fail := func(err error) error {
		return fmt.Errorf("%s: offset %d: %w", p.source, dec.InputOffset(), err)
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		values++
		d, ok := tok.(json.Delim)
		if !ok {
			return fail(fmt.Errorf("unexpected %T at the top level (want an array or objects)", tok))
		}
		switch d {
		case '[':
			if err := p.jsonArray(dec); err != nil {
				return fail(err)
			}
		case '{':
			if err := p.jsonObject(dec); err != nil {
				return fail(err)
			}
		default:
			return fail(fmt.Errorf("unexpected %q", d.String()))
		}
	}
	if values > 1 {
		// Several top-level values: JSON Lines.
		p.format = "jsonl"
		for i := start; i < len(p.entries); i++ {
			if p.entries[i].Format == "json" {
				p.entries[i].Format = "jsonl"
			}
		}
	}
	return nil
}

// jsonArray reads the elements of an array whose '[' was read, and its ']'.
func (p *parser) jsonArray(dec *json.Decoder) error {
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := p.object(raw); err != nil {
			return err
		}
	}
	_, err := dec.Token() // ']'
	return err
}

// jsonObject reads an object whose '{' was read: a wrapper's "objects" or
// "indicators" array is streamed; otherwise the object is one record.
func (p *parser) jsonObject(dec *json.Decoder) error {
	fields := map[string]json.RawMessage{}
	wrapper := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := kt.(string)
		lk := strings.ToLower(k)
		if lk == "objects" || lk == "indicators" {
			vt, err := dec.Token()
			if err != nil {
				return err
			}
			if d, ok := vt.(json.Delim); ok {
				switch d {
				case '[':
					wrapper = true
					p.inBundle = lk == "objects"
					err := p.jsonArray(dec)
					p.inBundle = false
					if err != nil {
						return err
					}
				case '{':
					if err := skipValue(dec); err != nil {
						return err
					}
				}
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if len(fields) < 256 {
			fields[lk] = raw
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return err
	}
	if wrapper {
		return nil
	}
	return p.fields(fields)
}

// skipValue reads the rest of an object or array whose opening was read.
func skipValue(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// object handles one array element.
func (p *parser) object(raw json.RawMessage) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		p.stats.Skipped++ // not an object
		return nil
	}
	lm := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		lm[strings.ToLower(k)] = v
	}
	return p.fields(lm)
}

// fields handles one record (lower-case keys): a STIX indicator or a plain
// record.
func (p *parser) fields(m map[string]json.RawMessage) error {
	t, _ := str(m["type"])
	if _, hasPattern := m["pattern"]; hasPattern && t == "indicator" {
		return p.stixIndicator(m)
	}
	if p.inBundle {
		return nil // another STIX object (identity, malware, relationship, observed data…)
	}
	if t != "" {
		if _, isIOCType := canonType(t); !isIOCType && m["indicator"] == nil && m["ioc"] == nil &&
			m["value"] == nil && m["observable"] == nil {
			return nil // another STIX object (identity, malware, relationship…)
		}
	}
	rec := record{
		indicator:   first(m, colIndicator),
		typ:         first(m, colType),
		severity:    first(m, colSeverity),
		description: first(m, colDescription),
		name:        first(m, colName),
		reference:   first(m, colReference),
		confidence:  first(m, colConfidence),
		validFrom:   first(m, colValidFrom),
		validUntil:  first(m, colValidUntil),
		id:          first(m, colID),
	}
	for _, k := range colLabels {
		rec.labels = appendLabels(rec.labels, m[k])
	}
	return p.add(rec)
}

// first returns the first of keys present as a string or number.
func first(m map[string]json.RawMessage, keys []string) string {
	for _, k := range keys {
		if s, ok := str(m[k]); ok && s != "" {
			return s
		}
	}
	return ""
}

// str reads a JSON string or number as a string.
func str(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// appendLabels adds the strings of a JSON string or list, capped.
func appendLabels(l []string, raw json.RawMessage) []string {
	if len(raw) == 0 {
		return l
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		for _, x := range splitLabels(one) {
			l = appendUniq(l, x)
		}
		return l
	}
	var many []any
	if json.Unmarshal(raw, &many) == nil {
		for _, x := range many {
			if s, ok := x.(string); ok {
				l = appendUniq(l, strings.TrimSpace(s))
			}
		}
	}
	return l
}

func appendUniq(l []string, s string) []string {
	if s == "" || len(l) >= maxLabels {
		return l
	}
	s = clip(s)
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// stixIndicator turns a STIX 2.1 indicator into one entry per observable
// in its pattern.
func (p *parser) stixIndicator(m map[string]json.RawMessage) error {
	if pt, _ := str(m["pattern_type"]); pt != "" && !strings.EqualFold(pt, "stix") {
		p.stats.Skipped++
		return nil
	}
	var revoked bool
	if json.Unmarshal(m["revoked"], &revoked) == nil && revoked {
		p.stats.Skipped++
		return nil
	}
	pattern, _ := str(m["pattern"])
	obs, err := ParsePattern(pattern)
	if err != nil || len(obs) == 0 {
		p.stats.Skipped++
		return nil
	}
	var labels []string
	labels = appendLabels(labels, m["labels"])
	labels = appendLabels(labels, m["indicator_types"])
	conf := -1
	if c, ok := str(m["confidence"]); ok {
		if f, err := strconv.ParseFloat(c, 64); err == nil && f >= 0 && f <= 100 {
			conf = int(f)
		}
	}
	sevText := first(m, []string{"severity", "x_severity"})
	name, _ := str(m["name"])
	desc, _ := str(m["description"])
	id, _ := str(m["id"])
	from, _ := str(m["valid_from"])
	until, _ := str(m["valid_until"])
	ref := stixReference(m["external_references"])
	kept := 0
	for _, o := range obs {
		val, ok := normalise(o.Type, o.Value)
		if !ok {
			continue
		}
		e := Entry{
			Type: o.Type, Value: val, FeedType: o.Type, Severity: severity(sevText, conf),
			Name: clip(name), Description: clip(desc), ID: clip(id), Reference: ref, Labels: labels,
			Confidence: conf, ValidFrom: parseTime(from), ValidUntil: parseTime(until),
			Source: p.source, Format: "stix",
		}
		if err := p.push(e); err != nil {
			return err
		}
		kept++
	}
	if kept == 0 {
		p.stats.Skipped++
	}
	return nil
}

// stixReference returns the first http(s) URL among external_references.
func stixReference(raw json.RawMessage) string {
	var refs []map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &refs) != nil {
		return ""
	}
	for _, r := range refs {
		if u, _ := str(r["url"]); reference(u) != "" {
			return reference(u)
		}
	}
	return ""
}
