package geoip

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/quarry-sec/quarry/providers/httpx"
)

// DefaultMaxMindURL is the base of MaxMind's database download service.
const DefaultMaxMindURL = "https://download.maxmind.com"

// DefaultEditions are the databases Update fetches when none are named.
var DefaultEditions = []string{"GeoLite2-City", "GeoLite2-ASN"}

// maxEntry bounds the .mmdb extracted from a download (GeoLite2-City is
// about 60 MiB; the commercial City databases a few hundred).
const maxEntry int64 = 1 << 30

// maxTrailer bounds what is read after the .mmdb to let gzip check its CRC.
const maxTrailer int64 = 64 << 20

// defaultIdle is how long a download may stall before it is abandoned.
const defaultIdle = 60 * time.Second

// editionName is the shape of a MaxMind edition ID; it becomes a file name
// and a URL path segment, so nothing else is allowed.
var editionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// UpdateOptions says which MaxMind databases to fetch and where to put them.
type UpdateOptions struct {
	// AccountID and LicenceKey are the MaxMind account's credentials, sent
	// with HTTP Basic authentication.
	AccountID, LicenceKey string
	// Editions are the edition IDs to fetch (default GeoLite2-City and
	// GeoLite2-ASN).
	Editions []string
	// Dir is the folder the databases are written to, as <Edition>.mmdb; it
	// is created if missing.
	Dir string
	// BaseURL is the download service (default https://download.maxmind.com).
	BaseURL string
	// Client supplies the transport (proxy settings), user agent and stall
	// time-out; nil means httpx defaults. The download is streamed to disk,
	// not buffered, so the client's MaxBody and retries do not apply.
	Client *httpx.Client
}

// Update downloads each edition from
// {BaseURL}/geoip/databases/{edition}/download?suffix=tar.gz (the URL
// msticpy uses) with HTTP Basic authentication, streams the tar.gz, extracts
// its .mmdb into a temporary file in Dir, verifies that it is a sound MaxMind
// database and renames it over Dir/<Edition>.mmdb. It returns the paths
// written, in edition order; on an error the paths written before it come
// back with it. No error carries the licence key.
func Update(ctx context.Context, o UpdateOptions) ([]string, error) {
	if o.AccountID == "" || o.LicenceKey == "" {
		return nil, errors.New("geoip update: a MaxMind account ID and licence key are needed (free at maxmind.com, GeoLite2)")
	}
	if o.Dir == "" {
		return nil, errors.New("geoip update: no folder to write the databases to")
	}
	editions := o.Editions
	if len(editions) == 0 {
		editions = DefaultEditions
	}
	for _, e := range editions {
		if !editionName.MatchString(e) {
			return nil, fmt.Errorf("geoip update: %q is not a MaxMind edition ID (like GeoLite2-City)", e)
		}
	}
	base := o.BaseURL
	if base == "" {
		base = DefaultMaxMindURL
	}
	base = strings.TrimRight(base, "/")
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("geoip update: creating %s: %w", o.Dir, err)
	}
	u := updater{o: o, base: base, idle: defaultIdle, ua: "quarry", http: &http.Client{}}
	if o.Client != nil {
		co := o.Client.Options()
		u.http.Transport = co.Transport
		u.ua = co.UserAgent
		if co.Timeout > 0 {
			u.idle = co.Timeout
		}
	} else {
		u.http.Transport = httpx.DefaultTransport()
	}
	var written []string
	for _, e := range editions {
		p, err := u.fetch(ctx, e)
		if err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// updater carries one Update run's settings.
type updater struct {
	o    UpdateOptions
	base string
	ua   string
	idle time.Duration
	http *http.Client
}

// fetch downloads, checks and installs one edition.
func (u *updater) fetch(ctx context.Context, edition string) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stalled atomic.Bool
	watchdog := time.AfterFunc(u.idle, func() { stalled.Store(true); cancel() })
	defer watchdog.Stop()

	fail := func(format string, args ...any) error {
		msg := fmt.Sprintf("geoip update: %s: ", edition) + fmt.Sprintf(format, args...)
		msg = httpx.Redact(stripQueries(msg), u.o.LicenceKey)
		return &keyless{msg: msg}
	}
	failErr := func(what string, err error) error {
		if stalled.Load() {
			return fail("%s: no data for %s", what, u.idle)
		}
		if c := contextCause(err); c != nil && ctx.Err() != nil {
			e := fail("%s: %v", what, c).(*keyless)
			e.cause = c
			return e
		}
		return fail("%s: %v", what, err)
	}

	src := u.base + "/geoip/databases/" + edition + "/download?suffix=tar.gz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, http.NoBody)
	if err != nil {
		return "", fail("bad base URL %q: %v", redactURL(u.base), err)
	}
	req.SetBasicAuth(u.o.AccountID, u.o.LicenceKey)
	req.Header.Set("User-Agent", u.ua)
	resp, err := u.http.Do(req)
	if err != nil {
		return "", failErr("download", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return "", fail("MaxMind refused the account ID or licence key (401)")
	case http.StatusNotFound:
		return "", fail("MaxMind has no edition %q, or the account may not download it (404)", edition)
	case http.StatusTooManyRequests:
		return "", fail("MaxMind's download limit is reached (429): try again tomorrow")
	default:
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if s := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "")); s != "" {
			msg += ": " + s
		}
		return "", fail("%s", msg)
	}
	body := &progressReader{r: resp.Body, tick: func() { watchdog.Reset(u.idle) }}

	tmp, err := os.CreateTemp(u.o.Dir, "."+edition+"-*.mmdb.part")
	if err != nil {
		return "", fail("creating a temporary file: %v", err)
	}
	tmpName := tmp.Name()
	installed := false
	defer func() {
		if !installed {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err := extractMMDB(body, tmp); err != nil {
		return "", failErr("extracting", err)
	}
	watchdog.Stop()
	if err := tmp.Sync(); err != nil {
		return "", fail("writing %s: %v", tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fail("writing %s: %v", tmpName, err)
	}
	if err := checkMMDB(tmpName); err != nil {
		return "", fail("the downloaded database is unusable: %v", err)
	}
	if err := os.Chmod(tmpName, 0o644); err != nil {
		return "", fail("%v", err)
	}
	final := filepath.Join(u.o.Dir, edition+".mmdb")
	if err := os.Rename(tmpName, final); err != nil {
		return "", fail("installing %s: %v", final, err)
	}
	installed = true
	return final, nil
}

// checkMMDB opens path and verifies the whole database.
func checkMMDB(path string) error {
	r, err := maxminddb.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Verify()
}

// extractMMDB reads a tar.gz from r and copies the first regular file whose
// name ends in .mmdb to w, refusing one larger than 1 GiB. It then reads the
// rest of the archive (bounded) so gzip checks its checksum. Only the base
// name is looked at, so paths inside the archive do not matter.
func extractMMDB(r io.Reader, w io.Writer) (int64, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("not a tar.gz archive: %w", err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return 0, errors.New("the archive holds no .mmdb file")
		}
		if err != nil {
			return 0, fmt.Errorf("unreadable archive: %w", err)
		}
		if !hdr.FileInfo().Mode().IsRegular() {
			continue
		}
		if !strings.HasSuffix(path.Base(hdr.Name), ".mmdb") {
			continue
		}
		if hdr.Size > maxEntry {
			return 0, fmt.Errorf("%s is %d bytes, more than the %d allowed", path.Base(hdr.Name), hdr.Size, maxEntry)
		}
		n, err := io.Copy(w, io.LimitReader(tr, maxEntry+1))
		if err != nil {
			return n, fmt.Errorf("reading %s: %w", path.Base(hdr.Name), err)
		}
		if n > maxEntry {
			return n, fmt.Errorf("%s is larger than the %d bytes allowed", path.Base(hdr.Name), maxEntry)
		}
		if _, err := io.Copy(io.Discard, io.LimitReader(gz, maxTrailer)); err != nil {
			return n, fmt.Errorf("corrupt archive: %w", err)
		}
		return n, nil
	}
}

// progressReader calls tick after every read that made progress.
type progressReader struct {
	r    io.Reader
	tick func()
}

// Read reads from the underlying reader.
func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.tick()
	}
	return n, err
}
