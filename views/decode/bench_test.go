package decode

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/views/pane"
)

// largeItem is an answer whose one payload decodes to 1 MiB of log-like text with
// 10,000 indicators in it: the worst a single frame of the pane has to draw.
func largeItem(tb testing.TB) pane.Decoded {
	tb.Helper()
	var b strings.Builder
	var ms []ioc.Match
	for i := 0; b.Len() < 1<<20; i++ {
		line := fmt.Sprintf("%06d GET http://files.example.com/p%d.bin -> C:\\Temp\\p%d.bin 日本 from ", i, i, i)
		for k := 0; k < 2 && len(ms) < 10_000; k++ {
			ip := fmt.Sprintf("10.%d.%d.%d ", k, i>>8&255, i&255)
			at := b.Len() + len(line)
			ms = append(ms, ioc.Match{Type: ioc.IPv4, Value: ip[:len(ip)-1], Start: at, End: at + len(ip) - 1})
			line += ip
		}
		b.WriteString(line + "\n")
	}
	text := b.String()[:1<<20]
	if len(ms) != 10_000 {
		tb.Fatalf("%d matches", len(ms))
	}
	return pane.Decoded{
		Seq:      1,
		Request:  pane.DecodeText{Text: "powershell -enc AAAA", Source: "bench"},
		Result:   &decode.Result{Items: []decode.Item{{Parent: -1, Reference: "1", Encoding: "base64>gzip", FileType: "utf-8", Size: len(text), Decoded: text, Text: true}}},
		ItemIoCs: [][]ioc.Match{ms},
	}
}

// BenchmarkViewLargeItem is one frame of the pane at 120×40 showing a 1 MiB
// decoded text with 10,000 IoCs: steady (nothing changed), after a page down (new
// rows wrapped on demand), and the first frame after the selection moves to it
// (its IoC list, marks and first screen made); G, which wraps the whole text
// once; and a move in the IoC list, which scrolls the text to the IoC.
func BenchmarkViewLargeItem(b *testing.B) {
	msg := largeItem(b)
	b.Run("steady", func(b *testing.B) {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(msg)
		press(m, "j")
		_ = m.View()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			_ = m.View()
		}
	})
	b.Run("pagedown", func(b *testing.B) {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(msg)
		press(m, "j")
		pgdn := tea.KeyMsg{Type: tea.KeyPgDown}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%200 == 199 {
				m.textTop = 0 // stay inside the text however large b.N grows
			}
			m.Update(pgdn)
			_ = m.View()
		}
	})
	b.Run("first", func(b *testing.B) {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(msg)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			press(m, "j")
			_ = m.View()
			press(m, "k")
		}
	})
	b.Run("bottom", func(b *testing.B) {
		// G in the text wraps all of it once (the rows are kept after that).
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(msg)
		press(m, "j", "w")
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			m.text = nil
			press(m, "G")
			_ = m.View()
		}
	})
	b.Run("list", func(b *testing.B) {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Update(msg)
		press(m, "j", "w", "w")
		down := tea.KeyMsg{Type: tea.KeyDown}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if i%9000 == 8999 {
				press(m, "g")
			}
			m.Update(down) // the text follows the selected IoC
			_ = m.View()
		}
	})
}
