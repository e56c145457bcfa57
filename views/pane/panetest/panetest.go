// Package panetest is what the panes' tests share: running one pane in a real
// Bubble Tea program (teatest) at a fixed size to its final view, for golden files;
// and finding control characters that must never reach a terminal.
package panetest

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/quarry-sec/quarry/views/pane"
)

// FinalView runs c in a program at w×h, sends msgs in order (key presses from
// pane.Key, or any message), quits, and returns the pane's final view.
func FinalView(t *testing.T, c pane.Component, w, h int, msgs ...tea.Msg) string {
	t.Helper()
	tm := teatest.NewTestModel(t, pane.Program{C: c}, teatest.WithInitialTermSize(w, h))
	for _, msg := range msgs {
		tm.Send(msg)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
}

// Keys turns key names into key-press messages.
func Keys(names ...string) []tea.Msg {
	out := make([]tea.Msg, len(names))
	for i, n := range names {
		out[i] = pane.Key(n)
	}
	return out
}

// ControlBytes returns the byte offsets in s of C0 controls (newline aside), DEL
// and C1 controls: with the colour profile set to Ascii, a view that is safe to
// draw has none.
func ControlBytes(s string) []int {
	var at []int
	for i, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			at = append(at, i)
		}
	}
	return at
}
