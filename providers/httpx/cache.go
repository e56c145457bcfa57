package httpx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrCacheBusy is reported (wrapped) by OpenCache when another Quarry process
// holds the cache; callers then run without a cache.
var ErrCacheBusy = errors.New("the look-up cache is in use by another Quarry process")

// ErrCacheCorrupt is reported (wrapped) when the cache file is damaged. The
// file cannot be opened to clear it: RemoveCache deletes it.
var ErrCacheCorrupt = errors.New("the look-up cache is damaged")

// ErrCacheClosed is returned by a Cache's methods after Close.
var ErrCacheClosed = errors.New("the look-up cache is closed")

// Cache limits. Put refuses larger keys and values rather than fail a whole
// batch when it is committed.
const (
	// MaxCacheValue is the longest value Put stores.
	MaxCacheValue = 32 << 20
	// maxCacheKey is the longest provider name or key (bbolt allows 32 KiB).
	maxCacheKey = 16 << 10
	// cacheBatch is the number of pending writes that triggers a commit.
	cacheBatch = 512
	// cacheFlushEvery is how often the background flusher commits.
	cacheFlushEvery = 250 * time.Millisecond
	// cacheLockWait is how long OpenCache waits for the file lock.
	cacheLockWait = 500 * time.Millisecond
	// expiryLen is the length of the expiry prefix on each stored value.
	expiryLen = 8
)

// DefaultCachePath is $XDG_CACHE_HOME/quarry/lookups.db (os.UserCacheDir), or
// "" if there is no cache folder.
func DefaultCachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "quarry", "lookups.db")
}

// RemoveCache deletes the cache file at path (a missing file is no error). It
// is the way out of a damaged cache, which OpenCache refuses; no process
// should have the cache open.
func RemoveCache(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the look-up cache: %w", err)
	}
	return nil
}

// CacheStats describes the cache's contents.
type CacheStats struct {
	// Path is the cache file.
	Path string
	// Entries is the number of stored entries per provider, expired ones
	// included (providers with none are left out).
	Entries map[string]int
	// Total is the number of stored entries across providers.
	Total int
	// Expired is how many of Total have expired (Prune removes them).
	Expired int
	// Size is the file's size in bytes (bbolt reuses freed pages but does not
	// shrink the file).
	Size int64
}

// pending is a write waiting for the next commit: a value (with its expiry
// prefix) or, when prune is set, a hint to delete the stored entry if it has
// expired by then.
type pending struct {
	val   []byte
	prune bool
}

// Cache is the persistent look-up cache: one bbolt bucket per provider, keyed
// by type and indicator, each value carrying its expiry. Writes are buffered
// in memory (and seen by Get) and committed together: when cacheBatch are
// waiting, every 250ms, on Flush and on Close. It is safe for concurrent use;
// one process at a time may hold the file.
type Cache struct {
	path string
	db   *bolt.DB
	now  func() time.Time

	mu       sync.RWMutex
	pend     map[string]map[string]pending // provider → key → write
	inflight map[string]map[string]pending // being committed
	npend    int
	closed   bool

	commitMu sync.Mutex // one commit at a time
	commits  int        // batches committed (guarded by commitMu; for tests)
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// OpenCache opens (creating it, 0600, in a 0700 folder) the cache at path. It
// waits about half a second for another process's lock before reporting
// ErrCacheBusy; a damaged file gives ErrCacheCorrupt.
func OpenCache(path string) (*Cache, error) {
	return openCache(path, time.Now, cacheFlushEvery)
}

// openCache is OpenCache with a clock and flush period for tests.
func openCache(path string, now func() time.Time, every time.Duration) (c *Cache, err error) {
	if path == "" {
		return nil, errors.New("opening the look-up cache: no path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the look-up cache folder: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			c, err = nil, corrupt(path, fmt.Errorf("%v", p))
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cacheLockWait, NoStatistics: true})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("%s: %w", path, ErrCacheBusy)
		case errors.Is(err, os.ErrPermission), errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("opening the look-up cache %s: %w", path, err)
		}
		// bbolt's other open failures (invalid or mismatched meta pages, a
		// checksum, a file too short to map) all mean a damaged file.
		return nil, corrupt(path, err)
	}
	if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(path, 0o600) // an older file with looser rights
	}
	c = &Cache{
		path: path,
		db:   db,
		now:  now,
		pend: map[string]map[string]pending{},
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go c.flusher(every)
	return c, nil
}

// corrupt is the error for a damaged cache file.
func corrupt(path string, cause error) error {
	return fmt.Errorf("%w: %s (%v); remove it with `quarry cache clear`", ErrCacheCorrupt, path, cause)
}

// Path returns the cache file's path.
func (c *Cache) Path() string { return c.path }

// flusher commits pending writes every period until Close.
func (c *Cache) flusher(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.mu.RLock()
			n := c.npend
			c.mu.RUnlock()
			if n > 0 {
				_ = c.Flush() // a failed batch is dropped; the next look-up refills it
			}
		}
	}
}

// cacheKey is the key of one indicator inside its provider's bucket.
func cacheKey(iocType, ioc string) string { return iocType + "\x00" + ioc }

// Get returns the stored answer for ioc of iocType from provider, or false
// when there is none or it has expired. Pending writes are seen. A damaged
// file reads as a miss.
func (c *Cache) Get(provider, iocType, ioc string) ([]byte, bool) {
	key := cacheKey(iocType, ioc)
	now := c.now()
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return nil, false
	}
	p, ok := c.pend[provider][key]
	if !ok || p.prune {
		p, ok = c.inflight[provider][key] // a batch being committed
	}
	c.mu.RUnlock()
	if ok && !p.prune {
		return unpack(p.val, now)
	}
	var val []byte
	found, expired := false, false
	err := c.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(provider))
		if b == nil {
			return nil
		}
		v := b.Get([]byte(key))
		if v == nil {
			return nil
		}
		var live bool
		val, live = unpack(v, now) // copies out of the mapped page
		found, expired = live, !live
		return nil
	})
	if err != nil {
		return nil, false
	}
	if expired {
		c.hintPrune(provider, key)
	}
	return val, found
}

// unpack splits a stored value into its payload (a copy) and reports whether
// it is still live at now. A value too short to carry an expiry is dead.
func unpack(v []byte, now time.Time) ([]byte, bool) {
	if len(v) < expiryLen {
		return nil, false
	}
	exp := int64(binary.BigEndian.Uint64(v[:expiryLen]))
	if now.UnixNano() >= exp {
		return nil, false
	}
	out := make([]byte, len(v)-expiryLen)
	copy(out, v[expiryLen:])
	return out, true
}

// hintPrune queues the deletion of an expired entry, unless a write for it is
// already pending. The commit deletes it only if it is still expired then.
func (c *Cache) hintPrune(provider, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if _, ok := c.pend[provider][key]; ok {
		return
	}
	c.addLocked(provider, key, pending{prune: true})
}

// addLocked records a pending write; c.mu is held.
func (c *Cache) addLocked(provider, key string, p pending) {
	m := c.pend[provider]
	if m == nil {
		m = map[string]pending{}
		c.pend[provider] = m
	}
	if _, ok := m[key]; !ok {
		c.npend++
	}
	m[key] = p
}

// Put stores val as provider's answer for ioc of iocType for ttl. The write
// is buffered; it reaches the file with the next commit (Put commits itself
// when cacheBatch writes are waiting, and returns that commit's error). A ttl
// of zero or less stores nothing.
func (c *Cache) Put(provider, iocType, ioc string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	key := cacheKey(iocType, ioc)
	switch {
	case provider == "":
		return errors.New("look-up cache: no provider name")
	case len(provider) > maxCacheKey || len(key) > maxCacheKey:
		return fmt.Errorf("look-up cache: key longer than %d bytes", maxCacheKey)
	case len(val) > MaxCacheValue:
		return fmt.Errorf("look-up cache: value longer than %d bytes", MaxCacheValue)
	}
	exp := c.now().UnixNano()
	if int64(ttl) > math.MaxInt64-exp {
		exp = math.MaxInt64 // as long as can be said
	} else {
		exp += int64(ttl)
	}
	buf := make([]byte, expiryLen+len(val))
	binary.BigEndian.PutUint64(buf, uint64(exp))
	copy(buf[expiryLen:], val)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrCacheClosed
	}
	c.addLocked(provider, key, pending{val: buf})
	full := c.npend >= cacheBatch
	c.mu.Unlock()
	if full {
		return c.Flush()
	}
	return nil
}

// Flush commits the pending writes in one transaction. On failure the batch
// is dropped (a cache may forget) and the error returned.
func (c *Cache) Flush() error {
	c.commitMu.Lock()
	defer c.commitMu.Unlock()
	c.mu.Lock()
	if c.closed && c.db == nil {
		c.mu.Unlock()
		return ErrCacheClosed
	}
	batch := c.pend
	if c.npend == 0 {
		c.mu.Unlock()
		return nil
	}
	c.pend = map[string]map[string]pending{}
	c.npend = 0
	c.inflight = batch
	c.mu.Unlock()

	now := c.now().UnixNano()
	err := c.update(func(tx *bolt.Tx) error {
		for provider, m := range batch {
			b, err := tx.CreateBucketIfNotExists([]byte(provider))
			if err != nil {
				return fmt.Errorf("bucket %q: %w", provider, err)
			}
			for key, p := range m {
				switch {
				case !p.prune && !expiredAt(p.val, now):
					if err := b.Put([]byte(key), p.val); err != nil {
						return err
					}
					continue
				case !p.prune: // expired while pending: the latest write wins
					if err := b.Delete([]byte(key)); err != nil {
						return err
					}
					continue
				}
				if v := b.Get([]byte(key)); v != nil && expiredAt(v, now) {
					if err := b.Delete([]byte(key)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	c.mu.Lock()
	c.inflight = nil
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("saving to the look-up cache: %w", err)
	}
	c.commits++
	return nil
}

// expiredAt reports whether a stored value has expired at now (unix nanos).
func expiredAt(v []byte, now int64) bool {
	return len(v) < expiryLen || now >= int64(binary.BigEndian.Uint64(v[:expiryLen]))
}

// Clear removes every entry of provider ("" = every provider), pending ones
// included, and returns how many stored entries it removed.
func (c *Cache) Clear(provider string) (int, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	n := 0
	err := c.update(func(tx *bolt.Tx) error {
		var names [][]byte
		if provider != "" {
			names = [][]byte{[]byte(provider)}
		} else {
			if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, append([]byte(nil), name...))
				return nil
			}); err != nil {
				return err
			}
		}
		for _, name := range names {
			b := tx.Bucket(name)
			if b == nil {
				continue
			}
			k, err := countKeys(b)
			if err != nil {
				return err
			}
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("bucket %q: %w", name, err)
			}
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("clearing the look-up cache: %w", err)
	}
	return n, nil
}

// countKeys counts a bucket's keys.
func countKeys(b *bolt.Bucket) (int, error) {
	n := 0
	err := b.ForEach(func(_, _ []byte) error { n++; return nil })
	return n, err
}

// Prune deletes every expired entry and returns how many it removed.
func (c *Cache) Prune() (int, error) {
	if err := c.Flush(); err != nil {
		return 0, err
	}
	now := c.now().UnixNano()
	n := 0
	err := c.update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			var dead [][]byte
			if err := b.ForEach(func(k, v []byte) error {
				if v != nil && expiredAt(v, now) {
					dead = append(dead, append([]byte(nil), k...))
				}
				return nil
			}); err != nil {
				return err
			}
			for _, k := range dead {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n += len(dead)
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("pruning the look-up cache: %w", err)
	}
	return n, nil
}

// Stats commits pending writes and describes the cache.
func (c *Cache) Stats() (CacheStats, error) {
	st := CacheStats{Path: c.path, Entries: map[string]int{}}
	if err := c.Flush(); err != nil {
		return st, err
	}
	now := c.now().UnixNano()
	err := c.view(func(tx *bolt.Tx) error {
		st.Size = tx.Size()
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			n := 0
			if err := b.ForEach(func(_, v []byte) error {
				n++
				if v != nil && expiredAt(v, now) {
					st.Expired++
				}
				return nil
			}); err != nil {
				return err
			}
			if n > 0 {
				st.Entries[string(name)] = n
				st.Total += n
			}
			return nil
		})
	})
	if err != nil {
		return st, fmt.Errorf("reading the look-up cache: %w", err)
	}
	if fi, err := os.Stat(c.path); err == nil {
		st.Size = fi.Size()
	}
	return st, nil
}

// Close stops the background flusher, commits pending writes and closes the
// file. Later calls do nothing.
func (c *Cache) Close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		err = c.Flush()
		c.commitMu.Lock()
		defer c.commitMu.Unlock()
		c.mu.Lock()
		db := c.db
		c.db = nil
		c.mu.Unlock()
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the look-up cache: %w", cerr)
		}
	})
	return err
}

// view runs fn in a read transaction, turning a panic from a damaged file
// into an error.
func (c *Cache) view(fn func(*bolt.Tx) error) (err error) {
	db := c.handle()
	if db == nil {
		return ErrCacheClosed
	}
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(c.path, fmt.Errorf("%v", p))
		}
	}()
	return db.View(fn)
}

// update runs fn in a write transaction (one commit), turning a panic from a
// damaged file into an error.
func (c *Cache) update(fn func(*bolt.Tx) error) (err error) {
	db := c.handle()
	if db == nil {
		return ErrCacheClosed
	}
	defer func() {
		if p := recover(); p != nil {
			err = corrupt(c.path, fmt.Errorf("%v", p))
		}
	}()
	return db.Update(fn)
}

// handle returns the open database, or nil after Close.
func (c *Cache) handle() *bolt.DB {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.db
}
