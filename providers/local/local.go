// Package local is Quarry's embedded data back end: a workspace folder of CSV, TSV,
// JSON and Parquet files opened in DuckDB, one table per file, queried in SQL.
// A workspace can be imported into a .duckdb file so that reopening it is instant.
package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/quarry-sec/quarry/engine/frame"
	"github.com/quarry-sec/quarry/providers/data"
)

// DefaultLimit is the row limit when Options.Limit is zero.
const DefaultLimit = 100_000

// Options tune how a workspace is opened.
type Options struct {
	// Limit cuts results after this many rows and flags them truncated (0 = DefaultLimit,
	// negative = no limit).
	Limit int
	// Persist, when set, is a .duckdb file the workspace is imported into. An import
	// whose files have not changed since is reused, so reopening is instant.
	Persist string
	// InitSQL runs on every new connection (the query library's SQL macros).
	InitSQL []string
	// Threads caps DuckDB's worker threads (0 = one per core).
	Threads int
	// Progress, when set, is told about slow steps as they start ("importing x.csv
	// (258 MB)…") and end, so a caller can show them.
	Progress func(msg string)
}

// Provider is an open workspace.
type Provider struct {
	dir     string
	opts    Options
	man     Manifest
	sources []source
	db      *sql.DB
	conn    *duckdb.Connector

	spanMu    sync.Mutex
	spanKnown bool
	span      Span
}

var _ data.Provider = (*Provider)(nil)
var _ data.Spanner = (*Provider)(nil)

// Open opens the workspace in dir. Every data file is checked as it is loaded: a file
// DuckDB cannot read is named in the error with DuckDB's own account of where.
func Open(ctx context.Context, dir string, opts Options) (*Provider, error) {
	man, sources, err := scan(dir)
	if err != nil {
		return nil, err
	}
	if opts.Persist == "" && man.Persist != "" {
		opts.Persist = man.Persist
		if !strings.HasPrefix(opts.Persist, "/") {
			opts.Persist = dir + string(os.PathSeparator) + opts.Persist
		}
	}
	p := &Provider{dir: dir, opts: opts, man: man, sources: sources}
	if err := p.openDB(); err != nil {
		return nil, err
	}
	if err := p.load(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Provider) openDB() error {
	dsn := p.opts.Persist
	init := p.opts.InitSQL
	threads := p.opts.Threads
	conn, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		if threads > 0 {
			if _, err := ex.ExecContext(context.Background(), fmt.Sprintf("SET threads = %d", threads), nil); err != nil {
				return err
			}
		}
		for _, s := range init {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("connection set-up: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if dsn != "" {
			return fmt.Errorf("open workspace database %s: %w", dsn, err)
		}
		return fmt.Errorf("open DuckDB: %w", err)
	}
	p.conn = conn
	p.db = sql.OpenDB(conn)
	return nil
}

const fingerprintTable = "_quarry_files"

// load makes every source a table: parquet files as views (DuckDB reads them in
// place), everything else imported. A persisted workspace whose fingerprint matches
// the files is reused as it is. The fingerprint is dropped before an import and
// written after it, so an import cut short is redone on the next open.
func (p *Provider) load(ctx context.Context) error {
	if p.opts.Persist != "" && p.fingerprintMatches(ctx) {
		return nil
	}
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+fingerprintTable); err != nil {
		return fmt.Errorf("workspace %s: %w", p.dir, err)
	}
	// Imports need not keep the file's row order (queries sort): this lets DuckDB
	// parse and write in parallel, which is most of the import rate.
	if _, err := conn.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "RESET preserve_insertion_order")
	for _, s := range p.sources {
		kind := "TABLE"
		if s.format == formatParquet && p.opts.Persist == "" {
			kind = "VIEW"
		}
		stmt := fmt.Sprintf("CREATE OR REPLACE %s %s AS SELECT * FROM %s", kind, quoteIdent(s.Name), s.reader())
		began := time.Now()
		slow := kind == "TABLE" && s.size >= progressSize
		if slow {
			p.progress(fmt.Sprintf("importing %s (%.0f MB) as table %s…", s.File, float64(s.size)/1e6, s.Name))
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var lerr error
			switch s.format {
			case formatCSV, formatTSV:
				lerr = locateCSVError(s)
			case formatJSON:
				lerr = locateJSONError(s)
			}
			if lerr != nil {
				return fmt.Errorf("workspace %s: file %s: not valid %s: %w", p.dir, s.File, s.format, lerr)
			}
			return fmt.Errorf("workspace %s: file %s: %w", p.dir, s.File, cleanErr(err))
		}
		if slow {
			el := time.Since(began)
			p.progress(fmt.Sprintf("imported %s in %s (%.0f MB/s)", s.File, el.Round(10*time.Millisecond), float64(s.size)/1e6/el.Seconds()))
		}
	}
	if p.opts.Persist != "" {
		if err := writeFingerprint(ctx, conn, p.sources); err != nil {
			return fmt.Errorf("workspace %s: record import: %w", p.dir, err)
		}
	}
	return nil
}

// progressSize is the file size from which an import is reported as it happens.
const progressSize = 16 << 20

func (p *Provider) progress(msg string) {
	if p.opts.Progress != nil {
		p.opts.Progress(msg)
	}
}

func (p *Provider) fingerprintMatches(ctx context.Context) bool {
	rows, err := p.db.QueryContext(ctx, "SELECT file, size, mtime FROM "+fingerprintTable+" ORDER BY file")
	if err != nil {
		return false
	}
	defer rows.Close()
	want := map[string][2]int64{}
	for _, s := range p.sources {
		want[s.File] = [2]int64{s.size, s.mtime}
	}
	n := 0
	for rows.Next() {
		var f string
		var size, mtime int64
		if rows.Scan(&f, &size, &mtime) != nil {
			return false
		}
		if w, ok := want[f]; !ok || w != [2]int64{size, mtime} {
			return false
		}
		n++
	}
	return rows.Err() == nil && n == len(want)
}

func writeFingerprint(ctx context.Context, tx *sql.Conn, sources []source) error {
	if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE TABLE "+fingerprintTable+" (file VARCHAR, size BIGINT, mtime BIGINT)"); err != nil {
		return err
	}
	for _, s := range sources {
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+fingerprintTable+" VALUES (?, ?, ?)", s.File, s.size, s.mtime); err != nil {
			return err
		}
	}
	return nil
}

// cleanErr trims DuckDB's multi-line error text to what a person needs.
func cleanErr(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) {
		msg := strings.TrimSpace(de.Msg)
		for _, cut := range []string{"\n\nPossible Solution", "\nPossible fixes", "\nThe search space used", "\n\nLINE "} {
			if i := strings.Index(msg, cut); i > 0 {
				msg = strings.TrimSpace(msg[:i])
			}
		}
		return &duckdb.Error{Type: de.Type, Msg: msg}
	}
	return err
}

// Name is "local".
func (p *Provider) Name() string { return "local" }

// Dialect is SQL (DuckDB).
func (p *Provider) Dialect() frame.Dialect { return frame.SQL }

// Connect does nothing: Open already connected.
func (p *Provider) Connect(context.Context) error { return nil }

// Dir is the workspace folder.
func (p *Provider) Dir() string { return p.dir }

// Manifest is the workspace's manifest as read (zero when the folder has none).
func (p *Provider) Manifest() Manifest { return p.man }

// Close closes the database.
func (p *Provider) Close() error {
	var err error
	if p.db != nil {
		err = p.db.Close()
	}
	if p.conn != nil {
		if cerr := p.conn.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Query runs a SQL statement with its prepared parameters and returns at most the
// limit's rows, flagging the frame truncated when there were more.
func (p *Provider) Query(ctx context.Context, stmt frame.Statement) (*frame.Frame, error) {
	if stmt.Dialect != frame.SQL && stmt.Dialect != "" {
		return nil, fmt.Errorf("%w: the local workspace runs sql, not %s", data.ErrWrongDialect, stmt.Dialect)
	}
	limit := p.opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	began := time.Now()
	args := make([]any, len(stmt.Args))
	for i, a := range stmt.Args {
		if t, ok := a.(time.Time); ok {
			a = t.UTC()
		}
		args[i] = a
	}
	rows, err := p.db.QueryContext(ctx, stmt.Text, args...)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, classify(ctx, err)
	}
	names := make([]string, len(types))
	kinds := make([]frame.Kind, len(types))
	for i, t := range types {
		names[i] = t.Name()
		kinds[i] = kindOf(t.DatabaseTypeName())
	}
	b := frame.NewBuilder(names, kinds)
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	truncated := false
	for rows.Next() {
		if limit > 0 && b.Rows() >= limit {
			truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, classify(ctx, err)
		}
		for i, v := range vals {
			vals[i] = scanValue(v)
		}
		b.Append(vals)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	meta := frame.Meta{
		Provider:   p.Name(),
		Query:      stmt.Query,
		Statement:  stmt,
		TimeColumn: timeColumn(names, kinds),
		Truncated:  truncated,
		Limit:      limit,
	}
	f, err := b.Frame(meta)
	if err != nil {
		return nil, err
	}
	f.Meta.Elapsed = time.Since(began)
	return f, nil
}

// classify marks errors the user caused (syntax, unknown names) as bad statements
// and passes cancellation through as the context's error.
func classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	err = cleanErr(err)
	var de *duckdb.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeBinder, duckdb.ErrorTypeCatalog,
			duckdb.ErrorTypeConversion, duckdb.ErrorTypeInvalidInput, duckdb.ErrorTypeMismatchType:
			return fmt.Errorf("%w: %v", data.ErrBadStatement, de)
		case duckdb.ErrorTypeInterrupt:
			return context.Canceled
		}
	}
	return err
}

// kindOf maps a DuckDB type name onto a frame kind.
func kindOf(t string) frame.Kind {
	switch {
	case t == "BOOLEAN":
		return frame.Bool
	case t == "TINYINT", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "UTINYINT",
		t == "USMALLINT", t == "UINTEGER", t == "UBIGINT", t == "HUGEINT", t == "UHUGEINT":
		return frame.Int
	case t == "FLOAT", t == "DOUBLE", strings.HasPrefix(t, "DECIMAL"):
		return frame.Float
	case strings.HasPrefix(t, "TIMESTAMP"), t == "DATE":
		return frame.Time
	}
	return frame.String
}

// scanValue turns the driver's special types into plain values.
func scanValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.Float64()
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	}
	return v
}

// timeColumn picks a frame's event-time column: TimeGenerated, then Timestamp,
// then the first time-typed column.
func timeColumn(names []string, kinds []frame.Kind) string {
	for _, want := range []string{"TimeGenerated", "Timestamp"} {
		for i, n := range names {
			if strings.EqualFold(n, want) && kinds[i] == frame.Time {
				return n
			}
		}
	}
	for i, k := range kinds {
		if k == frame.Time {
			return names[i]
		}
	}
	return ""
}
