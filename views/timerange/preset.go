package timerange

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/views/pane"
)

// SpanLabel is the preset that covers the workspace's whole span.
const SpanLabel = "span"

// ErrUnknownPreset is returned by Preset for a label it does not know.
var ErrUnknownPreset = errors.New("unknown preset")

// ErrNoSpan is returned by Preset for "span" while the workspace span is unknown.
var ErrNoSpan = errors.New("the workspace's time span is not known")

// widths are the relative presets, in the order the dialog lists them.
var widths = []struct {
	label string
	width time.Duration
}{
	{"15m", 15 * time.Minute},
	{"1h", time.Hour},
	{"4h", 4 * time.Hour},
	{"24h", 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
	{"30d", 30 * 24 * time.Hour},
}

// Labels lists the presets the dialog offers: the relative ones, then "span"
// when the span is known (non-zero).
func Labels(span pane.Range) []string {
	out := make([]string, 0, len(widths)+1)
	for _, w := range widths {
		out = append(out, w.label)
	}
	if !span.IsZero() {
		out = append(out, SpanLabel)
	}
	return out
}

// Anchor is where relative presets end: now, unless the workspace span is known
// and ends before now (offline evidence), in which case the span's end, so that
// "24h" means the last 24 hours of the data.
func Anchor(now time.Time, span pane.Range) time.Time {
	if !span.End.IsZero() && span.End.Before(now) {
		return span.End.UTC()
	}
	return now.UTC()
}

// Preset returns the range a preset label names: [anchor−width, anchor) for the
// relative presets (15m, 1h, 4h, 24h, 7d, 30d), and the workspace span itself
// for "span". The range's Label is the preset's label. Errors wrap
// ErrUnknownPreset or ErrNoSpan.
func Preset(label string, anchor time.Time, span pane.Range) (pane.Range, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if l == SpanLabel {
		if span.IsZero() {
			return pane.Range{}, fmt.Errorf("preset %q: %w", label, ErrNoSpan)
		}
		return pane.Range{Start: span.Start.UTC(), End: span.End.UTC(), Label: SpanLabel}, nil
	}
	for _, w := range widths {
		if w.label == l {
			a := anchor.UTC()
			return pane.Range{Start: a.Add(-w.width), End: a, Label: w.label}, nil
		}
	}
	return pane.Range{}, fmt.Errorf("preset %q (known: %s): %w", label, strings.Join(Labels(pane.Range{Start: time.Unix(0, 0), End: time.Unix(1, 0)}), ", "), ErrUnknownPreset)
}
