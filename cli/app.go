// Package cli is Quarry's headless command line: cobra verbs that parse flags, call
// the query library and the providers, and print frames with the shared encoders.
// With no verb on a terminal, it starts the TUI.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/config"
	"github.com/quarry-sec/quarry/providers/data"
	"github.com/quarry-sec/quarry/providers/local"
	"github.com/quarry-sec/quarry/queries"
	"github.com/quarry-sec/quarry/themes"
)

// Env is what the command line needs from the process that runs it.
type Env struct {
	// Version is the build's version string.
	Version string
	// Demo is the embedded demo workspace (the folder of tables and workspace.yaml).
	Demo fs.FS
	// Stdin, Stdout and Stderr are the process's streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// IsTerminal reports whether stdout is an interactive terminal.
	IsTerminal bool
	// CacheDir is where the demo is written out ("" = the user's cache folder).
	CacheDir string
	// Now is the clock (nil = time.Now).
	Now func() time.Time
	// RunTUI starts the interactive workbench; nil disables it.
	RunTUI func(ctx context.Context, app *App) error
}

// App holds the settings of one invocation and opens the library and provider only
// when a verb needs them, so that cheap verbs stay cheap.
type App struct {
	Env Env

	configPath string
	workspace  string
	persist    string
	queryPaths []string
	provider   string
	limit      int
	output     string

	theme    string
	fps      int
	progress func(msg string)

	// mu guards the lazily opened settings, library and provider: the workbench
	// calls in from its task goroutines.
	mu       sync.Mutex
	cfg      *config.Config
	lib      *queries.Library
	prov     data.Provider
	registry *data.Registry
	// engines are the workbench's threat-intelligence engines, by provider list.
	engines map[string]builtEngine
}

// usageError marks errors in what the user typed or gave (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usage(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// Config returns the settings, read once.
func (a *App) Config() (*config.Config, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.config()
}

func (a *App) config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := config.Load(a.configPath)
	if err != nil {
		return nil, usageError{err}
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(a.Env.Stderr, "quarry: warning: %s\n", frame.SafeText(w))
	}
	a.cfg = cfg
	return cfg, nil
}

// Library returns the query library: the built-in queries, then the settings'
// query_paths, then --query-path folders.
func (a *App) Library() (*queries.Library, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.library()
}

func (a *App) library() (*queries.Library, error) {
	if a.lib != nil {
		return a.lib, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	dirs := append(append([]string{}, cfg.QueryPaths...), a.queryPaths...)
	lib, err := queries.Load(dirs...)
	if err != nil {
		return nil, usageError{err}
	}
	a.lib = lib
	return lib, nil
}

// Provider opens the data provider the flags and settings name (the local workspace
// by default, the embedded demo when no workspace is named).
func (a *App) Provider(ctx context.Context) (data.Provider, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.openProvider(ctx)
}

func (a *App) openProvider(ctx context.Context) (data.Provider, error) {
	if a.prov != nil {
		return a.prov, nil
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	name := a.provider
	if name == "" {
		name = cfg.Provider
	}
	if name == "" {
		name = "local"
	}
	p, err := a.registryFor(ctx, cfg).New(name, nil)
	if err != nil {
		if errors.Is(err, data.ErrUnknownProvider) {
			return nil, usageError{err}
		}
		return nil, err
	}
	if err := p.Connect(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect %s: %w", name, err)
	}
	a.prov = p
	return p, nil
}

func (a *App) registryFor(ctx context.Context, cfg *config.Config) *data.Registry {
	if a.registry != nil {
		return a.registry
	}
	r := data.NewRegistry()
	r.Register("local", func(map[string]any) (data.Provider, error) {
		dir := a.workspace
		persist := a.persist
		if dir == "" {
			dir = cfg.Workspace
			if persist == "" {
				persist = cfg.Persist
			}
		}
		if dir == "" {
			if a.Env.Demo == nil {
				return nil, usageError{fmt.Errorf("%w: no --workspace given and this build has no demo", local.ErrNoWorkspace)}
			}
			d, err := local.Materialize(a.Env.Demo, a.Env.CacheDir)
			if err != nil {
				return nil, err
			}
			dir = d
		}
		limit := a.limit
		if limit == 0 {
			limit = cfg.Limit
		}
		progress := a.progress
		if progress == nil {
			progress = func(msg string) { fmt.Fprintf(a.Env.Stderr, "quarry: %s\n", msg) }
		}
		p, err := local.Open(ctx, dir, local.Options{Limit: limit, Persist: persist, InitSQL: []string{queries.SQLMacros}, Progress: progress})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, usageError{err}
		}
		return p, nil
	})
	a.registry = r
	return r
}

// Open opens the provider and describes it for the workbench: its name, the
// workspace and the time span of its data.
func (a *App) Open(ctx context.Context) (data.Info, error) {
	p, err := a.Provider(ctx)
	if err != nil {
		return data.Info{}, err
	}
	info := data.Info{Provider: p.Name(), Dialect: p.Dialect(), Workspace: a.workspaceName(p)}
	if s, ok := p.(data.Spanner); ok {
		if lo, hi, ok := s.Span(ctx); ok {
			info.Start, info.End = lo, hi
		}
	}
	return info, nil
}

func (a *App) workspaceName(p data.Provider) string {
	if lp, ok := p.(*local.Provider); ok && lp.Manifest().Name != "" {
		return lp.Manifest().Name
	}
	dir := a.workspace
	if dir == "" && a.cfg != nil {
		dir = a.cfg.Workspace
	}
	if dir == "" {
		return "demo"
	}
	return filepath.Base(dir)
}

// SetProgress routes the provider's progress messages ("importing x.csv…"),
// which go to stderr by default, to f; the workbench shows them in its status bar
// rather than letting them write over its screen. Call it before the provider opens.
func (a *App) SetProgress(f func(msg string)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.progress = f
}

// UI returns the workbench settings: the settings file's ui section with the
// --theme and --fps flags over it.
func (a *App) UI() (config.UI, error) {
	cfg, err := a.Config()
	if err != nil {
		return config.UI{}, err
	}
	ui := cfg.UI
	if a.theme != "" {
		ui.Theme = a.theme
	}
	if a.fps != 0 {
		if a.fps < 1 || a.fps > config.MaxFPS {
			return config.UI{}, usage("--fps %d: must be between 1 and %d", a.fps, config.MaxFPS)
		}
		ui.FPS = a.fps
	}
	if ui.Theme != "" {
		if _, err := themes.ByName(ui.Theme); err != nil {
			return config.UI{}, usage("%v", err)
		}
	}
	return ui, nil
}

// Close releases the provider.
func (a *App) Close() {
	if a.prov != nil {
		a.prov.Close()
		a.prov = nil
	}
}

func (a *App) now() time.Time {
	if a.Env.Now != nil {
		return a.Env.Now().UTC()
	}
	return time.Now().UTC()
}

// format returns the -o value as a frame format.
func (a *App) format() (frame.Format, error) {
	f, err := frame.ParseFormat(a.output)
	if err != nil {
		return "", usageError{err}
	}
	return f, nil
}

// Bind binds a library query for a dialect ("" = the provider's), with the
// provider's time span as the default range when the provider is opened.
func (a *App) Bind(ctx context.Context, name string, params map[string]any, d frame.Dialect) (frame.Statement, error) {
	lib, err := a.Library()
	if err != nil {
		return frame.Statement{}, err
	}
	q, err := lib.Get(name)
	if err != nil {
		return frame.Statement{}, usageError{err}
	}
	opts := queries.BindOptions{Now: a.now()}
	if d == "" {
		p, err := a.Provider(ctx)
		if err != nil {
			return frame.Statement{}, err
		}
		d = p.Dialect()
		if s, ok := p.(data.Spanner); ok {
			if lo, hi, ok := s.Span(ctx); ok {
				opts.DefaultStart, opts.DefaultEnd = lo, hi
			}
		}
	}
	st, err := q.Bind(d, params, opts)
	if err != nil {
		return frame.Statement{}, usageError{err}
	}
	return st, nil
}

// RunQuery binds a library query for the provider and runs it.
func (a *App) RunQuery(ctx context.Context, name string, params map[string]any) (*frame.Frame, error) {
	st, err := a.Bind(ctx, name, params, "")
	if err != nil {
		return nil, err
	}
	p, err := a.Provider(ctx)
	if err != nil {
		return nil, err
	}
	return p.Query(ctx, st)
}

// ExitCode maps an error to the process exit code: 0 ok, 2 usage or bad input,
// 130 interrupted, 1 anything else (a provider failure).
func ExitCode(err error) int {
	var ue usageError
	var pe *queries.ParamError
	var se *queries.SchemaError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, context.Canceled):
		return 130
	case errors.As(err, &ue), errors.As(err, &pe), errors.As(err, &se),
		errors.Is(err, queries.ErrUnknownQuery), errors.Is(err, queries.ErrNoTemplate),
		errors.Is(err, local.ErrNoWorkspace), errors.Is(err, data.ErrBadStatement),
		errors.Is(err, data.ErrWrongDialect), errors.Is(err, data.ErrUnknownProvider):
		return 2
	}
	return 1
}
