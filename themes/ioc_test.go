package themes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestIoCStylesUnderline checks that every theme marks indicators with underline,
// so that the mark survives a colourless terminal, and that the coloured themes
// tell the classes apart by colour as well.
func TestIoCStylesUnderline(t *testing.T) {
	for _, name := range Names() {
		th, _ := ByName(name)
		styles := map[string]lipgloss.Style{"net": th.IoCNet, "hash": th.IoCHash, "path": th.IoCPath, "other": th.IoCOther}
		seen := map[string]string{}
		for class, st := range styles {
			if !st.GetUnderline() {
				t.Errorf("%s: IoC %s style is not underlined", name, class)
			}
			r := lipgloss.NewRenderer(&bytes.Buffer{})
			r.SetColorProfile(termenv.TrueColor)
			out := st.Renderer(r).Render("10.0.0.5")
			if !strings.Contains(out, "\x1b[") || !strings.Contains(out, "4") {
				t.Errorf("%s: IoC %s renders without SGR: %q", name, class, out)
			}
			if name == "mono" {
				if strings.Contains(out, "38;2") {
					t.Errorf("mono: IoC %s has a colour: %q", class, out)
				}
				continue
			}
			if other, dup := seen[out]; dup {
				t.Errorf("%s: IoC %s and %s render the same", name, class, other)
			}
			seen[out] = class
		}
	}
}
