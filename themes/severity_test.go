package themes

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestSeverityStyles checks the threat-intelligence severity styles of every
// theme: high is bold and underlined, warning bold only, information and unknown
// neither; the four render differently in every theme, mono included (where
// unknown is faint); the coloured themes colour high, warning and information,
// and mono colours nothing.
func TestSeverityStyles(t *testing.T) {
	for _, name := range Names() {
		th, _ := ByName(name)
		attrs := []struct {
			sev             string
			st              lipgloss.Style
			bold, underline bool
		}{
			{"high", th.SevHigh, true, true},
			{"warning", th.SevWarning, true, false},
			{"information", th.SevInfo, false, false},
			{"unknown", th.SevUnknown, false, false},
		}
		r := lipgloss.NewRenderer(&bytes.Buffer{})
		r.SetColorProfile(termenv.TrueColor)
		seen := map[string]string{}
		for _, a := range attrs {
			if a.st.GetBold() != a.bold || a.st.GetUnderline() != a.underline {
				t.Errorf("%s: %s is bold=%v underline=%v, want %v %v", name, a.sev,
					a.st.GetBold(), a.st.GetUnderline(), a.bold, a.underline)
			}
			out := a.st.Renderer(r).Render("HIGH")
			coloured := strings.Contains(out, "38;2")
			switch {
			case name == "mono" && coloured:
				t.Errorf("mono: %s has a colour: %q", a.sev, out)
			case name != "mono" && a.sev != "unknown" && !coloured:
				t.Errorf("%s: %s has no colour: %q", name, a.sev, out)
			}
			if other, dup := seen[out]; dup {
				t.Errorf("%s: %s and %s render the same: %q", name, a.sev, other, out)
			}
			seen[out] = a.sev
		}
		if name == "mono" && !th.SevUnknown.GetFaint() {
			t.Error("mono: unknown is not faint")
		}
	}
}
