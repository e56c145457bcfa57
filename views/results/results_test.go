package results

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/views/pane"
)

func result(t *testing.T, query, crumb string) pane.QueryResult {
	return pane.QueryResult{
		To: pane.Results, Seq: 1, Frame: alerts(t),
		Request: pane.RunQuery{From: pane.Queries, Query: query, Crumb: crumb, Params: map[string]any{"host": "WIN1"}},
	}
}

func TestEmptyPane(t *testing.T) {
	m := New(testCtx())
	m.SetSize(100, 5)
	if m.Cards() != 0 || m.Current() != nil {
		t.Fatal("a new pane has cards")
	}
	if !strings.Contains(m.View(), Empty) {
		t.Fatalf("view = %q", m.View())
	}
	if m.Update(pane.Key("j")) != nil || m.Back() || m.Capturing() || m.ShortHelp() != nil {
		t.Error("an empty pane reacts to keys")
	}
	if m.Title() != "Results" {
		t.Errorf("title = %q", m.Title())
	}
	var _ pane.Component = m
	var _ pane.Titled = m
}

func TestQueryResultOpensCard(t *testing.T) {
	m := New(testCtx())
	m.SetSize(100, 12)
	if cmd := m.Update(result(t, "SecurityAlert.list_alerts", "SecurityAlert.list_alerts host=WIN1 · 24h")); cmd != nil {
		t.Fatalf("opening gives %#v", msgOf(cmd))
	}
	if m.Cards() != 1 || m.Current().Title() != "SecurityAlert.list_alerts" || m.Current().Crumb() != "SecurityAlert.list_alerts host=WIN1 · 24h" {
		t.Fatalf("cards %d current %+v", m.Cards(), m.Current())
	}
	ls := lines(m.View())
	if ls[0] != "▸ 1 SecurityAlert.list_alerts" {
		t.Errorf("card bar = %q", ls[0])
	}
	if !strings.HasPrefix(ls[1], "SecurityAlert.list_alerts host=WIN1 · 24h") || !strings.HasSuffix(ls[1], "row 1 · 6 of 6 rows") {
		t.Errorf("card line = %q", ls[1])
	}
	// Without a query name in the request, the frame's own name titles the card.
	r := result(t, "", "")
	m.Update(r)
	if m.Current().Title() != "SecurityAlert.list_alerts" || m.Cards() != 2 {
		t.Fatalf("title %q cards %d", m.Current().Title(), m.Cards())
	}
}

func TestQueryResultError(t *testing.T) {
	m := New(testCtx())
	r := result(t, "SecurityAlert.list_alerts", "")
	r.Err = errors.New("provider said \x1b]0;owned\x07 no")
	n := notify(t, m.Update(r))
	if n.Level != pane.Error || n.Text != `SecurityAlert.list_alerts: provider said \x1b]0;owned\x07 no` {
		t.Fatalf("notify = %+v", n)
	}
	if m.Cards() != 0 {
		t.Fatal("a failed query opened a card")
	}
}

func TestCardsSwitchAndClose(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 12)
	for i := range 3 {
		m.Open(alerts(t), fmt.Sprintf("Q.q%d", i+1), "")
	}
	if m.Current().Title() != "Q.q3" {
		t.Fatalf("current = %s, want the newest", m.Current().Title())
	}
	steps := []struct{ key, want string }{
		{"H", "Q.q2"}, {"shift+left", "Q.q1"}, {"H", "Q.q1"}, {"L", "Q.q2"}, {"shift+right", "Q.q3"}, {"L", "Q.q3"}, {"H", "Q.q2"},
	}
	for _, s := range steps {
		press(m, s.key)
		if m.Current().Title() != s.want {
			t.Fatalf("%s: current %s, want %s", s.key, m.Current().Title(), s.want)
		}
	}
	if bar := lines(m.View())[0]; bar != "  1 Q.q1 │ ▸ 2 Q.q2 │   3 Q.q3" {
		t.Fatalf("card bar = %q", bar)
	}
	press(m, "x")
	if m.Cards() != 2 || m.Current().Title() != "Q.q3" {
		t.Fatalf("after x: %d cards, current %s", m.Cards(), m.Current().Title())
	}
	press(m, "x", "x")
	if m.Cards() != 0 || !strings.Contains(m.View(), "No results yet") {
		t.Fatalf("after closing all: %d cards\n%s", m.Cards(), m.View())
	}
}

func TestCardKeysWaitForSubViews(t *testing.T) {
	m := New(testCtx())
	m.SetSize(120, 12)
	m.Open(alerts(t), "Q.a", "")
	m.Open(alerts(t), "Q.b", "")
	press(m, "enter", "H", "x")
	if m.Cards() != 2 || m.Current().Title() != "Q.b" {
		t.Fatal("card keys acted inside the detail view")
	}
	m.Back()
	press(m, "/", "H", "x")
	if m.Cards() != 2 || m.Current().input.text() != "Hx" {
		t.Fatalf("card keys acted while the filter prompt captured: %q", m.Current().input.text())
	}
}

func TestCardCap(t *testing.T) {
	m := New(testCtx())
	m.SetSize(200, 10)
	for i := range MaxCards {
		if cmd := m.Update(result(t, fmt.Sprintf("Q.q%d", i+1), "")); cmd != nil {
			t.Fatalf("card %d gave %#v", i+1, msgOf(cmd))
		}
	}
	n := notify(t, m.Update(result(t, "Q.q21", "")))
	if n.Level != pane.Info || !strings.Contains(n.Text, "Q.q1") {
		t.Fatalf("notify = %+v", n)
	}
	if m.Cards() != MaxCards || m.cards[0].t.Title() != "Q.q2" || m.Current().Title() != "Q.q21" {
		t.Fatalf("cards %d first %s current %s", m.Cards(), m.cards[0].t.Title(), m.Current().Title())
	}
	// The bar shows the current card even when the others do not fit.
	m.SetSize(60, 10)
	bar := lines(m.View())[0]
	if !strings.Contains(bar, "▸ 20 Q.q21") || !strings.HasPrefix(bar, "… ") {
		t.Fatalf("card bar = %q", bar)
	}
	press(m, "H", "H", "H")
	if bar := lines(m.View())[0]; !strings.Contains(bar, "▸ 17 Q.q18") {
		t.Fatalf("card bar = %q", bar)
	}
}

func TestRerun(t *testing.T) {
	m := New(testCtx())
	m.SetSize(100, 10)
	r := result(t, "SecurityAlert.list_alerts", "crumb")
	m.Update(r)
	msg := msgOf(press(m, "r"))
	req, ok := msg.(pane.RunQuery)
	if !ok || req.Query != "SecurityAlert.list_alerts" || req.Params["host"] != "WIN1" || req.Crumb != "crumb" {
		t.Fatalf("r gives %#v", msg)
	}
	m.Open(alerts(t), "adhoc", "")
	if n := notify(t, press(m, "r")); n.Level != pane.Warn {
		t.Fatalf("notify = %+v", n)
	}
}

func TestAnswersReachTheCardThatAsked(t *testing.T) {
	m := New(testCtx())
	m.SetSize(100, 12)
	m.Open(alerts(t), "Q.a", "")
	a := m.Current()
	a.asyncRows = 1
	cmd := press(m, "s")
	if msg := msgOf(cmd); !Owns(msg) || Owns(pane.Notify{}) {
		t.Fatalf("Owns(%T) is wrong", msg)
	}
	m.Open(alerts(t), "Q.b", "")
	m.Update(msgOf(cmd)) // answers card a while b is current
	if _, d := a.Sort(); d != Ascending {
		t.Fatal("the answer did not reach its card")
	}
	cmd = press(m, "H", "s")
	press(m, "x") // close a before its answer arrives
	m.Update(msgOf(cmd))
	if m.Cards() != 1 || m.Current().Title() != "Q.b" {
		t.Fatal("closing a card went wrong")
	}
}

func TestHelpFollowsTheSubView(t *testing.T) {
	m := New(testCtx())
	m.SetSize(100, 12)
	m.Open(alerts(t), "Q.a", "")
	has := func(what string, want ...string) {
		t.Helper()
		var got []string
		for _, b := range m.ShortHelp() {
			got = append(got, b.Help().Key)
		}
		s := strings.Join(got, " ")
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: short help %q lacks %q", what, s, w)
			}
		}
	}
	has("table", "s", "/", "enter", "F", "y")
	if len(m.FullHelp()) != 5 {
		t.Errorf("full help has %d groups, want 5 (with cards)", len(m.FullHelp()))
	}
	press(m, "enter")
	has("detail", "y", "esc")
	m.Back()
	press(m, "F")
	has("frequency", "enter", "esc")
	m.Back()
	press(m, "c")
	has("chooser", "space", "J", "K", "esc")
	m.Back()
	press(m, "/")
	has("prompt", "enter", "esc")
}

func TestOpenNilAndEmptyFrames(t *testing.T) {
	m := New(nil)
	m.SetSize(80, 10)
	m.Open(nil, "", "")
	empty, _ := frame.New()
	m.Open(empty, "e", "")
	for _, k := range []string{"j", "s", "F", "enter", "y", "Y", "e", "-", "c", "/"} {
		cmd := press(m, k)
		runAll(m, cmd)
		if m.Capturing() {
			press(m, "esc")
		}
		m.Back()
	}
	checkSize(t, "empty", m.View(), 80, 10)
	if !strings.Contains(m.View(), "This result has no columns.") {
		t.Errorf("view:\n%s", m.View())
	}
}
