// Package titest is what the threat-intelligence providers' tests share: a
// test server that records each request and answers as told, a client with
// quick retries, a distinctive key, and the check that a result never holds it.
package titest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
)

// Key is distinctive so a leak anywhere is easy to grep for.
const Key = "k3y-SECRET-1234567890"

// Reply is what the test server answers.
type Reply struct {
	Status int
	Body   string
	Header map[string]string
	// Delay makes the handler wait this long (or until the client gives up).
	Delay time.Duration
}

// Seen records the requests the test server received; read it after the
// requests are done.
type Seen struct {
	mu     sync.Mutex
	n      int
	Method string
	Path   string // escaped path
	Query  string // raw query
	Header http.Header
}

// Count is the number of requests received.
func (s *Seen) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Serve starts a server that records each request and answers with rep.
func Serve(t testing.TB, rep Reply) (*httptest.Server, *Seen) {
	t.Helper()
	s := &Seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.n++
		s.Method, s.Path, s.Query, s.Header = r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone()
		s.mu.Unlock()
		if rep.Delay > 0 {
			select {
			case <-time.After(rep.Delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range rep.Header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		status := rep.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(rep.Body))
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

// Client is a client suited to tests of the provider name: no rate limit,
// quick retries, Key as its secret.
func Client(name string, opts httpx.Options) *httpx.Client {
	opts.Name = name
	opts.Secrets = []string{Key}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	return httpx.New(opts)
}

// AssertNoKey fails if Key appears anywhere in r.
func AssertNoKey(t testing.TB, r ti.Result) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal result: %v", err)
	}
	if strings.Contains(string(b), Key) || strings.Contains(r.Reason, Key) {
		t.Fatalf("result leaks the key: %s", b)
	}
}
