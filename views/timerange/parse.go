package timerange

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/queries"
)

// ErrBadTime is wrapped by ParseInstant's errors.
var ErrBadTime = errors.New("not a time")

// TimeHint is the short list of forms the dialog suggests under a bad field.
const TimeHint = "try 2006-01-02 15:04, 2006-01-02, -1d, now"

// naiveRE matches text that starts like an absolute date; without a zone
// designator such text is a wall-clock time.
var naiveRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// ParseInstant reads a range bound as typed: anything queries.ParseTime accepts
// (RFC 3339, "2006-01-02 15:04:05", dates, "now", offsets such as -1d and -3d@d
// relative to now). An absolute time written without a zone designator is a wall
// clock in zone (the display zone); a trailing " UTC", as the panes show times,
// makes it UTC. Offsets and "now" do not depend on the zone. The result is UTC.
// Errors wrap ErrBadTime.
func ParseInstant(s string, now time.Time, zone *time.Location) (time.Time, error) {
	v := strings.TrimSpace(s)
	if zone == nil {
		zone = time.UTC
	}
	if u := strings.ToUpper(v); strings.HasSuffix(u, " UTC") {
		v, zone = strings.TrimSpace(v[:len(v)-len(" UTC")]), time.UTC
		if !naiveRE.MatchString(v) {
			return time.Time{}, fmt.Errorf("%w (%s)", ErrBadTime, TimeHint)
		}
	}
	t, err := queries.ParseTime(v, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w (%s)", ErrBadTime, TimeHint)
	}
	if _, err := time.Parse(time.RFC3339Nano, v); err == nil || !naiveRE.MatchString(v) {
		// A zone was given, or the time is relative to now.
		return t, nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone).UTC(), nil
}

// EditLayout is how the Start and End fields show a time: a wall clock in the
// display zone, which ParseInstant reads back.
const EditLayout = "2006-01-02 15:04:05"
