package geoip

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
)

const (
	testAccount = "123456"
	testLicence = "LiCeNcE-0123456789abcdef"
)

type tarEntry struct {
	name string
	body []byte
	size int64 // header size when it differs from len(body) (only the header is written)
	dir  bool
}

// makeTarGz builds a tar.gz like MaxMind's: a dated folder holding the
// .mmdb and licence files.
func makeTarGz(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if e.dir {
			hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeDir, 0, 0o755
		}
		if e.size != 0 {
			hdr.Size = e.size
			if err := tw.WriteHeader(hdr); err != nil {
				t.Fatal(err)
			}
			gz.Close()
			return buf.Bytes()
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// maxmindServer replays MaxMind's download service.
type maxmindServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string // method path?query user
}

func newMaxMindServer(t *testing.T) *maxmindServer {
	t.Helper()
	city := readFile(t, liteCity)
	asn := readFile(t, liteASN)
	archives := map[string][]byte{
		"GeoLite2-City": makeTarGz(t,
			tarEntry{name: "GeoLite2-City_20240102/", dir: true},
			tarEntry{name: "GeoLite2-City_20240102/COPYRIGHT.txt", body: []byte("Database and Contents Copyright (c) 2024 MaxMind, Inc.\n")},
			tarEntry{name: "GeoLite2-City_20240102/GeoLite2-City.mmdb", body: city},
			tarEntry{name: "GeoLite2-City_20240102/LICENSE.txt", body: []byte("licence text\n")}),
		"GeoLite2-ASN": makeTarGz(t,
			tarEntry{name: "GeoLite2-ASN_20240102/GeoLite2-ASN.mmdb", body: asn}),
		"GeoLite2-Empty": makeTarGz(t,
			tarEntry{name: "GeoLite2-Empty_20240102/README.txt", body: []byte("nothing here")}),
		"GeoLite2-Garbage": makeTarGz(t,
			tarEntry{name: "GeoLite2-Garbage_20240102/GeoLite2-Garbage.mmdb", body: []byte("not a database")}),
		"GeoLite2-Huge": makeTarGz(t,
			tarEntry{name: "GeoLite2-Huge_20240102/GeoLite2-Huge.mmdb", size: 1<<30 + 1}),
		"GeoLite2-Traversal": makeTarGz(t,
			tarEntry{name: "../../../../tmp/evil/GeoLite2-Traversal.mmdb", body: city}),
	}
	s := &maxmindServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+user)
		s.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/r2/") {
			// The presigned storage URL MaxMind redirects to.
			w.Write(archives["GeoLite2-ASN"])
			return
		}
		if user != testAccount || pass != testLicence {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":"AUTHORIZATION_INVALID","error":"Your account ID or license key could not be authenticated."}`))
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, "/geoip/databases/")
		edition, ok2 := strings.CutSuffix(rest, "/download")
		if !ok || !ok2 || r.URL.Query().Get("suffix") != "tar.gz" {
			http.NotFound(w, r)
			return
		}
		switch edition {
		case "GeoLite2-Redirect":
			http.Redirect(w, r, "/r2/GeoLite2-ASN.tar.gz?X-Amz-Signature=presigned-secret", http.StatusFound)
			return
		case "GeoLite2-Stall":
			w.Header().Set("Content-Type", "application/gzip")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			return
		case "GeoLite2-Oops":
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("upstream for " + testLicence + " failed"))
			return
		}
		a, ok := archives[edition]
		if !ok {
			http.Error(w, `{"code":"NOT_FOUND"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(a)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestUpdateWritesDatabases(t *testing.T) {
	srv := newMaxMindServer(t)
	dir := filepath.Join(t.TempDir(), "GeoLite2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// An older database in place is replaced.
	old := filepath.Join(dir, "GeoLite2-City.mmdb")
	if err := os.WriteFile(old, []byte("old database"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, err := Update(context.Background(), UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: dir, BaseURL: srv.URL + "/",
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	want := []string{filepath.Join(dir, "GeoLite2-City.mmdb"), filepath.Join(dir, "GeoLite2-ASN.mmdb")}
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Fatalf("paths = %v, want %v", paths, want)
	}
	if got, wantB := readFile(t, want[0]), readFile(t, liteCity); !bytes.Equal(got, wantB) {
		t.Fatalf("city database: %d bytes, want the %d-byte test database", len(got), len(wantB))
	}
	wantReq := []string{
		"GET /geoip/databases/GeoLite2-City/download?suffix=tar.gz " + testAccount,
		"GET /geoip/databases/GeoLite2-ASN/download?suffix=tar.gz " + testAccount,
	}
	if strings.Join(srv.requests, "\n") != strings.Join(wantReq, "\n") {
		t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(srv.requests, "\n"), strings.Join(wantReq, "\n"))
	}
	// Only the two databases are left: no temporary files.
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "GeoLite2-ASN.mmdb,GeoLite2-City.mmdb" {
		t.Fatalf("folder holds %v", names)
	}
	st, _ := os.Stat(want[0])
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644", st.Mode().Perm())
	}
	// The written pair opens and answers.
	m, err := OpenMaxMind(want[0], want[1])
	if err != nil {
		t.Fatalf("open written databases: %v", err)
	}
	defer m.Close()
	if loc := m.Locate(netip.MustParseAddr("89.160.20.112")); loc.City != "Linköping" || loc.ASN != 29518 {
		t.Fatalf("written databases answer %+v", loc)
	}
}

func TestUpdateSendsBasicAuth(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	_, err := Update(context.Background(), UpdateOptions{AccountID: "42", LicenceKey: "abc", Dir: t.TempDir(), BaseURL: srv.URL})
	if err == nil {
		t.Fatal("no error on 401")
	}
	// base64("42:abc")
	if auth != "Basic NDI6YWJj" {
		t.Fatalf("Authorization = %q, want Basic NDI6YWJj", auth)
	}
}

func TestUpdateFollowsRedirect(t *testing.T) {
	srv := newMaxMindServer(t)
	dir := t.TempDir()
	paths, err := Update(context.Background(), UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: dir, BaseURL: srv.URL,
		Editions: []string{"GeoLite2-Redirect"},
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if len(paths) != 1 || paths[0] != filepath.Join(dir, "GeoLite2-Redirect.mmdb") {
		t.Fatalf("paths = %v", paths)
	}
	if !bytes.Equal(readFile(t, paths[0]), readFile(t, liteASN)) {
		t.Fatal("redirected download not written")
	}
}

func TestUpdateErrors(t *testing.T) {
	srv := newMaxMindServer(t)
	tests := []struct {
		name     string
		opts     UpdateOptions
		contains string
	}{
		{"wrong licence key", UpdateOptions{AccountID: testAccount, LicenceKey: "wrong-" + testLicence}, "MaxMind refused the account ID or licence key"},
		{"unknown edition", UpdateOptions{Editions: []string{"GeoLite2-Nope"}}, `no edition "GeoLite2-Nope"`},
		{"tarball without .mmdb", UpdateOptions{Editions: []string{"GeoLite2-Empty"}}, "the archive holds no .mmdb file"},
		{"garbage .mmdb", UpdateOptions{Editions: []string{"GeoLite2-Garbage"}}, "the downloaded database is unusable"},
		{"entry over 1 GiB", UpdateOptions{Editions: []string{"GeoLite2-Huge"}}, "more than the 1073741824 allowed"},
		{"server error echoing the key", UpdateOptions{Editions: []string{"GeoLite2-Oops"}}, "HTTP 502: upstream for [redacted] failed"},
		{"bad edition name", UpdateOptions{Editions: []string{"../etc/passwd"}}, "is not a MaxMind edition ID"},
		{"no key", UpdateOptions{LicenceKey: "-"}, "account ID and licence key are needed"},
		{"no folder", UpdateOptions{Dir: "-"}, "no folder"},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		keep := filepath.Join(dir, "GeoLite2-City.mmdb")
		os.WriteFile(keep, []byte("previous"), 0o644)
		o := tc.opts
		if o.AccountID == "" {
			o.AccountID = testAccount
		}
		switch o.LicenceKey {
		case "":
			o.LicenceKey = testLicence
		case "-":
			o.LicenceKey = ""
		}
		switch o.Dir {
		case "":
			o.Dir = dir
		case "-":
			o.Dir = ""
		}
		o.BaseURL = srv.URL
		paths, err := Update(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.contains)
		}
		if err != nil && (strings.Contains(err.Error(), testLicence) || strings.Contains(err.Error(), "presigned-secret")) {
			t.Errorf("%s: error leaks a secret: %v", tc.name, err)
		}
		if len(paths) != 0 {
			t.Errorf("%s: paths %v returned on failure", tc.name, paths)
		}
		if got := string(readFile(t, keep)); got != "previous" {
			t.Errorf("%s: existing database overwritten", tc.name)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 1 {
			t.Errorf("%s: %d files left in the folder, want only the previous database", tc.name, len(ents))
		}
	}
}

func TestUpdateTraversalNameStaysInDir(t *testing.T) {
	srv := newMaxMindServer(t)
	dir := t.TempDir()
	paths, err := Update(context.Background(), UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: dir, BaseURL: srv.URL,
		Editions: []string{"GeoLite2-Traversal"},
	})
	if err != nil || len(paths) != 1 || paths[0] != filepath.Join(dir, "GeoLite2-Traversal.mmdb") {
		t.Fatalf("Update = %v, %v", paths, err)
	}
}

func TestUpdateKeepsEarlierEditionsOnLaterFailure(t *testing.T) {
	srv := newMaxMindServer(t)
	dir := t.TempDir()
	paths, err := Update(context.Background(), UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: dir, BaseURL: srv.URL,
		Editions: []string{"GeoLite2-ASN", "GeoLite2-Empty"},
	})
	if err == nil || len(paths) != 1 || paths[0] != filepath.Join(dir, "GeoLite2-ASN.mmdb") {
		t.Fatalf("Update = %v, %v; want the ASN path and an error", paths, err)
	}
}

func TestUpdateStallAndCancel(t *testing.T) {
	srv := newMaxMindServer(t)
	client := httpx.New(httpx.Options{Name: "maxmind", Timeout: 100 * time.Millisecond})
	_, err := Update(context.Background(), UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: t.TempDir(), BaseURL: srv.URL,
		Editions: []string{"GeoLite2-Stall"}, Client: client,
	})
	if err == nil || !strings.Contains(err.Error(), "no data for 100ms") {
		t.Fatalf("stalled download: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = Update(ctx, UpdateOptions{
		AccountID: testAccount, LicenceKey: testLicence, Dir: t.TempDir(), BaseURL: srv.URL,
		Editions: []string{"GeoLite2-Stall"},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled download: %v does not wrap context.Canceled", err)
	}
}

func TestExtractMMDB(t *testing.T) {
	db := []byte("pretend mmdb bytes")
	tests := []struct {
		name    string
		archive []byte
		want    string
		wantErr string
	}{
		{"first .mmdb taken", makeTarGz(t,
			tarEntry{name: "x/LICENSE.txt", body: []byte("l")},
			tarEntry{name: "x/a.mmdb", body: db},
			tarEntry{name: "x/b.mmdb", body: []byte("second")}), string(db), ""},
		{"directory named .mmdb skipped", makeTarGz(t,
			tarEntry{name: "x.mmdb/", dir: true},
			tarEntry{name: "x.mmdb/real.mmdb", body: db}), string(db), ""},
		{"not gzip", []byte("PK\x03\x04 zip file"), "", "not a tar.gz archive"},
		{"gzip but not tar", gzipped(t, bytes.Repeat([]byte("x"), 2000)), "", "unreadable archive"},
		{"empty archive", makeTarGz(t), "", "no .mmdb file"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		_, err := extractMMDB(bytes.NewReader(tc.archive), &out)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || out.String() != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, out.String(), err, tc.want)
		}
	}
}

func TestExtractMMDBCorruptTrailer(t *testing.T) {
	a := makeTarGz(t, tarEntry{name: "a.mmdb", body: []byte("db")}, tarEntry{name: "z.txt", body: bytes.Repeat([]byte("z"), 5000)})
	// Break the gzip CRC (the 8-byte trailer holds CRC32 then size).
	a[len(a)-8] ^= 0xff
	_, err := extractMMDB(bytes.NewReader(a), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "corrupt archive") {
		t.Fatalf("corrupt trailer: %v", err)
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(b)
	gz.Close()
	return buf.Bytes()
}
