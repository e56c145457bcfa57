package results

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/pane"
)

// bigFrame is n rows × 10 columns of every kind, with some nulls: times, short
// and long strings, ints, floats and bools.
func bigFrame(tb testing.TB, n int) *frame.Frame {
	tb.Helper()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hosts := []string{"WIN-DC01", "WIN-SQL02", "web-frontend-03", "linux-bastion", "MSTICAlertsWin1"}
	accounts := []string{`CONTOSO\alice`, `CONTOSO\bob`, "SYSTEM", "root", `NT AUTHORITY\NETWORK SERVICE`}
	c := []*frame.Column{
		{Name: "TimeGenerated", Kind: frame.Time, Times: make([]time.Time, n)},
		{Name: "Computer", Kind: frame.String, Strings: make([]string, n)},
		{Name: "EventID", Kind: frame.Int, Ints: make([]int64, n)},
		{Name: "Account", Kind: frame.String, Strings: make([]string, n)},
		{Name: "CommandLine", Kind: frame.String, Strings: make([]string, n)},
		{Name: "ProcessId", Kind: frame.Int, Ints: make([]int64, n), Null: make([]bool, n)},
		{Name: "Score", Kind: frame.Float, Floats: make([]float64, n)},
		{Name: "Elevated", Kind: frame.Bool, Bools: make([]bool, n)},
		{Name: "SourceIp", Kind: frame.String, Strings: make([]string, n), Null: make([]bool, n)},
		{Name: "Received", Kind: frame.Time, Times: make([]time.Time, n)},
	}
	for i := 0; i < n; i++ {
		c[0].Times[i] = base.Add(time.Duration(i*7919%n) * time.Second)
		c[1].Strings[i] = hosts[i%len(hosts)]
		c[2].Ints[i] = int64(4600 + i%97)
		c[3].Strings[i] = accounts[(i/3)%len(accounts)]
		c[4].Strings[i] = fmt.Sprintf(`powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\temp\job%07d.ps1`, (i*31)%n)
		c[5].Ints[i] = int64(1000 + i%65536)
		c[5].Null[i] = i%50 == 0
		c[6].Floats[i] = float64(i%1000) / 7
		c[7].Bools[i] = i%3 == 0
		c[8].Strings[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		c[8].Null[i] = i%11 == 0
		c[9].Times[i] = base.Add(time.Duration(i) * time.Millisecond)
	}
	f, err := frame.New(c...)
	if err != nil {
		tb.Fatal(err)
	}
	f.Meta.Query = "Bench.million"
	return f
}

// BenchmarkKeypress1M is one Down key through Update plus a full View of a card
// over 1,000,000 rows × 10 columns at 120×40: the work of one keypress.
func BenchmarkKeypress1M(b *testing.B) {
	f := bigFrame(b, 1_000_000)
	down := tea.KeyMsg{Type: tea.KeyDown}
	for _, sorted := range []bool{false, true} {
		b.Run(fmt.Sprintf("sorted=%v", sorted), func(b *testing.B) {
			m := New(testCtx())
			m.SetSize(120, 40)
			m.Open(f, "Bench.million", "bench")
			t := m.Current()
			if sorted {
				press(m, "l", "l", "l", "l")
				runAll(m, m.Update(pane.Key("s")))
				if _, dir := t.Sort(); dir != Ascending {
					b.Fatal("not sorted")
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Update(down)
				_ = m.View()
			}
		})
	}
}

// BenchmarkOpen1M opens a card over 1,000,000 rows × 10 columns and draws it.
func BenchmarkOpen1M(b *testing.B) {
	f := bigFrame(b, 1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Open(f, "Bench.million", "bench")
		_ = m.View()
	}
}

// BenchmarkSort1M sorts 1,000,000 rows by a string column: the work of the
// background command behind "s".
func BenchmarkSort1M(b *testing.B) {
	f := bigFrame(b, 1_000_000)
	for _, col := range []int{2, 4} {
		b.Run(f.Columns()[col].Name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				job := orderJob{f: f, want: orderState{col: col, dir: Ascending}}
				if d := job.run(); len(d.rows) != f.Len() {
					b.Fatal("short sort")
				}
			}
		})
	}
}

// BenchmarkFilter1M filters 1,000,000 rows with a plain-text term over every column
// and with a column term: the work of the background command behind "/".
func BenchmarkFilter1M(b *testing.B) {
	f := bigFrame(b, 1_000_000)
	for _, text := range []string{"job0001", "computer=win-dc01"} {
		b.Run(text, func(b *testing.B) {
			flt, err := ParseFilter(text, f.Names())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				job := orderJob{f: f, want: orderState{col: -1, flt: flt, text: text, shown: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}}
				_ = job.run()
			}
		})
	}
}

// BenchmarkMemory1M reports the heap a 1,000,000-row × 10-column frame takes, and
// what a card over it adds (opened, sorted and filtered); the budget is 1 GiB.
func BenchmarkMemory1M(b *testing.B) {
	for i := 0; i < b.N; i++ {
		before := heap()
		f := bigFrame(b, 1_000_000)
		withFrame := heap()
		m := New(testCtx())
		m.SetSize(120, 40)
		m.Open(f, "Bench.million", "bench")
		_ = m.View()
		opened := heap()
		t := m.Current()
		press(m, "l", "l")
		runAll(m, m.Update(pane.Key("s")))
		press(m, "/")
		typeText(m, "SYSTEM")
		runAll(m, m.Update(pane.Key("enter")))
		_ = m.View()
		worked := heap()
		if t.FilterText() == "" {
			b.Fatal("filter not applied")
		}
		const mib = 1 << 20
		b.ReportMetric(float64(withFrame-before)/mib, "MiB-frame")
		b.ReportMetric(float64(opened-withFrame)/mib, "MiB-card")
		b.ReportMetric(float64(worked-withFrame)/mib, "MiB-card-sorted-filtered")
		if total := worked - before; total > 1<<30 {
			b.Fatalf("frame + pane take %d MiB, over the 1 GiB budget", total/mib)
		}
		runtime.KeepAlive(f)
		runtime.KeepAlive(m)
	}
}

func heap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// runAll runs a command and feeds what it returns back to the pane, as the Bubble
// Tea runtime would (batches included), until nothing is left.
func runAll(m interface{ Update(tea.Msg) tea.Cmd }, cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for cmd != nil {
		msg := cmd()
		out = append(out, msg)
		cmd = nil
		switch msg.(type) {
		case orderDone, freqDone:
			cmd = m.Update(msg)
		}
	}
	return out
}
