package ti

import (
	"cmp"
	"slices"
	"strings"

	"github.com/quarry-sec/quarry/engine/intel"
)

// badProvider is the provider name of the results the engine makes itself for
// indicators it rejects before asking anyone (private addresses, placeholder
// hashes…).
const badProvider = "quarry"

// entry is one provider's result with what its line needs, worked out once.
type entry struct {
	r    intel.Result
	rank int // the provider's place in the display order
	// summary is the details ("key value · key value") or the reason, escaped
	// and shortened; drawn lines cut it to the width.
	summary string
	// line is the drawn line (unselected) for the drawing generation lineGen.
	line    string
	lineGen int
}

// group is the results of one indicator.
type group struct {
	ioc, typ string // as the first result gave them (raw)
	arrival  int    // the group's place in arrival order
	entries  []*entry
	found    int            // results that found the indicator
	worst    intel.Severity // the worst severity of those (unknown when none)
	folded   bool
	// line is the drawn header (unselected) for the drawing generation
	// lineGen; -1 marks it stale.
	line    string
	lineGen int
}

// row is a shown line of the list: a group's header (e nil) or one of its
// provider lines.
type row struct {
	g *group
	e *entry
}

// order is how the groups are sorted.
type order int

// The orders, in the order Order cycles them.
const (
	byArrival order = iota
	byWorst
	byIndicator
	orders
)

// String names the order for the filter line.
func (o order) String() string {
	switch o {
	case byWorst:
		return "worst first"
	case byIndicator:
		return "by indicator"
	}
	return "arrival order"
}

// sevSteps are the lowest severities Severity cycles through; the first shows
// everything, the unknown too.
var sevSteps = [...]intel.Severity{intel.SevUnknown, intel.SevInformation, intel.SevWarning, intel.SevHigh}

// sevStepNames are how the filter line names sevSteps.
var sevStepNames = [...]string{"all severities", "information and above", "warning and above", "high only"}

// filters are what the list shows and in what order.
type filters struct {
	sev       int    // an index into sevSteps
	provider  string // "" for every provider
	foundOnly bool
	order     order
}

// active reports whether any filter hides lines.
func (f filters) active() bool { return f.sev > 0 || f.provider != "" || f.foundOnly }

// shows reports whether the filters let a result's line show.
func (f filters) shows(r *intel.Result) bool {
	switch {
	case f.sev > 0 && r.Severity < sevSteps[f.sev]:
		return false
	case f.provider != "" && r.Provider != f.provider:
		return false
	case f.foundOnly && !r.Found:
		return false
	}
	return true
}

// rankOf is a provider's place in the display order: the engine's own verdicts
// first, then the look-up's providers in their order, then any other after them
// (by name, as the insertion compares names on a tie).
func (m *Model) rankOf(provider string) int {
	if provider == badProvider {
		return -1
	}
	if i, ok := m.rank[provider]; ok {
		return i
	}
	return len(m.providers)
}

// add files a result under its indicator, keeping the group's lines in provider
// order (results of one provider in arrival order), and counts it.
func (m *Model) add(r intel.Result) {
	g := m.byIoc[r.Ioc]
	if g == nil {
		g = &group{ioc: r.Ioc, typ: r.IocType, arrival: len(m.groups), worst: intel.SevUnknown, lineGen: -1}
		m.groups = append(m.groups, g)
		m.byIoc[r.Ioc] = g
	}
	e := &entry{r: r, rank: m.rankOf(r.Provider), summary: summarize(&r), lineGen: -1}
	i := len(g.entries)
	for i > 0 && entryLess(e, g.entries[i-1]) {
		i--
	}
	g.entries = slices.Insert(g.entries, i, e)
	if r.Found {
		if g.found == 0 || r.Severity > g.worst {
			g.worst = r.Severity
		}
		g.found++
	}
	g.lineGen = -1
	m.nResults++
	if !m.seen[r.Provider] {
		m.seen[r.Provider] = true
		m.provW = max(m.provW, min(width(safe(r.Provider)), maxProvW))
	}
	switch {
	case r.Provider == badProvider:
		m.nBad++
	default:
		m.done[r.Provider]++
		m.nAsked++
		if r.Status == intel.StatusError {
			m.errs[r.Provider]++
			m.nErrors++
		}
	}
	m.dirty = true
}

// entryLess orders a group's lines: by provider rank, then provider name.
func entryLess(a, b *entry) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.r.Provider < b.r.Provider
}

// ordered is the groups in the chosen order (stable, arrival breaking ties).
func (m *Model) ordered() []*group {
	if m.f.order == byArrival {
		return m.groups
	}
	m.sorted = append(m.sorted[:0], m.groups...)
	switch m.f.order {
	case byWorst:
		slices.SortStableFunc(m.sorted, func(a, b *group) int { return cmp.Compare(b.worst, a.worst) })
	case byIndicator:
		slices.SortStableFunc(m.sorted, func(a, b *group) int { return strings.Compare(a.ioc, b.ioc) })
	}
	return m.sorted
}

// refresh lays the list out again after results arrive, a filter, the order or
// a fold changes: the shown lines, the counts, and the selection kept on the line
// it was on (its group's header when the line is hidden now), at the same place
// on screen. The work is one pass over the results (and a sort of the groups for
// the other orders), a few microseconds a thousand lines.
func (m *Model) refresh() {
	m.dirty = false
	var sg *group
	var se *entry
	had := m.cur >= 0 && m.cur < len(m.rows)
	off := m.cur - m.top
	if had {
		sg, se = m.rows[m.cur].g, m.rows[m.cur].e
	}
	m.rows = m.rows[:0]
	m.nShown, m.nHigh, m.nWarn = 0, 0, 0
	cur, head := -1, -1
	for _, g := range m.ordered() {
		switch {
		case g.found == 0:
		case g.worst == intel.SevHigh:
			m.nHigh++
		case g.worst == intel.SevWarning:
			m.nWarn++
		}
		start := len(m.rows)
		m.rows = append(m.rows, row{g: g})
		n := 0
		for _, e := range g.entries {
			if !m.f.shows(&e.r) {
				continue
			}
			n++
			if !g.folded {
				if e == se {
					cur = len(m.rows)
				}
				m.rows = append(m.rows, row{g: g, e: e})
			}
		}
		if n == 0 {
			m.rows = m.rows[:start]
			continue
		}
		m.nShown += n
		if g == sg {
			head = start
		}
	}
	if cur < 0 {
		cur = head
	}
	switch {
	case cur >= 0:
		m.cur = cur
		if had {
			m.top = cur - off
		}
	default:
		m.cur = min(m.cur, len(m.rows)-1)
	}
	m.clamp()
}

// selected is the selected line, ok false when the list is empty.
func (m *Model) selected() (row, bool) {
	if m.dirty {
		m.refresh()
	}
	if m.cur < 0 || m.cur >= len(m.rows) {
		return row{}, false
	}
	return m.rows[m.cur], true
}

// providerChoices are what Provider cycles through after "all": the look-up's
// providers in order, then any other provider that answered (the engine's own
// verdicts among them), by name.
func (m *Model) providerChoices() []string {
	out := slices.Clone(m.providers)
	var extra []string
	for p := range m.seen {
		if _, ok := m.rank[p]; !ok {
			extra = append(extra, p)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// fold folds or unfolds a group; the selection goes to its header when it was on
// one of the lines folded away.
func (m *Model) fold(g *group, folded bool) {
	if g.folded == folded {
		return
	}
	g.folded, g.lineGen = folded, -1
	if folded {
		if r, ok := m.selected(); ok && r.g == g {
			m.rows[m.cur].e = nil // refresh finds the header
		}
	}
	m.refresh()
}

// foldAll folds or unfolds every group, the selection going to its group's
// header.
func (m *Model) foldAll(folded bool) {
	if r, ok := m.selected(); ok && folded {
		m.rows[m.cur] = row{g: r.g}
	}
	for _, g := range m.groups {
		if g.folded != folded {
			g.folded, g.lineGen = folded, -1
		}
	}
	m.refresh()
}
