package frame

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	f, err := New(
		&Column{Name: "s", Kind: String, Strings: []string{"a", "b", "c"}, Null: []bool{false, true, false}},
		&Column{Name: "n", Kind: Int, Ints: []int64{1, 2, 3}},
		&Column{Name: "t", Kind: Time, Times: []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f.Meta.Query = "Q.x"
	g, err := f.Take([]int{2, 0}, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 2 || len(g.Columns()) != 2 || g.Names()[0] != "n" || g.Names()[1] != "s" {
		t.Fatalf("shape: %d rows, names %v", g.Len(), g.Names())
	}
	if g.Value(0, 0) != int64(3) || g.Value(1, 0) != int64(1) || g.Value(0, 1) != "c" {
		t.Errorf("values: %v %v %v", g.Value(0, 0), g.Value(1, 0), g.Value(0, 1))
	}
	if g.Meta.Query != "Q.x" {
		t.Errorf("meta lost: %+v", g.Meta)
	}
	// Writing to the copy leaves the source alone.
	g.Columns()[1].Strings[0] = "z"
	if f.Value(2, 0) != "c" {
		t.Error("take shares storage with the source")
	}
	all, err := f.Take(nil, nil)
	if err != nil || all.Len() != 3 || all.Value(1, 0) != nil {
		t.Errorf("take all: %v rows, null kept %v, err %v", all.Len(), all.Value(1, 0), err)
	}
	if _, err := f.Take([]int{3}, nil); err == nil {
		t.Error("row out of range accepted")
	}
	if _, err := f.Take(nil, []int{5}); err == nil {
		t.Error("column out of range accepted")
	}
}

func BenchmarkTake(b *testing.B) {
	const n = 1_000_000
	s := make([]string, n)
	v := make([]int64, n)
	rows := make([]int, 0, n/2)
	for i := range s {
		s[i] = "value"
		v[i] = int64(i)
		if i%2 == 0 {
			rows = append(rows, n-1-i)
		}
	}
	f, _ := New(&Column{Name: "s", Kind: String, Strings: s}, &Column{Name: "v", Kind: Int, Ints: v})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Take(rows, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEncodeContextProgressAndCancel(t *testing.T) {
	n := 20000
	v := make([]int64, n)
	f, _ := New(&Column{Name: "v", Kind: Int, Ints: v})
	var calls, last int
	var buf strings.Builder
	if err := EncodeContext(context.Background(), &buf, f, JSONL, func(done, total int) {
		calls++
		last = done
		if total != n {
			t.Errorf("total = %d, want %d", total, n)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if last != n || calls != 4 { // 0, 8192, 16384, 20000
		t.Errorf("progress: %d calls, last %d", calls, last)
	}
	if got := strings.Count(buf.String(), "\n"); got != n {
		t.Errorf("wrote %d lines, want %d", got, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := EncodeContext(ctx, io.Discard, f, CSV, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: err = %v", err)
	}
}
