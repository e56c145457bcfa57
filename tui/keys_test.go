package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/quarry-sec/quarry/views/pane"
)

var _ = golden.RequireEqual // registers -update

// TestGlobalKeysDoNotConflict fails when two global bindings share a key, or a
// pane binds, in its normal (not typing) mode, a key the shell takes first. It
// reads the shell's real keymap, so the panes need no copy of the list.
func TestGlobalKeysDoNotConflict(t *testing.T) {
	global := map[string]string{}
	for _, nb := range pane.Bindings(DefaultKeyMap()) {
		for _, k := range nb.Binding.Keys() {
			if prev, dup := global[k]; dup {
				t.Errorf("global key %q is bound to both %s and %s", k, prev, nb.Name)
			}
			global[k] = nb.Name
		}
	}
	m, _ := newShell(t, &fakeBackend{}, 120, 40)
	send(m, pane.Key(":"))
	typeText(m, "q SecurityAlert.list_alerts")
	send(m, pane.Key("enter")) // a result card, so the table's keys are live
	check := func(where string, groups [][]key.Binding) {
		for _, g := range groups {
			// A help group is one mode or section of the pane: two bindings of one
			// group may not share a key (a pane's sections, such as the Decode
			// pane's tree and IoC list, may reuse enter; each pane tests those).
			seen := map[string]string{}
			for _, b := range g {
				if !b.Enabled() {
					continue
				}
				for _, k := range b.Keys() {
					// esc reaches a pane through Back(), by design.
					if name, ok := global[k]; ok && k != "esc" {
						t.Errorf("%s binds %q (%s), which the shell's %s takes first", where, k, b.Help().Desc, name)
					}
					if prev, dup := seen[k]; dup && prev != b.Help().Desc {
						t.Errorf("%s binds %q to both %q and %q", where, k, prev, b.Help().Desc)
					}
					seen[k] = b.Help().Desc
				}
			}
		}
	}
	check("queries", m.browser.FullHelp())
	check("results", m.results.FullHelp())
	check("decode", m.decoder.FullHelp())
	check("proctree", m.trees.FullHelp())
	check("ti", m.intel.FullHelp())
	// In the picker dialog the shell takes only esc, t and q (and ctrl+c).
	for _, g := range m.picker.FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				if k == "t" || k == "q" || k == "ctrl+c" {
					t.Errorf("time range binds %q, which the shell takes in the dialog", k)
				}
			}
		}
	}
}

// TestKeyReference keeps docs/tui.md's key tables equal to the keymaps;
// -update rewrites them.
func TestKeyReference(t *testing.T) {
	path := filepath.Join("..", "docs", "tui.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- keys:begin -->\n", "<!-- keys:end -->"
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q … %q markers", path, begin, end)
	}
	want := s[:i+len(begin)] + "\n" + KeyReference() + "\n" + s[j:]
	if s == want {
		return
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's key tables differ from the keymaps; run go test ./tui -run TestKeyReference -update", path)
}

// TestEveryBindingHasHelp checks every keymap the shell knows (the panes' too):
// each binding has keys, a key label and a description.
func TestEveryBindingHasHelp(t *testing.T) {
	for _, km := range keymaps() {
		for _, nb := range pane.Bindings(km.keymap) {
			if h := nb.Binding.Help(); len(nb.Binding.Keys()) == 0 || h.Desc == "" || h.Key == "" {
				t.Errorf("%s.%s has no keys or no help text", km.name, nb.Name)
			}
		}
	}
}
