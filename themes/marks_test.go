package themes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestMarkStyles checks the suspicion-mark styles of every theme: the three
// severities render differently in colour, the high and medium ones are bold and
// the high one underlined (so mono still ranks them without colour), and mono
// has no colour at all.
func TestMarkStyles(t *testing.T) {
	for _, name := range Names() {
		th, _ := ByName(name)
		if !th.MarkHigh.GetBold() || !th.MarkHigh.GetUnderline() {
			t.Errorf("%s: MarkHigh is not bold and underlined", name)
		}
		if !th.MarkMedium.GetBold() || th.MarkMedium.GetUnderline() {
			t.Errorf("%s: MarkMedium should be bold, not underlined", name)
		}
		if th.MarkLow.GetBold() {
			t.Errorf("%s: MarkLow is bold, like the higher severities", name)
		}
		r := lipgloss.NewRenderer(&bytes.Buffer{})
		r.SetColorProfile(termenv.TrueColor)
		seen := map[string]string{}
		for sev, st := range map[string]lipgloss.Style{"high": th.MarkHigh, "medium": th.MarkMedium, "low": th.MarkLow} {
			out := st.Renderer(r).Render("cmd.exe")
			if name == "mono" {
				if strings.Contains(out, "38;2") {
					t.Errorf("mono: %s mark has a colour: %q", sev, out)
				}
				continue
			}
			if !strings.Contains(out, "38;2") {
				t.Errorf("%s: %s mark has no colour: %q", name, sev, out)
			}
			if other, dup := seen[out]; dup {
				t.Errorf("%s: %s and %s marks render the same", name, sev, other)
			}
			seen[out] = sev
		}
	}
}
