package proctree

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"path"
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Rule is one suspicion rule, as written in YAML. A process matches when every
// condition the rule gives matches (conditions left empty are ignored); a rule
// must give at least one condition.
type Rule struct {
	// Name identifies the rule ("encoded-powershell"); a user rule with the name
	// of a default rule replaces it (see Merge).
	Name string `yaml:"name"`
	// Description says what the rule looks for and why.
	Description string `yaml:"description"`
	// Severity is "low", "medium" or "high".
	Severity string `yaml:"severity"`
	// Image lists base names of the process image, case-insensitive; a name with
	// *, ? or [ is a path.Match glob on the lower-cased base name ("*.tmp").
	Image []string `yaml:"image"`
	// Parent lists base names of the parent's image: the parent Proc's Name, or
	// the child's ParentName when the parent is inferred or absent.
	Parent []string `yaml:"parent"`
	// Ancestor lists base names any ancestor (parent, grandparent, …) may have.
	Ancestor []string `yaml:"ancestor"`
	// CmdLine lists Go (RE2) regular expressions, any of which must match the
	// command line. They are case-insensitive unless they turn it off with (?-i).
	CmdLine []string `yaml:"cmdline"`
	// PathContains lists case-insensitive substrings of the full image path
	// (`\users\public\`, `/dev/shm/`), any of which must occur.
	PathContains []string `yaml:"path"`
	// User lists user names, case-insensitive. "DOMAIN\name" and "name@domain"
	// users also match by their bare name.
	User []string `yaml:"user"`
}

// Rules is a compiled, immutable set of rules, safe for concurrent use.
type Rules struct {
	rules []*rule
	words int // bitset words: one bit per rule
	// Bits of the rules that do not give a condition (so it always passes).
	noImagePath, noParent, noAncestor, noUser []uint64
	anyParent, anyAncestor, anyUser           bool
	// scan finds the prefilter literals of all command-line patterns in one
	// pass; filters[k][j] is the set (over scan's literals) of rule k's
	// pattern j, nil when the pattern has no prefilter.
	scan    *litScanner
	filters [][][]uint64
}

type rule struct {
	src                     Rule
	mark                    Mark
	image, parent, ancestor nameSet
	path                    []string
	users                   map[string]bool
	cmd                     []cmdPattern
	hasImagePath            bool
}

// nameSet matches lower-cased base names exactly or by glob.
type nameSet struct {
	exact map[string]bool
	globs []string
}

func (s *nameSet) empty() bool { return len(s.exact) == 0 && len(s.globs) == 0 }

func (s *nameSet) match(base string) bool {
	if base == "" {
		return false
	}
	if s.exact[base] {
		return true
	}
	for _, g := range s.globs {
		if ok, _ := path.Match(g, base); ok {
			return true
		}
	}
	return false
}

// cmdPattern is a command-line regexp with a cheap prefilter: when lits is
// non-nil, the lower-cased text of every match in ASCII text contains one of them.
type cmdPattern struct {
	re   *regexp.Regexp
	lits []string
}

//go:embed rules.yaml
var defaultRulesYAML []byte

var defaultRules = sync.OnceValue(func() *Rules {
	r, err := LoadRules(defaultRulesYAML)
	if err != nil {
		panic("proctree: embedded rules.yaml: " + err.Error()) // tested not to happen
	}
	return r
})

// DefaultRules returns the built-in rules (rules.yaml in this package).
func DefaultRules() *Rules { return defaultRules() }

// ruleFields are the YAML keys a rule may have.
var ruleFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[Rule]()
	for i := range t.NumField() {
		m[strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]] = true
	}
	return m
}()

// LoadRules reads rules from YAML: a mapping whose "rules" key holds a list of
// rules. Errors name the rule and the field at fault.
func LoadRules(yamlText []byte) (*Rules, error) {
	var doc struct {
		Rules []yaml.Node `yaml:"rules"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(yamlText))
	dec.KnownFields(true)
	// Empty text (io.EOF) is no rules.
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("proctree rules: %w", err)
	}
	list := make([]*rule, 0, len(doc.Rules))
	seen := map[string]bool{}
	for i := range doc.Rules {
		n := &doc.Rules[i]
		ru, err := decodeRule(n, i)
		if err != nil {
			return nil, err
		}
		if seen[ru.src.Name] {
			return nil, fmt.Errorf("proctree rules: rule %q (line %d): name used twice", ru.src.Name, n.Line)
		}
		seen[ru.src.Name] = true
		list = append(list, ru)
	}
	return newRules(list), nil
}

func decodeRule(n *yaml.Node, i int) (*rule, error) {
	label := fmt.Sprintf("rule #%d", i+1)
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("proctree rules: %s (line %d): want a mapping of fields", label, n.Line)
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if n.Content[k].Value == "name" && n.Content[k+1].Kind == yaml.ScalarNode && strings.TrimSpace(n.Content[k+1].Value) != "" {
			label = fmt.Sprintf("rule %q", strings.TrimSpace(n.Content[k+1].Value))
		}
	}
	for k := 0; k+1 < len(n.Content); k += 2 {
		if key := n.Content[k]; !ruleFields[key.Value] {
			return nil, fmt.Errorf("proctree rules: %s (line %d): unknown field %q", label, key.Line, key.Value)
		}
	}
	var src Rule
	if err := n.Decode(&src); err != nil {
		return nil, fmt.Errorf("proctree rules: %s: %w", label, err)
	}
	ru, err := compileRule(src)
	if err != nil {
		return nil, fmt.Errorf("proctree rules: %s (line %d): %w", label, n.Line, err)
	}
	return ru, nil
}

// compileRule checks and compiles one rule; errors name the field.
func compileRule(src Rule) (*rule, error) {
	src.Name = strings.TrimSpace(src.Name)
	if src.Name == "" {
		return nil, errors.New("name: missing")
	}
	src.Description = strings.TrimSpace(src.Description)
	src.Severity = strings.ToLower(strings.TrimSpace(src.Severity))
	switch src.Severity {
	case "low", "medium", "high":
	default:
		return nil, fmt.Errorf("severity: %q is not low, medium or high", src.Severity)
	}
	if len(src.Image)+len(src.Parent)+len(src.Ancestor)+len(src.CmdLine)+len(src.PathContains)+len(src.User) == 0 {
		return nil, errors.New("no conditions: give at least one of image, parent, ancestor, cmdline, path, user")
	}
	ru := &rule{src: src, mark: Mark{Rule: src.Name, Severity: src.Severity, Description: src.Description}}
	var err error
	if ru.image, err = compileNames("image", src.Image); err != nil {
		return nil, err
	}
	if ru.parent, err = compileNames("parent", src.Parent); err != nil {
		return nil, err
	}
	if ru.ancestor, err = compileNames("ancestor", src.Ancestor); err != nil {
		return nil, err
	}
	for j, p := range src.PathContains {
		p = strings.ToLower(p)
		if p == "" {
			return nil, fmt.Errorf("path[%d]: empty", j)
		}
		ru.path = append(ru.path, p)
	}
	for j, u := range src.User {
		u = strings.ToLower(strings.TrimSpace(u))
		if u == "" {
			return nil, fmt.Errorf("user[%d]: empty", j)
		}
		if ru.users == nil {
			ru.users = map[string]bool{}
		}
		ru.users[u] = true
	}
	for j, expr := range src.CmdLine {
		if expr == "" {
			return nil, fmt.Errorf("cmdline[%d]: empty", j)
		}
		re, err := regexp.Compile("(?i)" + expr)
		if err != nil {
			return nil, fmt.Errorf("cmdline[%d] %q: %w", j, expr, err)
		}
		ru.cmd = append(ru.cmd, cmdPattern{re: re, lits: requiredLiterals("(?i)" + expr)})
	}
	ru.hasImagePath = !ru.image.empty() || len(ru.path) > 0
	return ru, nil
}

func compileNames(field string, names []string) (nameSet, error) {
	var s nameSet
	for j, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case n == "":
			return s, fmt.Errorf("%s[%d]: empty", field, j)
		case strings.ContainsAny(n, `\/`):
			return s, fmt.Errorf("%s[%d] %q: want a base name, not a path", field, j, n)
		case strings.ContainsAny(n, "*?["):
			if _, err := path.Match(n, "x"); err != nil {
				return s, fmt.Errorf("%s[%d] %q: bad glob: %w", field, j, n, err)
			}
			s.globs = append(s.globs, n)
		default:
			if s.exact == nil {
				s.exact = map[string]bool{}
			}
			s.exact[n] = true
		}
	}
	return s, nil
}

func newRules(list []*rule) *Rules {
	r := &Rules{rules: list, words: (len(list) + 63) / 64}
	r.scan, r.filters = newLitScanner(list)
	r.noImagePath = make([]uint64, r.words)
	r.noParent = make([]uint64, r.words)
	r.noAncestor = make([]uint64, r.words)
	r.noUser = make([]uint64, r.words)
	for k, ru := range list {
		w, b := k/64, uint64(1)<<(k%64)
		if !ru.hasImagePath {
			r.noImagePath[w] |= b
		}
		if ru.parent.empty() {
			r.noParent[w] |= b
		} else {
			r.anyParent = true
		}
		if ru.ancestor.empty() {
			r.noAncestor[w] |= b
		} else {
			r.anyAncestor = true
		}
		if len(ru.users) == 0 {
			r.noUser[w] |= b
		} else {
			r.anyUser = true
		}
	}
	return r
}

// Merge returns the rules of r followed by those of other (user rules after the
// defaults); a rule of other with the name of a rule of r replaces it in place.
// Neither r nor other changes.
func (r *Rules) Merge(other *Rules) *Rules {
	var list []*rule
	if r != nil {
		list = slices.Clone(r.rules)
	}
	if other != nil {
		at := make(map[string]int, len(list))
		for i, ru := range list {
			at[ru.src.Name] = i
		}
		for _, ru := range other.rules {
			if i, ok := at[ru.src.Name]; ok {
				list[i] = ru
				continue
			}
			at[ru.src.Name] = len(list)
			list = append(list, ru)
		}
	}
	return newRules(list)
}

// Names returns the rule names in order.
func (r *Rules) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r.rules))
	for i, ru := range r.rules {
		out[i] = ru.src.Name
	}
	return out
}

// nameInfo is what the rules make of one image name, computed once per distinct
// name in a Mark call.
type nameInfo struct {
	self     []uint64 // rules whose image and path conditions pass for a process with this image
	parent   []uint64 // rules whose parent list names this image
	ancestor []uint64 // rules whose ancestor list names this image
}

// marker holds the per-call caches of Mark.
type marker struct {
	r     *Rules
	names map[string]*nameInfo
	users map[string][]uint64
}

func (m *marker) info(name string) *nameInfo {
	if ni, ok := m.names[name]; ok {
		return ni
	}
	r := m.r
	w := r.words
	buf := make([]uint64, 3*w)
	ni := &nameInfo{self: buf[:w:w], parent: buf[w : 2*w : 2*w], ancestor: buf[2*w:]}
	full := strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	b := full
	if i := strings.LastIndexAny(b, `\/`); i >= 0 {
		b = b[i+1:]
	}
	for k, ru := range r.rules {
		word, bit := k/64, uint64(1)<<(k%64)
		if (ru.image.empty() || ru.image.match(b)) && (len(ru.path) == 0 || containsAny(full, ru.path)) {
			ni.self[word] |= bit
		}
		if ru.parent.match(b) {
			ni.parent[word] |= bit
		}
		if ru.ancestor.match(b) {
			ni.ancestor[word] |= bit
		}
	}
	m.names[name] = ni
	return ni
}

func (m *marker) user(u string) []uint64 {
	if hit, ok := m.users[u]; ok {
		return hit
	}
	hit := make([]uint64, m.r.words)
	lu := strings.ToLower(strings.TrimSpace(u))
	bare := lu
	if i := strings.LastIndexByte(bare, '\\'); i >= 0 {
		bare = bare[i+1:]
	}
	if i := strings.IndexByte(bare, '@'); i >= 0 {
		bare = bare[:i]
	}
	for k, ru := range m.r.rules {
		if lu != "" && (ru.users[lu] || ru.users[bare]) {
			hit[k/64] |= 1 << (k % 64)
		}
	}
	m.users[u] = hit
	return hit
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// parentInfo is the image name a process's parent conditions look at: the
// parent Proc's Name, or the process's ParentName when the parent is inferred
// (the log's own name for it) or absent.
func (m *marker) parentInfo(procs []Proc, infos []*nameInfo, i int) *nameInfo {
	p := &procs[i]
	if j := p.Parent; j >= 0 && j < len(procs) && j != i {
		if procs[j].Inferred && p.ParentName != "" {
			return m.info(p.ParentName)
		}
		if procs[j].Name != "" {
			return infos[j]
		}
	}
	if p.ParentName != "" {
		return m.info(p.ParentName)
	}
	return nil
}

// Mark sets the Marks of every process of t to the rules it matches, in rule
// order, clearing earlier marks. It reads each distinct image name once and runs
// a rule's regular expressions only on processes that pass its other conditions,
// only when the literals a pattern needs are present (one scan of the command
// line finds them all), and once per distinct command line.
func (r *Rules) Mark(t *Tree) {
	if t == nil {
		return
	}
	procs := t.Procs
	for i := range procs {
		procs[i].Marks = nil
	}
	if r == nil || len(r.rules) == 0 || len(procs) == 0 {
		return
	}
	n, w := len(procs), r.words
	m := &marker{r: r, names: make(map[string]*nameInfo, 1024), users: map[string][]uint64{}}
	infos := make([]*nameInfo, n)
	for i := range procs {
		infos[i] = m.info(procs[i].Name)
	}
	var pinfos []*nameInfo
	if r.anyParent || r.anyAncestor {
		pinfos = make([]*nameInfo, n)
		for i := range procs {
			pinfos[i] = m.parentInfo(procs, infos, i)
		}
	}
	var anc []uint64
	if r.anyAncestor {
		anc = ancestorBits(procs, pinfos, w)
	}

	cand := make([]uint64, w)
	cmd := cmdState{scan: r.scan, present: make([]uint64, r.scan.words), cache: map[cmdKey]bool{}}
	for i := range procs {
		p := &procs[i]
		self := infos[i].self
		var userHit []uint64
		if r.anyUser {
			userHit = m.user(p.User)
		}
		var some uint64
		for k := 0; k < w; k++ {
			c := self[k]
			if r.anyParent {
				ph := uint64(0)
				if pi := pinfos[i]; pi != nil {
					ph = pi.parent[k]
				}
				c &= r.noParent[k] | ph
			}
			if r.anyAncestor {
				c &= r.noAncestor[k] | anc[i*w+k]
			}
			if r.anyUser {
				c &= r.noUser[k] | userHit[k]
			}
			cand[k] = c
			some |= c
		}
		if some == 0 {
			continue
		}
		cmd.reset(p.CmdLine)
		for k, c := range cand {
			for c != 0 {
				b := bits.TrailingZeros64(c)
				c &= c - 1
				x := k*64 + b
				ru := r.rules[x]
				if len(ru.cmd) > 0 && !cmd.match(x, ru.cmd, r.filters[x]) {
					continue
				}
				p.Marks = append(p.Marks, ru.mark)
			}
		}
	}
}

// ancestorBits returns, for each process (w words each), the rules whose
// ancestor list names one of its ancestors. It works in any order of Procs and
// stops at a cycle.
func ancestorBits(procs []Proc, pinfos []*nameInfo, w int) []uint64 {
	n := len(procs)
	anc := make([]uint64, n*w)
	state := make([]uint8, n) // 0 to do, 1 on the stack, 2 done
	var stack []int
	parentOf := func(i int) int {
		if j := procs[i].Parent; j >= 0 && j < n && j != i {
			return j
		}
		return -1
	}
	for i := range procs {
		if state[i] != 0 {
			continue
		}
		stack = stack[:0]
		for j := i; j >= 0 && state[j] == 0; j = parentOf(j) {
			state[j] = 1
			stack = append(stack, j)
		}
		for s := len(stack) - 1; s >= 0; s-- {
			x := stack[s]
			dst := anc[x*w : x*w+w]
			if pi := pinfos[x]; pi != nil {
				copy(dst, pi.ancestor)
			}
			if j := parentOf(x); j >= 0 && state[j] == 2 {
				for k := range dst {
					dst[k] |= anc[j*w+k]
				}
			}
			state[x] = 2
		}
	}
	return anc
}

// cmdState is the command line of the process being marked and, found on
// first need, which prefilter literals it holds. cache keeps the regexp
// verdicts on command lines already seen (logs repeat them a lot).
type cmdState struct {
	s       string
	scan    *litScanner
	present []uint64
	scanned bool
	ascii   bool
	cache   map[cmdKey]bool
}

type cmdKey struct {
	rule int
	cmd  string
}

// maxCmdCache bounds the verdicts cached in one Mark call.
const maxCmdCache = 1 << 18

func (c *cmdState) reset(s string) { c.s, c.scanned = s, false }

// maybe reports whether pattern j may match: it has no prefilter, or the
// text is not ASCII, or one of its literals is present.
func (c *cmdState) maybe(filter []uint64) bool {
	if filter == nil {
		return true
	}
	if !c.scanned {
		c.scanned = true
		c.ascii = c.scan.find(c.s, c.present)
	}
	return !c.ascii || intersects(filter, c.present)
}

// match reports whether any of rule x's patterns matches the command line,
// running only the regexps whose prefilter passes.
func (c *cmdState) match(x int, pats []cmdPattern, filters [][]uint64) bool {
	j := 0
	for j < len(pats) && !c.maybe(filters[j]) {
		j++
	}
	if j == len(pats) {
		return false
	}
	key := cmdKey{x, c.s}
	if v, ok := c.cache[key]; ok {
		return v
	}
	v := false
	for ; j < len(pats); j++ {
		if c.maybe(filters[j]) && pats[j].re.MatchString(c.s) {
			v = true
			break
		}
	}
	if len(c.cache) < maxCmdCache {
		c.cache[key] = v
	}
	return v
}

func intersects(a, b []uint64) bool {
	for i := range a {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

// litScanner finds which of a set of lower-case ASCII literals occur in a
// text, ignoring ASCII case, in one pass: a bitmap of the literals' first two
// bytes rules out most positions before any comparison.
type litScanner struct {
	lits    []string
	words   int
	one     [256][]uint16 // one-byte literals, by byte
	hasOne  bool
	pair    [1024]uint64  // bit b1<<8|b2 is set when a longer literal starts b1 b2
	byFirst [256][]uint16 // longer literals, by first byte
}

// newLitScanner numbers the distinct prefilter literals of the rules' patterns
// and returns each pattern's set of literal numbers.
func newLitScanner(list []*rule) (*litScanner, [][][]uint64) {
	sc := &litScanner{}
	id := map[string]uint16{}
	for _, ru := range list {
		for _, p := range ru.cmd {
			for _, l := range p.lits {
				if _, ok := id[l]; !ok && len(sc.lits) < 1<<16 {
					id[l] = uint16(len(sc.lits))
					sc.lits = append(sc.lits, l)
				}
			}
		}
	}
	sc.words = (len(sc.lits) + 63) / 64
	for n, l := range sc.lits {
		if len(l) == 1 {
			sc.one[l[0]] = append(sc.one[l[0]], uint16(n))
			sc.hasOne = true
			continue
		}
		b := uint16(l[0])<<8 | uint16(l[1])
		sc.pair[b>>6] |= 1 << (b & 63)
		sc.byFirst[l[0]] = append(sc.byFirst[l[0]], uint16(n))
	}
	filters := make([][][]uint64, len(list))
	for k, ru := range list {
		filters[k] = make([][]uint64, len(ru.cmd))
		for j, p := range ru.cmd {
			if p.lits == nil {
				continue
			}
			f := make([]uint64, sc.words)
			for _, l := range p.lits {
				n, ok := id[l]
				if !ok { // more than 65536 literals: no prefilter
					f = nil
					break
				}
				f[n/64] |= 1 << (n % 64)
			}
			filters[k][j] = f
		}
	}
	return sc, filters
}

// find sets in present the literals that occur in s. It reports false, leaving
// present incomplete, when s is not ASCII.
func (sc *litScanner) find(s string, present []uint64) bool {
	clear(present)
	if len(s) == 0 {
		return true
	}
	c := lowerTab[s[0]]
	if c >= utf8.RuneSelf {
		return false
	}
	for i := 1; i < len(s); i++ {
		d := lowerTab[s[i]]
		if d >= utf8.RuneSelf {
			return false
		}
		if b := uint16(c)<<8 | uint16(d); sc.pair[b>>6]&(1<<(b&63)) != 0 {
			for _, x := range sc.byFirst[c] {
				if l := sc.lits[x]; l[1] == d && hasPrefixLower(s[i+1:], l[2:]) {
					present[x/64] |= 1 << (x % 64)
				}
			}
		}
		c = d
	}
	if sc.hasOne {
		for i := 0; i < len(s); i++ {
			for _, x := range sc.one[lowerTab[s[i]]] {
				present[x/64] |= 1 << (x % 64)
			}
		}
	}
	return true
}

// hasPrefixLower reports whether s starts with lit ignoring ASCII case (lit is lower-case).
func hasPrefixLower(s, lit string) bool {
	if len(s) < len(lit) {
		return false
	}
	for j := 0; j < len(lit); j++ {
		if lowerTab[s[j]] != lit[j] {
			return false
		}
	}
	return true
}

// maxLits bounds the literal sets of the prefilter analysis.
const maxLits = 16

// litInfo is what the prefilter analysis knows of a regexp node, on ASCII text
// lower-cased: exact, when not nil, holds every string the node can match;
// req, when not nil, holds strings one of which every match contains.
type litInfo struct {
	exact, req []string
}

// requiredLiterals returns lower-case ASCII strings one of which occurs in the
// lower-cased text of every match of expr in ASCII text, or nil when it cannot
// name any. (Only ASCII text is prefiltered: with case folding some non-ASCII
// runes, such as the Kelvin sign, match ASCII letters, and the reverse.)
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return reqOf(analyze(re.Simplify()))
}

// reqOf is the best required set of a node: its exact strings or its req.
func reqOf(in litInfo) []string {
	best := in.req
	if in.exact != nil && !slices.Contains(in.exact, "") {
		best = pickLits(best, in.exact)
	}
	return best
}

func analyze(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return litInfo{exact: []string{""}}
	case syntax.OpLiteral:
		// A rune that cannot match ASCII text splits the literal; the longest
		// ASCII piece is then required.
		var b strings.Builder
		var best []string
		whole := true
		for _, r := range re.Rune {
			c, ok := asciiLower(r, re.Flags&syntax.FoldCase != 0)
			if !ok {
				whole = false
				best = pickLits(best, nonEmpty([]string{b.String()}))
				b.Reset()
				continue
			}
			b.WriteByte(c)
		}
		s := b.String()
		if whole {
			return litInfo{exact: []string{s}, req: []string{s}}
		}
		return litInfo{req: pickLits(best, nonEmpty([]string{s}))}
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], min(re.Rune[i+1], utf8.RuneSelf-1)
			if hi-lo > 2*maxLits {
				return litInfo{}
			}
			for r := lo; r <= hi; r++ {
				set = append(set, string(lowerTab[r]))
			}
		}
		set = minimize(set)
		if len(set) == 0 || len(set) > maxLits/2 {
			return litInfo{}
		}
		return litInfo{exact: set, req: set}
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpQuest:
		sub := analyze(re.Sub[0])
		if sub.exact == nil || len(sub.exact) >= maxLits {
			return litInfo{}
		}
		return litInfo{exact: minimizeExact(append(slices.Clone(sub.exact), ""))}
	case syntax.OpPlus:
		return litInfo{req: reqOf(analyze(re.Sub[0]))}
	case syntax.OpRepeat:
		sub := analyze(re.Sub[0])
		if re.Min == 1 && re.Max == 1 {
			return sub
		}
		if re.Min >= 1 {
			return litInfo{req: reqOf(sub)}
		}
	case syntax.OpAlternate:
		var exact, req []string
		exactOK, reqOK := true, true
		for _, s := range re.Sub {
			in := analyze(s)
			if in.exact == nil {
				exactOK = false
			} else {
				exact = append(exact, in.exact...)
			}
			if r := reqOf(in); r == nil {
				reqOK = false
			} else {
				req = append(req, r...)
			}
		}
		var out litInfo
		if exactOK {
			if exact = minimizeExact(exact); len(exact) <= maxLits {
				out.exact = exact
			}
		}
		if reqOK {
			if req = minimize(req); len(req) <= maxLits {
				out.req = req
			}
		}
		return out
	case syntax.OpConcat:
		// Runs of children with exact strings multiply out into longer literals
		// while the product stays small; every run and every other child's
		// required set is a candidate, and the best one wins.
		var best []string
		run := []string{""}
		whole := true // exact strings of the whole concatenation
		for _, s := range re.Sub {
			in := analyze(s)
			if in.exact == nil {
				whole = false
				best = pickLits(best, nonEmpty(run))
				best = pickLits(best, in.req)
				run = []string{""}
				continue
			}
			best = pickLits(best, in.req)
			if prod := cross(run, in.exact); prod != nil {
				run = prod
				continue
			}
			whole = false
			best = pickLits(best, nonEmpty(run))
			run = in.exact
		}
		best = pickLits(best, nonEmpty(run))
		if whole {
			return litInfo{exact: run, req: best}
		}
		return litInfo{req: best}
	}
	return litInfo{}
}

// asciiLower is the lower-case ASCII byte that r (or, folding case, a rune of
// its fold orbit) can match in ASCII text.
func asciiLower(r rune, fold bool) (byte, bool) {
	if r < utf8.RuneSelf {
		return lowerTab[r], true
	}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf {
				return lowerTab[f], true
			}
		}
	}
	return 0, false
}

// cross is every a followed by every b, nil when that would be more than maxLits.
func cross(a, b []string) []string {
	if len(a)*len(b) > maxLits {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return minimizeExact(out)
}

// nonEmpty is a required set made of exact strings, nil when one is empty.
func nonEmpty(exact []string) []string {
	if slices.Contains(exact, "") {
		return nil
	}
	return minimize(exact)
}

func minimizeExact(ss []string) []string {
	ss = slices.Clone(ss)
	slices.Sort(ss)
	return slices.Compact(ss)
}

// minimize sorts and dedupes a required set and drops the strings that contain
// another member (the shorter one is present whenever they are).
func minimize(ss []string) []string {
	ss = minimizeExact(ss)
	out := ss[:0:0]
	for _, s := range ss {
		redundant := false
		for _, t := range ss {
			if t != s && strings.Contains(s, t) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, s)
		}
	}
	return out
}

// pickLits returns the better required set: the one whose shortest literal is
// longer, then the smaller one. nil is no set.
func pickLits(a, b []string) []string {
	if len(b) == 0 || len(b) > maxLits {
		return a
	}
	if a == nil {
		return b
	}
	ma, mb := minLen(a), minLen(b)
	if mb > ma || mb == ma && len(b) < len(a) {
		return b
	}
	return a
}

func minLen(ss []string) int {
	m := -1
	for _, s := range ss {
		if m < 0 || len(s) < m {
			m = len(s)
		}
	}
	return m
}
