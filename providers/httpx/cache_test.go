package httpx

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testCache opens a cache in a temporary folder with a fake clock and a
// background flusher too slow to interfere.
func testCache(t *testing.T) (*Cache, *clock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lookups.db")
	clk := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	c, err := openCache(path, clk.now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, clk, path
}

// stored reads an entry straight from the file, bypassing pending writes.
func stored(t *testing.T, c *Cache, provider, iocType, ioc string) []byte {
	t.Helper()
	var v []byte
	if err := c.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(provider)); b != nil {
			v = append([]byte(nil), b.Get([]byte(cacheKey(iocType, ioc)))...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func pendingCount(c *Cache) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.npend
}

func TestCacheRoundTrip(t *testing.T) {
	c, _, _ := testCache(t)
	puts := []struct{ provider, typ, ioc, val string }{
		{"VirusTotal", "ipv4", "1.2.3.4", `{"vt":1}`},
		{"VirusTotal", "dns", "1.2.3.4", `{"vt":"dns"}`}, // same value, other type
		{"OTX", "ipv4", "1.2.3.4", `{"otx":1}`},
		{"OTX", "url", "http://x/?a=b\x00c", ""}, // empty value, odd key
	}
	for _, p := range puts {
		if err := c.Put(p.provider, p.typ, p.ioc, []byte(p.val), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string) {
		for _, p := range puts {
			v, ok := c.Get(p.provider, p.typ, p.ioc)
			if !ok || string(v) != p.val {
				t.Errorf("%s: Get(%s, %s, %q) = %q, %v; want %q", stage, p.provider, p.typ, p.ioc, v, ok, p.val)
			}
		}
		for _, miss := range [][3]string{{"OTX", "dns", "1.2.3.4"}, {"GreyNoise", "ipv4", "1.2.3.4"}, {"VirusTotal", "ipv4", "1.2.3.5"}} {
			if v, ok := c.Get(miss[0], miss[1], miss[2]); ok {
				t.Errorf("%s: Get%q = %q, want a miss", stage, miss, v)
			}
		}
	}
	check("pending")
	if stored(t, c, "VirusTotal", "ipv4", "1.2.3.4") != nil {
		t.Error("Put committed at once; it should wait for a batch")
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := string(stored(t, c, "VirusTotal", "ipv4", "1.2.3.4")[expiryLen:]); got != `{"vt":1}` {
		t.Errorf("after Flush the file holds %q", got)
	}
	check("committed")

	// Neither the caller's slice nor the returned one aliases the store.
	val := []byte("original")
	_ = c.Put("P", "ipv4", "9.9.9.9", val, time.Hour)
	copy(val, "XXXXXXXX")
	got, _ := c.Get("P", "ipv4", "9.9.9.9")
	copy(got, "YYYYYYYY")
	if again, _ := c.Get("P", "ipv4", "9.9.9.9"); string(again) != "original" {
		t.Errorf("stored value changed to %q", again)
	}

	// Overwrite replaces.
	_ = c.Put("OTX", "ipv4", "1.2.3.4", []byte("new"), time.Hour)
	if v, _ := c.Get("OTX", "ipv4", "1.2.3.4"); string(v) != "new" {
		t.Errorf("after overwrite: %q", v)
	}
}

func TestCacheTTL(t *testing.T) {
	c, clk, _ := testCache(t)
	_ = c.Put("P", "ipv4", "pending", []byte("a"), time.Hour)
	_ = c.Put("P", "ipv4", "committed", []byte("b"), time.Hour)
	_ = c.Put("P", "ipv4", "long", []byte("c"), 48*time.Hour)
	_ = c.Put("P", "ipv4", "forever", []byte("d"), time.Duration(1<<63-1))
	if err := c.Put("P", "ipv4", "zero", []byte("e"), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("P", "ipv4", "zero"); ok {
		t.Error("a zero TTL stored the value")
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	_ = c.Put("P", "ipv4", "pending", []byte("a"), time.Hour) // again, left pending

	cases := []struct {
		after time.Duration // total elapsed
		live  map[string]bool
	}{
		{59 * time.Minute, map[string]bool{"pending": true, "committed": true, "long": true, "forever": true}},
		{time.Hour, map[string]bool{"pending": false, "committed": false, "long": true, "forever": true}},
		{49 * time.Hour, map[string]bool{"pending": false, "committed": false, "long": false, "forever": true}},
	}
	var elapsed time.Duration
	for _, tc := range cases {
		clk.add(tc.after - elapsed)
		elapsed = tc.after
		for ioc, want := range tc.live {
			if _, ok := c.Get("P", "ipv4", ioc); ok != want {
				t.Errorf("after %v: Get(%s) live = %v, want %v", tc.after, ioc, ok, want)
			}
		}
	}
	// The misses queued lazy deletions; the next commit removes the entries.
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 1 || st.Entries["P"] != 1 || st.Expired != 0 {
		t.Errorf("after lazy deletion: %+v, want only the forever entry", st)
	}
}

func TestCacheLazyDeleteSparesNewValue(t *testing.T) {
	c, clk, _ := testCache(t)
	_ = c.Put("P", "ipv4", "x", []byte("old"), time.Minute)
	_ = c.Flush()
	clk.add(2 * time.Minute)
	if _, ok := c.Get("P", "ipv4", "x"); ok { // queues a deletion hint
		t.Fatal("expired entry hit")
	}
	_ = c.Put("P", "ipv4", "x", []byte("new"), time.Hour) // replaces the hint
	_ = c.Flush()
	if v, ok := c.Get("P", "ipv4", "x"); !ok || string(v) != "new" {
		t.Errorf("Get = %q, %v; the fresh value was lost", v, ok)
	}
}

func TestCacheClearAndPrune(t *testing.T) {
	cases := []struct {
		name      string
		provider  string
		wantN     int
		wantAfter map[string]int
	}{
		{"one provider", "A", 3, map[string]int{"B": 2}},
		{"another", "B", 2, map[string]int{"A": 3}},
		{"unknown provider", "Z", 0, map[string]int{"A": 3, "B": 2}},
		{"everything", "", 5, map[string]int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := testCache(t)
			for i := range 3 {
				_ = c.Put("A", "ipv4", fmt.Sprint(i), []byte("a"), time.Hour)
			}
			_ = c.Flush()
			_ = c.Put("B", "dns", "x", []byte("b"), time.Hour)
			_ = c.Put("B", "dns", "y", []byte("b"), time.Hour) // still pending
			n, err := c.Clear(tc.provider)
			if err != nil || n != tc.wantN {
				t.Errorf("Clear(%q) = %d, %v; want %d", tc.provider, n, err, tc.wantN)
			}
			st, err := c.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(st.Entries) != fmt.Sprint(tc.wantAfter) {
				t.Errorf("entries after Clear: %v, want %v", st.Entries, tc.wantAfter)
			}
			if _, ok := c.Get("A", "ipv4", "0"); ok != (tc.wantAfter["A"] > 0) {
				t.Errorf("Get A after Clear: %v", ok)
			}
		})
	}
	t.Run("prune", func(t *testing.T) {
		c, clk, _ := testCache(t)
		_ = c.Put("A", "ipv4", "short1", nil, time.Minute)
		_ = c.Put("B", "ipv4", "short2", nil, time.Minute)
		_ = c.Put("B", "ipv4", "long", nil, time.Hour)
		_ = c.Flush()
		clk.add(10 * time.Minute)
		st, _ := c.Stats()
		if st.Total != 3 || st.Expired != 2 || st.Size <= 0 || st.Path != c.Path() {
			t.Errorf("before Prune: %+v", st)
		}
		if n, err := c.Prune(); n != 2 || err != nil {
			t.Errorf("Prune = %d, %v; want 2", n, err)
		}
		st, _ = c.Stats()
		if st.Total != 1 || st.Expired != 0 || fmt.Sprint(st.Entries) != "map[B:1]" {
			t.Errorf("after Prune: %+v", st)
		}
	})
}

func TestCachePersistsAcrossClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "lookups.db")
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := c.Put("P", "ipv4", fmt.Sprint(i), []byte(fmt.Sprint("v", i)), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := c.Put("P", "ipv4", "late", nil, time.Hour); !errors.Is(err, ErrCacheClosed) {
		t.Errorf("Put after Close: %v, want ErrCacheClosed", err)
	}
	if _, ok := c.Get("P", "ipv4", "1"); ok {
		t.Error("Get after Close hit")
	}
	if _, err := c.Stats(); !errors.Is(err, ErrCacheClosed) {
		t.Errorf("Stats after Close: %v", err)
	}
	select {
	case <-c.done:
	default:
		t.Error("background flusher still running after Close")
	}

	c2, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, i := range []int{0, 42, 99} {
		if v, ok := c2.Get("P", "ipv4", fmt.Sprint(i)); !ok || string(v) != fmt.Sprint("v", i) {
			t.Errorf("after reopen Get(%d) = %q, %v", i, v, ok)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, want 0700", di.Mode().Perm())
	}
}

func TestCacheTightensLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookups.db")
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after reopen, want 0600", fi.Mode().Perm())
	}
}

func TestCacheBatching(t *testing.T) {
	c, _, _ := testCache(t)
	for i := range cacheBatch - 1 {
		_ = c.Put("P", "ipv4", fmt.Sprint(i), []byte("v"), time.Hour)
	}
	if n := pendingCount(c); n != cacheBatch-1 {
		t.Fatalf("%d pending, want %d", n, cacheBatch-1)
	}
	_ = c.Put("P", "ipv4", "0", []byte("again"), time.Hour) // same key: no growth
	if n := pendingCount(c); n != cacheBatch-1 {
		t.Errorf("rewriting a pending key counted twice: %d", n)
	}
	_ = c.Put("P", "ipv4", "last", []byte("v"), time.Hour)
	if n := pendingCount(c); n != 0 {
		t.Errorf("%d pending after the batch filled, want a commit", n)
	}
	if stored(t, c, "P", "ipv4", "last") == nil {
		t.Error("the full batch did not reach the file")
	}
}

// TestCacheThousandPutsOneCommit: a look-up of 1,000 indicators must not
// cost 1,000 commits (each an fsync).
func TestCacheThousandPutsOneCommit(t *testing.T) {
	c, _, _ := testCache(t)
	for i := range 1000 {
		if err := c.Put("P", "ipv4", fmt.Sprint(i), []byte("v"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	c.commitMu.Lock()
	n := c.commits
	c.commitMu.Unlock()
	if n != 1 {
		t.Errorf("%d commits for 1,000 Puts, want 1 (at %d)", n, cacheBatch)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.commits != 2 {
		t.Errorf("%d commits after Close, want 2", c.commits)
	}
}

func TestCacheBackgroundFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookups.db")
	c, err := openCache(path, time.Now, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.Put("P", "ipv4", "x", []byte("v"), time.Hour)
	deadline := time.Now().Add(3 * time.Second)
	for stored(t, c, "P", "ipv4", "x") == nil {
		if time.Now().After(deadline) {
			t.Fatal("the background flusher never committed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := pendingCount(c); n != 0 {
		t.Errorf("%d still pending", n)
	}
}

func TestCacheNoGoroutineLeak(t *testing.T) {
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	for i := range 20 {
		c, err := OpenCache(filepath.Join(dir, fmt.Sprint(i, ".db")))
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Put("P", "t", "i", nil, time.Hour)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Errorf("goroutines %d → %d after 20 open/close", before, after)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c, _, _ := testCache(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 400 {
				ioc := fmt.Sprint(i % 100)
				prov := fmt.Sprint("P", w%3)
				want := []byte(ioc + "-" + prov)
				if err := c.Put(prov, "ipv4", ioc, want, time.Hour); err != nil {
					t.Error(err)
					return
				}
				if v, ok := c.Get(prov, "ipv4", ioc); !ok || !bytes.Equal(v, want) {
					t.Errorf("Get right after Put: %q, %v", v, ok)
					return
				}
				if i%97 == 0 {
					if err := c.Flush(); err != nil {
						t.Error(err)
					}
				}
				if i%151 == 0 {
					if _, err := c.Stats(); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	st, err := c.Stats()
	if err != nil || st.Total != 300 {
		t.Errorf("Stats = %+v, %v; want 300 entries (3 providers × 100)", st, err)
	}
}

func TestCacheConcurrentClose(t *testing.T) {
	c, _, _ := testCache(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 300 {
				_ = c.Put("P", "ipv4", fmt.Sprint(w, "-", i), []byte("v"), time.Hour)
				c.Get("P", "ipv4", fmt.Sprint(w, "-", i/2))
			}
		})
	}
	time.Sleep(time.Millisecond)
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	wg.Wait()
}

func TestCacheBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lookups.db")
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c2, err := OpenCache(path)
	took := time.Since(start)
	if err == nil {
		c2.Close()
		t.Fatal("second open succeeded")
	}
	if !errors.Is(err, ErrCacheBusy) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want ErrCacheBusy naming the file", err)
	}
	if took < 400*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("gave up after %v, want about 500ms", took)
	}
	// The first handle still works.
	if err := c.Put("P", "t", "i", []byte("v"), time.Hour); err != nil {
		t.Error(err)
	}
}

func TestCacheCorrupt(t *testing.T) {
	// A real file to damage.
	goodPath := filepath.Join(t.TempDir(), "good.db")
	g, err := OpenCache(goodPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		_ = g.Put("P", "ipv4", fmt.Sprint(i), bytes.Repeat([]byte("v"), 100), time.Hour)
	}
	_ = g.Close()
	good, err := os.ReadFile(goodPath)
	if err != nil {
		t.Fatal(err)
	}
	scrambled := bytes.Clone(good)
	for i := 16384; i < len(scrambled) && i < 64<<10; i++ {
		scrambled[i] ^= 0x5a
	}
	cases := []struct {
		name    string
		content []byte
		atOpen  bool // refused by OpenCache (else found in use)
	}{
		{"text", []byte("this is not a database\n"), true},
		{"zeros, one page", make([]byte, 4096), true},
		{"zeros, four pages", make([]byte, 16384), true},
		{"truncated header", good[:100], true},
		{"truncated half", good[:len(good)/2], true},
		{"scrambled data pages", scrambled, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lookups.db")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := OpenCache(path)
			if !tc.atOpen {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				_, err = c.Stats()
				_ = c.Close()
			}
			if !errors.Is(err, ErrCacheCorrupt) {
				t.Fatalf("error %v, want ErrCacheCorrupt", err)
			}
			for _, want := range []string{path, "quarry cache clear"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if err := RemoveCache(path); err != nil {
				t.Fatal(err)
			}
			c, err = OpenCache(path)
			if err != nil {
				t.Fatalf("open after RemoveCache: %v", err)
			}
			defer c.Close()
			if err := c.Put("P", "t", "i", []byte("v"), time.Hour); err != nil {
				t.Error(err)
			}
		})
	}
	if err := RemoveCache(filepath.Join(t.TempDir(), "missing.db")); err != nil {
		t.Errorf("RemoveCache of a missing file: %v", err)
	}
}

func TestCachePutLimits(t *testing.T) {
	c, _, _ := testCache(t)
	cases := []struct {
		name, provider, ioc string
		val                 []byte
		ok                  bool
	}{
		{"normal", "P", "x", []byte("v"), true},
		{"no provider", "", "x", nil, false},
		{"huge key", "P", strings.Repeat("k", maxCacheKey), nil, false},
		{"huge provider", strings.Repeat("p", maxCacheKey+1), "x", nil, false},
		{"huge value", "P", "y", make([]byte, MaxCacheValue+1), false},
	}
	for _, tc := range cases {
		err := c.Put(tc.provider, "t", tc.ioc, tc.val, time.Hour)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Put error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	// The refused ones did not poison the batch.
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("P", "t", "x"); !ok || string(v) != "v" {
		t.Errorf("Get = %q, %v", v, ok)
	}
}

func TestOpenCacheErrors(t *testing.T) {
	if _, err := OpenCache(""); err == nil {
		t.Error("empty path: want an error")
	}
	file := filepath.Join(t.TempDir(), "f")
	_ = os.WriteFile(file, nil, 0o600)
	if _, err := OpenCache(filepath.Join(file, "lookups.db")); err == nil || errors.Is(err, ErrCacheCorrupt) {
		t.Errorf("folder is a file: %v, want a plain error", err)
	}
}

func TestDefaultCachePath(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME applies on Linux")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	if got, want := DefaultCachePath(), filepath.Join(dir, "quarry", "lookups.db"); got != want {
		t.Errorf("DefaultCachePath() = %q, want %q", got, want)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if got := DefaultCachePath(); got != "" {
		t.Errorf("with no cache folder: %q, want \"\"", got)
	}
}

func TestUnpack(t *testing.T) {
	now := time.Unix(1000, 0)
	mk := func(exp int64, payload string) []byte {
		b := make([]byte, 8, 8+len(payload))
		for i := range 8 {
			b[i] = byte(uint64(exp) >> (56 - 8*i))
		}
		return append(b, payload...)
	}
	cases := []struct {
		name string
		v    []byte
		want string
		ok   bool
	}{
		{"live", mk(now.UnixNano()+1, "abc"), "abc", true},
		{"at expiry", mk(now.UnixNano(), "abc"), "", false},
		{"expired", mk(0, "abc"), "", false},
		{"short", []byte{1, 2, 3}, "", false},
		{"empty", nil, "", false},
		{"negative expiry", mk(-5, "x"), "", false},
		{"live empty payload", mk(now.UnixNano()+1, ""), "", true},
	}
	for _, tc := range cases {
		got, ok := unpack(tc.v, now)
		if string(got) != tc.want || ok != tc.ok {
			t.Errorf("%s: unpack = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func BenchmarkCacheGet(b *testing.B) {
	const n = 10000
	c, err := OpenCache(filepath.Join(b.TempDir(), "lookups.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	val := bytes.Repeat([]byte("x"), 512)
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255)
		if err := c.Put("VirusTotal", "ipv4", keys[i], val, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Flush(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get("VirusTotal", "ipv4", keys[i%n]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

func BenchmarkCachePut(b *testing.B) {
	c, err := OpenCache(filepath.Join(b.TempDir(), "lookups.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	val := bytes.Repeat([]byte("x"), 512)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := c.Put("VirusTotal", "ipv4", fmt.Sprint("10.0.", i), val, time.Hour); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := c.Flush(); err != nil {
		b.Fatal(err)
	}
}
