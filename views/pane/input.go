package pane

import (
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
)

// NewInput is a text input for a pane: its cursor does not blink, because a
// blinking cursor redraws the screen twice a second for as long as it is shown,
// which is traffic a slow SSH link does not need.
func NewInput() textinput.Model {
	ti := textinput.New()
	ti.Cursor.SetMode(cursor.CursorStatic)
	return ti
}
