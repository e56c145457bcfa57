package results

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/themes"
)

func TestLineInput(t *testing.T) {
	k := func(typ tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: typ} }
	runes := func(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
	tests := []struct {
		name  string
		start string
		keys  []tea.KeyMsg
		want  string
		pos   int
	}{
		{"type", "", []tea.KeyMsg{runes("ab"), k(tea.KeySpace), runes("c")}, "ab c", 4},
		{"backspace", "abc", []tea.KeyMsg{k(tea.KeyBackspace)}, "ab", 2},
		{"insert in the middle", "ac", []tea.KeyMsg{k(tea.KeyLeft), runes("b")}, "abc", 2},
		{"home and delete", "abc", []tea.KeyMsg{k(tea.KeyHome), k(tea.KeyDelete)}, "bc", 0},
		{"ctrl+a ctrl+e", "abc", []tea.KeyMsg{k(tea.KeyCtrlA), runes(">"), k(tea.KeyCtrlE), runes("<")}, ">abc<", 5},
		{"word delete", "foo bar  ", []tea.KeyMsg{k(tea.KeyCtrlW)}, "foo ", 4},
		{"kill to end", "foo bar", []tea.KeyMsg{k(tea.KeyCtrlA), k(tea.KeyRight), k(tea.KeyCtrlK)}, "f", 1},
		{"kill to start", "foo bar", []tea.KeyMsg{k(tea.KeyLeft), k(tea.KeyCtrlU)}, "r", 0},
		{"paste drops controls", "", []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("a\x1b[2J\tb\u202ec\nd"), Paste: true}}, "a[2J bc d", 9},
		{"edges", "", []tea.KeyMsg{k(tea.KeyBackspace), k(tea.KeyLeft), k(tea.KeyDelete), k(tea.KeyRight)}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lineInput{prompt: "/", width: 20}
			in.set(tt.start)
			for _, m := range tt.keys {
				in.update(m)
			}
			if in.text() != tt.want || in.pos() != tt.pos {
				t.Fatalf("text %q pos %d, want %q %d", in.text(), in.pos(), tt.want, tt.pos)
			}
		})
	}
}

func TestLineInputViewScrolls(t *testing.T) {
	in := lineInput{prompt: "export to: ", width: 20}
	in.set("a-very-long-file-name-for-the-export.csv")
	v := in.view(themes.Mono())
	if w := ansi.StringWidth(v); w > 20 {
		t.Fatalf("view %q is %d wide", v, w)
	}
	if want := "export to: …ort.csv "; ansi.Strip(v) != want {
		t.Fatalf("view = %q, want the end of the text, its cut start marked", ansi.Strip(v))
	}
	in.update(tea.KeyMsg{Type: tea.KeyHome})
	if got := ansi.Strip(in.view(themes.Mono())); got != "export to: a-very-l…" {
		t.Fatalf("view at home = %q", got)
	}
	empty := lineInput{prompt: "/", placeholder: "text col=value", width: 30}
	if got := ansi.Strip(empty.view(themes.Mono())); got != "/ text col=value" {
		t.Fatalf("placeholder view = %q", got)
	}
}
