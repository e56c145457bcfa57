package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
)

func newQueryCmd(app *App) *cobra.Command {
	var params []string
	var start, end, dialect string
	var printOnly bool
	cmd := &cobra.Command{
		Use:   "query NAME",
		Short: "Run a library query and print its rows",
		Long: `Run a library query on the provider (the local workspace by default) and print
the rows. Parameters are given as --param name=value (repeat a list parameter's
name for several values, or give them comma-separated). Times take absolute
forms (2019-01-15, 2019-01-15T05:00:00Z) and offsets (-1d, -3d@d, -12h, now).
With no --start/--end, a local workspace's whole time span is used.`,
		Example: `  quarry query SecurityAlert.list_alerts -o json
  quarry query WindowsSecurity.list_host_processes --param host_name=MSTICAlertsWin1
  quarry query WindowsSecurity.list_host_logons --param host_name=MSTICAlertsWin1 --start 2019-01-15 --end 2019-01-16`,
		Args:              exactArgs(1, "one query name"),
		ValidArgsFunction: app.completeQueries,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			values, err := parseParams(params)
			if err != nil {
				return err
			}
			if start != "" {
				values["start"] = start
			}
			if end != "" {
				values["end"] = end
			}
			if printOnly {
				return app.printStatement(cmd.Context(), args[0], values, frame.Dialect(dialect))
			}
			f, err := app.RunQuery(cmd.Context(), args[0], values)
			if err != nil {
				return err
			}
			return app.printFrame(f, format)
		},
	}
	cmd.Flags().StringArrayVarP(&params, "param", "p", nil, "query parameter as name=value (repeatable)")
	cmd.Flags().StringVar(&start, "start", "", "start of the time range (absolute or offset like -7d)")
	cmd.Flags().StringVar(&end, "end", "", "end of the time range (absolute or offset, default the data's end)")
	cmd.Flags().BoolVar(&printOnly, "print", false, "print the bound statement instead of running it")
	cmd.Flags().StringVar(&dialect, "dialect", "", "with --print: bind for this dialect (sql, kql, spl) instead of the provider's")
	return cmd
}

// printStatement binds a query and prints the statement (and, for SQL, its prepared
// parameters as comments) without running it: for pasting KQL into Sentinel, or to see
// what a query will do. With --dialect, no provider is opened.
func (a *App) printStatement(ctx context.Context, name string, values map[string]any, d frame.Dialect) error {
	st, err := a.Bind(ctx, name, values, d)
	if err != nil {
		return err
	}
	w := a.Env.Stdout
	fmt.Fprintln(w, strings.TrimRight(st.Text, "\n"))
	for i, arg := range st.Args {
		if t, ok := arg.(time.Time); ok {
			arg = t.UTC().Format(time.RFC3339Nano)
		}
		fmt.Fprintf(w, "-- $%d = %s\n", i+1, frame.SafeText(fmt.Sprintf("%#v", arg)))
	}
	return nil
}

// parseParams turns name=value flags into binding values; a name given twice
// collects its values into a list.
func parseParams(flags []string) (map[string]any, error) {
	out := map[string]any{}
	for _, kv := range flags {
		name, value, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, usage("--param %q: want name=value", kv)
		}
		switch prev := out[name].(type) {
		case nil:
			out[name] = value
		case string:
			out[name] = []string{prev, value}
		case []string:
			out[name] = append(prev, value)
		}
	}
	return out, nil
}

// printFrame writes a frame in the chosen format and says on stderr when it was cut.
func (a *App) printFrame(f *frame.Frame, format frame.Format) error {
	if err := frame.Encode(a.Env.Stdout, f, format); err != nil {
		return err
	}
	if f.Len() == 0 && format == frame.Table {
		msg := "quarry: no rows matched"
		if st := f.Meta.Statement; !st.Start.IsZero() {
			msg += fmt.Sprintf(" between %s and %s", frame.FormatTime(st.Start), frame.FormatTime(st.End))
		}
		fmt.Fprintln(a.Env.Stderr, msg)
	}
	if f.Meta.Truncated {
		fmt.Fprintf(a.Env.Stderr, "quarry: result cut at %d rows; more rows matched (raise --limit, or -1 for none)\n", f.Meta.Limit)
	}
	return nil
}

func newSQLCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "sql STATEMENT",
		Short: "Run ad-hoc SQL on the local workspace ('-' reads it from stdin)",
		Example: `  quarry sql 'SELECT Computer, count(*) AS n FROM SecurityEvent GROUP BY ALL ORDER BY n DESC'
  echo 'SELECT * FROM SecurityAlert LIMIT 5' | quarry sql - -o json`,
		Args: exactArgs(1, "one SQL statement"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			text := args[0]
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(app.Env.Stdin, 16<<20))
				if err != nil {
					return err
				}
				text = string(b)
			}
			if strings.TrimSpace(text) == "" {
				return usage("empty SQL statement")
			}
			p, err := app.Provider(cmd.Context())
			if err != nil {
				return err
			}
			if p.Dialect() != frame.SQL {
				return usage("provider %s runs %s, not sql", p.Name(), p.Dialect())
			}
			f, err := p.Query(cmd.Context(), frame.Statement{Dialect: frame.SQL, Text: text})
			if err != nil {
				return err
			}
			return app.printFrame(f, format)
		},
	}
}

func newTablesCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "tables",
		Short: "List the provider's tables with row counts, time columns and columns",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			return app.printTables(cmd.Context(), format)
		},
	}
}

func (a *App) printTables(ctx context.Context, format frame.Format) error {
	p, err := a.Provider(ctx)
	if err != nil {
		return err
	}
	tables, err := p.Schema(ctx)
	if err != nil {
		return err
	}
	if format == frame.JSON {
		return writeJSON(a, tables)
	}
	b := frame.NewBuilder([]string{"table", "rows", "time_column", "columns", "source"}, []frame.Kind{frame.String, frame.Int, frame.String, frame.Int, frame.String})
	for _, t := range tables {
		b.Append([]any{t.Name, t.Rows, t.TimeColumn, int64(len(t.Columns)), t.Source})
	}
	f, err := b.Frame(frame.Meta{})
	if err != nil {
		return err
	}
	return frame.Encode(a.Env.Stdout, f, format)
}
