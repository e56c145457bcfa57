package upcoming

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/pane"
)

func TestView(t *testing.T) {
	m := New(pane.NewContext(themes.Mono()), "Process tree", "Process trees built from any process log, collapsible, with command lines.")
	for _, size := range [][2]int{{40, 10}, {20, 3}, {1, 1}, {0, 0}} {
		m.SetSize(size[0], size[1])
		v := m.View()
		if size[1] == 0 {
			if v != "" {
				t.Errorf("0x0 view = %q", v)
			}
			continue
		}
		lines := strings.Split(v, "\n")
		if len(lines) != size[1] {
			t.Errorf("%v: %d lines", size, len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > size[0] {
				t.Errorf("%v: line %q is %d wide", size, l, w)
			}
		}
	}
	m.SetSize(60, 12)
	if v := m.View(); !strings.Contains(v, "Not built yet") || !strings.Contains(v, "Process trees built") {
		t.Errorf("view lacks its description:\n%s", v)
	}
}
