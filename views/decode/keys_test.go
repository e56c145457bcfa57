package decode

import (
	"testing"

	"github.com/quarry-sec/quarry/views/pane"
)

func TestNoKeyConflicts(t *testing.T) {
	km := DefaultKeyMap()
	for _, s := range []section{secTree, secText, secIoCs} {
		seen := map[string]string{}
		for _, b := range km.sectionKeys(s) {
			for _, k := range b.Keys() {
				if other, ok := seen[k]; ok {
					t.Errorf("section %d: %q is bound to both %q and %q", s, k, other, b.Help().Desc)
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
	m := New(testCtx())
	if len(m.FullHelp()) != len(km.FullHelp()) {
		t.Error("the pane's FullHelp is not the keymap's")
	}
}

func TestShortHelpFollowsFocus(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	want := map[section]string{secTree: "fold/unfold", secText: "page down", secIoCs: "query with IoC"}
	for range 3 {
		found := false
		for _, b := range m.ShortHelp() {
			if b.Help().Desc == want[m.focus] {
				found = true
			}
		}
		if !found {
			t.Errorf("section %d's help lacks %q", m.focus, want[m.focus])
		}
		press(m, "w")
	}
}

func TestRebindMovesKeys(t *testing.T) {
	m, _ := loaded(t, 120, 40)
	if err := m.Rebind(map[string][]string{"nextsection": {"ctrl+w"}, "Down": {"n"}}); err != nil {
		t.Fatal(err)
	}
	press(m, "n")
	if m.Selected() != 0 {
		t.Fatalf("rebound down: selected %d", m.Selected())
	}
	press(m, "j", "w")
	if m.Selected() != 0 || m.focus != secTree {
		t.Fatal("the old keys still work")
	}
	press(m, "ctrl+w")
	if m.focus != secText {
		t.Fatal("ctrl+w did not move the focus")
	}
	if m.Keys.NextSection.Help().Key != "ctrl+w" {
		t.Errorf("help key = %q", m.Keys.NextSection.Help().Key)
	}
}
