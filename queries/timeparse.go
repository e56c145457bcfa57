package queries

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TimeForms lists, for error messages and help, the forms ParseTime accepts.
const TimeForms = "RFC 3339 (2019-01-15T05:24:24Z), 2006-01-02, '2006-01-02 15:04:05[.fff]', " +
	"2006-01-02T15:04:05[.fff] (naive = UTC), now, a whole number of days (-2), or an offset " +
	"[+|-]N[y|mon|w|d|h|m|s][@unit] such as -1d, -3d@d, -12h, +2w"

// offsetRE is msticpy's time-offset grammar, anchored, with the optional
// "@unit" rounding suffix.
var offsetRE = regexp.MustCompile(`^\s*([+\-]?)\s*(\d+)\s*(mon|[ywdhms]?)\s*(?:@\s*(mon|[ywdhms]))?\s*$`)

// naiveLayouts are the absolute forms without a zone; they are read as UTC.
var naiveLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
}

// ParseTime reads a datetime parameter value. It accepts an absolute time
// (RFC 3339, or one of the naive layouts 2006-01-02, 2006-01-02 15:04:05[.fff]
// and 2006-01-02T15:04:05[.fff], read as UTC), "now", an integer string meaning
// that many days from now, or msticpy's offset spec
// [+|-]N[y|mon|w|d|h|m|s][@unit] relative to now (days when no unit is given).
// An "@unit" suffix rounds the result to that unit: down for a negative offset,
// up to the next unit boundary for a positive one. The result is in UTC.
func ParseTime(s string, now time.Time) (time.Time, error) {
	now = now.UTC()
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, fmt.Errorf("empty time; accepted forms: %s", TimeForms)
	}
	if strings.EqualFold(v, "now") {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range naiveLayouts {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	if m := offsetRE.FindStringSubmatch(v); m != nil {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			return time.Time{}, fmt.Errorf("time offset %q: %w", s, err)
		}
		if m[1] == "-" {
			n = -n
		}
		unit := m[3]
		if unit == "" {
			unit = "d"
		}
		t := addUnits(now, unit, n)
		if m[4] != "" {
			t = roundTime(t, m[4], n > 0)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time; accepted forms: %s", s, TimeForms)
}

// addUnits moves t by n of the given offset unit.
func addUnits(t time.Time, unit string, n int) time.Time {
	switch unit {
	case "y":
		return t.AddDate(n, 0, 0)
	case "mon":
		return t.AddDate(0, n, 0)
	case "w":
		return t.AddDate(0, 0, 7*n)
	case "h":
		return t.Add(time.Duration(n) * time.Hour)
	case "m":
		return t.Add(time.Duration(n) * time.Minute)
	case "s":
		return t.Add(time.Duration(n) * time.Second)
	default:
		return t.AddDate(0, 0, n)
	}
}

// roundTime truncates t to the start of its unit (weeks start on Monday); with
// up set, a time not already on a boundary moves to the next boundary.
func roundTime(t time.Time, unit string, up bool) time.Time {
	y, mo, d := t.Date()
	var r time.Time
	switch unit {
	case "y":
		r = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case "mon":
		r = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case "w":
		back := (int(t.Weekday()) + 6) % 7
		r = time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
	case "h":
		r = t.Truncate(time.Hour)
	case "m":
		r = t.Truncate(time.Minute)
	case "s":
		r = t.Truncate(time.Second)
	default:
		r = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	}
	if up && !r.Equal(t) {
		r = addUnits(r, unit, 1)
	}
	return r
}
