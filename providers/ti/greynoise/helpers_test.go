package greynoise

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

// testKey is distinctive so a leak anywhere is easy to grep for.
const testKey = "k3y-SECRET-1234567890"

// reply is what the test server answers.
type reply struct {
	status int
	body   string
	header map[string]string
	delay  time.Duration // the handler waits this long (or until the client gives up)
}

// seen records the requests the test server received.
type seen struct {
	mu     sync.Mutex
	n      int
	method string
	path   string // escaped path
	query  string // raw query
	header http.Header
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// serve starts a server that records each request and answers with rep.
func serve(t testing.TB, rep reply) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.n++
		s.method, s.path, s.query, s.header = r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone()
		s.mu.Unlock()
		if rep.delay > 0 {
			select {
			case <-time.After(rep.delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		status := rep.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(rep.body))
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

// testClient is a client suited to tests: no rate limit, quick retries.
func testClient(opts httpx.Options) *httpx.Client {
	opts.Name = Name
	opts.Secrets = []string{testKey}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	return httpx.New(opts)
}

// assertNoKey fails if the key appears anywhere in r.
func assertNoKey(t testing.TB, r ti.Result) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("marshal result: %v", err)
	}
	if strings.Contains(string(b), testKey) || strings.Contains(r.Reason, testKey) {
		t.Fatalf("result leaks the key: %s", b)
	}
}
