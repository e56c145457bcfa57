package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/queries"
)

// QueryInfo is the JSON contract of one entry of 'quarry queries list -o json' and of
// 'quarry queries show -o json' (which adds Templates). See docs/cli.md.
type QueryInfo struct {
	Name        string                   `json:"name"`
	Family      string                   `json:"family"`
	Description string                   `json:"description"`
	Dialects    []frame.Dialect          `json:"dialects"`
	Parameters  []ParamInfo              `json:"parameters"`
	File        string                   `json:"file"`
	Templates   map[frame.Dialect]string `json:"templates,omitempty"`
}

// ParamInfo is one parameter in QueryInfo.
type ParamInfo struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Default     any      `json:"default,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description"`
}

func infoOf(q *queries.Query, templates bool) QueryInfo {
	qi := QueryInfo{Name: q.Name, Family: q.Family, Description: q.Description, Dialects: q.Dialects(), File: q.File, Parameters: []ParamInfo{}}
	for _, p := range q.Params {
		qi.Parameters = append(qi.Parameters, ParamInfo{Name: p.Name, Type: p.Type, Required: p.Required, Default: p.Default, Aliases: p.Aliases, Description: p.Description})
	}
	if templates {
		qi.Templates = q.Templates
	}
	return qi
}

func newQueriesCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queries",
		Short: "List and show the queries of the library",
	}
	var family string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the queries (name, dialects, description)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			lib, err := app.Library()
			if err != nil {
				return err
			}
			var infos []QueryInfo
			for _, q := range lib.Queries() {
				if family != "" && !strings.EqualFold(q.Family, family) {
					continue
				}
				infos = append(infos, infoOf(q, false))
			}
			if family != "" && len(infos) == 0 {
				return usage("no family %q (families: %s)", family, strings.Join(lib.Families(), ", "))
			}
			return writeInfos(app, format, infos)
		},
	}
	list.Flags().StringVar(&family, "family", "", "only this family (e.g. WindowsSecurity)")
	show := &cobra.Command{
		Use:               "show NAME",
		Short:             "Show a query: description, parameters and templates",
		Args:              exactArgs(1, "one query name"),
		ValidArgsFunction: app.completeQueries,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			lib, err := app.Library()
			if err != nil {
				return err
			}
			q, err := lib.Get(args[0])
			if err != nil {
				return usageError{err}
			}
			if format == frame.JSON || format == frame.JSONL {
				return writeJSON(app, infoOf(q, true))
			}
			return writeShow(app, q)
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

// completeQueries offers the library's query names to shell completion.
func (a *App) completeQueries(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return a.queryNames(), cobra.ShellCompDirectiveNoFileComp
}

func (a *App) queryNames() []string {
	lib, err := a.Library()
	if err != nil {
		return nil
	}
	var out []string
	for _, q := range lib.Queries() {
		out = append(out, q.Name)
	}
	return out
}

func writeJSON(app *App, v any) error {
	enc := json.NewEncoder(app.Env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeInfos(app *App, format frame.Format, infos []QueryInfo) error {
	switch format {
	case frame.JSON:
		if infos == nil {
			infos = []QueryInfo{}
		}
		return writeJSON(app, infos)
	case frame.JSONL:
		enc := json.NewEncoder(app.Env.Stdout)
		enc.SetEscapeHTML(false)
		for _, qi := range infos {
			if err := enc.Encode(qi); err != nil {
				return err
			}
		}
		return nil
	}
	b := frame.NewBuilder([]string{"name", "dialects", "parameters", "description"}, []frame.Kind{frame.String, frame.String, frame.String, frame.String})
	for _, qi := range infos {
		var ds, ps []string
		for _, d := range qi.Dialects {
			ds = append(ds, string(d))
		}
		for _, p := range qi.Parameters {
			if p.Required {
				ps = append(ps, p.Name)
			}
		}
		b.Append([]any{qi.Name, strings.Join(ds, ","), strings.Join(ps, ","), qi.Description})
	}
	f, err := b.Frame(frame.Meta{})
	if err != nil {
		return err
	}
	return frame.Encode(app.Env.Stdout, f, format)
}

func writeShow(app *App, q *queries.Query) error {
	w := app.Env.Stdout
	fmt.Fprintf(w, "%s\n  %s\n  file: %s\n\nParameters:\n", q.Name, frame.SafeText(q.Description), q.File)
	for _, p := range q.Params {
		req := "optional"
		if p.Required {
			req = "required"
		} else if p.Default != nil {
			req = fmt.Sprintf("default %v", p.Default)
		}
		alias := ""
		if len(p.Aliases) > 0 {
			alias = " (alias " + strings.Join(p.Aliases, ", ") + ")"
		}
		fmt.Fprintf(w, "  %-22s %-8s %s%s — %s\n", p.Name, p.Type, req, alias, p.Description)
	}
	ds := q.Dialects()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	for _, d := range ds {
		fmt.Fprintf(w, "\n%s:\n", d)
		for _, line := range strings.Split(strings.TrimRight(q.Templates[d], "\n"), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	return nil
}
