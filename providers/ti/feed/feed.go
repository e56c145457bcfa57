// Package feed looks indicators up in threat-intelligence feeds saved on
// disk, for jump boxes without Internet access: CSV exports (AlienVault OTX
// pulse exports and the like), JSON or JSON Lines records, and STIX 2.1
// bundles. The files are read once, when the provider is built, into an
// in-memory index; a look-up is a map look-up.
//
// Severity is the feed's own when it gives one (a name, or msticpy's value
// -1…2; low/medium/critical are read as information/warning/high);
// otherwise, as msticpy's Microsoft Sentinel TI provider rules, an indicator
// with a confidence of 80 or more is high and any other is a warning. A miss
// is information.
package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/ti"
)

// MaxTotalBytes bounds the bytes read from all feed files together.
const MaxTotalBytes = 512 << 20

// maxTotalBytes is MaxTotalBytes, a variable so tests can lower it.
var maxTotalBytes int64 = MaxTotalBytes

// maxSources caps the source files listed for one indicator.
const maxSources = 10

// feedExts are the file name endings read from a folder.
var feedExts = []string{".csv", ".json", ".jsonl", ".ndjson", ".stix"}

// Spec describes the provider for the registry.
var Spec = ti.Spec{
	Name:  "feed",
	Title: "Offline threat-intelligence feeds",
	Types: []string{"ipv4", "ipv6", "dns", "hostname", "url", "email", "md5_hash", "sha1_hash", "sha256_hash"},
	// Local files: no key, no HTTP, and no caching (a look-up is a map
	// look-up, and a cached answer would outlive an edited feed).
	TTL:  0,
	Docs: "https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html",
	// New is set in init (New itself reads Spec).
}

func init() {
	Spec.New = ti.Constructor(New)
}

// key indexes an entry: its type family and normalised value.
type key struct {
	fam family
	val string
}

// Provider answers look-ups from the loaded feeds. It is read-only after
// New and safe for concurrent use.
type Provider struct {
	entries []Entry
	head    map[key]int32 // first entry for a key
	next    []int32       // next entry with the same key, -1 at the end
	stats   Stats
	files   []string
	now     func() time.Time
}

// New reads every feed in cfg.Paths: files, or folders whose .csv, .json,
// .jsonl, .ndjson, .stix (and .stix.json) files are read (not recursively).
// At least one feed file is needed. An unreadable or malformed file is an
// error naming the file and the line or offset; the files together may hold
// at most MaxTotalBytes and MaxEntries indicators.
func New(cfg ti.Config) (*Provider, error) {
	files, err := feedFiles(cfg.Paths)
	if err != nil {
		return nil, err
	}
	p := &Provider{head: map[key]int32{}, files: files, now: time.Now}
	budget := maxTotalBytes
	for _, f := range files {
		if err := p.load(f, &budget); err != nil {
			return nil, err
		}
	}
	p.index()
	return p, nil
}

// feedFiles expands the configured paths into files.
func feedFiles(paths []string) ([]string, error) {
	var files []string
	for _, path := range paths {
		if path == "" {
			continue
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		if !st.IsDir() {
			files = append(files, path)
			continue
		}
		des, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		n := 0
		for _, de := range des {
			name := strings.ToLower(de.Name())
			if !isFeedName(name) {
				continue
			}
			full := filepath.Join(path, de.Name())
			if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
				continue // a sub-folder or a dangling link
			}
			files = append(files, full)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("feed: folder %s holds no feed files (%s)", path, strings.Join(feedExts, ", "))
		}
	}
	if len(files) == 0 {
		return nil, errors.New("feed: no feed files configured (give files or folders as paths)")
	}
	return files, nil
}

func isFeedName(lower string) bool {
	for _, e := range feedExts {
		if strings.HasSuffix(lower, e) {
			return true
		}
	}
	return false
}

// load parses one file into p, within the byte budget.
func (p *Provider) load(path string, budget *int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > *budget {
		return fmt.Errorf("feed: %s: %w: the feeds pass %d bytes", path, ErrTooLarge, maxTotalBytes)
	}
	lr := &budgetReader{r: f, left: budget}
	ps := &parser{source: path, limit: MaxEntries - len(p.entries), entries: p.entries}
	if err := ps.parse(lr); err != nil {
		if lr.over {
			return fmt.Errorf("feed: %s: %w: the feeds pass %d bytes", path, ErrTooLarge, maxTotalBytes)
		}
		return fmt.Errorf("feed: %w", err)
	}
	if lr.over {
		return fmt.Errorf("feed: %s: %w: the feeds pass %d bytes", path, ErrTooLarge, maxTotalBytes)
	}
	p.entries = ps.entries
	p.stats.Entries += ps.stats.Entries
	p.stats.Skipped += ps.stats.Skipped
	return nil
}

// budgetReader reads while the shared budget lasts.
type budgetReader struct {
	r    io.Reader
	left *int64
	over bool
}

func (b *budgetReader) Read(buf []byte) (int, error) {
	if *b.left <= 0 {
		// One byte more tells a file that ends exactly at the budget from
		// one that goes past it.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			b.over = true
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(buf)) > *b.left {
		buf = buf[:*b.left]
	}
	n, err := b.r.Read(buf)
	*b.left -= int64(n)
	return n, err
}

// index builds the look-up chains.
func (p *Provider) index() {
	p.next = make([]int32, len(p.entries))
	p.head = make(map[key]int32, len(p.entries))
	// Walk backwards so each chain runs in file order.
	for i := len(p.entries) - 1; i >= 0; i-- {
		k := key{familyOf(p.entries[i].Type), p.entries[i].Value}
		if h, ok := p.head[k]; ok {
			p.next[i] = h
		} else {
			p.next[i] = -1
		}
		p.head[k] = int32(i)
	}
}

// Name returns "feed".
func (p *Provider) Name() string { return Spec.Name }

// Types returns the indicator types the feeds are indexed by.
func (p *Provider) Types() []string { return append([]string(nil), Spec.Types...) }

// Len returns the number of indicators loaded.
func (p *Provider) Len() int { return len(p.entries) }

// Stats returns what loading read: indicators kept and records skipped.
func (p *Provider) Stats() Stats { return p.stats }

// Files returns the feed files read.
func (p *Provider) Files() []string { return append([]string(nil), p.files...) }

// Lookup finds ioc in the feeds. A hostname matches a dns entry and the
// other way round; expired indicators (valid_until in the past) are ignored.
// When several entries match, the result has the highest severity, that
// entry's details, and every source file.
func (p *Provider) Lookup(ctx context.Context, ioc, iocType string) ti.Result {
	r := ti.NewResult(Spec.Name, ioc, iocType)
	fam := familyOf(iocType)
	if fam == famNone {
		return ti.Unsupported(Spec.Name, ioc, iocType)
	}
	v, ok := normalise(iocType, ioc)
	if !ok {
		r = r.Reject("not a valid " + iocType)
		return r
	}
	h, ok := p.head[key{fam, v}]
	if !ok {
		r.Severity = ti.SevInformation
		return r.NotFound("not in the offline feeds")
	}
	now := p.now()
	best, n := -1, 0
	var sources []string
	for i := h; i >= 0; i = p.next[i] {
		e := &p.entries[i]
		if !e.ValidUntil.IsZero() && e.ValidUntil.Before(now) {
			continue
		}
		n++
		if best < 0 || e.Severity > p.entries[best].Severity {
			best = int(i)
		}
		if len(sources) < maxSources && !contains(sources, e.Source) {
			sources = append(sources, e.Source)
		}
	}
	if best < 0 {
		r.Severity = ti.SevInformation
		return r.NotFound("not in the offline feeds (expired)")
	}
	e := &p.entries[best]
	r.Found, r.Severity = true, e.Severity
	d := map[string]any{"source_file": e.Source, "feed_type": e.Format}
	if e.FeedType != "" {
		d["indicator_type"] = e.FeedType
	}
	if n > 1 {
		d["matches"] = n
	}
	if len(sources) > 1 {
		d["sources"] = sources
	}
	putStr(d, "description", e.Description)
	putStr(d, "name", e.Name)
	putStr(d, "id", e.ID)
	if len(e.Labels) > 0 {
		d["labels"] = e.Labels
	}
	if e.Confidence >= 0 {
		d["confidence"] = e.Confidence
	}
	if !e.ValidFrom.IsZero() {
		d["valid_from"] = e.ValidFrom.Format(time.RFC3339)
	}
	if !e.ValidUntil.IsZero() {
		d["valid_until"] = e.ValidUntil.Format(time.RFC3339)
	}
	r.Details = d
	r.Reference = e.Reference
	if r.Reference == "" {
		for i := h; i >= 0 && r.Reference == ""; i = p.next[i] {
			if u := p.entries[i].ValidUntil; u.IsZero() || !u.Before(now) {
				r.Reference = p.entries[i].Reference
			}
		}
	}
	return r
}

func putStr(d map[string]any, k, v string) {
	if v != "" {
		d[k] = v
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
