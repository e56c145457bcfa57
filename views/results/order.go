package results

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// SortDir is a column's sort direction.
type SortDir int

// The sort directions, in the order the sort key cycles through them.
const (
	Unsorted SortDir = iota
	Ascending
	Descending
)

// String is the glyph the header shows after a sorted column's name.
func (d SortDir) String() string {
	switch d {
	case Ascending:
		return "▲"
	case Descending:
		return "▼"
	}
	return ""
}

// orderState is what decides the rows shown and their order: a sort and a filter.
type orderState struct {
	col   int // sorted column (frame index); meaningful when dir != Unsorted
	dir   SortDir
	text  string // the filter as typed
	flt   Filter
	shown []int // the columns plain filter terms search, fixed when the filter was set
}

// sortKey and passKey name what a cached full sort and filter result were made for.
func (s orderState) sortKey() [2]int { return [2]int{s.col, int(s.dir)} }

func (s orderState) passKey() string {
	var b strings.Builder
	b.WriteString(s.flt.String())
	for _, t := range s.flt.Terms {
		if t.Index < 0 {
			for _, c := range s.shown {
				b.WriteByte('|')
				b.WriteString(strconv.Itoa(c))
			}
			break
		}
	}
	return b.String()
}

// orderJob is one sort-and-filter computation. It reads only immutable data (the
// frame, cached slices nobody writes again), so it may run on another goroutine.
type orderJob struct {
	t      *Table
	seq    int64
	f      *frame.Frame
	zone   *time.Location
	want   orderState
	sorted []int32 // cached full sort for want's sort key, or nil
	pass   []bool  // cached filter result for want's pass key, when passOK
	passOK bool
	latest *atomic.Int64 // the newest request; a job that falls behind stops early
}

// orderDone is an orderJob's answer, tagged with the table and the request number.
type orderDone struct {
	t     *Table
	seq   int64
	state orderState
	rows  []int32 // nil: every row in frame order
	// sorted and pass are the full sort and the filter result computed on the way,
	// kept so the next request can reuse them.
	sorted []int32
	pass   []bool
	passOK bool
	// stale is set when a newer request overtook the job and it stopped early.
	stale bool
}

func (j orderJob) run() orderDone {
	done := orderDone{t: j.t, seq: j.seq, state: j.want}
	n := j.f.Len()
	if len(j.f.Columns()) == 0 {
		n = 0
	}
	pass, passOK := j.pass, j.passOK
	if j.want.flt.IsZero() {
		pass, passOK = nil, true
	} else if !passOK {
		var ok bool
		if pass, ok = evalFilter(j.f, j.want, j.zone, j.seq, j.latest); !ok {
			done.stale = true
			return done
		}
		passOK = true
	}
	done.pass, done.passOK = pass, passOK
	switch {
	case j.want.dir == Unsorted:
		if pass != nil {
			done.rows = keep(nil, pass, n)
		}
	case j.sorted != nil:
		done.sorted = j.sorted
		done.rows = keep(j.sorted, pass, n)
	case pass != nil && count(pass)*4 < n:
		// Few rows pass: sort only those, and keep no full sort.
		done.rows = sortRows(j.f, j.want.col, j.want.dir, keep(nil, pass, n))
	default:
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		done.sorted = sortRows(j.f, j.want.col, j.want.dir, all)
		done.rows = keep(done.sorted, pass, n)
	}
	if done.rows == nil && (pass != nil || j.want.dir != Unsorted) {
		done.rows = []int32{}
	}
	return done
}

// keep returns the rows of order (nil: 0..n-1) that pass (nil: all), in order.
func keep(order []int32, pass []bool, n int) []int32 {
	if pass == nil {
		if order != nil {
			return order
		}
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	out := make([]int32, 0, count(pass))
	if order == nil {
		for r, ok := range pass {
			if ok {
				out = append(out, int32(r))
			}
		}
		return out
	}
	for _, r := range order {
		if pass[r] {
			out = append(out, r)
		}
	}
	return out
}

func count(pass []bool) int {
	n := 0
	for _, ok := range pass {
		if ok {
			n++
		}
	}
	return n
}

// evalFilter tests every row, in parallel over the machine's cores (each part
// with its own matcher); it gives up (false) when a newer request arrives.
func evalFilter(f *frame.Frame, s orderState, zone *time.Location, seq int64, latest *atomic.Int64) ([]bool, bool) {
	n := f.Len()
	pass := make([]bool, n)
	parts := 1
	if n >= 2*filterPart {
		parts = min(runtime.GOMAXPROCS(0), n/filterPart)
	}
	var stale atomic.Bool
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := n*p/parts, n*(p+1)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := newMatcher(f, s.flt, s.shown, zone)
			for r := lo; r < hi; r++ {
				if (r-lo)&4095 == 0 && latest != nil && latest.Load() != seq {
					stale.Store(true)
					return
				}
				pass[r] = m.match(r)
			}
		}()
	}
	wg.Wait()
	if stale.Load() {
		return nil, false
	}
	return pass, true
}

// filterPart is the fewest rows worth a goroutine of their own when filtering.
const filterPart = 32768

// sortRows sorts idx, which must be in ascending row order, by column col: ints,
// floats and times numerically and chronologically, bools false before true,
// strings by plain byte comparison. Nulls go last in both directions. Ties keep
// row order, so the sort is stable.
func sortRows(f *frame.Frame, col int, dir SortDir, idx []int32) []int32 {
	cols := f.Columns()
	if col < 0 || col >= len(cols) || dir == Unsorted {
		return idx
	}
	c := cols[col]
	vals := idx
	var nulls []int32
	if c.Null != nil {
		vals = make([]int32, 0, len(idx))
		for _, r := range idx {
			if c.Null[r] {
				nulls = append(nulls, r)
			} else {
				vals = append(vals, r)
			}
		}
	}
	desc := dir == Descending
	switch c.Kind {
	case frame.Int:
		sortBy(vals, c.Ints, cmp.Compare[int64], desc)
	case frame.Float:
		sortBy(vals, c.Floats, cmp.Compare[float64], desc)
	case frame.Bool:
		sortBy(vals, c.Bools, compareBool, desc)
	case frame.Time:
		sortBy(vals, c.Times, time.Time.Compare, desc)
	default:
		sortBy(vals, c.Strings, strings.Compare, desc)
	}
	return append(vals, nulls...)
}

func sortBy[T any](idx []int32, vals []T, compare func(a, b T) int, desc bool) {
	slices.SortFunc(idx, func(a, b int32) int {
		c := compare(vals[a], vals[b])
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
