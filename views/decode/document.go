package decode

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// inputNode is the tree's root: the text that was decoded. Other nodes are item
// indexes into Result.Items.
const inputNode = -1

// document is one decoding as the pane shows it: the input, the tree of payloads
// and the indicators of each, checked once on arrival so that drawing never has
// to (a bad parent or a short ItemIoCs is data the pane survives, not a crash).
type document struct {
	source    string
	input     string
	tagged    string // Result.Decoded
	stopped   string
	items     []decode.Item
	inputIoCs []ioc.Match
	itemIoCs  [][]ioc.Match
	kids      [][]int // kids[n+1] are node n's children, in order
	parent    []int   // parent[i] is item i's parent node
	depth     []int   // depth[i] is item i's depth in the tree (1 under the input)
	all       []entry // every indicator, deduplicated
}

// entry is one row of the IoC list: an indicator in the selected node's text (its
// offsets in that text), or, in the all list, one type+value with how often it
// was found (offsets -1).
type entry struct {
	typ        ioc.Type
	value      string
	defanged   bool
	count      int
	start, end int
}

// newDocument checks an answer and builds its tree. Items become children of
// their parent when the parent comes earlier in the list (the engine's tree
// order), else of the input, so the tree has no cycles whatever the data says.
func newDocument(d pane.Decoded) *document {
	doc := &document{source: d.Request.Source, input: d.Request.Text, inputIoCs: d.InputIoCs, itemIoCs: d.ItemIoCs}
	if doc.source == "" {
		doc.source = "text"
	}
	if r := d.Result; r != nil {
		doc.tagged, doc.stopped, doc.items = r.Decoded, r.Stopped, r.Items
	}
	n := len(doc.items)
	doc.kids = make([][]int, n+1)
	doc.parent = make([]int, n)
	doc.depth = make([]int, n)
	for i, it := range doc.items {
		p := it.Parent
		if p < 0 || p >= i {
			p = inputNode
		}
		doc.parent[i] = p
		doc.kids[p+1] = append(doc.kids[p+1], i)
		doc.depth[i] = 1
		if p != inputNode {
			doc.depth[i] = doc.depth[p] + 1
		}
	}
	doc.all = doc.dedupe()
	return doc
}

// children are a node's children.
func (d *document) children(node int) []int { return d.kids[node+1] }

// matches are the indicators found in a node's text.
func (d *document) matches(node int) []ioc.Match {
	if node == inputNode {
		return d.inputIoCs
	}
	if node < len(d.itemIoCs) {
		return d.itemIoCs[node]
	}
	return nil
}

// visible lists the nodes the tree shows, depth first, skipping the descendants
// of collapsed nodes.
func (d *document) visible(collapsed map[int]bool) []int {
	out := []int{inputNode}
	var stack []int
	push := func(node int) {
		if collapsed[node] {
			return
		}
		k := d.children(node)
		for i := len(k) - 1; i >= 0; i-- {
			stack = append(stack, k[i])
		}
	}
	push(inputNode)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, n)
		push(n)
	}
	return out
}

// entries is a node's IoC list, in the order they appear in its text.
func (d *document) entries(node int) []entry {
	ms := d.matches(node)
	out := make([]entry, len(ms))
	for i, m := range ms {
		out[i] = entry{typ: m.Type, value: m.Value, defanged: m.Defanged, count: 1, start: m.Start, end: m.End}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// dedupe is every indicator of the input and its payloads, once per type and
// value, grouped by type (msticpy's order, custom types after by name) and then in
// the order first found, with a count of occurrences.
func (d *document) dedupe() []entry {
	var out []entry
	at := map[string]int{}
	add := func(ms []ioc.Match) {
		for _, m := range ms {
			k := string(m.Type) + "\x00" + m.Value
			if i, ok := at[k]; ok {
				out[i].count++
				out[i].defanged = out[i].defanged || m.Defanged
				continue
			}
			at[k] = len(out)
			out = append(out, entry{typ: m.Type, value: m.Value, defanged: m.Defanged, count: 1, start: -1, end: -1})
		}
	}
	add(d.inputIoCs)
	for i := range d.items {
		add(d.matches(i))
	}
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := typeRank(out[i].typ), typeRank(out[j].typ)
		if ri != rj {
			return ri < rj
		}
		if ri == len(ioc.Builtin) {
			return out[i].typ < out[j].typ
		}
		return false
	})
	return out
}

// typeRank is a type's place in ioc.Builtin (custom types after).
func typeRank(t ioc.Type) int {
	for i, b := range ioc.Builtin {
		if b == t {
			return i
		}
	}
	return len(ioc.Builtin)
}

// ref names a node for titles: "input" or the item's reference.
func (d *document) ref(node int) string {
	if node == inputNode {
		return "input"
	}
	it := d.items[node]
	if it.Reference == "" {
		return "#" + strconv.Itoa(node+1)
	}
	return frame.SafeText(it.Reference)
}

// content is what the text section shows for a node: the raw text, its marks, and
// the offset in the raw text where the node's own text starts (its IoC offsets
// are from there). An item's text follows a few lines about it; a binary item's
// bytes are shown as a hex dump sized to the width.
func (d *document) content(node int, tagged bool, width int) (raw string, spans []span, off int) {
	if node == inputNode {
		if tagged && d.tagged != "" {
			return d.tagged, tagSpans(d.tagged), 0
		}
		return d.input, iocSpans(d.inputIoCs, 0), 0
	}
	it := d.items[node]
	var b strings.Builder
	label := func(name, value string) {
		if value == "" {
			return
		}
		spans = append(spans, span{b.Len(), b.Len() + len(name), markLabel})
		fmt.Fprintf(&b, "%-7s %s\n", name, frame.SafeText(value))
	}
	b.WriteString(d.ref(node))
	if it.Encoding != "" {
		b.WriteString(" · " + frame.SafeText(it.Encoding))
	}
	if it.FileName != "" {
		b.WriteString(" · " + frame.SafeText(it.FileName))
	}
	b.WriteString("\n")
	at := ""
	if it.End > it.Start {
		at = fmt.Sprintf(", found at bytes %s–%s of %s", draw.Thousands(it.Start), draw.Thousands(it.End), d.ref(d.parent[node]))
	}
	label("type", fmt.Sprintf("%s%s · %s%s", frame.SafeText(kindName(it)), textNote(it), sizeLong(it.Size), at))
	label("md5", it.MD5)
	label("sha1", it.SHA1)
	label("sha256", it.SHA256)
	b.WriteString("\n")
	off = b.Len()
	if it.Text {
		b.WriteString(it.Decoded)
		spans = append(spans, iocSpans(d.matches(node), off)...)
		return b.String(), spans, off
	}
	b.WriteString(hexDump(it.Decoded, it.Size, width))
	return b.String(), spans, off
}

// kindName is an item's file type, "binary" when the engine gave none.
func kindName(it decode.Item) string {
	if it.FileType == "" {
		return "binary"
	}
	return it.FileType
}

// textNote says whether an item's bytes are shown as text.
func textNote(it decode.Item) string {
	if it.Text {
		return " text"
	}
	return ""
}

// iocSpans marks indicators, shifted by off. Where two cover the same bytes,
// msticpy's priority decides which mark shows.
func iocSpans(ms []ioc.Match, off int) []span {
	sorted := append([]ioc.Match(nil), ms...)
	sort.SliceStable(sorted, func(i, j int) bool { return ioc.Priority(sorted[i].Type) < ioc.Priority(sorted[j].Type) })
	out := make([]span, len(sorted))
	for i, m := range sorted {
		out[i] = span{m.Start + off, m.End + off, markOf(m.Type)}
	}
	return out
}

// maxTag is the longest opening tag tagSpans marks.
const maxTag = 512

// tagSpans marks msticpy's <decoded …> and </decoded> tags in the fully decoded
// text.
func tagSpans(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "decoded")
		if j < 0 {
			break
		}
		j += i
		switch {
		case j >= 1 && s[j-1] == '<':
			// A tag is short; looking no further keeps hostile text linear.
			if k := strings.IndexByte(s[j:min(len(s), j+maxTag)], '>'); k >= 0 {
				out = append(out, span{j - 1, j + k + 1, markTag})
				i = j + k + 1
				continue
			}
		case j >= 2 && s[j-2:j] == "</" && strings.HasPrefix(s[j:], "decoded>"):
			out = append(out, span{j - 2, j + len("decoded>"), markTag})
		}
		i = j + len("decoded")
	}
	return out
}

// hexDump lays out an item's hex pairs as a dump: offset, 16 (or, in a narrow
// section, 8 or 4) bytes, and the printable ASCII beside them. Text that is not
// hex pairs is returned as it is.
func hexDump(pairs string, size, width int) string {
	fields := strings.Fields(pairs)
	data := make([]byte, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseUint(f, 16, 8)
		if err != nil || len(f) != 2 {
			return pairs
		}
		data[i] = byte(v)
	}
	per := 4
	for _, n := range []int{16, 8} {
		if width >= 7+4*n {
			per = n
			break
		}
	}
	var b strings.Builder
	if size > len(data) {
		fmt.Fprintf(&b, "first %s of %s bytes\n", draw.Thousands(len(data)), draw.Thousands(size))
	}
	digits := 4
	if len(data) > 0xffff {
		digits = 8
	}
	for at := 0; at < len(data); at += per {
		line := data[at:min(at+per, len(data))]
		fmt.Fprintf(&b, "%0*x  ", digits, at)
		for i := 0; i < per; i++ {
			switch {
			case i < len(line):
				fmt.Fprintf(&b, "%02x ", line[i])
			default:
				b.WriteString("   ")
			}
		}
		b.WriteByte(' ')
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b.WriteByte(c)
		}
		if at+per < len(data) {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// size writes a byte count the way the tree shows it: "412 B", "2.1 KiB", "14 KiB".
func size(n int) string {
	if n < 1024 {
		return strconv.Itoa(n) + " B"
	}
	f := float64(n)
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		f /= 1024
		if f < 1024 || unit == "TiB" {
			if f < 10 {
				return strconv.FormatFloat(f, 'f', 1, 64) + " " + unit
			}
			return strconv.FormatFloat(f, 'f', 0, 64) + " " + unit
		}
	}
	return ""
}

// sizeLong writes a byte count exactly, and in KiB or more when it is that big:
// "412 bytes", "14 KiB (14,336 bytes)".
func sizeLong(n int) string {
	if n < 1024 {
		return draw.Plural(n, "byte")
	}
	return size(n) + " (" + draw.Thousands(n) + " bytes)"
}
