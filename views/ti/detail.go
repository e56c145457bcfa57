package ti

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane"
)

// detailKey is what the detail view's lines were made for.
type detailKey struct {
	e     *entry
	width int
	theme string
	zone  *time.Location
}

// nameW is the width of the detail view's field names.
const nameW = 12

// rawTextLimit is how much of a raw response that is not JSON the detail view
// shows; Y copies all of it.
const rawTextLimit = 64 << 10

// errNoRaw says a result carries no raw response.
var errNoRaw = errors.New("no raw response")

// openDetail shows a result whole.
func (m *Model) openDetail(e *entry) {
	m.detail, m.detailTop, m.lines = e, 0, nil
}

// closeDetail goes back to the list.
func (m *Model) closeDetail() {
	m.detail, m.lines = nil, nil
	m.clamp()
}

// detailRows is the detail view's height, its title line included.
func (m *Model) detailRows() int {
	h := m.height
	if m.typing {
		h--
	}
	return max(0, h)
}

// keyInDetail handles a key in the detail view: scrolling, copying the reference
// link or the raw response, and querying the indicator.
func (m *Model) keyInDetail(msg tea.KeyMsg) tea.Cmd {
	k := &m.Keys
	page := max(1, m.detailRows()-2)
	switch {
	case key.Matches(msg, k.Down):
		m.scrollDetail(1)
	case key.Matches(msg, k.Up):
		m.scrollDetail(-1)
	case key.Matches(msg, k.PageDown):
		m.scrollDetail(page)
	case key.Matches(msg, k.PageUp):
		m.scrollDetail(-page)
	case key.Matches(msg, k.Top):
		m.detailTop = 0
	case key.Matches(msg, k.Bottom):
		m.scrollDetail(1 << 30)
	case key.Matches(msg, k.Copy):
		return m.copyReference(m.detail)
	case key.Matches(msg, k.CopyRaw):
		text, err := prettyRaw(m.detail.r.Raw)
		switch {
		case errors.Is(err, errNoRaw):
			return pane.Cmd(pane.Notify{Level: pane.Warn, Text: "This answer has no raw response."})
		case err != nil:
			return pane.Cmd(pane.Copy{Text: string(m.detail.r.Raw), What: "raw response"})
		}
		return pane.Cmd(pane.Copy{Text: text, What: "raw JSON"})
	case key.Matches(msg, k.Use):
		return useValue(m.detail.r.IocType, m.detail.r.Ioc)
	}
	return nil
}

// scrollDetail moves the detail view's first shown line by d lines, no further
// than the last screenful.
func (m *Model) scrollDetail(d int) {
	n := len(m.detailLines(m.width))
	body := max(1, m.detailRows()-1)
	m.detailTop = max(0, min(m.detailTop+d, n-body))
}

// prettyRaw is a raw response indented two spaces a level; errNoRaw when there
// is none, the parse error when it is not JSON.
func prettyRaw(raw json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", errNoRaw
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return "", err
	}
	return b.String(), nil
}

// detailView draws the detail view in w×h cells: a title line with the scroll
// position, then the result's lines from the scroll offset.
func (m *Model) detailView(w, h int) []string {
	th := m.ctx.Theme
	if h <= 0 {
		return nil
	}
	lines := m.detailLines(w)
	body := h - 1
	m.detailTop = max(0, min(m.detailTop, len(lines)-body))
	r := &m.detail.r
	title := safe(shorten(r.Provider, 30)) + " · " + safe(shorten(r.Ioc, 2*w))
	pos := ""
	if len(lines) > body && body > 0 {
		pos = fmt.Sprintf("%d–%d/%d", m.detailTop+1, min(m.detailTop+body, len(lines)), len(lines))
	}
	pw := width(pos)
	if pw+12 > w {
		pos, pw = "", 0
	}
	left := draw.Segs([]draw.Seg{draw.S(title, th.Title)}, max(0, w-pw-2), nil)
	out := []string{left + strings.Repeat(" ", max(0, w-width(left)-pw)) + th.Muted.Render(pos)}
	for i := m.detailTop; i < len(lines) && len(out) < h; i++ {
		out = append(out, lines[i])
	}
	return out
}

// detailLines are the result laid out in w cells, made again only when the
// result, the width, the theme or the zone changes: who said what when, the
// reference link on a line of its own, every detail, and the raw response
// pretty-printed. Everything from the answer is escaped.
func (m *Model) detailLines(w int) []string {
	k := detailKey{e: m.detail, width: w, theme: m.ctx.Theme.Name, zone: m.ctx.Zone}
	if m.lines != nil && m.lineFor == k {
		return m.lines
	}
	m.lineFor = k
	th := m.ctx.Theme
	plain := lipgloss.NewStyle()
	r := &m.detail.r
	valW := max(1, w-nameW)
	var out []string
	add := func(name, value string, st lipgloss.Style) {
		if value == "" {
			value, st = "—", th.Muted
		}
		for i, l := range draw.Wrap(value, valW) {
			label := ""
			if i == 0 {
				label = name
			}
			out = append(out, th.Muted.Render(padRight(label, nameW))+st.Render(l))
		}
	}
	indented := func(text string, indent int, st lipgloss.Style) {
		for _, l := range draw.Wrap(text, max(1, w-indent)) {
			out = append(out, strings.Repeat(" ", indent)+st.Render(l))
		}
	}
	heading := func(s string) { out = append(out, "", th.Title.Render(s)) }

	add("Provider", safe(r.Provider), plain)
	add("Indicator", safe(r.Ioc), plain.Bold(true))
	typ := safe(r.IocType)
	if r.QuerySubtype != "" {
		typ += " · " + safe(r.QuerySubtype)
	}
	add("Type", typ, plain)
	out = append(out, th.Muted.Render(padRight("Severity", nameW))+
		m.sevStyle(r.Severity).Render(strings.TrimSpace(sevLabel(r.Severity)))+" "+r.Severity.String())
	add("Status", statusWord(r), plain)
	if r.Reason != "" {
		add("Reason", safe(r.Reason), plain)
	}
	add("Looked up", m.ctx.FormatTime(r.Time), plain)
	cached := "no"
	if r.Cached {
		cached = "yes: from the cache"
	}
	add("Cached", cached, plain)

	heading("Reference · " + m.Keys.Copy.Help().Key + " copies it")
	if r.Reference == "" {
		out = append(out, th.Muted.Render("—"))
	} else {
		indented(safe(r.Reference), 0, th.Accent)
	}

	heading(fmt.Sprintf("Details · %s", draw.Plural(len(r.Details), "field")))
	keys := make([]string, 0, len(r.Details))
	for k := range r.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for i, l := range draw.Wrap(safe(k)+": "+safe(fullValue(r.Details[k])), max(1, w-4)) {
			if i == 0 {
				out = append(out, "  "+l)
			} else {
				out = append(out, "    "+l)
			}
		}
	}

	heading("Raw response · " + m.Keys.CopyRaw.Help().Key + " copies it pretty-printed")
	pretty, err := prettyRaw(r.Raw)
	switch {
	case errors.Is(err, errNoRaw):
		out = append(out, th.Muted.Render("The provider's answer carries no raw response."))
	case err != nil:
		indented("The raw response is not JSON ("+safe(err.Error())+"); as text:", 0, th.Warn)
		text, cut := clip(string(r.Raw), rawTextLimit)
		indented(safe(text), 2, plain)
		if cut {
			indented(fmt.Sprintf("… cut at %s characters; %s copies all of it", draw.Thousands(rawTextLimit), m.Keys.CopyRaw.Help().Key), 2, th.Muted)
		}
	default:
		for _, l := range strings.Split(pretty, "\n") {
			// Keep the JSON's own indentation on wrapped lines.
			lead := len(l) - len(strings.TrimLeft(l, " "))
			ind := min(lead, max(0, w-20))
			for i, part := range draw.Wrap(safe(l[ind:]), max(1, w-ind)) {
				pad := ind
				if i > 0 {
					part = strings.TrimLeft(part, " ")
				}
				out = append(out, strings.Repeat(" ", pad)+part)
			}
		}
	}
	m.lines = out
	return out
}
