package results

import (
	"strings"
	"testing"

	"github.com/quarry-sec/quarry/views/pane"
)

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
