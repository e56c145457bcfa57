package proctree

import (
	"testing"

	"github.com/quarry-sec/quarry/views/pane"
)

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
