package decode

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
	s := newSample(t)
	scenes := []struct {
		name string
		msgs []tea.Msg
	}{
		{"empty", nil},
		{"decoded", []tea.Msg{s.msg}},
		{"payload_iocs", append([]tea.Msg{s.msg}, panetest.Keys("j", "w", "w", "j")...)},
		{"tagged", append([]tea.Msg{s.msg}, panetest.Keys("m")...)},
		{"binary_member", append([]tea.Msg{s.msg}, panetest.Keys("G")...)},
		{"all_iocs", append([]tea.Msg{s.msg}, panetest.Keys("a", "j")...)},
		{"folded", append([]tea.Msg{s.msg}, panetest.Keys("j", "enter", "j", "h")...)},
		{"paste", append([]tea.Msg{s.msg}, append(panetest.Keys("p"),
			tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune("powershell -enc SQBFAFgA\r\n\x1b]0;title\x07")})...)},
		{"decoding", []tea.Msg{pane.DecodeText{Text: "x", Source: "SecurityEvent.CommandLine, row 12"}}},
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
