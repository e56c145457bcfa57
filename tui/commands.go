package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/timerange"
)

// command is one action of the command line and palette.
type command struct {
	name    string
	aliases []string
	// args describes the arguments ("" when it takes none).
	args string
	help string
	run  func(m *Model, args []string) tea.Cmd
}

// commands is every command, in the order the palette lists them.
func commands() []command {
	cmds := []command{
		{name: "query", aliases: []string{"q", "run"}, args: "NAME [param=value …]", help: "run a library query (no name and :q alone quits, as in vim)", run: cmdQuery},
		{name: "range", aliases: []string{"time", "r"}, args: "15m|1h|4h|24h|7d|30d|span|-7d|START END", help: "set the time range", run: cmdRange},
		{name: "back", aliases: []string{"earlier"}, help: "step the time range back by its width", run: func(m *Model, _ []string) tea.Cmd { return m.picker.Step(-1) }},
		{name: "forward", aliases: []string{"later"}, help: "step the time range forward by its width", run: func(m *Model, _ []string) tea.Cmd { return m.picker.Step(1) }},
		{name: "theme", aliases: []string{"colors"}, args: strings.Join(themes.Names(), "|"), help: "change the colour theme", run: cmdTheme},
		{name: "zone", aliases: []string{"tz"}, args: "UTC|Local|Area/City", help: "show times in this time zone", run: cmdZone},
		{name: "mouse", args: "[on|off]", help: "turn mouse support on or off (off keeps text selection)", run: cmdMouse},
		{name: "nav", help: "hide or show the navigator", run: func(m *Model, _ []string) tea.Cmd { m.hideNav = !m.hideNav; m.layout(); return nil }},
		{name: "open", aliases: []string{"reopen"}, help: "open the workspace again (after fixing a file)", run: cmdOpen},
		{name: "cancel", help: "cancel the running tasks", run: func(m *Model, _ []string) tea.Cmd { return m.cancelNotice(m.cancelTasks()) }},
		{name: "help", aliases: []string{"keys"}, help: "show every key", run: func(m *Model, _ []string) tea.Cmd { m.dialog = dialogHelp; return nil }},
		{name: "quit", aliases: []string{"exit", "qa"}, help: "leave Quarry", run: func(m *Model, _ []string) tea.Cmd { return m.quit() }},
	}
	for i, p := range paneOrder {
		p := p
		cmds = append(cmds, command{
			name: string(p.id), aliases: p.aliases,
			help: fmt.Sprintf("go to %s (%d)", p.title, i+1),
			run:  func(m *Model, _ []string) tea.Cmd { return m.focus(p.id) },
		})
	}
	return cmds
}

// lookup finds a command by name or alias.
func lookup(cmds []command, name string) (command, bool) {
	name = strings.ToLower(name)
	for _, c := range cmds {
		if c.name == name {
			return c, true
		}
		for _, a := range c.aliases {
			if a == name {
				return c, true
			}
		}
	}
	return command{}, false
}

// execute runs a command line ("query SecurityAlert.list_alerts", "range -7d").
func (m *Model) execute(line string) tea.Cmd {
	fields, err := splitArgs(line)
	if err != nil {
		return pane.Fail(err)
	}
	if len(fields) == 0 {
		return nil
	}
	c, ok := lookup(m.cmds, fields[0])
	if !ok {
		return pane.Fail(fmt.Errorf("unknown command %q; press ctrl+p for the list", fields[0]))
	}
	return c.run(m, fields[1:])
}

// splitArgs splits a command line on spaces, keeping "double quoted" words whole.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unclosed quote in %q", s)
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}

func cmdQuery(m *Model, args []string) tea.Cmd {
	if len(args) == 0 {
		return m.quit()
	}
	if m.lib == nil {
		return pane.Fail(fmt.Errorf("no query library: %v", m.libErr))
	}
	q, err := m.lib.Get(args[0])
	if err != nil {
		return pane.Fail(fmt.Errorf("%w; find it in Queries (1) with /", err))
	}
	params := map[string]any{}
	crumb := []string{q.Name}
	for _, kv := range args[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return pane.Fail(fmt.Errorf("query %s: want param=value, got %q", q.Name, kv))
		}
		p, ok := q.Param(k)
		if !ok {
			return pane.Fail(fmt.Errorf("query %s has no parameter %q", q.Name, k))
		}
		if _, err := p.Parse(v, m.now()); err != nil {
			return pane.Fail(fmt.Errorf("query %s: %s: %v", q.Name, k, err))
		}
		params[p.Name] = v
		crumb = append(crumb, p.Name+"="+v)
	}
	m.browser.Select(q.Name)
	if len(args) == 1 && needsForm(q) {
		m.setFocus(pane.Queries)
		return m.browser.OpenForm()
	}
	return m.runQuery(pane.RunQuery{From: pane.Queries, To: pane.Results, Query: q.Name, Params: params, Crumb: strings.Join(crumb, " ")})
}

// needsForm reports whether a query has a required parameter other than the time
// range, which the command line cannot default.
func needsForm(q *queries.Query) bool {
	for _, p := range q.Params {
		if p.Required && p.Name != "start" && p.Name != "end" {
			return true
		}
	}
	return false
}

var widthRE = regexp.MustCompile(`^-?(\d+)([smhdw])$`)

// parseRange reads a :range argument: a preset, a width ("-7d": the last seven
// days up to the anchor), or two instants (START END or START..END) in the display
// zone.
func (m *Model) parseRange(args []string) (pane.Range, error) {
	span := pane.Range{Start: m.info.Start, End: m.info.End}
	anchor := timerange.Anchor(m.now(), span)
	if len(args) == 1 && strings.Contains(args[0], "..") {
		a, b, _ := strings.Cut(args[0], "..")
		args = []string{a, b}
	}
	switch len(args) {
	case 1:
		if r, err := timerange.Preset(strings.ToLower(args[0]), anchor, span); err == nil {
			return r, nil
		}
		if g := widthRE.FindStringSubmatch(strings.ToLower(args[0])); g != nil {
			n, _ := strconv.Atoi(g[1])
			unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[g[2]]
			w := time.Duration(n) * unit
			if w <= 0 {
				return pane.Range{}, fmt.Errorf("range %q is empty", args[0])
			}
			return pane.Range{Start: anchor.Add(-w), End: anchor, Label: strings.TrimPrefix(strings.ToLower(args[0]), "-")}, nil
		}
		return pane.Range{}, fmt.Errorf("range %q: want a preset (15m 1h 4h 24h 7d 30d span), a width like -7d, or START END", args[0])
	case 2:
		start, err := m.parseInstant(args[0])
		if err != nil {
			return pane.Range{}, fmt.Errorf("range start: %w", err)
		}
		end, err := m.parseInstant(args[1])
		if err != nil {
			return pane.Range{}, fmt.Errorf("range end: %w", err)
		}
		if !start.Before(end) {
			return pane.Range{}, fmt.Errorf("range start %s is not before its end %s", m.pctx.FormatTime(start), m.pctx.FormatTime(end))
		}
		return pane.Range{Start: start, End: end}, nil
	}
	return pane.Range{}, fmt.Errorf("range takes a preset, a width or START END (got %d words)", len(args))
}

// parseInstant reads a time as the picker does: in the display zone unless it
// names its own.
func (m *Model) parseInstant(s string) (time.Time, error) {
	return timerange.ParseInstant(s, m.now(), m.pctx.Zone)
}

func cmdRange(m *Model, args []string) tea.Cmd {
	if len(args) == 0 {
		m.dialog = dialogRange
		return nil
	}
	r, err := m.parseRange(args)
	if err != nil {
		return pane.Fail(err)
	}
	return pane.Cmd(pane.RangeChanged{Range: r})
}

func cmdTheme(m *Model, args []string) tea.Cmd {
	if len(args) != 1 {
		return pane.Fail(fmt.Errorf("theme takes one of %s", strings.Join(themes.Names(), ", ")))
	}
	t, err := themes.ByName(args[0])
	if err != nil {
		return pane.Fail(err)
	}
	if m.noColor {
		return pane.Notice("NO_COLOR is set: staying with the mono theme")
	}
	m.pctx.Theme = t
	m.restyle()
	return pane.Notice("theme " + t.Name)
}

func cmdZone(m *Model, args []string) tea.Cmd {
	if len(args) != 1 {
		return pane.Fail(fmt.Errorf("zone takes one name: UTC, Local or an IANA zone like Europe/London"))
	}
	z, err := time.LoadLocation(args[0])
	if err != nil {
		return pane.Fail(fmt.Errorf("zone %q: %v", args[0], err))
	}
	m.pctx.Zone = z
	return pane.Notice("times shown in " + z.String())
}

func cmdMouse(m *Model, args []string) tea.Cmd {
	on := !m.mouse
	if len(args) == 1 {
		switch strings.ToLower(args[0]) {
		case "on", "true", "1":
			on = true
		case "off", "false", "0":
			on = false
		default:
			return pane.Fail(fmt.Errorf("mouse takes on or off, not %q", args[0]))
		}
	}
	m.mouse = on
	if on {
		return tea.Batch(tea.EnableMouseCellMotion, pane.Notice("mouse on: wheel scrolls, click picks a pane (hold shift to select text)"))
	}
	return tea.Batch(tea.DisableMouse, pane.Notice("mouse off: select text with the mouse as usual"))
}

func cmdOpen(m *Model, _ []string) tea.Cmd {
	if m.ready {
		return pane.Notice("the workspace is open")
	}
	for _, t := range m.tasks {
		if t.pane == "" {
			return pane.Notice("the workspace is opening")
		}
	}
	m.openErr = nil
	return m.open()
}
