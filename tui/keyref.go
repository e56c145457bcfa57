package tui

import (
	"fmt"
	"strings"

	decodeview "github.com/quarry-sec/quarry/views/decode"
	"github.com/quarry-sec/quarry/views/pane"
	treeview "github.com/quarry-sec/quarry/views/proctree"
	"github.com/quarry-sec/quarry/views/querybrowser"
	"github.com/quarry-sec/quarry/views/results"
	intelview "github.com/quarry-sec/quarry/views/ti"
	"github.com/quarry-sec/quarry/views/timerange"
)

// keymaps lists every keymap: its settings name (ui.keys.<name>), its title and
// the keymap as shipped.
func keymaps() []struct {
	name, title string
	keymap      any
} {
	return []struct {
		name, title string
		keymap      any
	}{
		{"global", "Global (any pane)", DefaultKeyMap()},
		{"queries", "Queries (the library, its filter and the parameter form)", querybrowser.DefaultKeyMap()},
		{"results", "Results (cards, table, detail, frequency, columns, export)", results.DefaultKeyMap()},
		{"timerange", "Time range (t)", timerange.DefaultKeyMap()},
		{"decode", "Decode (payload tree, decoded text, indicators, paste box)", decodeview.DefaultKeyMap()},
		{"proctree", "Process tree (tree, search, columns, details)", treeview.DefaultKeyMap()},
		{"ti", "Threat intel (results by indicator, filters, detail, look-up input)", intelview.DefaultKeyMap()},
	}
}

// KeyReference is the key reference of docs/tui.md, made from the keymaps
// themselves so that it cannot drift from what the keys do.
func KeyReference() string {
	var b strings.Builder
	for _, km := range keymaps() {
		fmt.Fprintf(&b, "### %s\n\nSettings name: `ui.keys.%s`.\n\n| Keys | Action | Name |\n|---|---|---|\n", km.title, km.name)
		for _, nb := range pane.Bindings(km.keymap) {
			keys := make([]string, 0, len(nb.Binding.Keys()))
			for _, k := range nb.Binding.Keys() {
				switch k {
				case "|":
					k = `\|`
				case " ":
					k = "space"
				}
				keys = append(keys, "`"+k+"`")
			}
			desc := nb.Binding.Help().Desc
			if desc == "" {
				desc = strings.ToLower(nb.Name)
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", strings.Join(keys, " "), desc, strings.ToLower(nb.Name))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
