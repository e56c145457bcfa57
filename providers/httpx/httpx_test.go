package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// reply is one scripted answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// script is a server that answers with replies in turn (the last one
// repeating) and records what it was sent.
type script struct {
	replies []reply
	n       atomic.Int32
	mu      sync.Mutex
	bodies  []string
	agents  []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1)) - 1
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.agents = append(s.agents, r.Header.Get("User-Agent"))
	s.mu.Unlock()
	if i >= len(s.replies) {
		i = len(s.replies) - 1
	}
	rp := s.replies[i]
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rp.status)
	_, _ = io.WriteString(w, rp.body)
}

// serve starts a scripted server.
func serve(t *testing.T, replies ...reply) (*script, *httptest.Server) {
	t.Helper()
	s := &script{replies: replies}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// sleeps records the client's waits instead of sleeping.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fake returns a client whose waits are recorded, not slept.
func fake(opts Options) (*Client, *sleeps) {
	c := New(opts)
	s := &sleeps{}
	c.sleep = s.sleep
	return c, s
}

func get(t *testing.T, c *Client, u string) (*Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(context.Background(), req)
}

func equalWaits(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRetries(t *testing.T) {
	soon := time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		replies    []reply
		opts       Options
		wantStatus int
		wantTries  int
		wantWaits  []time.Duration // exact, unless waitMin/waitMax set
		waitMin    time.Duration   // bounds for the one wait (HTTP date)
		waitMax    time.Duration
	}{
		{
			name:       "429 Retry-After seconds",
			replies:    []reply{{status: 429, header: map[string]string{"Retry-After": "7"}}, {status: 200, body: "ok"}},
			wantStatus: 200, wantTries: 2, wantWaits: []time.Duration{7 * time.Second},
		},
		{
			name:       "429 Retry-After HTTP date",
			replies:    []reply{{status: 429, header: map[string]string{"Retry-After": soon}}, {status: 200}},
			wantStatus: 200, wantTries: 2, waitMin: 2 * time.Second, waitMax: 4 * time.Second,
		},
		{
			name:       "429 Retry-After beyond MaxRetryAfter returns at once",
			replies:    []reply{{status: 429, header: map[string]string{"Retry-After": "3600"}}, {status: 200}},
			opts:       Options{MaxRetryAfter: time.Minute},
			wantStatus: 429, wantTries: 1, wantWaits: nil,
		},
		{
			name:       "429 Retry-After too large to represent returns at once",
			replies:    []reply{{status: 429, header: map[string]string{"Retry-After": "99999999999999999999999"}}, {status: 200}},
			wantStatus: 429, wantTries: 1, wantWaits: nil,
		},
		{
			name:       "429 without Retry-After backs off",
			replies:    []reply{{status: 429}, {status: 429}, {status: 200}},
			wantStatus: 200, wantTries: 3, wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:       "429 every time: retries spent, 429 returned",
			replies:    []reply{{status: 429, header: map[string]string{"Retry-After": "1"}}},
			opts:       Options{Retries: 2},
			wantStatus: 429, wantTries: 3, wantWaits: []time.Duration{time.Second, time.Second},
		},
		{
			name:       "503 retried",
			replies:    []reply{{status: 503}, {status: 200}},
			wantStatus: 200, wantTries: 2, wantWaits: []time.Duration{time.Second},
		},
		{
			name:       "503 Retry-After honoured",
			replies:    []reply{{status: 503, header: map[string]string{"Retry-After": "3"}}, {status: 200}},
			wantStatus: 200, wantTries: 2, wantWaits: []time.Duration{3 * time.Second},
		},
		{
			name:       "500 backoff doubles, capped",
			replies:    []reply{{status: 500}},
			opts:       Options{Retries: 5, Backoff: time.Second, MaxBackoff: 4 * time.Second},
			wantStatus: 500, wantTries: 6,
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second},
		},
		{
			name:       "502 retried then succeeds",
			replies:    []reply{{status: 502}, {status: 502}, {status: 200, body: "x"}},
			opts:       Options{Backoff: 100 * time.Millisecond},
			wantStatus: 200, wantTries: 3, wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		},
		{
			name:       "504 retried, default 3 retries",
			replies:    []reply{{status: 504}},
			wantStatus: 504, wantTries: 4, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:       "Backoff above MaxBackoff is capped from the first wait",
			replies:    []reply{{status: 500}},
			opts:       Options{Retries: 2, Backoff: 10 * time.Second, MaxBackoff: 3 * time.Second},
			wantStatus: 500, wantTries: 3, wantWaits: []time.Duration{3 * time.Second, 3 * time.Second},
		},
		{
			name:       "negative Retries: one attempt",
			replies:    []reply{{status: 500}},
			opts:       Options{Retries: -1},
			wantStatus: 500, wantTries: 1,
		},
		{name: "400 not retried", replies: []reply{{status: 400}, {status: 200}}, wantStatus: 400, wantTries: 1},
		{name: "401 not retried", replies: []reply{{status: 401}, {status: 200}}, wantStatus: 401, wantTries: 1},
		{name: "403 not retried", replies: []reply{{status: 403}, {status: 200}}, wantStatus: 403, wantTries: 1},
		{name: "404 not retried", replies: []reply{{status: 404}, {status: 200}}, wantStatus: 404, wantTries: 1},
		{name: "200 once", replies: []reply{{status: 200, body: "hello"}}, wantStatus: 200, wantTries: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := serve(t, tc.replies...)
			c, sl := fake(tc.opts)
			resp, err := get(t, c, srv.URL)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if resp.Status != tc.wantStatus || resp.Attempts != tc.wantTries {
				t.Errorf("status %d after %d attempts, want %d after %d", resp.Status, resp.Attempts, tc.wantStatus, tc.wantTries)
			}
			if got := int(s.n.Load()); got != tc.wantTries {
				t.Errorf("server saw %d requests, want %d", got, tc.wantTries)
			}
			last := tc.replies[min(tc.wantTries, len(tc.replies))-1]
			if string(resp.Body) != last.body {
				t.Errorf("body %q, want %q", resp.Body, last.body)
			}
			waits := sl.get()
			if tc.waitMax > 0 {
				if len(waits) != 1 || waits[0] < tc.waitMin || waits[0] > tc.waitMax {
					t.Errorf("waits %v, want one in [%v, %v]", waits, tc.waitMin, tc.waitMax)
				}
			} else if !equalWaits(waits, tc.wantWaits) {
				t.Errorf("waits %v, want %v", waits, tc.wantWaits)
			}
		})
	}
}

// TestRetryAfterRealWait checks that a Retry-After is actually slept, and
// that a too-long one is not.
func TestRetryAfterRealWait(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter string
		wantStatus int
		minWait    time.Duration
		maxWait    time.Duration
	}{
		{"one second honoured", "1", 200, 900 * time.Millisecond, 10 * time.Second},
		{"an hour refused", "3600", 429, 0, 500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := serve(t, reply{status: 429, header: map[string]string{"Retry-After": tc.retryAfter}}, reply{status: 200})
			c := New(Options{MaxRetryAfter: time.Minute})
			start := time.Now()
			resp, err := get(t, c, srv.URL)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.Status, tc.wantStatus)
			}
			if took < tc.minWait || took > tc.maxWait {
				t.Errorf("took %v, want between %v and %v", took, tc.minWait, tc.maxWait)
			}
		})
	}
}

// closedAddr returns a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestNetworkErrorRetriedThenReported(t *testing.T) {
	c, sl := fake(Options{Name: "prov", Retries: 2})
	_, err := get(t, c, "http://"+closedAddr(t)+"/x")
	if err == nil {
		t.Fatal("want an error")
	}
	if !strings.HasPrefix(err.Error(), "prov: ") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %q: want the provider name and the cause", err)
	}
	if got := len(sl.get()); got != 2 {
		t.Errorf("%d waits, want 2 (3 attempts)", got)
	}
	var he *Error
	if !errors.As(err, &he) {
		t.Errorf("error is %T, want *httpx.Error", err)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	for _, path := range []string{"/headers", "/body"} {
		t.Run(path, func(t *testing.T) {
			c, sl := fake(Options{Name: "slow", Timeout: 150 * time.Millisecond, Retries: 1})
			start := time.Now()
			_, err := get(t, c, srv.URL+path)
			if err == nil {
				t.Fatal("want a time-out error")
			}
			if want := "slow: no answer within 150ms"; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Error("errors.Is(err, context.DeadlineExceeded) = false")
			}
			if got := len(sl.get()); got != 1 {
				t.Errorf("%d waits, want 1 (time-outs are retried)", got)
			}
			if took := time.Since(start); took < 300*time.Millisecond || took > 5*time.Second {
				t.Errorf("took %v for two 150ms attempts", took)
			}
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	_, srv := serve(t, reply{status: 500})
	c := New(Options{Backoff: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := c.Do(ctx, req)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("returned after %v, want promptly after the cancel", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v: want context.Canceled reachable", err)
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	s, srv := serve(t, reply{status: 200})
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if _, err := c.Do(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if n := s.n.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestBodyResentOnRetry(t *testing.T) {
	form := url.Values{"query": {"8.8.8.8"}, "key": {"v"}}.Encode()
	cases := []struct {
		name      string
		body      func() io.Reader
		wantTries int
	}{
		{"strings reader (GetBody set)", func() io.Reader { return strings.NewReader(form) }, 3},
		// A reader net/http cannot rewind: no GetBody, so one attempt only.
		{"opaque reader (no GetBody)", func() io.Reader { return io.MultiReader(strings.NewReader(form)) }, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := serve(t, reply{status: 502}, reply{status: 500}, reply{status: 200})
			c, _ := fake(Options{})
			req, err := http.NewRequest(http.MethodPost, srv.URL, tc.body())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Attempts != tc.wantTries {
				t.Errorf("%d attempts, want %d", resp.Attempts, tc.wantTries)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if len(s.bodies) != tc.wantTries {
				t.Fatalf("server saw %d bodies, want %d", len(s.bodies), tc.wantTries)
			}
			for i, b := range s.bodies {
				if b != form {
					t.Errorf("attempt %d sent %q, want %q", i+1, b, form)
				}
			}
		})
	}
}

func TestRateLimitSpacesRequests(t *testing.T) {
	s, srv := serve(t, reply{status: 200})
	c := New(Options{Rate: 20, Burst: 1})
	start := time.Now()
	for range 6 {
		if _, err := get(t, c, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	// Burst 1 then five more at 50ms each: at least 250ms.
	if took := time.Since(start); took < 240*time.Millisecond {
		t.Errorf("6 requests at 20/s took %v, want at least 250ms", took)
	}
	if n := s.n.Load(); n != 6 {
		t.Errorf("server saw %d requests, want 6", n)
	}
}

func TestRateLimitBeyondDeadline(t *testing.T) {
	_, srv := serve(t, reply{status: 200})
	c, sl := fake(Options{Rate: 0.01, Burst: 1})
	if _, err := get(t, c, srv.URL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := c.Do(ctx, req)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "rate limit") {
		t.Errorf("error %v: want a rate-limit deadline error", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v, want an immediate refusal", took)
	}
	if n := len(sl.get()); n != 0 {
		t.Errorf("%d backoff waits, want none", n)
	}
}

func TestConcurrencyCap(t *testing.T) {
	for _, limit := range []int{1, 3} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var cur, peak atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := cur.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(60 * time.Millisecond)
				cur.Add(-1)
			}))
			t.Cleanup(srv.Close)
			c := New(Options{Concurrency: limit})
			var wg sync.WaitGroup
			for range 4 * limit {
				wg.Go(func() {
					if _, err := get(t, c, srv.URL); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if got := int(peak.Load()); got != limit {
				t.Errorf("peak in flight %d, want %d", got, limit)
			}
		})
	}
}

func TestMaxBody(t *testing.T) {
	cases := []struct {
		size    int
		wantErr bool
	}{{999, false}, {1000, false}, {1001, true}, {100000, true}}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.size), func(t *testing.T) {
			s, srv := serve(t, reply{status: 200, body: strings.Repeat("a", tc.size)})
			c, _ := fake(Options{Name: "big", MaxBody: 1000})
			resp, err := get(t, c, srv.URL)
			if tc.wantErr {
				if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "more than 1000 bytes") {
					t.Errorf("error %v, want ErrBodyTooLarge naming the limit", err)
				}
				if n := s.n.Load(); n != 1 {
					t.Errorf("server saw %d requests: an over-long body must not be retried", n)
				}
				return
			}
			if err != nil || len(resp.Body) != tc.size {
				t.Errorf("got %v, %d bytes; want %d bytes", err, len(resp.Body), tc.size)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	cases := []struct {
		name, option, onRequest, want string
	}{
		{"default", "", "", "quarry"},
		{"option", "quarry/1.2", "", "quarry/1.2"},
		{"request's own wins", "quarry/1.2", "custom/9", "custom/9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := serve(t, reply{status: 200})
			c := New(Options{UserAgent: tc.option})
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if tc.onRequest != "" {
				req.Header.Set("User-Agent", tc.onRequest)
			}
			if _, err := c.Do(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			if s.agents[0] != tc.want {
				t.Errorf("User-Agent %q, want %q", s.agents[0], tc.want)
			}
			if tc.onRequest == "" && req.Header.Get("User-Agent") != "" {
				t.Error("Do modified the caller's request")
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	c := New(Options{Name: "p"})
	if _, err := c.Do(context.Background(), nil); err == nil {
		t.Error("nil request: want an error")
	}
	if _, err := c.Do(context.Background(), &http.Request{Method: "GET"}); err == nil {
		t.Error("request without URL: want an error")
	}
	// A hand-built request with a nil Header must not panic.
	s, srv := serve(t, reply{status: 204})
	u, _ := url.Parse(srv.URL)
	resp, err := c.Do(context.Background(), &http.Request{Method: "GET", URL: u})
	if err != nil || resp.Status != 204 || s.agents[0] != "quarry" {
		t.Errorf("nil Header: %v, %v, agent %q", resp, err, s.agents)
	}
}

func TestRedirects(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
	}))
	t.Cleanup(other.Close)
	var keys []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("X-Apikey"))
		mu.Unlock()
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/final", http.StatusMovedPermanently)
		case "/final":
			_, _ = io.WriteString(w, "final")
		}
	}))
	t.Cleanup(srv.Close)
	c := New(Options{})
	for _, tc := range []struct {
		path, body string
		status     int
	}{{"/same", "final", 200}, {"/away", "", 302}} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
		req.Header.Set("X-Apikey", "k")
		resp, err := c.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != tc.status || (tc.body != "" && string(resp.Body) != tc.body) {
			t.Errorf("%s: %d %q, want %d %q", tc.path, resp.Status, resp.Body, tc.status, tc.body)
		}
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("redirect to another host followed %d times; the key would travel with it", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 3 || keys[1] != "k" {
		t.Errorf("same-host redirect: keys seen %q", keys)
	}
}

// TestErrorsCarryNoSecret drives every error path with a secret in the URL
// (query, path, user information) and in Options.Secrets.
func TestErrorsCarryNoSecret(t *testing.T) {
	const secret = "S3CR3T-9f8e7d"
	addr := closedAddr(t)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	_, big := serve(t, reply{status: 200, body: strings.Repeat(secret, 100)})
	cases := []struct {
		name, url, want string
		secrets         []string
		opts            Options
	}{
		{name: "query key, closed port", url: "http://" + addr + "/v1?access_key=" + secret + "&ip=1.2.3.4", want: addr + " refused the connection"},
		{name: "path key, closed port", url: "http://" + addr + "/api/" + secret + "/ip", secrets: []string{secret}, want: addr + " refused the connection"},
		{name: "user info, closed port", url: "http://user:" + secret + "@" + addr + "/x", want: addr + " refused the connection"},
		{name: "fragment", url: "http://" + addr + "/x#" + secret, want: addr + " refused the connection"},
		{name: "time-out", url: slow.URL + "/?key=" + secret, opts: Options{Timeout: 50 * time.Millisecond}, want: "no answer within"},
		{name: "body too large", url: big.URL + "/?key=" + secret, opts: Options{MaxBody: 10}, want: "too large"},
		{name: "bad scheme", url: "ftp://" + addr + "/?key=" + secret, want: "unsupported protocol scheme"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Name, o.Secrets, o.Retries = "prov", tc.secrets, 1
			c, _ := fake(o)
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(context.Background(), &http.Request{Method: "GET", URL: u, Header: http.Header{}})
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Errorf("error shows the secret: %q", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to mention %q", msg, tc.want)
			}
			if s := fmt.Sprintf("%v %+v %s", err, err, err); strings.Contains(s, secret) {
				t.Errorf("formatted error shows the secret: %q", s)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	cases := []struct {
		in      string
		secrets []string
		want    string
	}{
		{"key abc in abc", []string{"abc"}, "key [redacted] in [redacted]"},
		{"nothing", []string{""}, "nothing"},
		{"a b", []string{"a", "b"}, "[redacted] [redacted]"},
		{"none", nil, "none"},
	}
	for _, tc := range cases {
		if got := Redact(tc.in, tc.secrets...); got != tc.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
		}
	}
}

func TestStripURLs(t *testing.T) {
	cases := []struct{ in, want string }{
		{`Get "http://h:1/p?k=v&x=y": refused`, `Get "http://h:1/p": refused`},
		{`https://u:pw@h/p?q`, `https://h/p`},
		{`proxyconnect tcp: http://u:pw@proxy:3128 failed`, `proxyconnect tcp: http://proxy:3128 failed`},
		{`redirect to HTTPS://h/x#frag then`, `redirect to HTTPS://h/x then`},
		{`no url? here`, `no url? here`},
		{`a http://h/p b http://g/q?s c`, `a http://h/p b http://g/q c`},
	}
	for _, tc := range cases {
		if got := stripURLs(tc.in); got != tc.want {
			t.Errorf("stripURLs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"5", 5 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 1<<63 - 1, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"Saturday, 01-Mar-25 12:01:00 GMT", time.Minute, true},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	var seen atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String() + " host=" + r.Host)
		_, _ = io.WriteString(w, "via proxy")
	}))
	t.Cleanup(proxy.Close)
	const httpsProxy = "http://secure-proxy.invalid:3128"
	cases := []struct {
		name, noProxy, target string
		want                  string // the proxy chosen, "" = direct
	}{
		{"http through HTTP_PROXY", "", "http://example.invalid/x", proxy.URL},
		{"https through HTTPS_PROXY", "", "https://example.invalid/x", httpsProxy},
		{"NO_PROXY names the host", "example.invalid", "http://example.invalid/x", ""},
		{"NO_PROXY domain suffix", ".invalid", "http://api.example.invalid/x", ""},
		{"NO_PROXY names another host", "other.invalid", "http://example.invalid/x", proxy.URL},
		{"NO_PROXY star", "*", "http://example.invalid/x", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"http_proxy", "https_proxy", "no_proxy", "REQUEST_METHOD"} {
				t.Setenv(k, "")
			}
			t.Setenv("HTTP_PROXY", proxy.URL)
			t.Setenv("HTTPS_PROXY", httpsProxy)
			t.Setenv("NO_PROXY", tc.noProxy)
			tr := DefaultTransport().(*http.Transport)
			req, _ := http.NewRequest(http.MethodGet, tc.target, nil)
			got, err := tr.Proxy(req)
			if err != nil {
				t.Fatal(err)
			}
			gotS := ""
			if got != nil {
				gotS = got.String()
			}
			if gotS != tc.want {
				t.Errorf("proxy for %s = %q, want %q", tc.target, gotS, tc.want)
			}
		})
	}
	// One request end to end: example.invalid cannot resolve, so only the
	// proxy can answer it.
	t.Run("request reaches the proxy", func(t *testing.T) {
		for _, k := range []string{"http_proxy", "no_proxy", "NO_PROXY", "REQUEST_METHOD"} {
			t.Setenv(k, "")
		}
		t.Setenv("HTTP_PROXY", proxy.URL)
		c := New(Options{Retries: -1})
		resp, err := get(t, c, "http://example.invalid/x?q=1")
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Body) != "via proxy" {
			t.Errorf("body %q", resp.Body)
		}
		if got, _ := seen.Load().(string); got != "http://example.invalid/x?q=1 host=example.invalid" {
			t.Errorf("proxy saw %q", got)
		}
	})
}

func TestOptionsDefaults(t *testing.T) {
	o := New(Options{Secrets: []string{"k"}}).Options()
	if o.Timeout != 30*time.Second || o.Retries != 3 || o.Backoff != time.Second || o.MaxBackoff != 30*time.Second ||
		o.MaxRetryAfter != 2*time.Minute || o.Burst != 1 || o.Concurrency != 4 || o.MaxBody != 32<<20 ||
		o.UserAgent != "quarry" || o.Transport == nil {
		t.Errorf("defaults: %+v", o)
	}
	if o.Secrets != nil {
		t.Error("Options() returned the secrets")
	}
}

func BenchmarkDo(b *testing.B) {
	body := `{"ip":"8.8.8.8","country":"US","abuseConfidenceScore":0}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c := New(Options{Concurrency: 8})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/check?ip=8.8.8.8", nil)
		resp, err := c.Do(ctx, req)
		if err != nil || len(resp.Body) != len(body) {
			b.Fatal(err)
		}
	}
}

// TestRateWaitBounded: once a daily quota is spent the client fails at once,
// saying when the next request is due, instead of holding the look-up for hours.
func TestRateWaitBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	c := New(Options{Name: "gn", Rate: rate.Limit(50.0 / 86400), Burst: 2, MaxRateWait: time.Second})
	for i := range 2 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if _, err := c.Do(context.Background(), req); err != nil {
			t.Fatalf("request %d within the burst: %v", i, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := c.Do(context.Background(), req)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Wait < 20*time.Minute || time.Since(start) > 500*time.Millisecond {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "next request is due in 28m48s") {
		t.Errorf("message: %v", err)
	}
	// The refused request did not use up a token: a short wait still works.
	c2 := New(Options{Name: "x", Rate: 20, Burst: 1, MaxRateWait: time.Second})
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if _, err := c2.Do(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlainNetworkErrors: the reasons an analyst reads say what to do.
func TestPlainNetworkErrors(t *testing.T) {
	// The resolver's answer is faked: tests never reach the network, DNS included.
	noDNS := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}}
	}}
	c := New(Options{Name: "otx", Retries: -1, Timeout: 2 * time.Second, Transport: noDNS})
	req, _ := http.NewRequest(http.MethodGet, "https://no-such-host.invalid/api/v1/x?key=SECRET", nil)
	_, err := c.Do(context.Background(), req)
	var dns *net.DNSError
	if err == nil || !strings.Contains(err.Error(), "otx: cannot resolve no-such-host.invalid: no network, or a proxy is needed") ||
		!errors.As(err, &dns) || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), `Get "`) {
		t.Errorf("DNS failure: %v", err)
	}
}

// TestTimeoutRetriedOnce: a server that never answers is asked twice, not
// Retries+1 times.
func TestTimeoutRetriedOnce(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := New(Options{Name: "gn", Timeout: 50 * time.Millisecond, Retries: 5, Backoff: time.Millisecond})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := c.Do(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") || n.Load() != 2 {
		t.Errorf("err %v after %d requests, want a time-out after 2", err, n.Load())
	}
}
