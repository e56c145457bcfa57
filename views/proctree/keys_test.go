package proctree

import (
	"testing"

	"github.com/quarry-sec/quarry/views/pane"
)

// shellKeys are the keys the shell owns in every pane (tui/keys.go).
var shellKeys = []string{"q", "?", ":", "ctrl+p", "tab", "shift+tab", "1", "2", "3", "4", "5", "6", "7", "8", "ctrl+c", "ctrl+n", "t", "[", "]", "esc"}

func TestNoKeyConflicts(t *testing.T) {
	seen := map[string]string{}
	for _, b := range DefaultKeyMap().treeKeys() {
		for _, k := range b.Keys() {
			if other, ok := seen[k]; ok {
				t.Errorf("%q is bound to both %q and %q", k, other, b.Help().Desc)
			}
			seen[k] = b.Help().Desc
		}
	}
}

func TestEveryBindingHasHelpAndNoShellKey(t *testing.T) {
	named := pane.Bindings(DefaultKeyMap())
	if len(named) != 26 {
		t.Fatalf("%d bindings found, want 26", len(named))
	}
	if len(DefaultKeyMap().treeKeys()) != len(named)-1 {
		t.Errorf("treeKeys lists %d bindings; every one but Apply should be there", len(DefaultKeyMap().treeKeys()))
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

func TestHelpListsEveryBinding(t *testing.T) {
	m := loaded(t, 80, 24)
	listed := map[string]bool{}
	for _, g := range m.FullHelp() {
		for _, b := range g {
			listed[b.Help().Desc] = true
		}
	}
	press(m, "/")
	for _, g := range m.FullHelp() {
		for _, b := range g {
			listed[b.Help().Desc] = true
		}
	}
	for _, n := range pane.Bindings(m.Keys) {
		if !listed[n.Binding.Help().Desc] {
			t.Errorf("%s is missing from the help", n.Name)
		}
	}
	press(m, "esc")
	short := map[string]bool{}
	for _, b := range m.ShortHelp() {
		short[b.Help().Desc] = true
	}
	for _, want := range []string{"fold/unfold", "search image/command", "details", "copy command line", "decode command line"} {
		if !short[want] {
			t.Errorf("the footer lacks %q", want)
		}
	}
}
