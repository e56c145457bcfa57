package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

// maxHistory is how many command lines the command line remembers.
const maxHistory = 100

// entry is one line of the palette: a command, or a key of the focused pane.
type entry struct {
	// label is what the palette shows and matches ("range  set the time range").
	label string
	// line is what Enter puts on the command line ("range "), or "" for a key.
	line string
	// key, for a pane's key, is the key sent to the pane when chosen.
	key string
	// takesArgs is set when the command needs arguments before it can run.
	takesArgs bool
}

func (e entry) String() string { return e.label }

// cmdline is the ':' command line and the ctrl+p palette: one text input with a
// fuzzy list of every action under it. In command mode ↑/↓ walk the history; in
// palette mode they move in the list. Tab completes the highlighted action.
type cmdline struct {
	input   textinput.Model
	open    bool
	palette bool
	entries []entry
	matches []entry
	sel     int
	history []string
	hist    int
}

func newCmdline() cmdline {
	ti := pane.NewInput()
	ti.Prompt = ":"
	ti.CharLimit = 1024
	return cmdline{input: ti}
}

// start opens the line with the actions it offers.
func (c *cmdline) start(palette bool, entries []entry) tea.Cmd {
	c.open, c.palette, c.entries, c.sel, c.hist = true, palette, entries, 0, len(c.history)
	c.input.SetValue("")
	c.input.Prompt = ":"
	if palette {
		c.input.Prompt = "› "
	}
	c.refilter()
	return c.input.Focus()
}

func (c *cmdline) close() {
	c.open = false
	c.input.Blur()
}

// refilter matches the typed text against the actions (its first word only, so
// that "range -7d" still shows the range command).
func (c *cmdline) refilter() {
	word, _, _ := strings.Cut(strings.TrimSpace(c.input.Value()), " ")
	if word == "" {
		c.matches = c.entries
	} else {
		found := fuzzy.FindFrom(word, entries(c.entries))
		c.matches = make([]entry, len(found))
		for i, f := range found {
			c.matches[i] = c.entries[f.Index]
		}
	}
	if c.sel >= len(c.matches) {
		c.sel = max(len(c.matches)-1, 0)
	}
}

type entries []entry

func (e entries) String(i int) string { return e[i].label }
func (e entries) Len() int            { return len(e) }

// result is what the command line decided on a key.
type result struct {
	// run is a line to execute; key is a pane key to send; done closes the line.
	run, key string
	done     bool
}

var (
	keyEnter = key.NewBinding(key.WithKeys("enter"))
	keyEsc   = key.NewBinding(key.WithKeys("esc"))
	keyUp    = key.NewBinding(key.WithKeys("up", "ctrl+k"))
	keyDown  = key.NewBinding(key.WithKeys("down", "ctrl+j"))
	keyTab   = key.NewBinding(key.WithKeys("tab"))
	keySTab  = key.NewBinding(key.WithKeys("shift+tab"))
)

// update handles a key while the line is open.
func (c *cmdline) update(msg tea.KeyMsg) (result, tea.Cmd) {
	switch {
	case key.Matches(msg, keyEsc):
		c.close()
		return result{done: true}, nil
	case key.Matches(msg, keyEnter):
		line := strings.TrimSpace(c.input.Value())
		if c.palette && c.sel < len(c.matches) && (line == "" || !strings.Contains(line, " ")) {
			e := c.matches[c.sel]
			if e.key != "" {
				c.close()
				return result{key: e.key, done: true}, nil
			}
			if e.takesArgs {
				c.palette = false
				c.input.Prompt = ":"
				c.input.SetValue(e.line)
				c.input.CursorEnd()
				c.refilter()
				return result{}, nil
			}
			line = strings.TrimSpace(e.line)
		}
		c.close()
		if line == "" {
			return result{done: true}, nil
		}
		c.remember(line)
		return result{run: line, done: true}, nil
	case key.Matches(msg, keyTab), key.Matches(msg, keySTab):
		if len(c.matches) == 0 {
			return result{}, nil
		}
		if key.Matches(msg, keyTab) {
			c.sel = (c.sel + 1) % len(c.matches)
		} else {
			c.sel = (c.sel - 1 + len(c.matches)) % len(c.matches)
		}
		if e := c.matches[c.sel]; e.line != "" && !c.palette {
			c.input.SetValue(e.line)
			c.input.CursorEnd()
		}
		return result{}, nil
	case key.Matches(msg, keyUp), key.Matches(msg, keyDown):
		up := key.Matches(msg, keyUp)
		if c.palette {
			if up && c.sel > 0 {
				c.sel--
			} else if !up && c.sel < len(c.matches)-1 {
				c.sel++
			}
			return result{}, nil
		}
		if up && c.hist > 0 {
			c.hist--
		} else if !up && c.hist < len(c.history) {
			c.hist++
		}
		if c.hist < len(c.history) {
			c.input.SetValue(c.history[c.hist])
		} else {
			c.input.SetValue("")
		}
		c.input.CursorEnd()
		c.refilter()
		return result{}, nil
	}
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(msg)
	c.sel = 0
	c.refilter()
	return result{}, cmd
}

// remember adds a line to the history (not twice in a row).
func (c *cmdline) remember(line string) {
	if n := len(c.history); n > 0 && c.history[n-1] == line {
		return
	}
	c.history = append(c.history, line)
	if len(c.history) > maxHistory {
		c.history = c.history[len(c.history)-maxHistory:]
	}
	c.hist = len(c.history)
}

// view draws the suggestions (up to rows-1 of them) over the input line, all
// width cells wide.
func (c *cmdline) view(width, rows int, th themes.Theme) []string {
	var lines []string
	n := min(len(c.matches), max(rows-1, 0), 8)
	first := 0
	if c.sel >= n {
		first = c.sel - n + 1
	}
	for i := first; i < first+n && i < len(c.matches); i++ {
		label := ansi.Truncate(frame.SafeText(c.matches[i].label), width-2, "…")
		if i == c.sel {
			lines = append(lines, th.Selected.Render(pad("▶ "+label, width)))
		} else {
			lines = append(lines, th.Muted.Render(pad("  "+label, width)))
		}
	}
	c.input.Width = max(width-ansi.StringWidth(c.input.Prompt)-1, 1)
	lines = append(lines, pad(c.input.View(), width))
	return lines
}

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if d := w - ansi.StringWidth(s); d > 0 {
		s += strings.Repeat(" ", d)
	}
	return s
}
