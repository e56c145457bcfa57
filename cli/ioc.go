package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quarry-sec/quarry/engine/decode"
	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/engine/ioc"
)

// IoCRow is one indicator as `quarry ioc` writes it.
type IoCRow struct {
	// Type is the indicator type (ipv4, url, dns…).
	Type ioc.Type `json:"type"`
	// Value is the indicator, refanged.
	Value string `json:"value"`
	// Defanged says the text wrote it defanged.
	Defanged bool `json:"defanged"`
	// Line is the 1-based line it was found on; with --input, the data row
	// (0-based, as msticpy's SourceIndex).
	Line int `json:"line"`
	// Decoded says it was found in a decoded payload (with --decode), not in the
	// text as written.
	Decoded bool `json:"decoded,omitempty"`
	// Count is how many times it was seen (with --unique).
	Count int `json:"count,omitempty"`
}

type iocFlags struct {
	types         string
	paths         bool
	ignorePrivate bool
	ignoreTLDs    bool
	allow         []string
	input         string
	columns       []string
	decode        bool
	unique        bool
}

func newIoCCmd(app *App) *cobra.Command {
	var fl iocFlags
	cmd := &cobra.Command{
		Use:   "ioc [FILE|-]",
		Short: "Extract indicators (IPs, URLs, domains, hashes, emails, paths) from text or data",
		Long: `Extract indicators of compromise from a file, from stdin ('-' or no argument),
or from columns of a CSV/TSV/JSON-lines file (--input with --column).

The default types are msticpy's: ipv4, ipv6, url, dns, email, md5_hash,
sha1_hash, sha256_hash and hostname; --paths adds windows_path, and --types
names exactly the types wanted (linux_path only this way). Defanged indicators
(hxxp://evil[.]com, bob[at]x[.]org) are found and reported refanged with
defanged=true. Files of any size are read in bounded memory, line by line.`,
		Example: `  quarry ioc alerts.txt
  cat access.log | quarry ioc --types ipv4,url -o json
  quarry ioc --input events.csv --column CommandLine --decode
  quarry ioc report.txt --ignore-private --allow microsoft.com,windowsupdate.com -u`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usage("%s takes one FILE or '-' (got %d arguments)", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := app.format()
			if err != nil {
				return err
			}
			opts := ioc.Options{Paths: fl.paths, IgnorePrivate: fl.ignorePrivate, IgnoreTLDs: fl.ignoreTLDs}
			if fl.types != "" {
				if opts.Types, err = ioc.ParseTypes(fl.types); err != nil {
					return usageError{err}
				}
			}
			for _, a := range fl.allow {
				opts.Allow = append(opts.Allow, strings.Split(a, ",")...)
			}
			x, err := ioc.New(opts)
			if err != nil {
				return usageError{err}
			}
			w := newIoCWriter(app.Env.Stdout, format, fl.unique)
			ctx := cmd.Context()
			switch {
			case fl.input != "":
				if len(args) > 0 {
					return usage("give either FILE or --input, not both")
				}
				if len(fl.columns) == 0 {
					return usage("--input needs --column (the column to read)")
				}
				err = iocFromData(ctx, x, fl, w)
			case len(fl.columns) > 0:
				return usage("--column needs --input")
			default:
				name := "-"
				if len(args) == 1 {
					name = args[0]
				}
				r, closeIn, oerr := app.openInput(name)
				if oerr != nil {
					return oerr
				}
				defer closeIn()
				err = iocFromText(ctx, x, r, fl.decode, w)
			}
			if ferr := w.finish(); err == nil {
				err = ferr
			}
			if err == nil && w.rows == 0 && format == frame.Table {
				fmt.Fprintln(app.Env.Stderr, "quarry: no indicators found")
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.types, "types", "t", "", "comma-separated types to extract (default: msticpy's set; see --help)")
	f.BoolVar(&fl.paths, "paths", false, "also extract Windows paths (msticpy's include_paths)")
	f.BoolVar(&fl.ignorePrivate, "ignore-private", false, "leave out private, loopback, link-local, multicast and documentation addresses")
	f.BoolVar(&fl.ignoreTLDs, "ignore-tlds", false, "take any dotted name as a domain, without the Public Suffix List check")
	f.StringArrayVar(&fl.allow, "allow", nil, "domains never reported, with their subdomains (comma-separated, repeatable)")
	f.StringVar(&fl.input, "input", "", "read a CSV, TSV or JSON-lines data file instead of text")
	f.StringArrayVar(&fl.columns, "column", nil, "with --input: the column to read (repeatable)")
	f.BoolVar(&fl.decode, "decode", false, "unpack base64/hex/compressed payloads first and extract from them too")
	f.BoolVarP(&fl.unique, "unique", "u", false, "report each indicator once, with its first line and a count")
	return cmd
}

// openInput opens a named file, or stdin for "-".
func (a *App) openInput(name string) (io.Reader, func(), error) {
	if name == "-" {
		return a.Env.Stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, nil, usage("%s is a folder, not a file", name)
	}
	return f, func() { f.Close() }, nil
}

// iocFromText streams r through the extractor; with unpack, each chunk's
// payloads are decoded and their text scanned too.
func iocFromText(ctx context.Context, x *ioc.Extractor, r io.Reader, unpack bool, w *iocWriter) error {
	if !unpack {
		return x.ExtractReader(ctx, r, func(m ioc.Match, line int) error {
			return w.write(IoCRow{Type: m.Type, Value: m.Value, Defanged: m.Defanged, Line: line})
		})
	}
	return ioc.ReadChunks(ctx, r, func(chunk []byte, _, line int) error {
		lineAt := lineCounter(chunk, line)
		for _, m := range x.Extract(chunk) {
			if err := w.write(IoCRow{Type: m.Type, Value: m.Value, Defanged: m.Defanged, Line: lineAt(m.Start)}); err != nil {
				return err
			}
		}
		return decodedIoCs(ctx, x, chunk, func(start int) int { return lineAt(start) }, w)
	})
}

// decodedIoCs unpacks text and writes the indicators in each decoded text item;
// lineOf maps an offset in text (where the outermost payload starts) to a line.
func decodedIoCs(ctx context.Context, x *ioc.Extractor, text []byte, lineOf func(int) int, w *iocWriter) error {
	res := decode.Unpack(ctx, text, decode.Options{})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, it := range res.Items {
		if !it.Text {
			continue
		}
		top := it
		for top.Parent >= 0 {
			top = res.Items[top.Parent]
		}
		line := lineOf(top.Start)
		for _, m := range x.Extract([]byte(it.Decoded)) {
			if err := w.write(IoCRow{Type: m.Type, Value: m.Value, Defanged: m.Defanged, Line: line, Decoded: true}); err != nil {
				return err
			}
		}
	}
	return nil
}

// lineCounter returns a function from increasing offsets in chunk to line
// numbers, counting newlines once.
func lineCounter(chunk []byte, first int) func(int) int {
	at, line := 0, first
	return func(off int) int {
		if off < at {
			return first + bytes.Count(chunk[:off], []byte{'\n'})
		}
		line += bytes.Count(chunk[at:off], []byte{'\n'})
		at = off
		return line
	}
}

// iocFromData reads rows of a CSV, TSV or JSON-lines file and extracts from the
// named columns; Line is the 0-based row.
func iocFromData(ctx context.Context, x *ioc.Extractor, fl iocFlags, w *iocWriter) error {
	f, err := os.Open(fl.input)
	if err != nil {
		return err
	}
	defer f.Close()
	cell := func(row int, text string) error {
		for _, m := range x.Extract([]byte(text)) {
			if err := w.write(IoCRow{Type: m.Type, Value: m.Value, Defanged: m.Defanged, Line: row}); err != nil {
				return err
			}
		}
		if fl.decode {
			return decodedIoCs(ctx, x, []byte(text), func(int) int { return row }, w)
		}
		return nil
	}
	switch strings.ToLower(filepath.Ext(fl.input)) {
	case ".json", ".jsonl", ".ndjson":
		return jsonRows(ctx, f, fl, cell)
	case ".tsv", ".tab":
		return csvRows(ctx, f, '\t', fl, cell)
	default:
		return csvRows(ctx, f, ',', fl, cell)
	}
}

func csvRows(ctx context.Context, r io.Reader, comma rune, fl iocFlags, cell func(int, string) error) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", fl.input, err)
	}
	idx := make([]int, len(fl.columns))
	for i, want := range fl.columns {
		idx[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), want) {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			return usage("%s has no column %q (columns: %s)", fl.input, want, strings.Join(header, ", "))
		}
	}
	for row := 0; ; row++ {
		if row%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", fl.input, err)
		}
		for _, j := range idx {
			if j < len(rec) {
				if err := cell(row, rec[j]); err != nil {
					return err
				}
			}
		}
	}
}

func jsonRows(ctx context.Context, r io.Reader, fl iocFlags, cell func(int, string) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	dec.UseNumber()
	for row := 0; ; row++ {
		if row%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var obj map[string]any
		err := dec.Decode(&obj)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: row %d: %w", fl.input, row, err)
		}
		for _, c := range fl.columns {
			v, ok := obj[c]
			if !ok || v == nil {
				continue
			}
			text, isStr := v.(string)
			if !isStr {
				b, _ := json.Marshal(v)
				text = string(b)
			}
			if err := cell(row, text); err != nil {
				return err
			}
		}
	}
}

// iocWriter writes rows as they come (json as one array, jsonl, csv, or an
// aligned table with escaped values), dropping repeats of a type and value on
// the same line, or, with unique, keeping each indicator once and counting.
type iocWriter struct {
	w      *bufio.Writer
	format frame.Format
	unique bool
	rows   int
	csv    *csv.Writer
	// line and seen de-duplicate within a line.
	line int
	seen map[[2]string]bool
	// order and counts hold the unique indicators.
	order  []IoCRow
	counts map[[2]string]int
}

func newIoCWriter(out io.Writer, format frame.Format, unique bool) *iocWriter {
	return &iocWriter{w: bufio.NewWriterSize(out, 64<<10), format: format, unique: unique,
		seen: map[[2]string]bool{}, counts: map[[2]string]int{}, line: -1}
}

func (w *iocWriter) write(r IoCRow) error {
	k := [2]string{string(r.Type), r.Value}
	if w.unique {
		if i, ok := w.counts[k]; ok {
			w.order[i].Count++
			return nil
		}
		r.Count = 1
		w.counts[k] = len(w.order)
		w.order = append(w.order, r)
		return nil
	}
	if r.Line != w.line {
		clear(w.seen)
		w.line = r.Line
	}
	if w.seen[k] {
		return nil
	}
	w.seen[k] = true
	return w.emit(r)
}

func (w *iocWriter) emit(r IoCRow) error {
	defer func() { w.rows++ }()
	switch w.format {
	case frame.JSON, frame.JSONL:
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if w.format == frame.JSON {
			if w.rows == 0 {
				w.w.WriteString("[\n  ")
			} else {
				w.w.WriteString(",\n  ")
			}
		}
		w.w.Write(b)
		if w.format == frame.JSONL {
			w.w.WriteByte('\n')
		}
	case frame.CSV:
		if w.csv == nil {
			w.csv = csv.NewWriter(w.w)
			head := []string{"type", "value", "defanged", "line", "decoded"}
			if w.unique {
				head = append(head, "count")
			}
			w.csv.Write(head)
		}
		rec := []string{string(r.Type), r.Value, fmt.Sprint(r.Defanged), fmt.Sprint(r.Line), fmt.Sprint(r.Decoded)}
		if w.unique {
			rec = append(rec, fmt.Sprint(r.Count))
		}
		w.csv.Write(rec)
	default:
		if w.rows == 0 {
			fmt.Fprintf(w.w, "%-8s %-12s %s\n", "LINE", "TYPE", "VALUE")
		}
		note := ""
		if r.Defanged {
			note += "  (defanged)"
		}
		if r.Decoded {
			note += "  (decoded)"
		}
		if w.unique {
			note += fmt.Sprintf("  ×%d", r.Count)
		}
		fmt.Fprintf(w.w, "%-8d %-12s %s%s\n", r.Line, r.Type, frame.SafeText(r.Value), note)
	}
	if w.w.Buffered() > 32<<10 {
		return w.w.Flush()
	}
	return nil
}

func (w *iocWriter) finish() error {
	for _, r := range w.order {
		if err := w.emit(r); err != nil {
			return err
		}
	}
	switch {
	case w.format == frame.JSON && w.rows == 0:
		w.w.WriteString("[]\n")
	case w.format == frame.JSON:
		w.w.WriteString("\n]\n")
	case w.csv != nil:
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	}
	return w.w.Flush()
}
