package results

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

var filterNames = []string{"Computer", "Account", "EventID", "computer_name", "Account Name", "a=b"}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in      string
		want    []Term
		wantErr string
	}{
		{in: "", want: nil},
		{in: "   ", want: nil},
		{in: "mimikatz", want: []Term{{Index: -1, Op: Contains, Value: "mimikatz"}}},
		{in: "computer=WIN1", want: []Term{{Column: "Computer", Index: 0, Op: Equal, Value: "WIN1"}}},
		{in: "COMPUTER_NAME=x", want: []Term{{Column: "computer_name", Index: 3, Op: Equal, Value: "x"}}},
		{in: "Account!=SYSTEM", want: []Term{{Column: "Account", Index: 1, Op: NotEqual, Value: "SYSTEM"}}},
		{in: "account~adm", want: []Term{{Column: "Account", Index: 1, Op: Contains, Value: "adm"}}},
		{in: "eventid=4624 computer~dc  powershell", want: []Term{
			{Column: "EventID", Index: 2, Op: Equal, Value: "4624"},
			{Column: "Computer", Index: 0, Op: Contains, Value: "dc"},
			{Index: -1, Op: Contains, Value: "powershell"},
		}},
		{in: `Computer="WIN 1"`, want: []Term{{Column: "Computer", Index: 0, Op: Equal, Value: "WIN 1"}}},
		{in: `"Account Name"~"NT AUTHORITY"`, want: []Term{{Column: "Account Name", Index: 4, Op: Contains, Value: "NT AUTHORITY"}}},
		{in: `"a=b"=1`, want: []Term{{Column: "a=b", Index: 5, Op: Equal, Value: "1"}}},
		{in: `"two words"`, want: []Term{{Index: -1, Op: Contains, Value: "two words"}}},
		{in: `"x=y"`, want: []Term{{Index: -1, Op: Contains, Value: "x=y"}}},
		{in: `computer=a=b`, want: []Term{{Column: "Computer", Index: 0, Op: Equal, Value: "a=b"}}},
		{in: `computer=`, want: []Term{{Column: "Computer", Index: 0, Op: Equal, Value: ""}}},
		{in: `computer=""`, want: []Term{{Column: "Computer", Index: 0, Op: Equal, Value: ""}}},
		{in: `account=C:\Windows\x41`, want: []Term{{Column: "Account", Index: 1, Op: Equal, Value: `C:\Windows\x41`}}},
		{in: `account="C:\\Win dows\x41\"q\u00e9\n"`, want: []Term{{Column: "Account", Index: 1, Op: Equal, Value: "C:\\Win dows\x41\"q\u00e9\n"}}},
		{in: `account="\x1b]0;x\x07"`, want: []Term{{Column: "Account", Index: 1, Op: Equal, Value: "\x1b]0;x\x07"}}},
		{in: `a!b`, want: []Term{{Index: -1, Op: Contains, Value: "a!b"}}},
		{in: "severity=high", wantErr: `unknown column "severity"`},
		{in: "=x", wantErr: "no column name"},
		{in: "~x", wantErr: "no column name"},
		{in: `computer="open`, wantErr: "not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := ParseFilter(tt.in, filterNames)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFilter(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(f.Terms, tt.want) {
				t.Fatalf("ParseFilter(%q) = %#v, want %#v", tt.in, f.Terms, tt.want)
			}
			// What String writes reads back the same.
			again, err := ParseFilter(f.String(), filterNames)
			if err != nil || !reflect.DeepEqual(again.Terms, f.Terms) {
				t.Fatalf("round trip of %q via %q = %#v, %v", tt.in, f.String(), again.Terms, err)
			}
		})
	}
}

func TestParseFilterUnknownColumnIsSentinel(t *testing.T) {
	_, err := ParseFilter("nope=1", filterNames)
	if !errors.Is(err, ErrUnknownColumn) {
		t.Fatalf("error %v does not wrap ErrUnknownColumn", err)
	}
	if !strings.Contains(err.Error(), "Computer, Account") {
		t.Errorf("error %q does not list the columns", err)
	}
}

func TestParseFilterExactNameWins(t *testing.T) {
	f, err := ParseFilter("a=1 A=2", []string{"A", "a"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Terms[0].Index != 1 || f.Terms[1].Index != 0 {
		t.Fatalf("terms = %#v, want a→1, A→0", f.Terms)
	}
}

func TestEqualTermQuotes(t *testing.T) {
	tests := []struct{ col, value, want string }{
		{"Computer", "WIN1", "Computer=WIN1"},
		{"Computer", "", `Computer=""`},
		{"Computer", "two words", `Computer="two words"`},
		{"Computer", `say "hi"`, `Computer="say \"hi\""`},
		{"Computer", `C:\Windows`, `Computer=C:\Windows`},
		{"Computer", `C:\Program Files`, `Computer="C:\\Program Files"`},
		{"Computer", "\x1b[2J", `Computer="\x1b[2J"`},
		{"Account Name", "x", `"Account Name"=x`},
		{"a=b", "x=y", `"a=b"=x=y`},
	}
	for _, tt := range tests {
		got := EqualTerm(tt.col, tt.value)
		if got != tt.want {
			t.Errorf("EqualTerm(%q, %q) = %s, want %s", tt.col, tt.value, got, tt.want)
		}
		f, err := ParseFilter(got, filterNames)
		if err != nil {
			t.Errorf("ParseFilter(%s): %v", got, err)
			continue
		}
		if len(f.Terms) != 1 || f.Terms[0].Value != tt.value || f.Terms[0].Op != Equal {
			t.Errorf("ParseFilter(%s) = %#v, want value %q", got, f.Terms, tt.value)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "x", "Computer=WIN1", `"a b"~"c\"d"`, `Account!=\x1b`, `"unterminated`, "=x", `a="\u00e9\x00"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s, filterNames)
		if err != nil {
			return
		}
		again, err := ParseFilter(flt.String(), filterNames)
		if err != nil {
			t.Fatalf("ParseFilter(%q).String() = %q does not parse: %v", s, flt.String(), err)
		}
		if !reflect.DeepEqual(again.Terms, flt.Terms) {
			t.Fatalf("round trip of %q: %#v != %#v", s, again.Terms, flt.Terms)
		}
	})
}

// TestEvalFilterInParts checks the parallel filter against a known answer on a
// frame big enough to be split, and that a newer request stops it.
func TestEvalFilterInParts(t *testing.T) {
	n := 5*filterPart + 123
	s := make([]string, n)
	want := 0
	for i := range s {
		s[i] = fmt.Sprintf("row-%d", i)
		if i%7 == 0 {
			s[i] += "-Needle"
			want++
		}
	}
	f, err := frame.New(&frame.Column{Name: "s", Kind: frame.String, Strings: s})
	if err != nil {
		t.Fatal(err)
	}
	flt, err := ParseFilter("needle", f.Names())
	if err != nil {
		t.Fatal(err)
	}
	st := orderState{flt: flt, shown: []int{0}}
	var latest atomic.Int64
	latest.Store(1)
	pass, ok := evalFilter(f, st, time.UTC, 1, &latest)
	if !ok {
		t.Fatal("filter gave up")
	}
	got := 0
	for i, p := range pass {
		if p != (i%7 == 0) {
			t.Fatalf("row %d: pass %v", i, p)
		}
		if p {
			got++
		}
	}
	if got != want {
		t.Errorf("%d rows pass, want %d", got, want)
	}
	latest.Store(2)
	if _, ok := evalFilter(f, st, time.UTC, 1, &latest); ok {
		t.Error("a superseded filter ran to the end")
	}
}
