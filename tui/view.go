package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/pane"
)

// View draws the shell: navigator and main area, status bar, help footer. Every
// line is exactly the terminal's width, so unchanged lines stay byte-identical
// between frames and the renderer skips them.
func (m *Model) View() string {
	if m.quitting || m.width == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return m.tooSmall()
	}
	w, h := m.mainSize()
	main := m.mainView(w, h)
	var b strings.Builder
	nav := m.navLines(h)
	for i := 0; i < h; i++ {
		if !m.hideNav {
			b.WriteString(nav[i])
		}
		b.WriteString(main[i])
		b.WriteByte('\n')
	}
	b.WriteString(m.statusLine())
	b.WriteByte('\n')
	b.WriteString(m.helpLine())
	return b.String()
}

// tooSmall is the screen for a terminal under MinWidth×MinHeight.
func (m *Model) tooSmall() string {
	lines := []string{
		"Terminal too small:",
		fmt.Sprintf("have %d×%d, need %d×%d.", m.width, m.height, MinWidth, MinHeight),
		"Enlarge the window, or press q to quit.",
	}
	for i, l := range lines {
		lines[i] = pad(l, m.width)
	}
	for len(lines) < m.height {
		lines = append(lines, pad("", m.width))
	}
	return strings.Join(lines[:max(m.height, 0)], "\n")
}

// mainView is the main area, h lines of w cells: a dialog, or the focused pane
// with the command line over its last lines.
func (m *Model) mainView(w, h int) []string {
	var lines []string
	switch m.dialog {
	case dialogRange:
		lines = m.boxed(m.picker.View(), "", w, h)
	case dialogHelp:
		lines = m.helpScreen(w, h)
	case dialogQuit:
		lines = m.boxed(fmt.Sprintf("%d task(s) still running.\n\nQuit anyway?  y yes · n no", len(m.tasks)), "Quit", w, h)
	default:
		lines = strings.Split(m.panes[m.focused].View(), "\n")
	}
	lines = fit(lines, w, h)
	if m.cmd.open {
		over := m.cmd.view(w, min(h, 9), m.pctx.Theme)
		copy(lines[h-len(over):], over)
	} else if over := m.errorBox(w, h); over != nil {
		copy(lines[h-len(over):], over)
	}
	return lines
}

// fit makes exactly h lines of exactly w cells.
func fit(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		if lw := ansi.StringWidth(l); lw > w {
			l = ansi.Truncate(l, w, "")
		} else if lw < w {
			l += strings.Repeat(" ", w-lw)
		}
		out[i] = l
	}
	return out
}

// boxed frames a dialog's content and centres it in the main area.
func (m *Model) boxed(content, title string, w, h int) []string {
	th := m.pctx.Theme
	if title != "" {
		content = th.Title.Render(title) + "\n\n" + content
	}
	box := th.FocusBorder.Padding(0, 1).MaxWidth(w).Render(content)
	return strings.Split(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box), "\n")
}

// errorBox shows an error notification too long for the status bar in full
// (wrapped, up to 6 lines) over the bottom of the main area, until the next key.
func (m *Model) errorBox(w, h int) []string {
	if m.flash == nil || m.flash.Level != pane.Error || w < 10 {
		return nil
	}
	text := m.flash.Text
	if ansi.StringWidth(text)+4 <= m.width/2 {
		return nil
	}
	th := m.pctx.Theme
	wrapped := strings.Split(ansi.Wrap(text, w-4, " "), "\n")
	if len(wrapped) > 6 {
		wrapped = append(wrapped[:5], "…")
	}
	out := []string{th.Error.Render(pad("─ error "+strings.Repeat("─", max(w-8, 0)), w))}
	for _, l := range wrapped {
		out = append(out, pad("  "+l, w))
	}
	return out[:min(len(out), h)]
}

// navLines is the navigator: the app's name, then the panes with their number
// keys; the focused one is marked with ▶ and styled, never by colour alone.
func (m *Model) navLines(h int) []string {
	th := m.pctx.Theme
	out := make([]string, h)
	out[0] = th.Title.Render(pad(" ◆ Quarry", navWidth-1))
	if h > 1 {
		out[1] = pad("", navWidth-1)
	}
	for i, p := range paneOrder {
		if i+2 >= h {
			break
		}
		label := fmt.Sprintf("%d %s", i+1, p.title)
		if p.id == pane.Results && m.results.Cards() > 0 {
			label += fmt.Sprintf(" (%d)", m.results.Cards())
		}
		switch {
		case p.id == m.focused:
			out[i+2] = th.TabActive.Render(pad("▶"+label, navWidth-1))
		case p.about != "":
			out[i+2] = th.Muted.Render(pad(" "+label, navWidth-1))
		default:
			out[i+2] = pad(" "+label, navWidth-1)
		}
	}
	for i := range out {
		if out[i] == "" {
			out[i] = pad("", navWidth-1)
		}
		out[i] += th.Muted.Render("│")
	}
	return out
}

// statusLine is the status bar: on the left the notification, or the running
// tasks with a spinner, elapsed time and progress; on the right the workspace,
// provider, time range, rows and task count.
func (m *Model) statusLine() string {
	th := m.pctx.Theme
	var left string
	switch {
	case m.flash != nil:
		glyph, st := "✓ ", th.OK
		switch m.flash.Level {
		case pane.Warn:
			glyph, st = "! ", th.Warn
		case pane.Error:
			glyph, st = "✗ ", th.Error
		}
		left = st.Render(glyph) + m.flash.Text
	case len(m.tasks) > 0:
		t := m.tasks[len(m.tasks)-1]
		el := m.now().Sub(t.began).Round(100 * time.Millisecond)
		label := t.label
		if n := m.note.Load(); n != nil && t.pane == "" {
			label = frame.SafeText(*n)
		}
		left = fmt.Sprintf("%s %s %s", m.spin.View(), label, el)
		if p := t.progress(); p >= 0 {
			left += " " + m.bar.ViewAs(p) + fmt.Sprintf(" %3.0f%%", p*100)
		}
		if len(m.tasks) > 1 {
			left += fmt.Sprintf(" (+%d more)", len(m.tasks)-1)
		}
		left += " · esc cancels"
	case !m.ready && m.openErr != nil:
		left = m.pctx.Theme.Error.Render("✗ ") + "the workspace did not open; :open retries"
	case !m.ready:
		left = "opening workspace…"
	default:
		left = "ready"
	}
	var right []string
	if m.ready {
		right = append(right, frame.SafeText(fmt.Sprintf("%s · %s", m.info.Workspace, m.info.Provider)))
	}
	right = append(right, "⏱ "+m.rangeText(m.rng))
	if t := m.results.Current(); t != nil {
		shown, total := t.Len(), t.Frame().Len()
		if shown == total {
			right = append(right, fmt.Sprintf("%s rows", comma(total)))
		} else {
			right = append(right, fmt.Sprintf("%s of %s rows", comma(shown), comma(total)))
		}
	}
	if n := len(m.tasks); n > 0 {
		right = append(right, fmt.Sprintf("%d task(s)", n))
	}
	r := strings.Join(right, " │ ")
	// The right side gives way first: drop its leading parts until both fit.
	for len(right) > 1 && ansi.StringWidth(left)+ansi.StringWidth(r)+3 > m.width {
		right = right[1:]
		r = strings.Join(right, " │ ")
	}
	room := m.width - ansi.StringWidth(r) - 2
	left = pad(" "+left, max(room, 0))
	return th.Status.Render(pad(left+" "+r+" ", m.width))
}

// helpLine is the footer: the focused view's most useful keys, then the global ones.
func (m *Model) helpLine() string {
	th := m.pctx.Theme
	var binds []key.Binding
	switch {
	case m.dialog == dialogRange:
		binds = append(m.picker.ShortHelp(), m.keys.Back)
	case m.dialog != dialogNone:
		binds = []key.Binding{m.keys.Back}
	case m.cmd.open:
		binds = []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
			key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
			key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "history / choose")),
			m.keys.Back,
		}
	case m.panes[m.focused].Capturing():
		// A text input has the keys: only the pane's keys apply.
		binds = m.panes[m.focused].ShortHelp()
	default:
		binds = append(m.panes[m.focused].ShortHelp(), m.keys.ShortHelp()...)
	}
	var parts []string
	width := 0
	for _, b := range binds {
		if !b.Enabled() {
			continue
		}
		part := th.Accent.Render(b.Help().Key) + " " + th.Muted.Render(b.Help().Desc)
		pw := ansi.StringWidth(part) + 3
		if width+pw > m.width-1 {
			break
		}
		parts = append(parts, part)
		width += pw
	}
	return pad(" "+strings.Join(parts, th.Muted.Render(" · ")), m.width)
}

// helpScreen lists every key: the focused pane's, then the global ones, in
// columns that fit the main area.
func (m *Model) helpScreen(w, h int) []string {
	th := m.pctx.Theme
	type item struct{ k, d string }
	var items []item
	section := func(title string, groups [][]key.Binding) {
		items = append(items, item{k: "\x00" + title})
		for _, g := range groups {
			for _, b := range g {
				if b.Enabled() && b.Help().Key != "" {
					items = append(items, item{k: b.Help().Key, d: b.Help().Desc})
				}
			}
		}
		items = append(items, item{})
	}
	section(m.title(m.focused), m.panes[m.focused].FullHelp())
	section("Global", m.keys.FullHelp())
	cols := max(w/30, 1)
	colW := w / cols
	rows := h - 2
	var lines []string
	lines = append(lines, th.Title.Render("Keys")+th.Muted.Render("  (esc or ? closes; docs/tui.md lists them all)"), "")
	grid := make([]string, rows)
	for i, it := range items {
		c := i / rows
		if c >= cols {
			grid[rows-1] = th.Muted.Render("… more than fits: widen the window or see docs/tui.md")
			break
		}
		var cell string
		switch {
		case strings.HasPrefix(it.k, "\x00"):
			cell = th.Title.Render(pad(it.k[1:], colW))
		case it.k == "":
			cell = pad("", colW)
		default:
			cell = th.Accent.Render(pad(it.k, 12)) + pad(it.d, colW-12)
		}
		grid[i%rows] += cell
	}
	return append(lines, grid...)
}

// comma writes n with thousands separators.
func comma(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
