package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/providers/local"
)

// Execute runs the command line with args (without the program name) and returns
// the exit code. Errors are printed to Env.Stderr as "quarry: …".
func Execute(ctx context.Context, env Env, args []string) int {
	app := &App{Env: env}
	defer app.Close()
	root := newRoot(ctx, app)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	ran := false
	root.PersistentPreRun = func(*cobra.Command, []string) { ran = true }
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := ExitCode(err)
	if !ran && code == 1 {
		// cobra failed before any verb ran: an unknown verb, flag or argument count.
		code = 2
	}
	if code == 130 {
		fmt.Fprintln(env.Stderr, "quarry: interrupted")
		return code
	}
	fmt.Fprintf(env.Stderr, "quarry: %s\n", firstLines(err.Error()))
	if code == 2 && !ran {
		fmt.Fprintln(env.Stderr, "Run 'quarry --help' for usage.")
	}
	return code
}

// firstLines keeps an error readable: DuckDB and YAML errors can run long.
func firstLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 6 {
		lines = append(lines[:6], "…")
	}
	return strings.Join(lines, "\n")
}

func newRoot(ctx context.Context, app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "quarry",
		Short: "Threat hunting and incident response in the terminal",
		Long: `Quarry is a terminal workbench for threat hunters and incident responders:
a query library over local data (an embedded DuckDB engine) and SIEM back ends,
enrichment and analysis, in a keyboard-driven TUI and as headless verbs.

With no verb, on a terminal, Quarry opens the workbench on the workspace
(the embedded demo data unless --workspace names a folder).`,
		Version:       app.Env.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if app.Env.RunTUI == nil || !app.Env.IsTerminal {
				return usage("no verb given and stdout is not a terminal; try 'quarry queries list' or 'quarry --help'")
			}
			return app.Env.RunTUI(cmd.Context(), app)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&app.configPath, "config", "", "settings file (default $QUARRY_CONFIG or ~/.config/quarry/config.yaml)")
	pf.StringVarP(&app.workspace, "workspace", "w", "", "workspace folder of CSV/TSV/JSON/Parquet files (default: the embedded demo)")
	pf.StringVar(&app.persist, "persist", "", "import the workspace into this .duckdb file so reopening is instant")
	pf.StringArrayVar(&app.queryPaths, "query-path", nil, "extra folder of query YAML (repeatable)")
	pf.StringVar(&app.provider, "provider", "", "data provider (default local)")
	pf.IntVar(&app.limit, "limit", 0, fmt.Sprintf("cut results after N rows and say so (default %d; -1 for none)", local.DefaultLimit))
	pf.StringVarP(&app.output, "output", "o", "table", "output format: table, csv, json or jsonl")
	lf := root.Flags()
	lf.StringVar(&app.theme, "theme", "", "workbench theme: dark, light, high-contrast or mono (NO_COLOR forces mono)")
	lf.IntVar(&app.fps, "fps", 0, "workbench redraws per second at most (default 60; lower it on slow SSH links)")
	root.SetVersionTemplate("quarry {{.Version}}\n")

	root.AddCommand(newQueriesCmd(app), newQueryCmd(app), newSQLCmd(app), newTablesCmd(app), newDemoCmd(app),
		newIoCCmd(app), newDecodeCmd(app), newTreeCmd(app),
		newTICmd(app), newCacheCmd(app), newConfigCmd(app), newGeoIPCmd(app), newWhoisCmd(app))
	return root
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usage("%s takes %s (got %d arguments)", cmd.CommandPath(), what, len(args))
		}
		return nil
	}
}
