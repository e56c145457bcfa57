package decode

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
)

// mark is how a run of the text is drawn.
type mark uint8

// The marks: plain text, labels and msticpy's tags (muted), the indicator
// classes, and the IoC selected in the list.
const (
	markNone mark = iota
	markLabel
	markTag
	markNet
	markHash
	markPath
	markOther
	markActive
)

// markOf is the mark of an indicator type.
func markOf(t ioc.Type) mark {
	switch t {
	case ioc.IPv4, ioc.IPv6, ioc.URL, ioc.DNS, ioc.Hostname, ioc.Email:
		return markNet
	case ioc.MD5, ioc.SHA1, ioc.SHA256:
		return markHash
	case ioc.WindowsPath, ioc.LinuxPath:
		return markPath
	}
	return markOther
}

// style is the theme's style for a mark.
func (k mark) style(th themes.Theme) lipgloss.Style {
	switch k {
	case markLabel, markTag:
		return th.Muted
	case markNet:
		return th.IoCNet
	case markHash:
		return th.IoCHash
	case markPath:
		return th.IoCPath
	case markOther:
		return th.IoCOther
	case markActive:
		return th.Cursor
	}
	return lipgloss.NewStyle()
}

// span marks the bytes [start, end) of a body's text.
type span struct {
	start, end int
	mark       mark
}

// row is one wrapped row: the bytes [start, end) of the text, without the line
// break that may follow it.
type row struct{ start, end int }

// body is one node's text as the text section shows it, wrapped to a width on
// demand: rows are found only as far as something asks for, so a megabyte of
// decoded text costs no more to show than its first screen. Marks are byte ranges
// into the raw text; each run is escaped with frame.SafeText only as it is drawn,
// so escaping never shifts an offset.
type body struct {
	raw   string
	spans []span // sorted, not overlapping
	width int
	rows  []row
	next  int  // where wrapping continues
	done  bool // rows cover the whole text
}

// newBody makes a body over raw with marks (which may overlap and be out of
// order: the earliest-starting, then the longest, wins).
func newBody(raw string, spans []span, width int) *body {
	return &body{raw: raw, spans: flatten(raw, spans), width: max(1, width)}
}

// flatten sorts spans, snaps them to rune boundaries inside the text, and cuts
// each where the one before it ends, so that no byte has two marks.
func flatten(raw string, spans []span) []span {
	out := make([]span, 0, len(spans))
	for _, s := range spans {
		s.start, s.end = snap(raw, s.start), snap(raw, s.end)
		if s.end > s.start {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].end > out[j].end
	})
	w, last := 0, 0
	for _, s := range out {
		if s.start < last {
			s.start = last
		}
		if s.end <= s.start {
			continue
		}
		out[w] = s
		w++
		last = s.end
	}
	return out[:w]
}

// snap clamps a byte offset into s and moves it forward to a rune start.
func snap(s string, i int) int {
	i = min(max(i, 0), len(s))
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return i
}

// ensure wraps rows until row n exists or the text ends.
func (b *body) ensure(n int) {
	for !b.done && len(b.rows) <= n {
		end, next := wrapRow(b.raw, b.next, b.width)
		b.rows = append(b.rows, row{b.next, end})
		b.next = next
		if next >= len(b.raw) {
			b.done = true
		}
	}
}

// count is how many rows the body has wrapped so far (all of them once done).
func (b *body) count() int {
	if len(b.rows) == 0 {
		b.ensure(0)
	}
	return len(b.rows)
}

// total wraps the whole text and returns its row count.
func (b *body) total() int {
	for !b.done {
		b.ensure(len(b.rows) + 4096)
	}
	return b.count()
}

// rowAt is the row holding byte offset off (wrapping as far as needed).
func (b *body) rowAt(off int) int {
	for !b.done && (len(b.rows) == 0 || b.next <= off) {
		b.ensure(len(b.rows) + 256)
	}
	i := sort.Search(len(b.rows), func(i int) bool { return b.rows[i].start > off })
	return max(0, i-1)
}

// maxRowBytes caps a row's bytes, and maxUnitBytes a grapheme cluster's, so that
// text made of zero-width marks (which never fills a row) still costs no more to
// draw than a screenful.
const (
	maxRowBytes  = 4096
	maxUnitBytes = 64
)

// wrapRow finds the row that starts at byte start: it ends before a line break
// (which it consumes; "\r\n" counts as one), after the last space that lets it fit
// in w cells, or, in a word longer than the row, at the last unit that fits; and
// in any case after maxRowBytes.
func wrapRow(s string, start, w int) (end, next int) {
	i, cw, lastSpace := start, 0, -1
	for i < len(s) {
		switch {
		case s[i] == '\n':
			return i, i + 1
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			return i, i + 2
		case i-start >= maxRowBytes:
			return i, i
		}
		n, uw, space := unit(s, i)
		if cw+uw > w {
			switch {
			case cw == 0:
				return i + n, i + n
			case lastSpace > start:
				return lastSpace, lastSpace
			}
			return i, i
		}
		cw += uw
		i += n
		if space {
			lastSpace = i
		}
	}
	return len(s), len(s)
}

// unit is the indivisible piece of s at byte i as drawn: its length in bytes, its
// width in cells once escaped by frame.SafeText, and whether it is a space (a
// place to wrap). Printable text goes by grapheme cluster, cut short where a rune
// that SafeText escapes would join one; anything SafeText escapes is a unit alone.
func unit(s string, i int) (n, w int, space bool) {
	c := s[i]
	printable := c >= 0x20 && c < 0x7f
	// ASCII followed by ASCII is the common case; a non-ASCII rune after it may be
	// a combining mark that belongs to its cluster.
	if printable && (i+1 == len(s) || s[i+1] < 0x80) {
		return 1, 1, c == ' '
	}
	if c < 0x80 && !printable {
		return 1, len(frame.SafeText(s[i : i+1])), false
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if escaped(r, size) {
		return size, len(frame.SafeText(s[i : i+size])), false
	}
	// Segmenting looks no further than a unit may reach: a run of combining
	// marks is one cluster however long, and must not be scanned whole per unit.
	cl, cw := ansi.FirstGraphemeCluster(s[i:min(len(s), i+maxUnitBytes)], ansi.GraphemeWidth)
	for j := size; j < len(cl); {
		r, sz := utf8.DecodeRuneInString(cl[j:])
		if escaped(r, sz) || r < 0x80 && (r < 0x20 || r == 0x7f) || j+sz > maxUnitBytes {
			cl = cl[:j]
			cw = ansi.StringWidth(cl)
			break
		}
		j += sz
	}
	return len(cl), cw, printable && c == ' ' && len(cl) == 1
}

// escaped reports whether frame.SafeText writes a non-ASCII rune (size bytes long)
// as an escape.
func escaped(r rune, size int) bool {
	return r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9f ||
		r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// paints are each mark's SGR sequences in a theme: a run is drawn as open, the
// text, close. lipgloss v1 draws underlined text one rune at a time, a sequence
// per character that a slow link pays for; taking the sequences from one styled
// rune and wrapping a whole run pays them once.
type paints [markActive + 1]struct{ open, close string }

// paintsFor works out the paints of a theme under the current colour profile.
func paintsFor(th themes.Theme) *paints {
	var p paints
	for k := markLabel; k <= markActive; k++ {
		out := k.style(th).Render("x")
		if i := strings.IndexByte(out, 'x'); i >= 0 {
			p[k].open, p[k].close = out[:i], out[i+1:]
		}
	}
	return &p
}

// paint writes text (already escaped) in a mark.
func (p *paints) paint(b *strings.Builder, text string, k mark) {
	b.WriteString(p[k].open)
	b.WriteString(text)
	b.WriteString(p[k].close)
}

// draw draws row i in exactly the body's width: each run between marks escaped
// on its own and painted in its mark, the bytes [active.start, active.end) in the
// active mark over any other.
func (b *body) draw(i int, p *paints, active span) string {
	b.ensure(i)
	if i >= len(b.rows) {
		return strings.Repeat(" ", b.width)
	}
	r := b.rows[i]
	k := sort.Search(len(b.spans), func(j int) bool { return b.spans[j].end > r.start })
	var out strings.Builder
	put := func(a, z int, m mark) {
		if z > a {
			p.paint(&out, frame.SafeText(b.raw[a:z]), m)
		}
	}
	// runs walks [a, z) in one span mark, splitting out the active range.
	runs := func(a, z int, m mark) {
		if active.end <= a || active.start >= z || active.end <= active.start {
			put(a, z, m)
			return
		}
		x, y := max(a, active.start), min(z, active.end)
		put(a, x, m)
		put(x, y, markActive)
		put(y, z, m)
	}
	pos := r.start
	for ; k < len(b.spans) && b.spans[k].start < r.end; k++ {
		s := b.spans[k]
		a, z := max(s.start, r.start), min(s.end, r.end)
		runs(pos, a, markNone)
		runs(a, z, s.mark)
		pos = z
	}
	runs(pos, r.end, markNone)
	return draw.FitLine(out.String(), b.width)
}
