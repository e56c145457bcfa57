package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/quarry-sec/quarry/views/pane"
)

// TestGolden runs the shell as a program (teatest) at fixed sizes and compares the
// final screen with testdata/TestGolden/*.golden; -update rewrites them.
func TestGolden(t *testing.T) {
	type step struct {
		keys []string
		// wait is text that must be on screen before the next step.
		wait string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"library", []step{{wait: "ready"}}},
		{"results", []step{{wait: "ready"}, {keys: []string{":", "text:q SecurityAlert.list_alerts", "enter"}, wait: "3 rows"}}},
		{"detail", []step{{wait: "ready"}, {keys: []string{":", "text:q SecurityAlert.list_alerts", "enter"}, wait: "3 rows"}, {keys: []string{"G", "enter"}, wait: "field 1"}}},
		{"help", []step{{wait: "ready"}, {keys: []string{"?"}, wait: "Keys"}}},
		{"timerange", []step{{wait: "ready"}, {keys: []string{"t"}, wait: "Time range"}}},
		{"palette", []step{{wait: "ready"}, {keys: []string{"ctrl+p", "text:ran"}, wait: "range"}}},
		{"time_series", []step{{wait: "ready"}, {keys: []string{"5"}, wait: "Not built yet"}}},
		{"process_tree", []step{{wait: "ready"}, {keys: []string{"4"}, wait: "press T in"}}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				m, err := New(context.Background(), &fakeBackend{}, Options{NoColor: true, Clipboard: &bytes.Buffer{}, Now: func() time.Time { return clock }})
				if err != nil {
					t.Fatal(err)
				}
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				for _, s := range c.steps {
					for _, k := range s.keys {
						if text, ok := strings.CutPrefix(k, "text:"); ok {
							tm.Type(text)
						} else {
							tm.Send(pane.Key(k))
						}
					}
					if s.wait != "" {
						teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s.wait)) },
							teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
					}
				}
				tm.Send(tea.QuitMsg{})
				fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
				golden.RequireEqual(t, []byte(fm.View()))
			})
		}
	}
}
