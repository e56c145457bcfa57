package querybrowser

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/views/pane"
)

// BenchmarkFilterKeystroke measures one keystroke in the filter with the full
// library: Update (fuzzy match and regroup) and View at 120x40. Keystrokes
// alternate typing a letter and deleting it, over a two-letter pattern.
func BenchmarkFilterKeystroke(b *testing.B) {
	m := New(testContext(), library(b))
	m.SetSize(120, 40)
	pane.Press(m, "/")
	pane.Type(m, "lo")
	add := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'g'}}
	del := tea.KeyMsg{Type: tea.KeyBackspace}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			m.Update(add)
		} else {
			m.Update(del)
		}
		_ = m.View()
	}
}

// BenchmarkListView measures drawing the unfiltered list and detail at 120x40.
func BenchmarkListView(b *testing.B) {
	m := New(testContext(), library(b))
	m.SetSize(120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
