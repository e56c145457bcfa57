package cli

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/proctree"
)

func newTreeCmd(app *App) *cobra.Command {
	var input, query, schema, start, end, rulesPath string
	var params, mapping []string
	var summary bool
	cmd := &cobra.Command{
		Use:   "tree (--input FILE | --query NAME)",
		Short: "Build process trees from a process log (4688, Sysmon, Defender, auditd, osquery, HX)",
		Long: `Build process trees from process-creation events, as msticpy does: each
process hangs from the latest process on the same host with its parent's id (and
name, where the log has it) that started at or before it; parents never seen are
inferred. The schema is recognised from the columns, or named with --schema, or
given column by column with --map.

-o text (the default) prints an indented tree (image, pid, start, command line,
suspicion marks); -o json/csv/table print the rows with proc_key, parent_key,
path, parent_index, IsRoot, IsLeaf, IsBranch, depth, child_count and marks.
--summary prints msticpy's summary instead.`,
		Example: `  quarry tree --query WindowsSecurity.list_host_processes -p host_name=MSTICAlertsWin1
  quarry tree --input pslist.csv --map process_name=ImageFileName,process_id=PID,parent_id=PPID,time_stamp=CreateTime
  quarry tree --input sysmon.jsonl --schema sysmon --summary -o json`,
		Args: exactArgs(0, "no arguments (use --input or --query)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var format frame.Format // "" is text
			if fl := cmd.Flag("output"); fl != nil && fl.Changed && app.output != "text" {
				f, err := app.format()
				if err != nil {
					return usage("output format %q: use text, json, jsonl, csv or table", app.output)
				}
				format = f
			}
			cfg, err := app.Config()
			if err != nil {
				return err
			}
			var sch *proctree.Schema
			if schema != "" && schema != "auto" {
				s, err := proctree.SchemaByName(schema)
				if custom, ok := cfg.ProcessTrees.Schemas[schema]; ok {
					pairs := make([]string, 0, len(custom))
					for role, col := range custom {
						pairs = append(pairs, role+"="+col)
					}
					s, err = proctree.ParseMapping(pairs, nil)
					s.Name = schema
					if err != nil {
						return usage("process_trees.schemas.%s in %s: %v", schema, cfg.Path, err)
					}
				}
				if err != nil {
					return usageError{err}
				}
				sch = &s
			}
			if len(mapping) > 0 {
				s, err := proctree.ParseMapping(mapping, sch)
				if err != nil {
					return usageError{err}
				}
				sch = &s
			}
			rules, err := app.TreeRules(rulesPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var f *frame.Frame
			switch {
			case input != "" && query != "":
				return usage("give --input or --query, not both")
			case input != "":
				f, err = readDataFile(ctx, input)
			case query != "":
				values, perr := parseParams(params)
				if perr != nil {
					return perr
				}
				if start != "" {
					values["start"] = start
				}
				if end != "" {
					values["end"] = end
				}
				f, err = app.RunQuery(ctx, query, values)
			default:
				return usage("tree needs --input FILE or --query NAME")
			}
			if err != nil {
				return err
			}
			tr, err := proctree.Build(ctx, f, sch)
			if errors.Is(err, proctree.ErrNoSchema) {
				return usage("%v (--schema NAME, or --map process_name=COL,process_id=COL,parent_id=COL,time_stamp=COL)", err)
			}
			if err != nil {
				return usageError{err}
			}
			rules.Mark(tr)
			if summary {
				return writeJSON(app, tr.Summary())
			}
			if format == "" {
				if len(tr.Procs) == 0 {
					fmt.Fprintln(app.Env.Stderr, "quarry: no process-creation events in the data")
				}
				w := bufio.NewWriter(app.Env.Stdout)
				if err := tr.WriteText(w); err != nil {
					return err
				}
				return w.Flush()
			}
			out, err := tr.Frame(f)
			if err != nil {
				return err
			}
			return frame.Encode(app.Env.Stdout, out, format)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&input, "input", "", "process log: a CSV, TSV, JSON or JSON-lines file (optionally .gz)")
	fl.StringVar(&query, "query", "", "library query whose result is the process log")
	fl.StringArrayVarP(&params, "param", "p", nil, "with --query: parameter as name=value (repeatable)")
	fl.StringVar(&start, "start", "", "with --query: start of the time range")
	fl.StringVar(&end, "end", "", "with --query: end of the time range")
	fl.StringVar(&schema, "schema", "auto", "log schema: auto, "+strings.Join(proctree.SchemaNames(), ", ")+", or one named in the settings' process_trees.schemas")
	fl.StringArrayVar(&mapping, "map", nil, "column mapping role=COL,… (process_name, process_id, parent_id, time_stamp required)")
	fl.StringVar(&rulesPath, "rules", "", "YAML file of suspicion rules added to the defaults (a rule with a default's name replaces it; default: the settings' process_trees.rules)")
	fl.BoolVar(&summary, "summary", false, "print the summary (processes, roots, leaves, branches, isolated, depth)")
	return cmd
}

// readDataFile reads a CSV, TSV, JSON array or JSON-lines file (optionally
// gzip'd) into a frame, inferring column types.
func readDataFile(ctx context.Context, path string) (*frame.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = bufio.NewReaderSize(fh, 1<<20)
	name := strings.ToLower(path)
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = zr
		name = strings.TrimSuffix(name, ".gz")
	}
	var header []string
	var rows [][]string
	switch filepath.Ext(name) {
	case ".json", ".jsonl", ".ndjson":
		header, rows, err = jsonRecords(ctx, r)
	default:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		if filepath.Ext(name) == ".tsv" || filepath.Ext(name) == ".tab" {
			cr.Comma = '\t'
		}
		var recs [][]string
		recs, err = cr.ReadAll()
		if err == nil && len(recs) > 0 {
			header, rows = recs[0], recs[1:]
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(header) == 0 {
		return nil, usage("%s has no columns", path)
	}
	for i := range rows {
		for len(rows[i]) < len(header) {
			rows[i] = append(rows[i], "")
		}
		rows[i] = rows[i][:len(header)]
	}
	return frame.FromRecords(header, rows)
}

// jsonRecords reads JSON objects (one per line, or a JSON array of them) as
// text records; the header is every key seen, sorted.
func jsonRecords(ctx context.Context, r io.Reader) ([]string, [][]string, error) {
	br := bufio.NewReader(r)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	var objs []map[string]any
	if b, err := br.Peek(1); err == nil && b[0] == '[' {
		if err := dec.Decode(&objs); err != nil {
			return nil, nil, err
		}
	} else {
		for {
			if len(objs)%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
			}
			var o map[string]any
			if err := dec.Decode(&o); err == io.EOF {
				break
			} else if err != nil {
				return nil, nil, fmt.Errorf("record %d: %w", len(objs)+1, err)
			}
			objs = append(objs, o)
		}
	}
	keys := map[string]bool{}
	for _, o := range objs {
		for k := range o {
			keys[k] = true
		}
	}
	header := make([]string, 0, len(keys))
	for k := range keys {
		header = append(header, k)
	}
	sort.Strings(header)
	rows := make([][]string, len(objs))
	for i, o := range objs {
		row := make([]string, len(header))
		for j, h := range header {
			switch v := o[h].(type) {
			case nil:
			case string:
				row[j] = v
			case json.Number:
				row[j] = v.String()
			default:
				b, _ := json.Marshal(v)
				row[j] = string(b)
			}
		}
		rows[i] = row
	}
	return header, rows, nil
}

// TreeRules are the suspicion rules for process trees: the built-in ones with
// the settings' process_trees.rules file (or the path given) merged over them.
func (a *App) TreeRules(path string) (*proctree.Rules, error) {
	rules := proctree.DefaultRules()
	if path == "" {
		cfg, err := a.Config()
		if err != nil {
			return nil, err
		}
		path = cfg.ProcessTrees.Rules
	}
	if path == "" {
		return rules, nil
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	user, err := proctree.LoadRules(text)
	if err != nil {
		return nil, usage("%s: %v", path, err)
	}
	return rules.Merge(user), nil
}
