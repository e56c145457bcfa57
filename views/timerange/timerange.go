// Package timerange is the time-range picker: presets relative to now or to the
// end of offline data, absolute Start and End fields, and stepping a range back or
// forward by its width. The shell shows it as a dialog and binds [ and ] to Step.
// Choosing a range goes out as a pane.RangeChanged intent, which the shell
// broadcasts to the panes.
package timerange

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/views/pane"
)

// ErrEmptyRange is the End field's error when the end is not after the start.
var ErrEmptyRange = errors.New("end must be after start")

// DefaultPreset is the range before any choice when no workspace span is known.
const DefaultPreset = "24h"

// focus is the part of the dialog that has the keys.
type focus int

const (
	onList focus = iota
	onStart
	onEnd
)

// The pane contract, checked at compile time.
var (
	_ pane.Component = (*Model)(nil)
	_ pane.Titled    = (*Model)(nil)
)

// Model is the time-range picker.
type Model struct {
	// Keys are the dialog's keys; the shell may rebind them (pane.Rebind).
	Keys KeyMap

	ctx    *pane.Context
	rng    pane.Range
	span   pane.Range
	chosen bool
	cursor int
	focus  focus

	start, end textinput.Model
	// startText and endText are what the fields were filled with, so that an
	// untouched field keeps the range's exact instant (the fields show seconds).
	startText, endText string
	startErr, endErr   error

	width, height int
}

// New makes the picker with the default range: the last 24 hours before now.
func New(ctx *pane.Context) *Model {
	m := &Model{Keys: DefaultKeyMap(), ctx: ctx}
	for _, ti := range []*textinput.Model{&m.start, &m.end} {
		*ti = pane.NewInput()
		ti.Prompt = ""
		ti.Cursor.SetMode(cursor.CursorStatic)
	}
	r, _ := Preset(DefaultPreset, Anchor(ctx.Clock(), pane.Range{}), pane.Range{})
	m.set(r)
	return m
}

// Title names the dialog.
func (m *Model) Title() string { return "Time range" }

// Range is the current range.
func (m *Model) Range() pane.Range { return m.rng }

// Span is the workspace's span as last told (zero when unknown).
func (m *Model) Span() pane.Range { return m.span }

// SetRange sets the current range (restoring a saved one, or following a
// broadcast). A different range counts as a choice, so a span arriving later does
// not replace it; the range already current changes nothing.
func (m *Model) SetRange(r pane.Range) {
	if sameRange(r, m.rng) {
		return
	}
	m.chosen = true
	m.set(r)
}

// set makes r current: the fields show it and the cursor goes to its preset.
func (m *Model) set(r pane.Range) {
	r.Start, r.End = r.Start.UTC(), r.End.UTC()
	m.rng = r
	m.fill()
	for i, l := range Labels(m.span) {
		if l == r.Label {
			m.cursor = i
		}
	}
}

// fill puts the current range in the Start and End fields and clears errors.
func (m *Model) fill() {
	m.startText, m.endText = m.editText(m.rng.Start), m.editText(m.rng.End)
	m.start.SetValue(m.startText)
	m.end.SetValue(m.endText)
	m.start.CursorEnd()
	m.end.CursorEnd()
	m.startErr, m.endErr = nil, nil
}

// editText is a time as the fields show it: a wall clock in the display zone.
func (m *Model) editText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(m.zone()).Format(EditLayout)
}

// zone is the display zone.
func (m *Model) zone() *time.Location {
	if m.ctx.Zone == nil {
		return time.UTC
	}
	return m.ctx.Zone
}

// anchor is where the relative presets end now.
func (m *Model) anchor() time.Time { return Anchor(m.ctx.Clock(), m.span) }

// Capturing reports whether the Start or End field has the keys.
func (m *Model) Capturing() bool { return m.focus != onList }

// Back leaves a focused Start or End field, dropping what was typed, and reports
// false so that the shell closes the dialog on esc; the next time it opens, the
// preset list has the keys.
func (m *Model) Back() bool {
	if m.focus != onList {
		m.blur()
		m.fill()
	}
	return false
}

// SetSize gives the dialog its size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
}

// apply makes r current as the user's choice and returns the RangeChanged intent.
func (m *Model) apply(r pane.Range) tea.Cmd {
	m.chosen = true
	m.blur()
	m.set(r)
	return pane.Cmd(pane.RangeChanged{Range: m.rng})
}

// Step moves the range by dir times its width (−1 back, +1 forward) and returns
// the RangeChanged intent; nil when dir is 0 or the range is empty. A stepped
// range is absolute: its Label is empty, its Width unchanged.
func (m *Model) Step(dir int) tea.Cmd {
	w := m.rng.Width()
	if dir == 0 || w <= 0 {
		return nil
	}
	d := time.Duration(dir) * w
	return m.apply(pane.Range{Start: m.rng.Start.Add(d), End: m.rng.End.Add(d)})
}

// Update handles the span, range broadcasts and keys.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pane.Span:
		return m.setSpan(pane.Range{Start: msg.Start.UTC(), End: msg.End.UTC(), Label: SpanLabel})
	case pane.RangeChanged:
		m.SetRange(msg.Range)
		return nil
	case tea.KeyMsg:
		if m.focus == onList {
			return m.updateList(msg)
		}
		return m.updateField(msg)
	}
	return nil
}

// sameRange reports whether two ranges are the same instants and label,
// whatever the times' locations.
func sameRange(a, b pane.Range) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Label == b.Label
}

// setSpan records the workspace span. Before any choice, the range becomes the
// whole span, and the returned intent says so.
func (m *Model) setSpan(span pane.Range) tea.Cmd {
	if span.Start.IsZero() && span.End.IsZero() {
		span = pane.Range{}
	}
	m.span = span
	m.cursor = min(m.cursor, len(Labels(span))-1)
	if m.chosen || span.IsZero() {
		return nil
	}
	r, err := Preset(SpanLabel, m.anchor(), span)
	if err != nil || sameRange(r, m.rng) {
		return nil
	}
	m.set(r)
	return pane.Cmd(pane.RangeChanged{Range: m.rng})
}

// updateList handles a key on the preset list.
func (m *Model) updateList(msg tea.KeyMsg) tea.Cmd {
	k := m.Keys
	labels := Labels(m.span)
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, len(labels)-1)
	case key.Matches(msg, k.Apply):
		r, err := Preset(labels[m.cursor], m.anchor(), m.span)
		if err != nil {
			return pane.Fail(err)
		}
		return m.apply(r)
	case key.Matches(msg, k.Edit), key.Matches(msg, k.NextField):
		return m.focusField(onStart)
	case key.Matches(msg, k.PrevField):
		return m.focusField(onEnd)
	case key.Matches(msg, k.Earlier):
		return m.Step(-1)
	case key.Matches(msg, k.Later):
		return m.Step(1)
	}
	return nil
}

// updateField handles a key in the Start or End field.
func (m *Model) updateField(msg tea.KeyMsg) tea.Cmd {
	k := m.Keys
	switch {
	case key.Matches(msg, k.Cancel):
		m.blur()
		m.fill()
		return nil
	case key.Matches(msg, k.NextField):
		m.validateFocused()
		return m.focusField((m.focus + 1) % 3)
	case key.Matches(msg, k.PrevField):
		m.validateFocused()
		return m.focusField((m.focus + 2) % 3)
	case key.Matches(msg, k.Apply):
		r, ok := m.validate()
		if !ok {
			if m.startErr != nil {
				return m.focusField(onStart)
			}
			return m.focusField(onEnd)
		}
		return m.apply(r)
	}
	ti, errp := &m.start, &m.startErr
	if m.focus == onEnd {
		ti, errp = &m.end, &m.endErr
	}
	var cmd tea.Cmd
	*ti, cmd = ti.Update(msg)
	if *errp != nil {
		// Once shown, an error clears as soon as the text is right.
		m.validateFocused()
	}
	return cmd
}

// focusField gives the keys to the list, Start or End.
func (m *Model) focusField(f focus) tea.Cmd {
	m.blur()
	m.focus = f
	switch f {
	case onStart:
		return m.start.Focus()
	case onEnd:
		return m.end.Focus()
	}
	return nil
}

// blur gives the keys back to the list.
func (m *Model) blur() {
	m.start.Blur()
	m.end.Blur()
	m.focus = onList
}

// bound reads one field: its text as typed, or the range's exact instant when
// the text is what the field was filled with.
func (m *Model) bound(ti textinput.Model, filled string, exact time.Time) (time.Time, error) {
	if ti.Value() == filled && !exact.IsZero() {
		return exact, nil
	}
	return ParseInstant(ti.Value(), m.ctx.Clock(), m.zone())
}

// validateFocused checks the field being left (and the order of the two when
// both read).
func (m *Model) validateFocused() {
	switch m.focus {
	case onStart:
		_, m.startErr = m.bound(m.start, m.startText, m.rng.Start)
	case onEnd:
		m.validate()
	}
}

// validate reads both fields: each must be a time and the start before the end.
// It sets the fields' errors and returns the absolute range when both are right.
func (m *Model) validate() (pane.Range, bool) {
	s, serr := m.bound(m.start, m.startText, m.rng.Start)
	e, eerr := m.bound(m.end, m.endText, m.rng.End)
	m.startErr, m.endErr = serr, eerr
	if serr != nil || eerr != nil {
		return pane.Range{}, false
	}
	if !s.Before(e) {
		m.endErr = ErrEmptyRange
		return pane.Range{}, false
	}
	return pane.Range{Start: s, End: e}, true
}
