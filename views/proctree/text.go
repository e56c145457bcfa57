package proctree

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
)

// safe escapes text from the data for the terminal.
func safe(s string) string { return frame.SafeText(s) }

// width is a drawn string's width in cells.
func width(s string) int { return ansi.StringWidth(s) }

// clip cuts raw text to at most n runes, so that a row never escapes and measures
// more of a megabyte command line than the screen can show; cut reports that
// something was left off. A rune draws in one cell or more (escaped, up to six),
// combining marks aside, so n runes fill a row of n cells.
func clip(s string, n int) (out string, cut bool) {
	if len(s) <= n {
		return s, false
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], i < len(s)
}

// clean keeps what may stand in the one-line search: control and format
// characters are dropped as they are typed or pasted, tabs and line breaks
// become spaces.
func clean(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for _, r := range rs {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			out = append(out, ' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
		default:
			out = append(out, r)
		}
	}
	return out
}

// thousands writes n with thousands separators ("100,000").
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// plural is a count and a noun, the noun in the plural unless the count is one
// ("1 root", "2 roots", "3 processes", "4 matches").
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") || strings.HasSuffix(noun, "ch") {
		return thousands(n) + " " + noun + "es"
	}
	return thousands(n) + " " + noun + "s"
}

// padLeft right-aligns a drawn string in w cells, cutting it with "…" when it
// is wider.
func padLeft(s string, w int) string {
	sw := width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-sw) + s
}

// padRight left-aligns a drawn string in w cells, cutting it with "…" when it
// is wider.
func padRight(s string, w int) string {
	sw := width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}
