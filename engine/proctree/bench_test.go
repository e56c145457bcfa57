package proctree

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// synthLog makes n 4688 events over many hosts: each new process's parent is a
// recent process on the same host, pids come from a small pool so they are
// reused, and each host starts from a few services the log never shows.
func synthLog(n int) *frame.Frame {
	r := rand.New(rand.NewPCG(4, 4688))
	images := []string{`C:\Windows\System32\cmd.exe`, `C:\Windows\System32\conhost.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`C:\Windows\System32\svchost.exe`, `C:\Windows\System32\rundll32.exe`, `C:\Program Files\App\app.exe`, `C:\Windows\System32\reg.exe`,
		`C:\Windows\System32\net.exe`, `C:\Windows\explorer.exe`, `C:\Windows\System32\wbem\WmiPrvSE.exe`}
	hosts := 500
	type live struct{ pid, image string }
	recent := make([][]live, hosts)
	for h := range recent {
		for k := 0; k < 4; k++ {
			recent[h] = append(recent[h], live{fmt.Sprintf("0x%x", 4*(r.IntN(100)+1)), `C:\Windows\System32\services.exe`})
		}
	}
	times := make([]time.Time, n)
	comp, img, pid, ppid, pimg, cmd, user, logon, target := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	events := make([]int64, n)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		h := r.IntN(hosts)
		rc := recent[h]
		par := rc[len(rc)-1-r.IntN(min(len(rc), 16))]
		im := images[r.IntN(len(images))]
		p := fmt.Sprintf("0x%x", 4*(r.IntN(4096)+1))
		times[i] = t0.Add(time.Duration(i) * 3 * time.Millisecond)
		comp[i], img[i], pid[i], ppid[i], pimg[i] = fmt.Sprintf("host%03d.corp.local", h), im, p, par.pid, par.image
		cmd[i] = im + " /c task " + p
		user[i], logon[i], target[i], events[i] = "svc", "0x3e7", "0x0", 4688
		recent[h] = append(rc, live{p, im})
		if len(recent[h]) > 64 {
			recent[h] = recent[h][32:]
		}
	}
	col := func(name string, v []string) *frame.Column {
		return &frame.Column{Name: name, Kind: frame.String, Strings: v}
	}
	f, err := frame.New(&frame.Column{Name: "TimeGenerated", Kind: frame.Time, Times: times}, col("Computer", comp),
		&frame.Column{Name: "EventID", Kind: frame.Int, Ints: events}, col("NewProcessName", img), col("NewProcessId", pid),
		col("ProcessId", ppid), col("ParentProcessName", pimg), col("CommandLine", cmd), col("SubjectUserName", user),
		col("SubjectLogonId", logon), col("TargetLogonId", target))
	if err != nil {
		panic(err)
	}
	return f
}

func BenchmarkBuild1M(b *testing.B) {
	f := synthLog(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Build(context.Background(), f, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild100k(b *testing.B) {
	f := synthLog(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Build(context.Background(), f, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// A million generated events build into a sound tree within the memory budget
// (1 GiB). Under the race detector a fifth of them.
func TestBuildLargeLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a million-event tree")
	}
	n := 1_000_000
	if raceEnabled {
		n = 200_000
	}
	f := synthLog(n)
	runtime.GC()
	// The peak of live heap objects while building, sampled every 5 ms.
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	began := time.Now()
	tr, err := Build(context.Background(), f, nil)
	took := time.Since(began)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, tr)
	sum := tr.Summary()
	if sum.Processes < n || sum.LargestTreeDepth < 10 {
		t.Errorf("summary %+v", sum)
	}
	used := peak.Load() - min(base, peak.Load())
	t.Logf("%d events in %s, peak heap over the input %d MiB, %+v", n, took, used>>20, sum)
	if used > 1<<30 {
		t.Errorf("building took %d MiB of heap at its peak", used>>20)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, f, nil); err == nil {
		t.Error("a cancelled build finished")
	}
}
