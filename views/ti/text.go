package ti

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/intel"
)

// maxProvW is the widest the provider column grows.
const maxProvW = 16

// valueLimit is how many characters of a detail's value a line shows, and
// summaryLimit how many of the whole summary are kept (a line is narrower).
const (
	valueLimit   = 40
	summaryLimit = 600
)

// safe escapes text from the answers for the terminal.
func safe(s string) string { return frame.SafeText(s) }

// width is a drawn string's width in cells.
func width(s string) int { return ansi.StringWidth(s) }

// clip cuts raw text to at most n runes, so that a line never escapes and
// measures more of a long value than the screen can show; cut reports that
// something was left off.
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

// shorten is raw text cut to n runes, with "…" when something was left off.
func shorten(s string, n int) string {
	out, cut := clip(s, n)
	if cut {
		return out + "…"
	}
	return out
}

// sevLabel is a severity's label, four cells wide: HIGH, WARN, INFO or —.
func sevLabel(s intel.Severity) string {
	switch s {
	case intel.SevHigh:
		return "HIGH"
	case intel.SevWarning:
		return "WARN"
	case intel.SevInformation:
		return "INFO"
	}
	return "—   "
}

// statusWord is a result's status as its line says it.
func statusWord(r *intel.Result) string {
	switch r.Status {
	case intel.StatusOK:
		if !r.Found {
			return "not found"
		}
		return "found"
	case intel.StatusNotFound:
		return "not found"
	case intel.StatusUnsupported:
		return "unsupported"
	case intel.StatusBadFormat:
		return "bad format"
	}
	return "error"
}

// statusW is the status column's width ("unsupported").
const statusW = 11

// summarize is what a result's line says after its status, escaped: the details
// for an answer that found something, else the reason (unless it only repeats
// the status).
func summarize(r *intel.Result) string {
	if r.Status == intel.StatusOK && len(r.Details) > 0 {
		return compact(r.Details)
	}
	reason := strings.TrimSpace(r.Reason)
	if reason == "" || strings.EqualFold(reason, statusWord(r)) || strings.EqualFold(reason, r.Status.String()) {
		return ""
	}
	return safe(shorten(reason, summaryLimit))
}

// compact writes details as "key value · key value", the keys sorted, each value
// shortened (lists joined with ",", long text cut with "…"), escaped.
func compact(d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
		b.WriteString(shorten(k, valueLimit))
		b.WriteByte(' ')
		b.WriteString(shortValue(d[k], valueLimit))
		if b.Len() > 4*summaryLimit {
			break
		}
	}
	return safe(shorten(b.String(), summaryLimit))
}

// shortValue writes a detail's value in at most about n runes: lists joined
// with ",", numbers without exponent, nested objects as compact JSON.
func shortValue(v any, n int) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		return shorten(v, n)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(v)
	case json.Number:
		return v.String()
	case time.Time:
		return v.UTC().Format(time.RFC3339)
	case []string:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, shorten(x, n))
			if len(parts) > n {
				break
			}
		}
		return shorten(strings.Join(parts, ","), n)
	case []any:
		if len(v) == 0 {
			return "—"
		}
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, shortValue(x, n))
			if len(parts) > n {
				break
			}
		}
		return shorten(strings.Join(parts, ","), n)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return shorten(fmt.Sprint(v), n)
	}
	return shorten(string(b), n)
}

// fullValue writes a detail's value whole for the detail view: text as it is,
// anything else as compact JSON.
func fullValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		return v
	case float64, float32, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return shortValue(v, 1<<20)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
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

// padLeft right-aligns a drawn string in w cells.
func padLeft(s string, w int) string {
	sw := width(s)
	if sw >= w {
		return s
	}
	return strings.Repeat(" ", w-sw) + s
}

// duration writes an elapsed time: tenths of a second under a minute, whole
// seconds after.
func duration(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	}
	return d.Round(time.Second).String()
}
