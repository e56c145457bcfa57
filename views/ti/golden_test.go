package ti

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/views/pane"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// TestGolden runs the pane in a real Bubble Tea program at 80×24 and 120×40 and
// compares its final view with testdata/TestGolden (refresh with -update).
func TestGolden(t *testing.T) {
	done := finished(1)
	with := func(msgs []tea.Msg, keys ...string) []tea.Msg {
		return append(append([]tea.Msg(nil), msgs...), panetest.Keys(keys...)...)
	}
	typed := func(s string) []tea.Msg {
		out := make([]tea.Msg, 0, len(s))
		for _, r := range s {
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		return out
	}
	allFailed := []intel.Result{
		res("virustotal", google, "ipv4", intel.SevUnknown, nil).Fail("HTTP 401 Unauthorized: check QUARRY_VT_KEY"),
		res("otx", google, "ipv4", intel.SevUnknown, nil).Fail("dial tcp 104.18.2.1:443: i/o timeout"),
		res("virustotal", torExit, "ipv4", intel.SevUnknown, nil).Fail("HTTP 401 Unauthorized: check QUARRY_VT_KEY"),
	}
	scenes := []struct {
		name string
		msgs []tea.Msg
	}{
		{"empty", nil},
		{"pending", []tea.Msg{request}},
		{"running", running(1, 2)},
		{"finished", done},
		// Torexit's virustotal line selected, google folded.
		{"list", with(done, "j", "j", "enter", "j", "j")},
		{"filtered", with(done, "s", "s", "f")},
		{"provider", with(done, "p", "p")},
		{"worst_first", with(done, "o", "C", "j", "l")},
		{"detail", with(done, "j", "j", "j", "j", "j", "j", "j", "j", "enter")},
		{"detail_end", with(done, "j", "j", "j", "j", "j", "j", "j", "j", "enter", "G")},
		{"detail_cached", with(done, "j", "j", "j", "j", "j", "j", "enter")},
		{"detail_error", with(done, "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "enter")},
		{"input", append(with(done, "i"), typed("8.8.8.8, evil-update.example.net")...)},
		{"start_error", []tea.Msg{pane.TIStarted{Seq: 1, Request: request, Err: errBoom,
			Notes: []string{"virustotal: no API key; set QUARRY_VT_KEY"}}, pane.TIDone{Seq: 1, Err: errBoom}}},
		{"cancelled", append(running(1, 1), pane.TIDone{Seq: 1, Elapsed: 2 * time.Second, Err: context.Canceled})},
		{"all_errors", []tea.Msg{started(1), pane.TIResults{Seq: 1, Results: allFailed}, pane.TIDone{Seq: 1, Elapsed: 900 * time.Millisecond}}},
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
