package results

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/draw"
)

// cellText is row r of column c as a person reads it, before escaping: the text that
// filters match, the frequency table counts and the copy keys copy. Times use
// frame.TimeLayout in the display zone (in UTC it is exactly frame.DisplayText).
func cellText(c *frame.Column, r int, zone *time.Location) string {
	if c.IsNull(r) {
		return ""
	}
	switch c.Kind {
	case frame.Int:
		return strconv.FormatInt(c.Ints[r], 10)
	case frame.Float:
		return formatFloat(c.Floats[r])
	case frame.Bool:
		return strconv.FormatBool(c.Bools[r])
	case frame.Time:
		return formatTime(c.Times[r], zone)
	default:
		return c.Strings[r]
	}
}

// appendCell appends cellText(c, r) to b without allocating for numbers and times.
func appendCell(b []byte, c *frame.Column, r int, zone *time.Location) []byte {
	if c.IsNull(r) {
		return b
	}
	switch c.Kind {
	case frame.Int:
		return strconv.AppendInt(b, c.Ints[r], 10)
	case frame.Float:
		x := c.Floats[r]
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.AppendFloat(b, x, 'g', -1, 64)
		}
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case frame.Bool:
		return strconv.AppendBool(b, c.Bools[r])
	case frame.Time:
		return c.Times[r].In(zoneOr(zone)).AppendFormat(b, frame.TimeLayout)
	default:
		return append(b, c.Strings[r]...)
	}
}

// formatFloat writes a float the way frame.DisplayText does.
func formatFloat(x float64) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

func formatTime(t time.Time, zone *time.Location) string {
	return t.In(zoneOr(zone)).Format(frame.TimeLayout)
}

func zoneOr(z *time.Location) *time.Location {
	if z == nil {
		return time.UTC
	}
	return z
}

// width is the display width of escaped text, with a fast path for ASCII.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// clip cuts s to at most n bytes at a rune boundary and reports whether it cut.
func clip(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// safeWidth is the display width of raw text once escaped, stopping early once it is
// known to reach limit (a 100 KB command line is not measured in full).
func safeWidth(raw string, limit int) int {
	s, cut := clip(raw, 4*limit+16)
	w := width(frame.SafeText(s))
	if cut && w < limit {
		w++ // the cut text is longer than shown: leave room for the ellipsis
	}
	return w
}

// fit escapes raw text and makes it exactly w cells wide: cut with "…" when longer,
// padded with spaces (on the left when right is set) when shorter.
func fit(raw string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	s, cut := clip(raw, 4*w+16)
	s = frame.SafeText(s)
	return pad(s, w, right, cut)
}

// pad cuts or pads escaped text to exactly w cells; more says the text continues
// beyond s, so an ellipsis must show even if s fits.
func pad(s string, w int, right, more bool) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w || (more && sw >= w) {
		s = ansi.Truncate(s, w-1, "") + "…"
		sw = width(s)
	} else if more {
		s += "…"
		sw++
	}
	if sw >= w {
		return s
	}
	if right {
		return strings.Repeat(" ", w-sw) + s
	}
	return s + strings.Repeat(" ", w-sw)
}

// truncate cuts escaped or styled text to at most w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// block makes exactly h lines, each at most w cells: the contract of View.
func block(lines []string, w, h int) string {
	if h <= 0 {
		return ""
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) && w > 0 {
			b.WriteString(truncate(lines[i], w))
		}
	}
	return b.String()
}

// spread puts left and right on one line w cells wide, the right part flush right;
// the left part is cut first when they do not both fit.
func spread(left, right string, w int) string {
	lw, rw := ansi.StringWidth(left), ansi.StringWidth(right)
	if rw >= w {
		return truncate(right, w)
	}
	if lw+1+rw > w {
		left = truncate(left, w-rw-1)
		lw = ansi.StringWidth(left)
	}
	return left + strings.Repeat(" ", max(1, w-lw-rw)) + right
}

// plural is "1 row", "2 rows".
func plural(n int, one, many string) string {
	if n == 1 {
		return draw.Thousands(n) + " " + one
	}
	return draw.Thousands(n) + " " + many
}

// containsFold reports whether h contains needle, ignoring case; needle is already
// lower case. ASCII text is compared in place, other text through strings.ToLower.
func containsFold[S ~string | ~[]byte](h S, needle string) bool {
	if len(needle) == 0 {
		return true
	}
	if !ascii(h) || !ascii(needle) {
		return strings.Contains(strings.ToLower(string(h)), needle)
	}
	n := len(needle)
	for i := 0; i+n <= len(h); i++ {
		j := 0
		for j < n && lower(h[i+j]) == needle[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// equalFold reports whether h equals v, ignoring case.
func equalFold[S ~string | ~[]byte](h S, v string) bool {
	if ascii(h) && ascii(v) {
		if len(h) != len(v) {
			return false
		}
		for i := 0; i < len(v); i++ {
			if lower(h[i]) != lower(v[i]) {
				return false
			}
		}
		return true
	}
	return strings.EqualFold(string(h), v)
}

func ascii[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
