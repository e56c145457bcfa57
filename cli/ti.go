package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/intel"
	"github.com/quarry-sec/quarry/providers/config"
	"github.com/quarry-sec/quarry/providers/httpx"
	"github.com/quarry-sec/quarry/providers/ti"
	"github.com/quarry-sec/quarry/providers/ti/registry"
)

// TIOptions picks the providers of a look-up.
type TIOptions struct {
	// Providers are names or aliases (nil = the settings' primary set, or
	// every provider that has what it needs).
	Providers []string
	// Scope is primary (default), secondary or all.
	Scope string
	// BaseURLs replaces providers' base URLs (name → URL).
	BaseURLs map[string]string
	// NoCache skips the look-up cache.
	NoCache bool
	// ShowUnsupported reports unsupported types as results.
	ShowUnsupported bool
}

// TIEngine builds the look-up engine from the settings and opts. Notes are
// warnings for the analyst; done flushes and closes the cache.
func (a *App) TIEngine(opts TIOptions) (*ti.Engine, []string, func(), error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, nil, nil, err
	}
	set, notes, err := tiSettings(cfg)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	for name, u := range opts.BaseURLs {
		spec, ok := registry.Find(name)
		if !ok {
			return nil, nil, nil, usage("--base-url: no provider %q (known: %s)", name, strings.Join(registry.Names(), ", "))
		}
		s := set[spec.Name]
		s.BaseURL = u
		set[spec.Name] = s
	}
	bo := registry.Options{Names: opts.Providers, Scope: registry.Scope(opts.Scope), Settings: set,
		Primary: cfg.TI.Primary, Secondary: cfg.TI.Secondary, ShowUnsupported: opts.ShowUnsupported}
	switch bo.Scope {
	case "", registry.Primary, registry.Secondary, registry.All:
	default:
		return nil, nil, nil, usage("--scope must be primary, secondary or all (got %q)", opts.Scope)
	}
	e, more, err := registry.Build(bo)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	notes = append(notes, more...)
	if len(e.Providers) == 0 {
		return nil, notes, nil, usage("no threat-intelligence provider to ask: %s", "see `quarry ti providers` and docs/enrichment.md")
	}
	done := func() {}
	if !opts.NoCache {
		var note string
		e.Cache, done, note = openLookupCache(cfg)
		if note != "" {
			notes = append(notes, note)
		}
	}
	return e, notes, done, nil
}

// openLookupCache opens the settings' look-up cache; with none (disabled,
// busy, broken) it returns nil, a no-op closer and a note saying why.
func openLookupCache(cfg *config.Config) (ti.Cache, func(), string) {
	path := cfg.CachePath()
	if cfg.Cache.Disabled || path == "" {
		return nil, func() {}, ""
	}
	c, err := httpx.OpenCache(path)
	switch {
	case err == nil:
		return c, func() { c.Close() }, ""
	case errors.Is(err, httpx.ErrCacheBusy):
		return nil, func() {}, "the look-up cache is in use by another Quarry; running without it"
	}
	return nil, func() {}, fmt.Sprintf("running without the look-up cache: %v", err)
}

type tiFlags struct {
	providers   []string
	typ         string
	baseURLs    []string
	input       string
	columns     []string
	scope       string
	noCache     bool
	unsupported bool
	noRaw       bool
}

func newTICmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ti",
		Short: "Threat-intelligence look-ups across providers (VirusTotal, OTX, GreyNoise, AbuseIPDB…)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTILookupCmd(app), newTIProvidersCmd(app))
	return cmd
}

func newTILookupCmd(app *App) *cobra.Command {
	var fl tiFlags
	cmd := &cobra.Command{
		Use:   "lookup [IOC...|-]",
		Short: "Look indicators up across threat-intelligence providers",
		Long: `Look up IPs, domains, URLs and file hashes with every configured provider at
once. Each result has one normalised severity on msticpy's scale (unknown,
information, warning, high) and a status (ok, not found, unsupported type,
bad format, error with its reason). Providers run concurrently, each within
its own free-tier rate limit; answers are cached (--no-cache skips the cache).

Indicators come as arguments, one a line from stdin ('-'), or from a column
of a CSV/TSV/JSON-lines file (--input with --column); a value that is not
itself an indicator (a command line) has its indicators extracted. Private
addresses and placeholder hashes are rejected before any provider is asked,
as msticpy does. Keys come from the settings (ti.providers.NAME.key) or the
environment (QUARRY_VT_KEY, QUARRY_OTX_KEY, …): see 'quarry ti providers'.`,
		Example: `  quarry ti lookup 185.220.101.1 evil.example.com
  quarry ti lookup --providers vt,otx 44d88612fea8a8f36de82e1278abb02f -o json
  quarry ti lookup --input alerts.csv --column CommandLine -o csv
  quarry ti lookup 1.2.3.4 --base-url otx=http://mirror.internal:8080`,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			qs, err := app.tiQueries(cmd.Context(), args, fl)
			if err != nil {
				return err
			}
			if len(qs) == 0 {
				return usage("no indicators to look up")
			}
			bases := map[string]string{}
			for _, b := range fl.baseURLs {
				name, u, ok := strings.Cut(b, "=")
				if !ok || name == "" || u == "" {
					return usage("--base-url takes PROVIDER=URL (got %q)", b)
				}
				bases[name] = u
			}
			e, notes, done, err := app.TIEngine(TIOptions{Providers: fl.providers, Scope: fl.scope, BaseURLs: bases,
				NoCache: fl.noCache, ShowUnsupported: fl.unsupported})
			for _, n := range notes {
				fmt.Fprintf(app.Env.Stderr, "quarry: %s\n", frame.SafeText(n))
			}
			if err != nil {
				return err
			}
			defer done()
			return app.runLookup(cmd.Context(), e, qs, format, fl.noRaw)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&fl.providers, "providers", "p", nil, "providers to ask, by name or alias (comma-separated; default: the settings' primary set)")
	f.StringVar(&fl.typ, "type", "", "the indicators' type (ipv4, ipv6, dns, url, md5_hash, sha1_hash, sha256_hash…; default: detect)")
	f.StringArrayVar(&fl.baseURLs, "base-url", nil, "PROVIDER=URL: send a provider's requests to another base URL (proxy, mirror; repeatable)")
	f.StringVar(&fl.input, "input", "", "read indicators from a CSV, TSV or JSON-lines data file")
	f.StringArrayVar(&fl.columns, "column", nil, "with --input: the column to read (repeatable)")
	f.StringVar(&fl.scope, "scope", "", "with no --providers: primary (default), secondary or all of the settings' sets")
	f.BoolVar(&fl.noCache, "no-cache", false, "ask the providers even when a cached answer is still good")
	f.BoolVar(&fl.unsupported, "show-unsupported", false, "also report providers that do not take an indicator's type")
	f.BoolVar(&fl.noRaw, "no-raw", false, "leave the providers' raw responses out of json/jsonl output")
	return cmd
}

// tiQueries gathers the indicators of a look-up from the arguments, stdin or
// a data file's columns.
func (a *App) tiQueries(ctx context.Context, args []string, fl tiFlags) ([]ti.Query, error) {
	var texts []string
	switch {
	case fl.input != "":
		if len(args) > 0 {
			return nil, usage("give either indicators or --input, not both")
		}
		if len(fl.columns) == 0 {
			return nil, usage("--input needs --column (the column to read)")
		}
		f, err := readDataFile(ctx, fl.input)
		if err != nil {
			return nil, err
		}
		var qs []ti.Query
		for _, name := range fl.columns {
			more, err := ti.FrameQueries(f, name, strings.ToLower(fl.typ))
			if err != nil {
				return nil, usage("%s: %v", fl.input, err)
			}
			qs = append(qs, more...)
		}
		return qs, nil
	case len(fl.columns) > 0:
		return nil, usage("--column needs --input")
	case len(args) == 0 || (len(args) == 1 && args[0] == "-"):
		sc := bufio.NewScanner(a.Env.Stdin)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				texts = append(texts, s)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
	default:
		texts = args
	}
	var qs []ti.Query
	for _, t := range texts {
		if fl.typ != "" {
			qs = append(qs, ti.Query{Ioc: strings.TrimSpace(t), Type: strings.ToLower(fl.typ)})
			continue
		}
		found := ti.Indicators(t)
		if len(found) == 0 && fl.input == "" {
			// Said alone on the command line: report it as bad, do not drop it.
			found = []ti.Query{{Ioc: t}}
		}
		qs = append(qs, found...)
	}
	return qs, nil
}

// runLookup runs the look-up and writes its results: json and jsonl as they
// arrive, table and csv sorted by indicator and provider at the end.
func (a *App) runLookup(ctx context.Context, e *ti.Engine, qs []ti.Query, format frame.Format, noRaw bool) error {
	plan := e.Prepare(qs)
	total := len(plan.Bad)
	for _, n := range plan.Per {
		total += n
	}
	w := bufio.NewWriter(a.Env.Stdout)
	defer w.Flush()
	var all []intel.Result
	errs, n, offline, bad := 0, 0, 0, 0
	began := time.Now()
	last := began
	first := true
	if format == frame.JSON {
		w.WriteString("[")
	}
	var werr error
	err := e.Run(ctx, plan, func(r intel.Result) {
		n++
		if r.Status == intel.StatusError || r.Status == intel.StatusBadFormat {
			errs++
		}
		if r.Status == intel.StatusBadFormat && r.Provider == ti.Checker {
			bad++
		}
		if strings.Contains(r.Reason, "cannot resolve") || strings.Contains(r.Reason, "cannot connect") {
			offline++
		}
		if noRaw {
			r.Raw = nil
		}
		switch format {
		case frame.JSON, frame.JSONL:
			b, err := json.Marshal(r)
			if err != nil {
				werr = err
				return
			}
			if format == frame.JSON {
				if !first {
					w.WriteString(",")
				}
				w.WriteString("\n  ")
			}
			first = false
			w.Write(b)
			if format == frame.JSONL {
				w.WriteString("\n")
				w.Flush()
			}
		default:
			all = append(all, r)
		}
		if a.Env.IsTerminal && time.Since(last) > time.Second {
			last = time.Now()
			fmt.Fprintf(a.Env.Stderr, "quarry: %d of %d look-ups done (%s)\n", n, total, time.Since(began).Round(time.Second))
		}
	})
	if format == frame.JSON {
		if !first {
			w.WriteString("\n")
		}
		w.WriteString("]\n")
	}
	if werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if format != frame.JSON && format != frame.JSONL {
		if err := a.printResults(w, e, all, format); err != nil {
			return err
		}
	}
	if n > 0 && errs == n {
		w.Flush()
		if bad == n {
			return usage("nothing to look up: every indicator was rejected (see the reasons above)")
		}
		if offline == n {
			return fmt.Errorf("no provider could be reached (%d look-ups): this machine seems to have no internet; set HTTPS_PROXY, point base_url at a mirror, or use the offline feed (ti.providers.feed.paths; docs/enrichment.md)", n)
		}
		return fmt.Errorf("every look-up failed (%d); see the reasons above", n)
	}
	return nil
}

// printResults writes results as a table or CSV: one row per indicator and
// provider, grouped by indicator in first-seen order.
func (a *App) printResults(w io.Writer, e *ti.Engine, rs []intel.Result, format frame.Format) error {
	order := map[string]int{ti.Checker: -1}
	for i, p := range e.Providers {
		order[p.Name()] = i
	}
	firstSeen := map[string]int{}
	for i, r := range rs {
		if _, ok := firstSeen[r.Ioc]; !ok {
			firstSeen[r.Ioc] = i
		}
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if firstSeen[rs[i].Ioc] != firstSeen[rs[j].Ioc] {
			return firstSeen[rs[i].Ioc] < firstSeen[rs[j].Ioc]
		}
		return order[rs[i].Provider] < order[rs[j].Provider]
	})
	b := frame.NewBuilder([]string{"ioc", "ioc_type", "provider", "severity", "found", "status", "details", "reference"},
		[]frame.Kind{frame.String, frame.String, frame.String, frame.String, frame.Bool, frame.String, frame.String, frame.String})
	for _, r := range rs {
		status := r.Status.String()
		if r.Cached {
			status += " (cached)"
		}
		det := DetailsText(r)
		b.Append([]any{r.Ioc, r.IocType, r.Provider, r.Severity.String(), r.Found, status, det, r.Reference})
	}
	f, err := b.Frame(frame.Meta{})
	if err != nil {
		return err
	}
	if format == frame.Table {
		// Reasons and details are what an analyst reads: wider than the default cut.
		return frame.EncodeTable(w, f, frame.TableOptions{MaxColWidth: 120})
	}
	return frame.Encode(w, f, format)
}

// DetailsText is a result's details in one line ("key value · key value",
// keys sorted), or its reason when it has none.
func DetailsText(r intel.Result) string {
	if len(r.Details) == 0 || r.Status != intel.StatusOK {
		if r.Reason != "" {
			return r.Reason
		}
	}
	keys := make([]string, 0, len(r.Details))
	for k := range r.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+detailValue(r.Details[k]))
	}
	return strings.Join(parts, " · ")
}

func detailValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case []any:
		s := make([]string, 0, len(x))
		for _, e := range x {
			s = append(s, detailValue(e))
		}
		return strings.Join(s, ",")
	case []string:
		return strings.Join(x, ",")
	case float64, float32, int, int64, uint, bool:
		return fmt.Sprint(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func newTIProvidersCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "providers",
		Short: "List the threat-intelligence providers, their types and whether each has its key",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			set, _, err := tiSettings(cfg)
			if err != nil {
				return usageError{err}
			}
			b := frame.NewBuilder([]string{"name", "aliases", "title", "types", "key", "set", "rate", "base_url"},
				[]frame.Kind{frame.String, frame.String, frame.String, frame.String, frame.String, frame.String, frame.String, frame.String})
			for _, s := range registry.Specs() {
				st := set[s.Name]
				key := "not needed"
				switch {
				case st.Key != "" && st.KeySource != "":
					key = "set (" + st.KeySource + ")"
				case st.Key != "":
					key = "set"
				case s.NeedsKey:
					key = "missing: set " + s.KeyEnv
				case s.KeyEnv != "":
					key = "optional (" + s.KeyEnv + ")"
				}
				which := ""
				switch {
				case st.Disabled:
					which = "disabled"
				case slices.Contains(canonAll(cfg.TI.Primary), s.Name):
					which = "primary"
				case slices.Contains(canonAll(cfg.TI.Secondary), s.Name):
					which = "secondary"
				}
				base := st.BaseURL
				if base == "" {
					base = s.DefaultBaseURL
				}
				b.Append([]any{s.Name, strings.Join(s.Aliases, ","), s.Title, strings.Join(s.Types, ","), key, which, rateText(s, st), base})
			}
			f, err := b.Frame(frame.Meta{})
			if err != nil {
				return err
			}
			return frame.Encode(app.Env.Stdout, f, format)
		},
	}
}

// canonAll maps provider names and aliases to registry names.
func canonAll(names []string) []string {
	var out []string
	for _, n := range names {
		if s, ok := registry.Find(n); ok {
			out = append(out, s.Name)
		}
	}
	return out
}

// rateText is a provider's request rate as set up ("4/min", "unlimited").
func rateText(s ti.Spec, st registry.Settings) string {
	per := float64(s.HTTP.Rate) * 60
	if st.RatePerMinute > 0 {
		per = st.RatePerMinute
	}
	switch {
	case per <= 0:
		return "unlimited"
	case per < 1:
		return fmt.Sprintf("%.3g/h", per*60)
	}
	return fmt.Sprintf("%.3g/min", per)
}

// LookupEngine is the workbench's threat-intelligence engine: the settings'
// default providers (or those named), through the cache. The providers are
// built once a session, so their rate limits (and the Tor list) hold across
// look-ups; the cache is opened for each look-up and closed by done, so a
// quarry in another terminal can use it in between.
func (a *App) LookupEngine(providers []string) (*ti.Engine, []string, func(), error) {
	key := strings.Join(providers, ",")
	a.mu.Lock()
	built, ok := a.engines[key]
	a.mu.Unlock()
	if !ok {
		e, notes, done, err := a.TIEngine(TIOptions{Providers: providers, NoCache: true})
		if err != nil {
			return nil, notes, nil, err
		}
		done()
		built = builtEngine{e: e, notes: notes}
		a.mu.Lock()
		if a.engines == nil {
			a.engines = map[string]builtEngine{}
		}
		a.engines[key] = built
		a.mu.Unlock()
	}
	cfg, err := a.Config()
	if err != nil {
		return nil, nil, nil, err
	}
	e := *built.e // the providers are shared; the cache is this look-up's
	notes := append([]string(nil), built.notes...)
	cache, done, note := openLookupCache(cfg)
	e.Cache = cache
	if note != "" {
		notes = append(notes, note)
	}
	return &e, notes, done, nil
}

// builtEngine is a look-up engine the workbench keeps for the session.
type builtEngine struct {
	e     *ti.Engine
	notes []string
}
