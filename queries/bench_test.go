package queries

import (
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := LoadFS(Embedded(), "library"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBind(b *testing.B) {
	lib, err := LoadFS(Embedded(), "library")
	if err != nil {
		b.Fatal(err)
	}
	q, err := lib.Get("WindowsSecurity.list_host_processes")
	if err != nil {
		b.Fatal(err)
	}
	vals := map[string]any{"host_name": `WKS01"; | union *`, "start": "-3d@d", "end": "now"}
	opts := BindOptions{Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, d := range []frame.Dialect{frame.SQL, frame.KQL, frame.SPL} {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				if _, err := q.Bind(d, vals, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{
		`SELECT '{x}' FROM {table} WHERE a = '{{b}}' -- '{c}`,
		`T | where a has "{x}" and b == @'{y}' // "{z}`,
		`search a="\"{x}" b='{y}'`, `{`, `}}{{`, `'''{x}'''`,
	} {
		f.Add(s, 0)
	}
	dialects := []frame.Dialect{frame.SQL, frame.KQL, frame.SPL, frame.ESQL}
	f.Fuzz(func(t *testing.T, s string, di int) {
		if di < 0 {
			di = -di
		}
		d := dialects[di%len(dialects)]
		c, err := compileTemplate(d, s)
		if err != nil {
			return
		}
		for _, seg := range c.segs {
			if seg.param != "" && seg.text != "" {
				t.Fatalf("segment with both text and param: %+v", seg)
			}
		}
	})
}
