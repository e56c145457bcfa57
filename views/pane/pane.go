// Package pane is what every pane of the workbench shares: the Context handed to
// each, the Component contract the shell drives, and the intent and data messages
// that flow between panes and the shell's runner. Nothing here performs I/O: a pane
// asks for work by returning an intent as a tea.Cmd, and the shell's runner does it.
package pane

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/themes"
)

// ID names a pane; results and errors are routed back by it.
type ID string

// The panes of the navigator, in their order (number keys 1–8 focus them).
const (
	Queries     ID = "queries"
	Results     ID = "results"
	Alerts      ID = "alerts"
	ProcTree    ID = "proctree"
	TimeSeries  ID = "timeseries"
	ThreatIntel ID = "ti"
	Pivots      ID = "pivots"
	Decode      ID = "decode"
	// TimeRange is the time-range picker, shown as a dialog over the panes.
	TimeRange ID = "timerange"
)

// Context is what the shell hands every pane: the theme and how to show times.
// Panes keep the pointer, so a theme or zone change reaches them all at once.
type Context struct {
	// Theme is the current theme.
	Theme themes.Theme
	// Zone is the display time zone (UTC unless the settings say otherwise).
	Zone *time.Location
	// Now is the clock; tests fix it.
	Now func() time.Time
}

// NewContext returns a context with theme t, UTC and the system clock.
func NewContext(t themes.Theme) *Context {
	return &Context{Theme: t, Zone: time.UTC, Now: time.Now}
}

// TimeLayout is how the panes show an instant (the zone's name follows it).
const TimeLayout = "2006-01-02 15:04:05"

// FormatTime shows t in the display zone, with the zone's abbreviation.
func (c *Context) FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	z := c.Zone
	if z == nil {
		z = time.UTC
	}
	return t.In(z).Format(TimeLayout + " MST")
}

// Clock returns the current time in UTC.
func (c *Context) Clock() time.Time {
	if c.Now == nil {
		return time.Now().UTC()
	}
	return c.Now().UTC()
}

// Component is a pane as the shell drives it. Implementations are pointers and
// update in place; Update never blocks (long work goes out as a tea.Cmd).
type Component interface {
	// Update handles a message and may return a command (an intent, or work).
	Update(msg tea.Msg) tea.Cmd
	// View draws the pane in exactly the size last set.
	View() string
	// SetSize gives the pane its width and height in cells.
	SetSize(width, height int)
	// Capturing reports whether a text input in the pane (a filter, a form, a
	// prompt) has the keys, so that the shell's global keys stand aside.
	Capturing() bool
	// Back handles Esc when nothing is capturing: it closes the pane's innermost
	// sub-view (a detail view, a frequency table) and reports whether it did.
	Back() bool
	// ShortHelp and FullHelp are the pane's keys for the footer and the ? screen.
	help.KeyMap
}

// Titled is a pane with a title for the navigator and the pane's border.
type Titled interface {
	Title() string
}
