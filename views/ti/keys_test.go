package ti

import (
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/quarry-sec/quarry/views/pane"
)

// globalKeys are the shell's keys, which it takes before a pane sees them (esc
// reaches a pane through Back).
var globalKeys = []string{"q", "?", ":", "ctrl+p", "tab", "shift+tab", "1", "2", "3", "4", "5", "6", "7", "8",
	"ctrl+c", "ctrl+n", "t", "[", "]", "esc"}

func TestNoKeyConflicts(t *testing.T) {
	km := DefaultKeyMap()
	modes := map[string][]key.Binding{
		"group header":  km.headerKeys(),
		"provider line": km.resultKeys(),
		"detail view":   km.detailKeys(),
		"input":         km.inputKeys(),
	}
	for mode, bindings := range modes {
		seen := map[string]string{}
		for _, b := range bindings {
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok {
					t.Errorf("%s: %q is bound to both %q and %q", mode, k, other, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
}

func TestNoGlobalKeys(t *testing.T) {
	global := map[string]bool{}
	for _, k := range globalKeys {
		global[k] = true
	}
	for _, n := range pane.Bindings(DefaultKeyMap()) {
		for _, k := range n.Binding.Keys() {
			if global[k] {
				t.Errorf("%s binds %q, which the shell takes first", n.Name, k)
			}
		}
	}
}

// TestHelpGroupsHaveNoSharedKeys mirrors the shell's check: within one help
// group no two bindings share a key, in every mode of the pane.
func TestHelpGroupsHaveNoSharedKeys(t *testing.T) {
	m := loaded(t, 120, 40)
	check := func(mode string) {
		for _, g := range m.FullHelp() {
			seen := map[string]string{}
			for _, b := range g {
				for _, k := range b.Keys() {
					if prev, dup := seen[k]; dup && prev != b.Help().Desc {
						t.Errorf("%s: %q in one help group for %q and %q", mode, k, prev, b.Help().Desc)
					}
					seen[k] = b.Help().Desc
				}
			}
		}
	}
	check("list")
	selectLine(t, m, google, "otx")
	press(m, "enter")
	check("detail")
	press(m, "i")
	check("input")
}

func TestHelpListsEveryBinding(t *testing.T) {
	m := loaded(t, 120, 40)
	listed := map[string]bool{}
	collect := func() {
		for _, g := range m.FullHelp() {
			for _, b := range g {
				listed[b.Help().Desc] = true
			}
		}
	}
	collect()
	selectLine(t, m, google, "otx")
	press(m, "enter")
	collect()
	press(m, "i")
	collect()
	for _, n := range pane.Bindings(m.Keys) {
		if !listed[n.Binding.Help().Desc] {
			t.Errorf("%s is missing from the help", n.Name)
		}
	}
}

func TestShortHelpFollowsMode(t *testing.T) {
	m := New(testCtx())
	m.SetSize(80, 24)
	descs := func() map[string]bool {
		out := map[string]bool{}
		for _, b := range m.ShortHelp() {
			out[b.Help().Desc] = true
		}
		return out
	}
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"empty", func() {}, []string{"type indicators"}},
		{"list", func() { send(m, finished(1)...) }, []string{"fold/unfold indicator", "open result", "minimum severity", "provider filter", "found only", "order", "query with IoC"}},
		{"detail", func() { selectLine(t, m, google, "otx"); press(m, "enter") }, []string{"copy reference link", "copy raw JSON", "back"}},
		{"input", func() { press(m, "i") }, []string{"look up", "cancel"}},
	}
	for _, s := range steps {
		s.do()
		got := descs()
		for _, w := range s.want {
			if !got[w] {
				t.Errorf("%s: the footer lacks %q (has %v)", s.name, w, got)
			}
		}
	}
}

func TestRebindMovesKeys(t *testing.T) {
	m := loaded(t, 120, 40)
	if err := m.Rebind(map[string][]string{"severity": {"S"}, "Down": {"n"}}); err != nil {
		t.Fatal(err)
	}
	press(m, "n")
	if m.cur != 1 {
		t.Fatalf("rebound down: cur %d", m.cur)
	}
	press(m, "s", "j")
	if m.f.sev != 0 || m.cur != 1 {
		t.Fatal("the old keys still work")
	}
	press(m, "S")
	if m.f.sev != 1 {
		t.Fatal("S did not change the severity filter")
	}
	if m.Keys.Severity.Help().Key != "S" {
		t.Errorf("help key = %q", m.Keys.Severity.Help().Key)
	}
	if err := m.Rebind(map[string][]string{"nosuch": {"x"}}); err == nil {
		t.Error("an unknown key name was accepted")
	}
}
