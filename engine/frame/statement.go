package frame

import "time"

// Dialect names the query language a statement is written in.
type Dialect string

// The dialects Quarry binds queries for.
const (
	// SQL is DuckDB SQL, run by the local engine.
	SQL Dialect = "sql"
	// KQL is the Kusto Query Language of Log Analytics, Sentinel and Defender.
	KQL Dialect = "kql"
	// SPL is Splunk's Search Processing Language.
	SPL Dialect = "spl"
	// ESQL is Elasticsearch's ES|QL.
	ESQL Dialect = "esql"
)

// Statement is a query bound for one dialect, ready for a provider to run.
// For SQL, Args holds the prepared parameters that the '?' markers in Text
// refer to, in order; for the text dialects every value is already an
// escaped literal inside Text and Args is empty.
type Statement struct {
	// Dialect is the language of Text.
	Dialect Dialect
	// Text is the statement with every parameter bound.
	Text string
	// Args are the positional prepared parameters (SQL only).
	Args []any
	// Query is the dotted name of the library query this came from ("" for ad-hoc text).
	Query string
	// Start and End are the bound time range, zero when the query has none.
	Start, End time.Time
}
