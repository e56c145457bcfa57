package proctree

import (
	"strings"
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
