package decode

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
)

// Reasons for Result.Stopped.
const (
	StopDepth     = "depth limit"
	StopOutput    = "output limit"
	StopExpansion = "expansion limit"
	StopEntries   = "archive entry limit"
	StopItems     = "item limit"
	StopCancelled = "cancelled"
)

const (
	// maxShown is how many bytes of a binary item are shown as hex pairs, and how
	// much of an encoded run Item.Original keeps.
	maxShown = 4 << 10
	// scanChunk is how much text is scanned between two checks of the context.
	scanChunk = 1 << 20
)

// limits are Options resolved: defaults filled in, "no limit" as the largest value
// (noRatio for MaxRatio).
type limits struct {
	depth, ratio, entries, items, minB64 int
	output                               int64
	noHex                                bool
}

const noRatio = -1

func resolve(o Options) limits {
	pick := func(v, d int) int {
		switch {
		case v == 0:
			return d
		case v < 0:
			return math.MaxInt
		}
		return v
	}
	l := limits{
		depth:   pick(o.MaxDepth, Defaults.MaxDepth),
		ratio:   pick(o.MaxRatio, Defaults.MaxRatio),
		entries: pick(o.MaxEntries, Defaults.MaxEntries),
		items:   pick(o.MaxItems, Defaults.MaxItems),
		minB64:  max(o.MinBase64, MinBase64),
		output:  o.MaxOutput,
		noHex:   o.NoHex,
	}
	if o.MaxRatio < 0 {
		l.ratio = noRatio
	}
	switch {
	case o.MaxOutput == 0:
		l.output = Defaults.MaxOutput
	case o.MaxOutput < 0:
		l.output = math.MaxInt64
	}
	return l
}

// Unpack finds the encoded payloads in input (base64 runs, and hex strings unless
// opts.NoHex), decodes them, opens the archives and compressed streams they hold,
// and does the same again inside every decoded text, as msticpy's base64unpack
// does. The items come back as a tree in Result.Items; Result.Decoded is input
// with each payload replaced by its <decoded …> tag. The work is bounded by opts
// (see Options); when a bound or ctx stops it, Result.Stopped says which and the
// result holds what was done before. Unpack never panics, whatever the input.
func Unpack(ctx context.Context, input []byte, opts Options) *Result {
	if ctx == nil {
		ctx = context.Background()
	}
	u := &unpacker{ctx: ctx, lim: resolve(opts), res: &Result{}}
	u.budget = u.lim.output
	u.out.Grow(len(input))
	u.scanText(input, -1, 1, "", "")
	u.res.Decoded = u.out.String()
	return u.res
}

// unpacker is the state of one Unpack call.
type unpacker struct {
	ctx    context.Context
	lim    limits
	res    *Result
	out    strings.Builder // Result.Decoded
	budget int64           // decoded bytes still allowed (MaxOutput)
	halted bool            // a limit or ctx has stopped all further work

	b64s, escs []Span // scratch for scanText (copied out before recursing)
	clean      []byte // scratch: a base64 run without line breaks and pads
	inflaters
}

// stop records why work stopped (the first reason is kept); halt stops all work,
// not just the stream or archive at hand.
func (u *unpacker) stop(reason string, halt bool) {
	if u.res.Stopped == "" {
		u.res.Stopped = reason
	}
	if halt {
		u.halted = true
	}
}

// live reports whether work may go on, noticing a cancelled context.
func (u *unpacker) live() bool {
	if u.halted {
		return false
	}
	if u.ctx.Err() != nil {
		u.stop(StopCancelled, true)
		return false
	}
	return true
}

// found is a payload ready to become an item: its bytes after the first step
// (base64 or hex decoding, or reading an archive member) and where it came from.
type found struct {
	data       []byte
	kind       Kind   // Sniff(data)
	chain      string // the encoding chain up to and including the first step
	start, end int
	original   string
	name       string
	partial    bool // data was cut by the output limit
	charged    bool // data is already counted against the output budget
}

// scan finds the candidate runs in text: base64 runs (long enough to hold a plain
// hex run when hex is on) and \xNN escape runs, checking ctx every scanChunk
// bytes. The spans live in scratch slices reused by the next scan.
func (u *unpacker) scan(text []byte) (b64s, escs []Span) {
	b64s, escs = u.b64s[:0], u.escs[:0]
	minRun := u.lim.minB64
	if !u.lim.noHex {
		minRun = min(minRun, MinHex)
	}
	bi, ei := 0, 0
	for chunk := 0; chunk < len(text); chunk += scanChunk {
		if chunk > 0 && !u.live() {
			break
		}
		stop := min(chunk+scanChunk, len(text))
		if bi < stop {
			b64s, bi = appendBase64Runs(b64s, text, bi, stop, minRun)
		}
		if !u.lim.noHex && ei < stop {
			escs, ei = appendHexEscapeRuns(escs, text, ei, stop)
		}
	}
	u.b64s, u.escs = b64s, escs
	return b64s, escs
}

// scanText writes text to the output with each payload replaced by its tag, adds
// an item for each payload as a child of parent at depth (ref is the parent's
// Reference, chain its Encoding), and returns the children's indexes.
func (u *unpacker) scanText(text []byte, parent, depth int, chain, ref string) []int {
	if !u.live() {
		u.out.Write(text)
		return nil
	}
	b64s, escs := u.scan(text)
	if len(b64s) == 0 && len(escs) == 0 {
		u.out.Write(text)
		return nil
	}
	// The scratch slices are reused by the scans of nested texts.
	runs := make([]Span, 0, len(b64s)+len(escs))
	isEsc := make([]bool, 0, cap(runs))
	for bi, ei := 0, 0; bi < len(b64s) || ei < len(escs); {
		if ei < len(escs) && (bi == len(b64s) || escs[ei].Start < b64s[bi].Start) {
			runs, isEsc = append(runs, escs[ei]), append(isEsc, true)
			ei++
		} else {
			runs, isEsc = append(runs, b64s[bi]), append(isEsc, false)
			bi++
		}
	}
	if chain != "" {
		chain += ">"
	}
	var kids []int
	pos := 0
	add := func(f found) {
		if f.start < pos {
			return
		}
		n := strconv.Itoa(len(kids) + 1)
		if ref != "" {
			n = ref + "." + n
		}
		u.out.Write(text[pos:f.start])
		if idx, ok := u.emit(f, parent, depth, n); ok {
			kids = append(kids, idx)
		} else {
			u.out.Write(text[f.start:f.end]) // left encoded
		}
		pos = f.end
	}
	for r, sp := range runs {
		if !u.live() {
			break
		}
		if sp.Start < pos { // a base64 run that began inside an accepted escape run
			sp.Start = pos
		}
		if sp.Start >= sp.End {
			continue
		}
		run := text[sp.Start:sp.End]
		if isEsc[r] {
			data := decodeHexEscapes(run)
			if k := Sniff(data); k != Binary {
				add(u.hexFound(data, k, chain, sp, run))
			}
			continue
		}
		u.base64Run(text, sp, chain, add)
	}
	u.out.Write(text[min(pos, len(text)):])
	return kids
}

// base64Run handles a base64 run. A run over several lines is taken whole when it
// looks wrapped (see wrappedBody) and decodes to something kept; otherwise each
// line is a run of its own, so a payload that ends a log line is not joined with a
// word that starts the next one.
func (u *unpacker) base64Run(text []byte, sp Span, chain string, add func(found)) {
	run := text[sp.Start:sp.End]
	if bytes.IndexByte(run, '\n') < 0 && bytes.IndexByte(run, '\r') < 0 {
		u.lineRun(text, sp, chain, add)
		return
	}
	var lines []Span
	for s := sp.Start; s < sp.End; {
		e := s
		for e < sp.End && text[e] != '\n' && text[e] != '\r' {
			e++
		}
		if e > s {
			lines = append(lines, Span{s, e})
		}
		s = e + 1
	}
	if body, ok := wrappedBody(text, lines); ok {
		whole := Span{lines[0].Start, lines[body-1].End}
		if whole.End-whole.Start >= u.lim.minB64 {
			if f, ok := u.base64Found(text[whole.Start:whole.End], chain, whole); ok {
				add(f)
				lines = lines[body:]
			}
		}
	}
	for _, l := range lines {
		if u.halted {
			return
		}
		u.lineRun(text, l, chain, add)
	}
}

// wrappedBody reports whether the lines of a base64 run are one payload wrapped at
// a fixed width, and how many of them it takes: every line but the last has the
// same length, a multiple of four, and the last is no longer. A last line that
// looks like a word (fewer than eight letters, no padding) is left out, and the
// payload must end its line: be followed by a line break, the end of the text or a
// closing delimiter, not by more words.
func wrappedBody(text []byte, lines []Span) (int, bool) {
	n := len(lines)
	if n == 0 {
		return 0, false
	}
	if l := lines[n-1]; n >= 2 && l.End-l.Start < 8 && text[l.End-1] != '=' && letters(text[l.Start:l.End]) {
		n--
	}
	if n < 2 {
		return 0, false
	}
	width := lines[0].End - lines[0].Start
	if width%4 != 0 || lines[n-1].End-lines[n-1].Start > width {
		return 0, false
	}
	for _, l := range lines[1 : n-1] {
		if l.End-l.Start != width {
			return 0, false
		}
	}
	end := lines[n-1].End
	if end == len(text) {
		return n, true
	}
	switch text[end] {
	case '\n', '\r', '"', '\'', '`', ')', ']', '}', '<', ',', ';', '&', '|':
		return n, true
	}
	return 0, false
}

// letters reports whether b is made of ASCII letters only.
func letters(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// lineRun handles a base64 run within one line: the hex strings in it that decode
// to something known win; otherwise the run is decoded as base64.
func (u *unpacker) lineRun(text []byte, sp Span, chain string, add func(found)) {
	run := text[sp.Start:sp.End]
	if !u.lim.noHex {
		hexs := hexRuns(nil, run) // not scratch: add recurses into this function
		took := false
		for _, h := range hexs {
			data := decodeHex(run[h.Start:h.End])
			if k := Sniff(data); k != Binary {
				took = true
				add(u.hexFound(data, k, chain, Span{sp.Start + h.Start, sp.Start + h.End}, run[h.Start:h.End]))
				if u.halted {
					break
				}
			}
		}
		if took {
			return
		}
	}
	if sp.End-sp.Start < u.lim.minB64 {
		return
	}
	if f, ok := u.base64Found(run, chain, sp); ok {
		add(f)
	}
}

// hexFound makes a found of decoded hex, cut to the output budget.
func (u *unpacker) hexFound(data []byte, k Kind, chain string, sp Span, run []byte) found {
	f := found{data: data, kind: k, chain: chain + "hex", start: sp.Start, end: sp.End, original: original(run)}
	if int64(len(data)) > u.budget {
		f.data, f.partial = data[:u.budget], true
		f.kind = Sniff(f.data)
	}
	return f
}

// base64Found decodes a base64 run and applies the noise filter: a run whose bytes
// are of no known kind is kept only if it is a whole number of base64 quanta and
// does not look like a path: made only of letters and '/', or with a '/' in every
// eight characters or fewer (random base64 has one in 64). A run of hex digits only
// (a hash) is never taken as base64.
func (u *unpacker) base64Found(run []byte, chain string, sp Span) (found, bool) {
	clean := u.clean[:0]
	length, slashes, allHex, pathLike := 0, 0, true, true
	for _, c := range run {
		switch {
		case c == '\n' || c == '\r':
			continue
		case c == '=':
			length++
			continue
		}
		length++
		clean = append(clean, c)
		if hexVal[c] < 0 {
			allHex = false
		}
		if c == '/' {
			slashes++
		} else if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			pathLike = false
		}
	}
	u.clean = clean
	if allHex {
		return found{}, false
	}
	m := len(clean)
	if m%4 == 1 {
		m--
	}
	partial := false
	if int64(base64.RawStdEncoding.DecodedLen(m)) > u.budget {
		m = int(u.budget/3) * 4
		partial = true
	}
	if m == 0 {
		if partial {
			u.stop(StopOutput, true)
		}
		return found{}, false
	}
	data := make([]byte, base64.RawStdEncoding.DecodedLen(m))
	n, err := base64.RawStdEncoding.Decode(data, clean[:m])
	if err != nil || n == 0 {
		return found{}, false
	}
	data = data[:n]
	k := Sniff(data)
	if k == Binary && (length%4 != 0 || pathLike || slashes*8 >= length) {
		return found{}, false
	}
	return found{data: data, kind: k, chain: chain + "base64", start: sp.Start, end: sp.End, original: original(run), partial: partial}, true
}

// emit turns f into an item at depth under parent, with reference ref: it undoes
// compression, opens archives, and recurses into text, writing the item's tag to
// the output. It reports false, writing nothing, when a limit keeps f from being
// an item.
func (u *unpacker) emit(f found, parent, depth int, ref string) (int, bool) {
	if depth > u.lim.depth {
		u.stop(StopDepth, false)
		return -1, false
	}
	if len(u.res.Items) >= u.lim.items {
		u.stop(StopItems, true)
		return -1, false
	}
	if !f.charged {
		if f.partial && len(f.data) == 0 {
			u.stop(StopOutput, true)
			return -1, false
		}
		u.budget -= int64(len(f.data))
	}
	if f.partial {
		u.stop(StopOutput, true)
	}
	data, kind, chain, name := f.data, f.kind, f.chain, f.name
	// Undo compression layers: each one is a step of the chain, not an item. There
	// are at most MaxDepth of them, so a stream that inflates to itself ends.
	for layers := 0; kind == Gzip || kind == Zlib || kind == Bzip2; layers++ {
		if layers >= u.lim.depth {
			u.stop(StopDepth, false)
			break
		}
		if !u.live() {
			break
		}
		out, hdrName, ok := u.inflate(kind, data)
		if !ok {
			break
		}
		chain += ">" + kind.String()
		if kind == Gzip {
			switch {
			case hdrName != "":
				name = hdrName
			case name == "":
				name = "gzip_file"
			}
		}
		data, kind = out, Sniff(out)
	}
	idx := len(u.res.Items)
	it := Item{
		Index:     idx,
		Parent:    parent,
		Reference: ref,
		Depth:     depth,
		Encoding:  chain + ">" + kind.String(),
		Start:     f.start,
		End:       f.end,
		Original:  f.original,
		FileName:  name,
		FileType:  kind.String(),
		Size:      len(data),
	}
	md, s1, s256 := md5.Sum(data), sha1.Sum(data), sha256.Sum256(data)
	it.MD5, it.SHA1, it.SHA256 = hex.EncodeToString(md[:]), hex.EncodeToString(s1[:]), hex.EncodeToString(s256[:])
	if kind.IsText() {
		text := data
		if kind == UTF16LE {
			text = utf16ToUTF8(data)
		}
		it.Decoded, it.Text = string(text), true
		u.res.Items = append(u.res.Items, it)
		u.writeOpen(&it, false)
		kids := u.scanText(text, idx, depth+1, it.Encoding, ref)
		u.res.Items[idx].Children = kids
		u.out.WriteString("</decoded>")
		return idx, true
	}
	it.Decoded = hexPairs(data)
	if kind == Zip || kind == Tar {
		if members, ok := u.openArchive(kind, data); ok {
			u.res.Items = append(u.res.Items, it)
			u.writeOpen(&it, true)
			kids := u.members(members, idx, depth+1, it.Encoding, ref)
			u.res.Items[idx].Children = kids
			u.out.WriteString("</decoded>")
			return idx, true
		}
	}
	u.res.Items = append(u.res.Items, it)
	u.writeOpen(&it, false)
	u.out.WriteString(it.Decoded)
	u.out.WriteString("</decoded>")
	return idx, true
}

// members makes an item of each member of an archive, as children of parent.
func (u *unpacker) members(a archive, parent, depth int, chain, ref string) []int {
	var kids []int
	for n := 0; ; n++ {
		if !u.live() {
			return kids
		}
		if n >= u.lim.entries {
			if a.next(false) {
				u.stop(StopEntries, false)
			}
			return kids
		}
		if depth > u.lim.depth {
			if a.next(false) {
				u.stop(StopDepth, false)
			}
			return kids
		}
		if !a.next(true) {
			return kids
		}
		f := found{data: a.data(), chain: chain, name: a.name(), charged: true, partial: u.halted}
		f.kind = Sniff(f.data)
		idx, ok := u.emit(f, parent, depth, ref+"."+strconv.Itoa(len(kids)+1))
		if ok {
			kids = append(kids, idx)
		}
		if u.halted {
			return kids
		}
	}
}

// writeOpen writes the opening tag of an item, in msticpy's format.
// multiple marks an archive, whose tag holds its members' tags.
func (u *unpacker) writeOpen(it *Item, multiple bool) {
	w := &u.out
	switch {
	case multiple:
		w.WriteString("<decoded value='multiple binary' type='multiple' index='")
	case it.Text:
		w.WriteString("<decoded type='string' name='")
		writeName(w, it.FileName)
		w.WriteString("' index='")
	default:
		w.WriteString("<decoded value='binary' name='")
		writeName(w, it.FileName)
		w.WriteString("' type='")
		w.WriteString(it.FileType)
		w.WriteString("' index='")
	}
	w.WriteString(it.Reference)
	w.WriteString("' depth='")
	w.WriteString(strconv.Itoa(it.Depth))
	w.WriteString("'>")
}
