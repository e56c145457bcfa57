package themes

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestByName(t *testing.T) {
	for _, n := range []string{"dark", "light", "high-contrast", "mono", "HC", "contrast", "no-color"} {
		if _, err := ByName(n); err != nil {
			t.Errorf("ByName(%q): %v", n, err)
		}
	}
	if _, err := ByName("solarized"); err == nil {
		t.Error("unknown theme accepted")
	}
	if got := Names(); len(got) != 4 {
		t.Errorf("Names = %v", got)
	}
	if th, _ := Pick("light", true); th.Name != "mono" {
		t.Errorf("NO_COLOR gave %s, want mono", th.Name)
	}
	if th, _ := Pick("", false); th.Name != "dark" {
		t.Errorf("default is %s, want dark", th.Name)
	}
}

// TestDegrade renders each theme's accent and selection under each terminal class
// and checks the escape codes belong to that class: 16-colour terminals get only
// SGR 30–37/90–97 (and 40–47/100–107), 256-colour terminals 38;5;N, true colour
// 38;2;R;G;B, and colourless terminals no colour at all.
func TestDegrade(t *testing.T) {
	sgr := regexp.MustCompile(`\x1b\[([0-9;]*)m`)
	classes := []struct {
		profile termenv.Profile
		ok      *regexp.Regexp
	}{
		{termenv.Ascii, regexp.MustCompile(`^(0|1|2|4|7|;)*$`)},
		{termenv.ANSI, regexp.MustCompile(`^([0-9]|3[0-7]|4[0-7]|9[0-7]|10[0-7]|;)*$`)},
		{termenv.ANSI256, regexp.MustCompile(`^([0-9]|;|[34]8;5;[0-9]+)*$`)},
		{termenv.TrueColor, regexp.MustCompile(`^([0-9]|;|[34]8;2;[0-9]+;[0-9]+;[0-9]+)*$`)},
	}
	for _, name := range Names() {
		th, _ := ByName(name)
		for _, c := range classes {
			r := lipgloss.NewRenderer(&bytes.Buffer{})
			r.SetColorProfile(c.profile)
			for _, st := range []lipgloss.Style{th.Accent, th.Selected, th.Error, th.Status} {
				out := st.Renderer(r).Render("x")
				codes := sgr.FindAllStringSubmatch(out, -1)
				for _, m := range codes {
					if !c.ok.MatchString(m[1]) {
						t.Errorf("%s on profile %d: escape %q does not belong to the class", name, c.profile, m[1])
					}
				}
				if c.profile != termenv.Ascii && name != "mono" && len(codes) == 0 {
					t.Errorf("%s on profile %d: no colour at all in %q", name, c.profile, out)
				}
			}
		}
	}
}
