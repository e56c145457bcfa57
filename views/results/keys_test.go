package results

import (
	"strings"
	"testing"

	"github.com/quarry-sec/quarry/views/pane"
)

// shellKeys are the keys the shell owns in every pane.
var shellKeys = []string{"q", "?", ":", "ctrl+p", "tab", "shift+tab", "1", "2", "3", "4", "5", "6", "7", "8", "ctrl+c", "ctrl+n", "t", "[", "]", "esc"}

func TestNoKeyConflicts(t *testing.T) {
	km := DefaultKeyMap()
	for _, m := range []mode{modeTable, modeDetail, modeFreq, modeChooser, modeFilter} {
		seen := map[string]string{}
		for _, b := range km.modeKeys(m) {
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok {
					t.Errorf("mode %d: %q is bound to both %q and %q", m, k, other, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
}

func TestEveryBindingHasHelpAndNoShellKey(t *testing.T) {
	named := pane.Bindings(DefaultKeyMap())
	if len(named) < 30 {
		t.Fatalf("only %d bindings found", len(named))
	}
	for _, n := range named {
		h := n.Binding.Help()
		if h.Key == "" || h.Desc == "" || len(n.Binding.Keys()) == 0 {
			t.Errorf("%s has no keys or no help: %+v", n.Name, h)
		}
		for _, k := range n.Binding.Keys() {
			for _, s := range shellKeys {
				if k == s {
					t.Errorf("%s binds %q, which the shell owns", n.Name, k)
				}
			}
		}
	}
}

func TestFullHelpListsEveryBinding(t *testing.T) {
	km := DefaultKeyMap()
	listed := map[string]bool{}
	for _, g := range km.FullHelp() {
		for _, b := range g {
			listed[b.Help().Desc] = true
		}
	}
	for _, n := range pane.Bindings(km) {
		if !listed[n.Binding.Help().Desc] {
			t.Errorf("%s is missing from FullHelp", n.Name)
		}
	}
}

func TestRebindReachesEveryCard(t *testing.T) {
	m := New(testCtx())
	if err := pane.Rebind(&m.Keys, map[string][]string{"sort": {"o"}}); err != nil {
		t.Fatal(err)
	}
	m.SetSize(100, 12)
	m.Open(alerts(t), "Q.a", "")
	press(m, "l", "l", "l", "o")
	if _, d := m.Current().Sort(); d != Ascending {
		t.Fatal("the rebound key did not sort")
	}
	press(m, "s")
	if _, d := m.Current().Sort(); d != Ascending {
		t.Fatal("the old key still sorts")
	}
	if !strings.Contains(m.Keys.Sort.Help().Key, "o") {
		t.Errorf("help key = %q", m.Keys.Sort.Help().Key)
	}
}
