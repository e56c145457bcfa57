package timerange

import (
	"errors"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/views/pane"
)

// now is the tests' fixed clock: two years after the demo data ends.
var now = time.Date(2024, 5, 13, 9, 0, 0, 0, time.UTC)

// demoSpan is the demo workspace's span.
var demoSpan = pane.Range{
	Start: time.Date(2019, 1, 10, 5, 48, 9, 0, time.UTC),
	End:   time.Date(2022, 5, 13, 8, 54, 11, 910e6, time.UTC),
	Label: SpanLabel,
}

func TestAnchor(t *testing.T) {
	future := pane.Range{Start: now.Add(-time.Hour), End: now.Add(time.Hour)}
	tests := []struct {
		name string
		span pane.Range
		want time.Time
	}{
		{"no span: now", pane.Range{}, now},
		{"span ended before now: its end", demoSpan, demoSpan.End},
		{"span ends after now: now", future, now},
		{"span ends exactly now: now", pane.Range{Start: now.Add(-time.Hour), End: now}, now},
		{"zone of the span's end does not matter", pane.Range{End: demoSpan.End.In(time.FixedZone("X", 3600))}, demoSpan.End},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Anchor(now, tt.span)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("Anchor = %v, want %v in UTC", got, tt.want)
			}
		})
	}
}

func TestPreset(t *testing.T) {
	a := demoSpan.End
	tests := []struct {
		label      string
		span       pane.Range
		start, end time.Time
		wantLabel  string
		err        error
	}{
		{"15m", pane.Range{}, a.Add(-15 * time.Minute), a, "15m", nil},
		{"1h", pane.Range{}, a.Add(-time.Hour), a, "1h", nil},
		{"4h", pane.Range{}, a.Add(-4 * time.Hour), a, "4h", nil},
		{"24h", pane.Range{}, a.Add(-24 * time.Hour), a, "24h", nil},
		{"7d", pane.Range{}, a.Add(-7 * 24 * time.Hour), a, "7d", nil},
		{"30d", pane.Range{}, a.Add(-30 * 24 * time.Hour), a, "30d", nil},
		{" 24H ", pane.Range{}, a.Add(-24 * time.Hour), a, "24h", nil},
		{"span", demoSpan, demoSpan.Start, demoSpan.End, "span", nil},
		{"span", pane.Range{}, time.Time{}, time.Time{}, "", ErrNoSpan},
		{"2h", pane.Range{}, time.Time{}, time.Time{}, "", ErrUnknownPreset},
		{"", pane.Range{}, time.Time{}, time.Time{}, "", ErrUnknownPreset},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			r, err := Preset(tt.label, a, tt.span)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !r.Start.Equal(tt.start) || !r.End.Equal(tt.end) || r.Label != tt.wantLabel {
				t.Errorf("Preset = %v → %v %q, want %v → %v %q", r.Start, r.End, r.Label, tt.start, tt.end, tt.wantLabel)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	if got := Labels(pane.Range{}); len(got) != 6 || got[5] != "30d" {
		t.Errorf("without a span: %v", got)
	}
	if got := Labels(demoSpan); len(got) != 7 || got[6] != SpanLabel {
		t.Errorf("with a span: %v", got)
	}
}

func TestParseInstant(t *testing.T) {
	x := time.FixedZone("X", 2*3600)
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t.UTC()
	}
	tests := []struct {
		in   string
		zone *time.Location
		want time.Time
		err  bool
	}{
		{"2022-05-13 10:00:00", x, utc("2022-05-13T08:00:00Z"), false},
		{"2022-05-13 10:00:00", time.UTC, utc("2022-05-13T10:00:00Z"), false},
		{"2022-05-13 10:00:00", nil, utc("2022-05-13T10:00:00Z"), false},
		{"2022-05-13T10:00:00", x, utc("2022-05-13T08:00:00Z"), false},
		{"2022-05-13 10:00", x, utc("2022-05-13T08:00:00Z"), false},
		{"2022-05-13", x, utc("2022-05-12T22:00:00Z"), false},
		{"2022-05-13 10:00:00.250", x, utc("2022-05-13T08:00:00.25Z"), false},
		{"2022-05-13T10:00:00Z", x, utc("2022-05-13T10:00:00Z"), false},
		{"2022-05-13T10:00:00+02:00", time.UTC, utc("2022-05-13T08:00:00Z"), false},
		{"2022-05-13 10:00:00 UTC", x, utc("2022-05-13T10:00:00Z"), false},
		{"2022-05-13 10:00:00 utc", x, utc("2022-05-13T10:00:00Z"), false},
		{"  2022-05-13 10:00:00  ", x, utc("2022-05-13T08:00:00Z"), false},
		{"now", x, now, false},
		{"-1d", x, now.Add(-24 * time.Hour), false},
		{"-12h", x, now.Add(-12 * time.Hour), false},
		{"-3d@d", x, utc("2024-05-10T00:00:00Z"), false},
		{"-2", x, now.Add(-48 * time.Hour), false},
		{"", x, time.Time{}, true},
		{"yesterday", x, time.Time{}, true},
		{"now UTC", x, time.Time{}, true},
		{"2022-13-40", x, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseInstant(tt.in, now, tt.zone)
			if tt.err {
				if !errors.Is(err, ErrBadTime) {
					t.Errorf("err = %v, want ErrBadTime", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseInstant = %v, want %v in UTC", got, tt.want)
			}
		})
	}
}

func FuzzParseInstant(f *testing.F) {
	for _, s := range []string{"2022-05-13 10:00:00", "2022-05-13T10:00:00Z", "-3d@d", "now", "2022-05-13 UTC", "+2w", ""} {
		f.Add(s)
	}
	x := time.FixedZone("X", 2*3600)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseInstant(s, now, x)
		if err != nil {
			if !errors.Is(err, ErrBadTime) {
				t.Errorf("error %v does not wrap ErrBadTime", err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("%q: result in %v", s, got.Location())
		}
	})
}
