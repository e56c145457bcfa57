package queries

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	// A Wednesday.
	now := time.Date(2024, 3, 13, 10, 30, 45, 0, time.UTC)
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2019-01-15T05:24:24Z", utc(2019, 1, 15, 5, 24, 24, 0)},
		{"2019-01-15T05:24:24.25Z", utc(2019, 1, 15, 5, 24, 24, 250000000)},
		{"2019-01-15T05:24:24+02:00", utc(2019, 1, 15, 3, 24, 24, 0)},
		{"2019-01-15", utc(2019, 1, 15, 0, 0, 0, 0)},
		{"2019-01-15 05:24:24", utc(2019, 1, 15, 5, 24, 24, 0)},
		{"2019-01-15 05:24:24.123", utc(2019, 1, 15, 5, 24, 24, 123000000)},
		{"2019-01-15T05:24:24", utc(2019, 1, 15, 5, 24, 24, 0)},
		{"2019-01-15T05:24:24.5", utc(2019, 1, 15, 5, 24, 24, 500000000)},
		{"  2019-01-15  ", utc(2019, 1, 15, 0, 0, 0, 0)},
		{"now", now},
		{"NOW", now},
		{"-2", utc(2024, 3, 11, 10, 30, 45, 0)},
		{"3", utc(2024, 3, 16, 10, 30, 45, 0)},
		{"-1d", utc(2024, 3, 12, 10, 30, 45, 0)},
		{"- 2 d", utc(2024, 3, 11, 10, 30, 45, 0)},
		{"-3d@d", utc(2024, 3, 10, 0, 0, 0, 0)},
		{"-12h", utc(2024, 3, 12, 22, 30, 45, 0)},
		{"5h", utc(2024, 3, 13, 15, 30, 45, 0)},
		{"+2w", utc(2024, 3, 27, 10, 30, 45, 0)},
		{"+1d@d", utc(2024, 3, 15, 0, 0, 0, 0)},
		{"-1mon", utc(2024, 2, 13, 10, 30, 45, 0)},
		{"-1mon@mon", utc(2024, 2, 1, 0, 0, 0, 0)},
		{"-1y@y", utc(2023, 1, 1, 0, 0, 0, 0)},
		{"-30m@h", utc(2024, 3, 13, 10, 0, 0, 0)},
		{"+5m@h", utc(2024, 3, 13, 11, 0, 0, 0)},
		{"-10s", utc(2024, 3, 13, 10, 30, 35, 0)},
		{"-1w@w", utc(2024, 3, 4, 0, 0, 0, 0)},
		{"-0d@d", utc(2024, 3, 13, 0, 0, 0, 0)},
		{"+1h@h", utc(2024, 3, 13, 12, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, now)
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	now := time.Date(2024, 3, 13, 10, 30, 45, 0, time.UTC)
	for _, in := range []string{"", "yesterday", "2019-13-45", "-1x", "1d@x", "--1d", "2019/01/15", "1.5d"} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseTime(in, now)
			if err == nil {
				t.Fatalf("ParseTime(%q) succeeded", in)
			}
			if !strings.Contains(err.Error(), "RFC 3339") || !strings.Contains(err.Error(), "-3d@d") {
				t.Errorf("error %q does not list the accepted forms", err)
			}
		})
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"-1d", "2019-01-15", "now", "+3w@w", "2019-01-15T05:24:24Z", "7"} {
		f.Add(s)
	}
	now := time.Date(2024, 3, 13, 10, 30, 45, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, now)
		if err == nil && got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) not UTC: %v", s, got)
		}
	})
}
