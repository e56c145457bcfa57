package proctree

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// rec is one process event as read from a row (or derived from one).
type rec struct {
	row                        int
	name, pid, ppid, parent    string
	nameLC, baseLC, parentBase string
	t                          time.Time
	cmd, user, host, logon     string
	guid, pguid                string
	pos                        int // position in time order
}

// cell reads column c at row r as text: integral floats as integers (msticpy
// turns float ids into ints), times in the frame's layout, nulls as "".
func cell(c *frame.Column, r int) string {
	if c == nil || c.IsNull(r) {
		return ""
	}
	switch c.Kind {
	case frame.String:
		return c.Strings[r]
	case frame.Int:
		return strconv.FormatInt(c.Ints[r], 10)
	case frame.Float:
		if f := c.Floats[r]; f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10)
		}
		return strconv.FormatFloat(c.Floats[r], 'g', -1, 64)
	case frame.Bool:
		return strconv.FormatBool(c.Bools[r])
	case frame.Time:
		return frame.FormatTime(c.Times[r])
	}
	return ""
}

// cellTime reads a start time: a time column, or text in any form
// frame.ParseTime takes (zero when it cannot be read).
func cellTime(c *frame.Column, r int) time.Time {
	if c == nil || c.IsNull(r) {
		return time.Time{}
	}
	if c.Kind == frame.Time {
		return c.Times[r].UTC()
	}
	t, err := frame.ParseTime(strings.TrimSpace(cell(c, r)))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// normID writes a process id one way: "0x1a4" and "420" are both "420".
func normID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		if v, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(v, 10)
	}
	return strings.ToLower(s)
}

// interner keeps one copy of each derived string: a log has few distinct images
// and pids, so lower-casing or normalising each row anew would allocate a
// million times what a few thousand map reads give.
type interner map[string]string

func (in interner) get(key string, f func(string) string) string {
	if v, ok := in[key]; ok {
		return v
	}
	if len(in) > 1<<20 {
		return f(key)
	}
	v := f(key)
	in[key] = v
	return v
}

func (in interner) id(s string) string { return in.get(s, normID) }

// base is the last element of a path split on either separator, lower-cased.
func base(s string) string {
	if i := strings.LastIndexAny(s, `\/`); i >= 0 {
		s = s[i+1:]
	}
	return strings.ToLower(s)
}

// Build builds the process tree of f read with schema s (nil: inferred from the
// columns). Rows whose event column (when the schema has one and f has it) holds
// another event are skipped, as are exact duplicates. It checks ctx every 64k rows.
func Build(ctx context.Context, f *frame.Frame, s *Schema) (*Tree, error) {
	var sch Schema
	if s == nil {
		var err error
		if sch, err = Infer(f); err != nil {
			return nil, err
		}
	} else {
		sch = *s
		if miss := sch.missing(f); len(miss) > 0 {
			return nil, fmt.Errorf("the %s schema needs columns the data lacks: %s", sch.Name, strings.Join(miss, ", "))
		}
	}
	col := func(name string) *frame.Column { return resolve(f, name) }
	cName, cPID, cPPID, cTime := col(sch.ProcessName), col(sch.ProcessID), col(sch.ParentID), col(sch.TimeStamp)
	cCmd, cUser, cHost, cLogon, cTarget := col(sch.CmdLine), col(sch.User), col(sch.Host), col(sch.LogonID), col(sch.TargetLogonID)
	cParent, cEvent, cGUID, cPGUID := col(sch.ParentName), col(sch.EventIDColumn), col(sch.ProcessGUID), col(sch.ParentGUID)

	recs := make([]rec, 0, f.Len()+f.Len()/16+64) // room for inferred parents
	ids := interner{}
	for r := 0; r < f.Len(); r++ {
		if r&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if cEvent != nil && sch.EventID != "" && !strings.EqualFold(strings.TrimSpace(cell(cEvent, r)), sch.EventID) {
			continue
		}
		name := cell(cName, r)
		rc := rec{row: r, name: name, pid: ids.id(cell(cPID, r)), ppid: ids.id(cell(cPPID, r)), parent: cell(cParent, r),
			t: cellTime(cTime, r), cmd: cell(cCmd, r), user: cell(cUser, r), host: cell(cHost, r),
			guid: strings.ToLower(cell(cGUID, r)), pguid: strings.ToLower(cell(cPGUID, r))}
		rc.logon = effectiveLogon(cell(cLogon, r), cell(cTarget, r))
		recs = append(recs, rc)
	}
	if sch.Name == MDE.Name || sch.Name == MDEInternal.Name {
		recs = append(recs, mdeParents(f, recs)...)
	}
	lowers, bases := interner{}, interner{}
	for i := range recs {
		recs[i].nameLC = lowers.get(recs[i].name, strings.ToLower)
		recs[i].baseLC = bases.get(recs[i].name, base)
		if recs[i].parent != "" {
			recs[i].parentBase = bases.get(recs[i].parent, base)
		}
	}
	sortByTime(recs)
	recs = dedupe(recs)
	return link(ctx, sch, recs, f.Len())
}

// effectiveLogon is msticpy's EffectiveLogonId: the target logon id unless it is
// empty or 0x0, else the subject's.
func effectiveLogon(subject, target string) string {
	t := strings.TrimSpace(target)
	if t != "" && t != "0x0" && t != "0" && !strings.EqualFold(t, "nan") {
		return t
	}
	return strings.TrimSpace(subject)
}

// mdeParents derives the initiating processes (and their parents) that a
// Defender log names in each row as processes of their own, with their real
// start times and command lines, as msticpy's MDE builder does. The public
// (DeviceProcessEvents) and internal column names are both read.
func mdeParents(f *frame.Frame, recs []rec) []rec {
	c := func(n string) *frame.Column { return resolve(f, n) }
	cName, cPID, cTime := c("InitiatingProcessFileName|InitiatingProcessName"), c("InitiatingProcessId"), c("InitiatingProcessCreationTime")
	if cName == nil || cPID == nil || cTime == nil {
		return nil
	}
	cCmd, cUser := c("InitiatingProcessCommandLine"), c("InitiatingProcessAccountName")
	cFolder, cHost := c("InitiatingProcessFolderPath|InitiatingProcessImageFilePath"), c("DeviceName|ComputerDnsName")
	cPPID, cPName := c("InitiatingProcessParentId|InitiatingProcessParentProcessId"), c("InitiatingProcessParentFileName|InitiatingProcessParentProcessName")
	cPTime := c("InitiatingProcessParentCreationTime")
	var out []rec
	for _, rc := range recs {
		r := rc.row
		name := cell(cFolder, r)
		if short := cell(cName, r); name == "" || !strings.HasSuffix(strings.ToLower(name), strings.ToLower(short)) {
			name = short
		}
		if name == "" {
			continue
		}
		ppid, pname, host := normID(cell(cPPID, r)), cell(cPName, r), cell(cHost, r)
		out = append(out, rec{row: -1, name: name, pid: normID(cell(cPID, r)), ppid: ppid,
			parent: pname, t: cellTime(cTime, r), cmd: cell(cCmd, r), user: cell(cUser, r), host: host, logon: rc.logon})
		if pt := cellTime(cPTime, r); !pt.IsZero() && ppid != "" && pname != "" {
			out = append(out, rec{row: -1, name: pname, pid: ppid, t: pt, host: host, logon: rc.logon})
		}
	}
	return out
}

// sortByTime puts recs in start-time order, in place (logs usually arrive
// sorted, and then nothing moves): a stable sort of indexes, then the
// permutation applied by following its cycles, so no second copy of the
// records is made.
func sortByTime(recs []rec) {
	n := len(recs)
	less := func(a, b int) bool { return recs[a].t.Before(recs[b].t) }
	sorted := true
	for i := 1; i < n && sorted; i++ {
		sorted = !less(i, i-1)
	}
	if sorted {
		return
	}
	nanos := make([]int64, n)
	order := make([]int32, n)
	for i := range recs {
		nanos[i] = recs[i].t.UnixNano()
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(nanos[a], nanos[b]) })
	// Position k takes recs[order[k]]: follow each cycle once.
	for k := range order {
		if order[k] < 0 || int(order[k]) == k {
			continue
		}
		tmp := recs[k]
		j := k
		for {
			src := int(order[j])
			order[j] = -1
			if src == k {
				recs[j] = tmp
				break
			}
			recs[j] = recs[src]
			j = src
		}
	}
}

// dedupe drops repeats of one process (host, pid, image base name, start) from
// time-sorted recs, in place, keeping the first (rows come before derived
// parents) and filling what it lacks from the repeats: a full image path for a
// bare name, a command line, a parent. Repeats share a start time, so only
// records of equal time are compared.
func dedupe(recs []rec) []rec {
	out := recs[:0]
	group := 0 // where the current run of equal start times begins in out
	type key struct{ host, pid, name string }
	var big map[key]int
	for i := range recs {
		rc := recs[i]
		if len(out) == 0 || !out[len(out)-1].t.Equal(rc.t) {
			group = len(out)
			big = nil
		}
		at := -1
		if len(out)-group > 32 {
			// A large run of one time (a log with coarse or missing times): a map.
			if big == nil {
				big = map[key]int{}
				for j := group; j < len(out); j++ {
					big[key{out[j].host, out[j].pid, out[j].baseLC}] = j
				}
			}
			if j, ok := big[key{rc.host, rc.pid, rc.baseLC}]; ok {
				at = j
			}
		} else {
			for j := group; j < len(out); j++ {
				if out[j].pid == rc.pid && out[j].baseLC == rc.baseLC && out[j].host == rc.host {
					at = j
					break
				}
			}
		}
		if at < 0 {
			out = append(out, rc)
			if big != nil {
				big[key{rc.host, rc.pid, rc.baseLC}] = len(out) - 1
			}
			continue
		}
		kept := &out[at]
		if !strings.ContainsAny(kept.name, `\/`) && strings.ContainsAny(rc.name, `\/`) {
			kept.name, kept.nameLC = rc.name, rc.nameLC
		}
		if kept.cmd == "" {
			kept.cmd = rc.cmd
		}
		if kept.ppid == "" {
			kept.ppid, kept.parent, kept.parentBase = rc.ppid, rc.parent, rc.parentBase
		}
		if kept.user == "" {
			kept.user = rc.user
		}
		if kept.row < 0 && rc.row >= 0 {
			kept.row = rc.row
		}
	}
	clear(recs[len(out):])
	return out
}

// link finds each process's parent and lays the tree out. inputRows is the input
// frame's length: processes not in it get source indexes after it.
func link(ctx context.Context, sch Schema, recs []rec, inputRows int) (*Tree, error) {
	// recs are in time order: a process's position is its index.
	n := len(recs)
	order := make([]int, n)
	for i := range order {
		order[i] = i
		recs[i].pos = i
	}
	// Processes by host and pid, in time order.
	type hostPID struct{ host, pid string }
	byPID := make(map[hostPID][]int, n/4)
	var byGUID map[string]int
	for _, i := range order {
		k := hostPID{recs[i].host, recs[i].pid}
		byPID[k] = append(byPID[k], i)
		if recs[i].guid != "" {
			if byGUID == nil {
				byGUID = map[string]int{}
			}
			byGUID[recs[i].guid] = i
		}
	}
	parent := make([]int, n, n+n/8)
	type inferredKey struct{ host, ppid, name string }
	inferred := map[inferredKey]int{}
	var extra []rec
	for p, i := range order {
		if p&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rc := &recs[i]
		parent[i] = -1
		if rc.pguid != "" {
			if j, ok := byGUID[rc.pguid]; ok && j != i && recs[j].pos < rc.pos {
				parent[i] = j
				continue
			}
		}
		if rc.ppid == "" {
			continue
		}
		cands := byPID[hostPID{rc.host, rc.ppid}]
		// The latest candidate that started before this process…
		k := sort.Search(len(cands), func(k int) bool { return recs[cands[k]].pos >= rc.pos }) - 1
		// …whose image is the parent's name, when the log names the parent.
		for tries := 0; k >= 0 && tries < 64; k, tries = k-1, tries+1 {
			if rc.parentBase == "" || recs[cands[k]].baseLC == rc.parentBase {
				parent[i] = cands[k]
				break
			}
		}
		if parent[i] >= 0 {
			continue
		}
		ik := inferredKey{rc.host, rc.ppid, rc.parentBase}
		j, ok := inferred[ik]
		if !ok {
			name := rc.parent
			if name == "" {
				name = "unknown"
			}
			j = n + len(extra)
			inferred[ik] = j
			extra = append(extra, rec{row: -1, name: name, nameLC: strings.ToLower(name), baseLC: base(name),
				pid: rc.ppid, host: rc.host, logon: rc.logon, pos: -1})
			parent = append(parent, -1)
		}
		parent[i] = j
	}
	recs = append(recs, extra...)
	return layout(sch, recs, parent, order, inputRows), nil
}

// layout orders the processes depth-first (roots and children by start time) and
// fills in keys, depths and source indexes. order is the real processes in time
// order; recs past them are inferred parents.
func layout(sch Schema, recs []rec, parent []int, order []int, inputRows int) *Tree {
	n := len(recs)
	// Children in time order, counted then placed in one shared array.
	start := make([]int, n+1)
	for _, i := range order {
		if p := parent[i]; p >= 0 {
			start[p+1]++
		}
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	kids := make([]int, start[n])
	fill := make([]int, n)
	first := make([]int, n) // a root sorts by its start, an inferred one by its first child's
	for i := range first {
		first[i] = recs[i].pos
	}
	for _, i := range order {
		if p := parent[i]; p >= 0 {
			kids[start[p]+fill[p]] = i
			fill[p]++
			if recs[p].pos < 0 && first[p] < 0 {
				first[p] = recs[i].pos
			}
		}
	}
	var roots []int
	for i := range recs {
		if parent[i] < 0 {
			roots = append(roots, i)
		}
	}
	slices.SortStableFunc(roots, func(a, b int) int { return first[a] - first[b] })

	src := make([]int, n) // msticpy's source index: the input row, or after them
	next := inputRows
	for i := range recs {
		if recs[i].row >= 0 {
			src[i] = recs[i].row
		} else {
			src[i] = next
			next++
		}
	}
	t := &Tree{Schema: sch, Procs: make([]Proc, 0, n)}
	children := make([]int, len(kids)) // every Proc.Children is a window of this
	type frameT struct{ rec, parent, depth int }
	stack := make([]frameT, 0, 64)
	for k := len(roots) - 1; k >= 0; k-- {
		stack = append(stack, frameT{roots[k], -1, 0})
	}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		rc := &recs[top.rec]
		idx := len(t.Procs)
		ks := kids[start[top.rec]:start[top.rec+1]]
		pr := Proc{Row: rc.row, Name: rc.name, PID: rc.pid, PPID: rc.ppid, Time: rc.t, CmdLine: rc.cmd, User: rc.user,
			Host: rc.host, LogonID: rc.logon, ParentName: rc.parent, Parent: top.parent, Depth: top.depth,
			Inferred: rc.pos < 0, Source: src[top.rec], Key: procKey(rc.nameLC, rc.pid, rc.t)}
		if len(ks) > 0 {
			pr.Children = children[start[top.rec]:start[top.rec]:start[top.rec+1]]
		}
		if top.parent >= 0 {
			pp := &t.Procs[top.parent]
			pr.ParentKey = pp.Key
			pp.Children = append(pp.Children, idx)
		} else {
			t.Roots = append(t.Roots, idx)
		}
		t.Procs = append(t.Procs, pr)
		for k := len(ks) - 1; k >= 0; k-- {
			stack = append(stack, frameT{ks[k], idx, top.depth + 1})
		}
	}
	return t
}

// procKey is msticpy's proc_key: name|pid|time, the time to 10 µs.
func procKey(nameLC, pid string, t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	t = t.UTC().Round(10 * time.Microsecond)
	var ts [32]byte
	stamp := t.AppendFormat(ts[:0], "2006-01-02 15:04:05.000000")
	var b strings.Builder
	b.Grow(len(nameLC) + len(pid) + 2 + len(stamp))
	b.WriteString(nameLC)
	b.WriteByte('|')
	b.WriteString(pid)
	b.WriteByte('|')
	b.Write(stamp)
	return b.String()
}
