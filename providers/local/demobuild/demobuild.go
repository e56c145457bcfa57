// Package demobuild builds Quarry's demo workspace: it normalises public
// security datasets (Security-Datasets, msticpy, Azure-Sentinel-Notebooks and
// msticpy-training test data, kept gzip-compressed in testdata/demo/sources)
// into Microsoft Sentinel-shaped tables, writes each table as a Parquet file and
// describes the result in a workspace.yaml manifest.
//
// The normalisation is the DuckDB SQL script build.sql, embedded in the
// package; testdata/demo/SCHEMA.md is the contract it implements.
package demobuild

import (
	"context"
	"database/sql"
	_ "embed" // for the build script
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
	"gopkg.in/yaml.v3"

	"github.com/quarry-sec/quarry/providers/local"
)

// BuildSQL is the DuckDB script that reads the source files (named relative to
// the sources directory) and creates one table per demo workspace table.
//
//go:embed build.sql
var BuildSQL string

// Tables lists the tables Build creates and writes, in the order they are
// written (sorted by name).
var Tables = []string{
	"AuditLog_CL",
	"AuditLogs",
	"AzureNetworkAnalytics_CL",
	"DeviceEvents",
	"DeviceProcessEvents",
	"Event",
	"Heartbeat",
	"OfficeActivity",
	"SecurityAlert",
	"SecurityEvent",
	"SigninLogs",
	"Syslog",
	"VMConnection",
}

// TimeColumn is the time column of every demo table.
const TimeColumn = "TimeGenerated"

// Description is the manifest description of the demo workspace.
const Description = "Quarry demo workspace: public security datasets (OTRF Security-Datasets, " +
	"microsoft/msticpy and msticpy-training test data, Azure-Sentinel-Notebooks samples) " +
	"normalised into Microsoft Sentinel-shaped tables by providers/local/demobuild. " +
	"See testdata/demo/NOTICE.md for sources and licenses."

// Build reads the source files in sourcesDir, creates the demo tables in an
// in-memory DuckDB database, writes each table to outDir/<Table>.parquet
// (zstd-compressed, rows in a deterministic order) and writes
// outDir/workspace.yaml. It returns the manifest it wrote.
func Build(ctx context.Context, sourcesDir, outDir string) (*local.Manifest, error) {
	src, err := filepath.Abs(sourcesDir)
	if err != nil {
		return nil, fmt.Errorf("demobuild: sources dir %q: %w", sourcesDir, err)
	}
	if fi, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("demobuild: sources dir: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("demobuild: sources dir %s is not a directory", src)
	}
	out, err := filepath.Abs(outDir)
	if err != nil {
		return nil, fmt.Errorf("demobuild: output dir %q: %w", outDir, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("demobuild: output dir: %w", err)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("demobuild: open duckdb: %w", err)
	}
	defer db.Close()
	// One connection: SET and the temporary tables are per connection.
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("demobuild: duckdb connection: %w", err)
	}
	defer conn.Close()

	if _, err := conn.ExecContext(ctx, "SET file_search_path = "+quote(filepath.ToSlash(src))); err != nil {
		return nil, fmt.Errorf("demobuild: set file_search_path: %w", err)
	}
	for i, stmt := range splitStatements(BuildSQL) {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("demobuild: build.sql statement %d (%s): %w", i+1, firstLine(stmt), err)
		}
	}

	m := &local.Manifest{Name: "demo", Description: Description}
	var minT, maxT time.Time
	for _, t := range Tables {
		file := t + ".parquet"
		path := filepath.Join(out, file)
		copySQL := fmt.Sprintf("COPY (SELECT * FROM %s ORDER BY ALL) TO %s (FORMAT parquet, COMPRESSION zstd)",
			ident(t), quote(filepath.ToSlash(path)))
		if _, err := conn.ExecContext(ctx, copySQL); err != nil {
			return nil, fmt.Errorf("demobuild: write table %s to %s: %w", t, path, err)
		}
		var rows int64
		var lo, hi sql.NullTime
		var nullTimes int64
		q := fmt.Sprintf("SELECT count(*), min(%[1]s), max(%[1]s), count(*) - count(%[1]s) FROM %[2]s",
			ident(TimeColumn), ident(t))
		if err := conn.QueryRowContext(ctx, q).Scan(&rows, &lo, &hi, &nullTimes); err != nil {
			return nil, fmt.Errorf("demobuild: count table %s: %w", t, err)
		}
		if nullTimes > 0 {
			return nil, fmt.Errorf("demobuild: table %s has %d rows with NULL %s", t, nullTimes, TimeColumn)
		}
		if lo.Valid && (minT.IsZero() || lo.Time.Before(minT)) {
			minT = lo.Time
		}
		if hi.Valid && (maxT.IsZero() || hi.Time.After(maxT)) {
			maxT = hi.Time
		}
		m.Tables = append(m.Tables, local.TableSpec{Name: t, File: file, TimeColumn: TimeColumn, Rows: rows})
	}
	m.Span = local.Span{Start: minT.UTC(), End: maxT.UTC()}

	data, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("demobuild: marshal %s: %w", local.ManifestFile, err)
	}
	if err := os.WriteFile(filepath.Join(out, local.ManifestFile), data, 0o644); err != nil {
		return nil, fmt.Errorf("demobuild: write %s: %w", local.ManifestFile, err)
	}
	return m, nil
}

// splitStatements splits a script into statements at semicolons that end a
// line (the convention build.sql follows), dropping comment-only pieces.
func splitStatements(script string) []string {
	var stmts []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(script, "\n") {
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimRight(line, " \t\r\n"), ";") {
			if s := strings.TrimSpace(cur.String()); hasCode(s) {
				stmts = append(stmts, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); hasCode(s) {
		stmts = append(stmts, s)
	}
	return stmts
}

// hasCode reports whether s contains a line that is not a comment or blank.
func hasCode(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "--") {
			return true
		}
	}
	return false
}

// firstLine returns the first non-comment line of a statement, for errors.
func firstLine(stmt string) string {
	for _, l := range strings.Split(stmt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return l
		}
	}
	return ""
}

// quote returns s as a SQL string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ident returns s as a quoted SQL identifier.
func ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
