package querybrowser

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// TestGolden drives the browser through teatest at the two sizes the shell
// supports best and compares the final view with testdata/TestGolden/*.golden
// (go test -update rewrites them).
func TestGolden(t *testing.T) {
	scenarios := []struct {
		name string
		pick string
		msgs []tea.Msg
	}{
		{name: "list", msgs: keys("j", "j", "j", "j")},
		{name: "filtered", msgs: append(keys("/"), append(runes("logon"), keys("down", "enter")...)...)},
		{
			name: "form_error",
			pick: "WindowsSecurity.list_events_by_id",
			msgs: append(append([]tea.Msg{pane.RangeChanged{Range: demoRange}}, keys("enter")...),
				append(runes("4624, abc"), keys("tab")...)...),
		},
	}
	for _, sc := range scenarios {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1]), func(t *testing.T) {
				m := New(testContext(), library(t))
				if sc.pick != "" && !m.Select(sc.pick) {
					t.Fatalf("no query %s", sc.pick)
				}
				golden.RequireEqual(t, []byte(panetest.FinalView(t, m, size[0], size[1], sc.msgs...)))
			})
		}
	}
}

// keys makes key messages from key names.
func keys(names ...string) []tea.Msg {
	out := make([]tea.Msg, len(names))
	for i, n := range names {
		out[i] = pane.Key(n)
	}
	return out
}

// runes makes one key message per rune of s, as typing does.
func runes(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}
