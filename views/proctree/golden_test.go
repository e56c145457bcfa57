package proctree

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// TestGolden runs the pane in a real Bubble Tea program at 80×24 and 120×40 and
// compares its final view with testdata/TestGolden (refresh with -update).
func TestGolden(t *testing.T) {
	tree := built(1, sampleTree())
	with := func(keys ...string) []tea.Msg { return append([]tea.Msg{tree}, panetest.Keys(keys...)...) }
	typed := func(s string) []tea.Msg {
		out := make([]tea.Msg, 0, len(s))
		for _, r := range s {
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		return out
	}
	scenes := []struct {
		name string
		msgs []tea.Msg
	}{
		{"empty", nil},
		{"building", []tea.Msg{pane.BuildTree{Title: "WindowsSecurity.list_host_processes"}}},
		// cmd.exe folded over the marked powershell.exe, the selection on net.exe.
		{"tree", with("j", "j", "enter", "G", "k")},
		{"columns", with("s", "u", "j")},
		{"collapsed", with("C")},
		{"details", with("j", "j", "j", "d")},
		{"search", append(append(with("C", "/"), typed("cmd")...), panetest.Keys("enter", "n")...)},
		{"search_input", append(with("/"), typed("powershell -enc")...)},
		{"failure", append(with("j"), failed(2, "column ProcessId missing"))},
	}
	for _, sc := range scenes {
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, sz[0], sz[1]), func(t *testing.T) {
				v := panetest.FinalView(t, New(testCtx()), sz[0], sz[1], sc.msgs...)
				checkSize(t, sc.name, v, sz[0], sz[1])
				if bad := panetest.ControlBytes(v); len(bad) > 0 {
					t.Errorf("control bytes at %v", bad)
				}
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}
