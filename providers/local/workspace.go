package local

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrNoWorkspace is returned when a workspace folder is missing or holds no data.
var ErrNoWorkspace = errors.New("no workspace")

// dataFormat is how DuckDB reads one kind of file.
type dataFormat string

const (
	formatCSV     dataFormat = "csv"
	formatTSV     dataFormat = "tsv"
	formatJSON    dataFormat = "json"
	formatParquet dataFormat = "parquet"
)

// formatOf returns the data format of a file name, "" for files that are not data.
func formatOf(name string) dataFormat {
	n := strings.ToLower(name)
	n = strings.TrimSuffix(n, ".gz")
	switch {
	case strings.HasSuffix(n, ".csv"):
		return formatCSV
	case strings.HasSuffix(n, ".tsv"):
		return formatTSV
	case strings.HasSuffix(n, ".json"), strings.HasSuffix(n, ".jsonl"), strings.HasSuffix(n, ".ndjson"):
		return formatJSON
	case strings.HasSuffix(n, ".parquet"):
		return formatParquet
	}
	return ""
}

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// tableNameOf makes a table name from a file name: the name up to the first dot,
// with anything that is not a letter, digit or underscore turned into "_".
func tableNameOf(file string) string {
	base := filepath.Base(file)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	name := nonIdent.ReplaceAllString(base, "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "t_" + name
	}
	return name
}

// source is one data file and the table it becomes.
type source struct {
	TableSpec
	path   string
	format dataFormat
	size   int64
	mtime  int64
}

// scan reads a workspace folder: its manifest, if any, and every data file in it.
// Files named in the manifest take the manifest's table name; others are named
// after the file.
func scan(dir string) (Manifest, []source, error) {
	var man Manifest
	info, err := os.Stat(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return man, nil, fmt.Errorf("%w: folder %s does not exist", ErrNoWorkspace, dir)
		}
		return man, nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	if !info.IsDir() {
		return man, nil, fmt.Errorf("%w: %s is a file, not a folder", ErrNoWorkspace, dir)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ManifestFile)); err == nil {
		if err := yaml.Unmarshal(b, &man); err != nil {
			return man, nil, fmt.Errorf("workspace %s: %s: %w", dir, ManifestFile, err)
		}
	} else if !os.IsNotExist(err) {
		return man, nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	byFile := map[string]TableSpec{}
	for _, t := range man.Tables {
		if t.Name == "" || t.File == "" {
			return man, nil, fmt.Errorf("workspace %s: %s: every table needs a name and a file", dir, ManifestFile)
		}
		if nonIdent.MatchString(t.Name) {
			return man, nil, fmt.Errorf("workspace %s: %s: table name %q may hold only letters, digits and _", dir, ManifestFile, t.Name)
		}
		if _, err := os.Stat(filepath.Join(dir, t.File)); err != nil {
			return man, nil, fmt.Errorf("workspace %s: %s: table %s: file %s: %w", dir, ManifestFile, t.Name, t.File, err)
		}
		byFile[filepath.Clean(t.File)] = t
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return man, nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	var out []source
	names := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		f := formatOf(e.Name())
		if f == "" {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return man, nil, fmt.Errorf("workspace %s: %w", dir, err)
		}
		spec, ok := byFile[e.Name()]
		if !ok {
			spec = TableSpec{Name: tableNameOf(e.Name()), File: e.Name()}
		}
		key := strings.ToLower(spec.Name)
		if prev, dup := names[key]; dup {
			return man, nil, fmt.Errorf("workspace %s: files %s and %s both make table %s (name one in %s)", dir, prev, e.Name(), spec.Name, ManifestFile)
		}
		names[key] = e.Name()
		out = append(out, source{TableSpec: spec, path: filepath.Join(dir, e.Name()), format: f, size: fi.Size(), mtime: fi.ModTime().UnixNano()})
	}
	if len(out) == 0 {
		return man, nil, fmt.Errorf("%w: %s has no data files (.csv, .tsv, .json, .jsonl, .parquet, optionally .gz)", ErrNoWorkspace, dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return man, out, nil
}

// quoteString makes a SQL string literal.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent makes a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// strictCSV pins the CSV dialect so that DuckDB's sniffer cannot reinterpret a
// malformed file as some other dialect and load it wrong without a word.
const strictCSV = `quote='"', escape='"', skip=0, strict_mode=true, null_padding=false`

// reader is the DuckDB table function call that reads a source.
func (s source) reader() string {
	p := quoteString(s.path)
	switch s.format {
	case formatCSV:
		return "read_csv(" + p + ", header=true, delim=',', " + strictCSV + ")"
	case formatTSV:
		return "read_csv(" + p + ", header=true, delim='\\t', " + strictCSV + ")"
	case formatJSON:
		return "read_json(" + p + ", format='auto')"
	default:
		return "read_parquet(" + p + ")"
	}
}

// locateCSVError reads a CSV or TSV file with Go's strict reader to find the first
// malformed record, so the error can name the line. It returns nil when Go finds none.
func locateCSVError(s source) error {
	r, err := openData(s.path)
	if err != nil {
		return err
	}
	defer r.Close()
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	if s.format == formatTSV {
		cr.Comma = '\t'
	}
	cr.ReuseRecord = true
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
			}
			return err
		}
	}
}

// maxLocateJSON bounds how much of a malformed JSON file is read to find the line.
const maxLocateJSON = 256 << 20

// locateJSONError reads a JSON or JSON-lines file with Go's decoder to find the line of
// the first malformed value. It returns nil when it finds none (or the file is too
// large to read whole), leaving DuckDB's account to stand.
func locateJSONError(s source) error {
	r, err := openData(s.path)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxLocateJSON+1))
	if err != nil || len(b) > maxLocateJSON {
		return nil
	}
	lineAt := func(off int64) int { return 1 + bytes.Count(b[:min(off, int64(len(b)))], []byte{'\n'}) }
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		start := dec.InputOffset()
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			return nil
		}
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("line %d: %v", lineAt(se.Offset), se)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("line %d: the value that starts there is cut short", lineAt(start)+leadingNewlines(b[start:]))
		case err != nil:
			return err
		}
	}
}

// leadingNewlines counts the newlines before the first non-space byte of b.
func leadingNewlines(b []byte) int {
	n := 0
	for _, c := range b {
		switch c {
		case '\n':
			n++
		case ' ', '\t', '\r':
		default:
			return n
		}
	}
	return n
}

// openData opens a data file, decompressing a .gz file on the fly.
func openData(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(strings.ToLower(path), ".gz") {
		return f, nil
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return readCloser{gz, func() error { gz.Close(); return f.Close() }}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }
