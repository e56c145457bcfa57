// Package data defines what a data back end is to Quarry: something that runs a
// bound statement and returns a frame, and can describe its tables. The local DuckDB
// engine and the SIEM back ends all implement Provider; a Registry makes them by name.
package data

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
)

// Provider is a data back end.
type Provider interface {
	// Name is the registry name ("local", "loganalytics"…).
	Name() string
	// Dialect is the query language the provider runs.
	Dialect() frame.Dialect
	// Connect authenticates or opens the back end; Query may be called after it.
	Connect(ctx context.Context) error
	// Query runs a bound statement and returns its rows. It stops when ctx is done.
	Query(ctx context.Context, stmt frame.Statement) (*frame.Frame, error)
	// Schema lists the back end's tables and their columns.
	Schema(ctx context.Context) ([]Table, error)
	// Close releases the back end.
	Close() error
}

// Spanner is implemented by providers that know the time their data covers (a local
// workspace); queries run on them default to that span instead of the last day.
type Spanner interface {
	// Span returns the earliest and latest event times, ok=false when unknown.
	Span(ctx context.Context) (start, end time.Time, ok bool)
}

// Table describes one table of a back end.
type Table struct {
	// Name is the table name statements use.
	Name string `json:"name"`
	// Rows is the row count, -1 when the back end does not say.
	Rows int64 `json:"rows"`
	// TimeColumn is the table's event-time column, "" when none is known.
	TimeColumn string `json:"time_column,omitempty"`
	// Source is where the table's data comes from (a file), "" for remote tables.
	Source string `json:"source,omitempty"`
	// Columns lists the columns in order.
	Columns []Column `json:"columns"`
}

// Column is one column of a Table.
type Column struct {
	// Name is the column name.
	Name string `json:"name"`
	// Type is the back end's type name (VARCHAR, TIMESTAMP, string, datetime…).
	Type string `json:"type"`
}

// Errors callers branch on.
var (
	// ErrUnknownProvider is returned for a provider name nobody registered.
	ErrUnknownProvider = errors.New("unknown provider")
	// ErrBadStatement marks a statement the back end rejected as malformed (syntax,
	// unknown table or column): the user's input is at fault, not the back end.
	ErrBadStatement = errors.New("bad statement")
	// ErrWrongDialect is returned when a statement is not in the provider's dialect.
	ErrWrongDialect = errors.New("wrong dialect")
)

// Factory makes a provider from its settings.
type Factory func(settings map[string]any) (Provider, error)

// Registry maps provider names to factories. It is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: map[string]Factory{}} }

// Register adds a factory under a case-insensitive name, replacing any earlier one.
func (r *Registry) Register(name string, f Factory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.factories[strings.ToLower(name)] = f
}

// New makes the named provider.
func (r *Registry) New(name string, settings map[string]any) (Provider, error) {
	r.mu.RLock()
	f, ok := r.factories[strings.ToLower(name)]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownProvider, name, strings.Join(r.Names(), ", "))
	}
	return f(settings)
}

// Names lists the registered provider names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.factories))
	for n := range r.factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Info describes an open provider for the workbench's status bar: which provider,
// which workspace, and the time its data covers (zero when unknown).
type Info struct {
	// Provider is the provider's registry name ("local").
	Provider string
	// Dialect is the query language it runs.
	Dialect frame.Dialect
	// Workspace names the data ("demo", a folder's base name, a workspace id).
	Workspace string
	// Start and End are the data's time span, zero when unknown.
	Start, End time.Time
}
