package pane

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/engine/ioc"
	"github.com/quarry-sec/quarry/engine/proctree"
)

// Range is a time range: the half-open [Start, End) the queries search.
type Range struct {
	// Start and End are UTC instants.
	Start, End time.Time
	// Label names a preset ("24h", "span"); empty for an absolute range.
	Label string
}

// Width is the range's length.
func (r Range) Width() time.Duration { return r.End.Sub(r.Start) }

// IsZero reports whether no range is set.
func (r Range) IsZero() bool { return r.Start.IsZero() && r.End.IsZero() }

// RunQuery asks the runner to bind and run a library query. The runner fills in
// the time range from the picker when the request leaves it zero.
type RunQuery struct {
	// From is the pane that asked; To is where the result goes ("" = Results).
	From, To ID
	// Query is the library name (Family.name).
	Query string
	// Params are the form's values as typed (text), or typed Go values.
	Params map[string]any
	// Range is the time range (zero: the picker's current range).
	Range Range
	// Crumb says how the result was made, for the card's breadcrumb
	// ("SecurityAlert.list_alerts host=WIN1 · 24h").
	Crumb string
}

// QueryResult returns a finished query to the pane that should show it. Seq is the
// runner's request number for that pane; the runner drops results it has superseded,
// so a pane sees only the answer to its latest request.
type QueryResult struct {
	To      ID
	Seq     int
	Request RunQuery
	Frame   *frame.Frame
	Err     error
}

// Copy asks the shell to put text on the clipboard (OSC 52, which works over SSH).
type Copy struct {
	// Text is what to copy; What says what it was ("cell", "row") for the notice.
	Text, What string
}

// Export asks the runner to write some rows and columns of a frame to a file.
type Export struct {
	From ID
	// Frame is the source; Rows and Columns pick and order what is written
	// (nil Rows: every row in order; nil Columns: every column).
	Frame   *frame.Frame
	Rows    []int
	Columns []int
	// Path is the file; Format is csv, json or jsonl.
	Path   string
	Format frame.Format
}

// Level is a notification's weight.
type Level int

// Notification levels.
const (
	Info Level = iota
	Warn
	Error
)

// Notify shows a flash message in the status line until the next key.
type Notify struct {
	Level Level
	Text  string
}

// RangeChanged says the picker's range changed; the shell broadcasts it.
type RangeChanged struct{ Range Range }

// Span tells the picker the workspace's whole time span.
type Span struct{ Start, End time.Time }

// Focus asks the shell to focus a pane.
type Focus struct{ Pane ID }

// Cmd wraps a message as a command, the way panes return intents.
func Cmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Notice is a shorthand for an Info notification command.
func Notice(format string) tea.Cmd { return Cmd(Notify{Level: Info, Text: format}) }

// Fail is a shorthand for an Error notification command.
func Fail(err error) tea.Cmd { return Cmd(Notify{Level: Error, Text: err.Error()}) }

// DecodeText asks the runner to unpack a text's encoded payloads and extract its
// indicators; the answer is a Decoded sent to the Decode pane, which the shell
// focuses.
type DecodeText struct {
	// Text is what to decode: a result cell, or text pasted into the pane.
	Text string
	// Source says where it came from ("SecurityEvent.CommandLine, row 12", "pasted").
	Source string
}

// Decoded is the runner's answer to a DecodeText.
type Decoded struct {
	// Seq is the runner's request number; older answers are dropped.
	Seq     int
	Request DecodeText
	// Result is the unpacking: the tagged decoded text and the tree of items.
	Result *decode.Result
	// InputIoCs are the indicators in the input text; ItemIoCs[i] those in
	// Result.Items[i].Decoded (nil for binary items). Offsets are into those texts.
	InputIoCs []ioc.Match
	ItemIoCs  [][]ioc.Match
	Err       error
}

// UseValue asks the shell to start a query from an indicator: the query browser
// opens on the queries with a parameter of that kind, the value filled in.
type UseValue struct {
	// Type is the indicator's type; Value the indicator.
	Type  ioc.Type
	Value string
}

// BuildTree asks the runner to build the process tree of a result; the answer is
// a TreeBuilt sent to the Process tree pane, which the shell focuses.
type BuildTree struct {
	// Frame is the process log; Title names it for the pane's header.
	Frame *frame.Frame
	Title string
	// Schema names the log's schema ("" to infer it from the columns).
	Schema string
}

// TreeBuilt is the runner's answer to a BuildTree.
type TreeBuilt struct {
	// Seq is the runner's request number; older answers are dropped.
	Seq     int
	Request BuildTree
	// Tree is the tree, suspicion marks applied.
	Tree *proctree.Tree
	Err  error
}

// Indicator is a value to look up, with its type when known ("" = let the
// runner detect it, or extract the indicators from it when it is free text
// such as a command line).
type Indicator struct {
	Value string
	Type  ioc.Type
}

// LookupTI asks the runner to look indicators up across the threat-intelligence
// providers. The shell focuses the Threat intel pane, which shows the answers
// as they arrive (TIStarted, then TIResults batches, then TIDone).
type LookupTI struct {
	// Indicators are what to look up.
	Indicators []Indicator
	// Source says where they came from ("Decode pane", "SecurityEvent.CommandLine, row 12").
	Source string
	// Providers names the providers to ask (nil = the default set).
	Providers []string
}

// TIStarted is the runner's plan for a LookupTI: who will be asked how much.
type TIStarted struct {
	// Seq is the runner's request number; answers of older requests are dropped.
	Seq     int
	Request LookupTI
	// Providers are the providers asked, in display order.
	Providers []string
	// Totals is the number of look-ups per provider.
	Totals map[string]int
	// Bad are the indicators rejected before any provider was asked (private
	// addresses, placeholder hashes…), as results from provider "quarry".
	Bad []intel.Result
	// Notes are warnings about the set-up ("virustotal: no API key; set QUARRY_VT_KEY").
	Notes []string
	// Err is set when the look-up could not start at all.
	Err error
}

// TIResults is a batch of answers for a running look-up.
type TIResults struct {
	Seq     int
	Results []intel.Result
}

// TIDone says a look-up ended: every answer has been sent, or it was cancelled
// (Err is context.Canceled) or failed.
type TIDone struct {
	Seq     int
	Elapsed time.Duration
	Err     error
}
