package draw

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

func TestDrawSegs(t *testing.T) {
	tests := []struct {
		segs []string
		w    int
		want string
	}{
		{[]string{"abc", "def"}, 10, "abcdef"},
		{[]string{"abc", "def"}, 6, "abcdef"},
		{[]string{"abc", "def"}, 5, "abcd…"},
		{[]string{"abc", "def"}, 3, "ab…"},
		{[]string{"abc", "def"}, 4, "abc…"},
		{[]string{"abc", "def"}, 1, "…"},
		{[]string{"abc"}, 0, ""},
		{[]string{"日本語"}, 4, "日…"},
	}
	for _, tt := range tests {
		var segs []Seg
		for _, s := range tt.segs {
			segs = append(segs, Plain(s))
		}
		if got := Segs(segs, tt.w, nil); got != tt.want {
			t.Errorf("Segs(%v, %d) = %q, want %q", tt.segs, tt.w, got, tt.want)
		}
	}
	pad := lipgloss.NewStyle()
	if got := Segs([]Seg{Plain("ab")}, 5, &pad); got != "ab   " {
		t.Errorf("padded = %q", got)
	}
}

func TestHighlightRuns(t *testing.T) {
	hit := lipgloss.NewStyle().Bold(true)
	segs := Highlight("a\x1bbc", map[int]bool{0: true, 2: true}, lipgloss.NewStyle(), hit)
	var texts []string
	for _, s := range segs {
		texts = append(texts, s.Text)
	}
	if got := strings.Join(texts, "|"); got != `a|\x1b|b|c` {
		t.Errorf("runs %q", got)
	}
}

// FuzzDraw checks that hostile text, highlighted anywhere and drawn in any width,
// never emits a control byte and never overflows.
func FuzzDraw(f *testing.F) {
	f.Add("title \x1b]0;owned\x07 then \x1b[2J", 3, 20)
	f.Add("日本語\u202e\xff", 1, 5)
	f.Add("", 0, 0)
	f.Fuzz(func(t *testing.T, s string, at, w int) {
		w = ((w % 200) + 200) % 200
		matched := map[int]bool{}
		for i := range s {
			if at != 0 && i%at == 0 {
				matched[i] = true
			}
		}
		line := Segs(Highlight(s, matched, lipgloss.NewStyle(), lipgloss.NewStyle()), w, nil)
		ti := textinput.New()
		ti.SetValue(s)
		ti.Focus()
		ti.SetCursor(at)
		in := Input(ti, w)
		for _, out := range []string{line, in} {
			if cw := ansi.StringWidth(out); cw > w {
				t.Errorf("%q drawn %d cells wide in %d", s, cw, w)
			}
			for _, r := range out {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					t.Fatalf("%q drawn with control %U: %q", s, r, out)
				}
			}
		}
	})
}

func TestTextHelpers(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		n          int
		noun, want string
	}{{1, "root", "1 root"}, {2, "root", "2 roots"}, {3, "process", "3 processes"}, {4, "match", "4 matches"}, {1000, "look-up", "1,000 look-ups"}, {0, "IoC", "0 IoCs"}} {
		if got := Plural(c.n, c.noun); got != c.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
	if got := string(CleanInput([]rune("a\tb\x1b[31mc\u202ed\u2028e\ufffd"))); got != "a b[31mcde" {
		t.Errorf("CleanInput = %q", got)
	}
}
