package draw

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// CleanInput keeps what may stand in a one-line input: control and format
// characters (escape sequences, bidi overrides, zero-width marks, line and
// paragraph separators, invalid UTF-8) are dropped as they are typed or
// pasted, and tabs and line breaks become spaces.
func CleanInput(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for _, r := range rs {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			out = append(out, ' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar:
		default:
			out = append(out, r)
		}
	}
	return out
}

// Thousands writes n with comma separators: 1,000,000.
func Thousands(n int) string {
	if n < 0 && n != math.MinInt {
		return "-" + Thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && n >= 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Plural is a count and a noun, the noun in the plural unless the count is one
// ("1 root", "2 roots", "3 processes", "4 matches", "1,000 look-ups").
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "s") || strings.HasSuffix(noun, "ch") {
		return Thousands(n) + " " + noun + "es"
	}
	return Thousands(n) + " " + noun + "s"
}
