package ti

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"runtime"
	"sync"
	"time"
)

// Cache is the persistent store the engine reads before asking a provider and
// fills after (httpx.Cache satisfies it).
type Cache interface {
	Get(provider, iocType, ioc string) ([]byte, bool)
	Put(provider, iocType, ioc string, val []byte, ttl time.Duration) error
}

// Query is one indicator to look up. An empty Type is detected from the value.
type Query struct {
	// Ioc is the indicator as written (defanged forms are refanged).
	Ioc string
	// Type is its type in engine/ioc's names ("" = detect).
	Type string
}

// Checker is the provider name on results for indicators rejected before any
// provider was asked (bad format).
const Checker = "quarry"

// Engine looks indicators up across providers at once, through the cache.
type Engine struct {
	// Providers are asked in turn for each indicator whose type they take.
	Providers []Provider
	// Cache, when set, answers repeated look-ups; nil = no cache.
	Cache Cache
	// TTL is how long each provider's answers are cached (by provider name;
	// a missing entry = DefaultTTL).
	TTL map[string]time.Duration
	// Workers is the number of look-ups in flight per provider (by provider
	// name; a missing entry = DefaultWorkers). The provider's own HTTP client
	// still applies its rate limit and concurrency cap.
	Workers map[string]int
	// ShowUnsupported emits a StatusUnsupported result for each provider that
	// does not take an indicator's type (msticpy hides them by default).
	ShowUnsupported bool
}

// DefaultTTL is how long an answer is cached when the engine has no TTL for
// its provider.
const DefaultTTL = 24 * time.Hour

// DefaultWorkers is the number of look-ups in flight per provider when the
// engine has no figure for it.
const DefaultWorkers = 4

// Plan is what a look-up will ask: per provider, how many indicators.
type Plan struct {
	// Queries are the distinct, checked indicators, in input order.
	Queries []Query
	// Bad are results for indicators rejected before any provider was asked.
	Bad []Result
	// Per is the number of look-ups per provider name.
	Per map[string]int
}

// Prepare detects types, checks and de-duplicates qs, and counts the work per
// provider, without asking anyone.
func (e *Engine) Prepare(qs []Query) Plan {
	p := Plan{Per: map[string]int{}}
	seen := map[Query]bool{}
	for _, q := range qs {
		typ := q.Type
		if typ == "" {
			typ, _ = Detect(q.Ioc)
		}
		clean, err := Normalize(q.Ioc, typ)
		if err != nil {
			r := NewResult(Checker, q.Ioc, typ)
			r.Status = StatusBadFormat
			r.Reason = trimBad(err.Error())
			if !seen[Query{q.Ioc, "!" + typ}] {
				seen[Query{q.Ioc, "!" + typ}] = true
				p.Bad = append(p.Bad, r)
			}
			continue
		}
		k := Query{Ioc: clean, Type: typ}
		if seen[k] {
			continue
		}
		seen[k] = true
		p.Queries = append(p.Queries, k)
		for _, pr := range e.Providers {
			if Supports(pr, typ) || e.ShowUnsupported {
				p.Per[pr.Name()]++
			}
		}
	}
	return p
}

// trimBad drops the "bad indicator: " prefix from Normalize's errors.
func trimBad(s string) string {
	const pre = "bad indicator: "
	if len(s) > len(pre) && s[:len(pre)] == pre {
		return s[len(pre):]
	}
	return s
}

// Lookup asks every provider about one indicator (typ "" = detect) and
// returns their results in provider order.
func (e *Engine) Lookup(ctx context.Context, ioc, typ string) []Result {
	var out []Result
	_ = e.Run(ctx, e.Prepare([]Query{{Ioc: ioc, Type: typ}}), func(r Result) { out = append(out, r) })
	order := map[string]int{}
	for i, p := range e.Providers {
		order[p.Name()] = i
	}
	sortStable(out, func(a, b Result) bool { return order[a.Provider] < order[b.Provider] })
	return out
}

// LookupMany prepares qs and runs the plan, calling fn with each result as
// it arrives.
func (e *Engine) LookupMany(ctx context.Context, qs []Query, fn func(Result)) error {
	return e.Run(ctx, e.Prepare(qs), fn)
}

// Run performs a plan: the bad indicators' (and unsupported pairs') results
// first, then every
// provider's look-ups at once, each provider with its own workers, so a slow
// or rate-limited provider never holds up the others. fn is called from one
// goroutine at a time, as results arrive. Run returns ctx's error if it was
// cancelled (the results already delivered stand).
func (e *Engine) Run(ctx context.Context, p Plan, fn func(Result)) error {
	for _, r := range p.Bad {
		fn(r)
	}
	results := make(chan Result, 64)
	var wg sync.WaitGroup
	jobsOf := e.cached(ctx, p, fn)
	for _, pr := range e.Providers {
		jobs := jobsOf[pr.Name()]
		if len(jobs) == 0 {
			continue
		}
		n := e.Workers[pr.Name()]
		if n <= 0 {
			n = DefaultWorkers
		}
		if n > len(jobs) {
			n = len(jobs)
		}
		queue := make(chan Query)
		wg.Add(n + 1)
		go func() {
			defer wg.Done()
			defer close(queue)
			for _, q := range jobs {
				select {
				case queue <- q:
				case <-ctx.Done():
					return
				}
			}
		}()
		for range n {
			go func() {
				defer wg.Done()
				for q := range queue {
					if ctx.Err() != nil {
						return
					}
					r := e.one(ctx, pr, q)
					if ctx.Err() != nil && r.Status == StatusError {
						return
					}
					if !send(ctx, results, r) {
						return
					}
				}
			}()
		}
	}
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		fn(r)
	}
	return ctx.Err()
}

// cached answers every (provider, indicator) pair the cache holds, split
// over the cores, and returns what is left to ask, per provider. Reading the
// cache here, before any worker starts, keeps a repeated look-up as cheap as
// a read and a decode.
func (e *Engine) cached(ctx context.Context, p Plan, fn func(Result)) map[string][]Query {
	type pair struct {
		pr Provider
		q  Query
	}
	var pairs []pair
	for _, pr := range e.Providers {
		for _, q := range p.Queries {
			if Supports(pr, q.Type) {
				pairs = append(pairs, pair{pr, q})
			} else if e.ShowUnsupported {
				fn(Unsupported(pr.Name(), q.Ioc, q.Type))
			}
		}
	}
	out := map[string][]Query{}
	if e.Cache == nil {
		for _, pq := range pairs {
			out[pq.pr.Name()] = append(out[pq.pr.Name()], pq.q)
		}
		return out
	}
	hits := make([]Result, len(pairs))
	hit := make([]bool, len(pairs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(pairs)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(pairs); i += workers {
				if ctx.Err() != nil {
					return
				}
				if b, ok := e.Cache.Get(pairs[i].pr.Name(), pairs[i].q.Type, pairs[i].q.Ioc); ok {
					if r, err := DecodeResult(b); err == nil {
						r.Cached = true
						hits[i], hit[i] = r, true
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, pq := range pairs {
		if hit[i] {
			fn(hits[i])
		} else {
			out[pq.pr.Name()] = append(out[pq.pr.Name()], pq.q)
		}
	}
	return out
}

func send(ctx context.Context, ch chan<- Result, r Result) bool {
	select {
	case ch <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

// one looks up q with pr and caches the answer (Run has read the cache).
func (e *Engine) one(ctx context.Context, pr Provider, q Query) Result {
	name := pr.Name()
	r := safeLookup(ctx, pr, q)
	if e.Cache != nil && (r.Status == StatusOK || r.Status == StatusNotFound) {
		ttl, ok := e.TTL[name]
		if !ok {
			ttl = DefaultTTL
		}
		if ttl > 0 {
			if b, err := EncodeResult(r); err == nil {
				_ = e.Cache.Put(name, q.Type, q.Ioc, b, ttl)
			}
		}
	}
	return r
}

// safeLookup calls the provider, turning a panic in it into an error result:
// one broken provider must not take the others down.
func safeLookup(ctx context.Context, pr Provider, q Query) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = NewResult(pr.Name(), q.Ioc, q.Type).Fail("internal error in the %s provider", pr.Name())
		}
	}()
	r = pr.Lookup(ctx, q.Ioc, q.Type)
	if r.Provider == "" {
		r.Provider = pr.Name()
	}
	return r
}

// EncodeResult serialises a result for the cache: a length-prefixed JSON
// header without Raw, then Raw as it is, so reading a cached answer never
// re-parses a large provider body.
func EncodeResult(r Result) ([]byte, error) {
	raw := r.Raw
	r.Raw = nil
	r.Cached = false
	h, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	b := binary.AppendUvarint(make([]byte, 0, len(h)+len(raw)+binary.MaxVarintLen64), uint64(len(h)))
	b = append(b, h...)
	return append(b, raw...), nil
}

// DecodeResult reads what EncodeResult wrote. The result's Raw shares b's
// memory: the caller hands b over.
func DecodeResult(b []byte) (Result, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return Result{}, errors.New("cached result: bad header")
	}
	var r Result
	if err := json.Unmarshal(b[k:k+int(n)], &r); err != nil {
		return Result{}, err
	}
	if rest := b[k+int(n):]; len(rest) > 0 {
		r.Raw = json.RawMessage(rest[:len(rest):len(rest)])
	}
	return r, nil
}

// sortStable is an insertion sort (results per indicator are few).
func sortStable(rs []Result, less func(a, b Result) bool) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && less(rs[j], rs[j-1]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
