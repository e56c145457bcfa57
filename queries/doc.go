// Package queries is Quarry's query library: it loads query definitions from
// YAML files, validates them, and binds parameter values into statements that
// a provider can run safely.
//
// # Files
//
// The YAML format is msticpy's query schema, loaded unchanged: a file has
// metadata (version, an integer; description; data_environments;
// data_families; tags), optional defaults (metadata and parameters shared by
// every source) and sources (one per query). A source has a description,
// optional metadata, parameters, query_macros and either msticpy's
// args.query or Quarry's dialects map, or both:
//
//	sources:
//	  list_host_processes:
//	    description: Processes created on one host
//	    dialects:
//	      sql: SELECT * FROM {table} WHERE host_match(Computer, {host_name}) ...
//	      kql: {table} | where Computer has {host_name} ...
//
// A template written only as args.query gets its dialect from the file's
// data_environments (Sentinel, Log Analytics, Kusto and the Defender
// environments → kql; Splunk → spl; Elastic → esql; LocalData → none: the
// query loads but cannot be bound). When dialects is present as well,
// args.query is the kql template unless the environments say otherwise.
//
// A query's name is "Family.source_name", and a source is listed under every
// family of its effective data_families (file ⊕ defaults ⊕ source metadata).
//
// # Validation
//
// Load rejects, with a *SchemaError naming file, query and field: a missing
// metadata or sources section, a non-integer version, a source with neither
// args.query nor dialects, a parameter without a type or with a type other
// than str, int, float, bool, datetime, list or dict, a placeholder that names
// no parameter, an unbalanced brace, and a bare '?' in a sql template. YAML
// syntax errors are reported with the file name and line.
//
// # Templates
//
// {name} is a placeholder; {{ and }} are literal braces. $<macro>$ is replaced
// at load time by query_macros.<macro>.value (missing → empty). Runs of blank
// lines are collapsed, as msticpy does.
//
// # Binding
//
// Bind takes values as a map: strings (as typed on a command line) are parsed
// per the parameter's type; typed Go values (time.Time, ints, float64, bool,
// []string, []any) are accepted. Aliases resolve to the real name. An unknown
// name, a missing required parameter or a value of the wrong type is a
// *ParamError. Datetime values follow ParseTime. A list may be given as a
// comma-separated string, split and trimmed. When a query has start and end
// parameters and the caller gives none, BindOptions.DefaultStart and
// DefaultEnd apply, else msticpy's Now−1d and Now+1d.
//
// Each placeholder becomes a complete literal of the target dialect:
//
//   - sql (DuckDB): a prepared parameter. The placeholder becomes '?' and the
//     typed value (string, int64, float64, bool, time.Time) goes to
//     Statement.Args in order; a list becomes "?, ?, ?" (an empty list binds
//     one NULL). '{x}' written as a whole quoted literal becomes '?' too.
//   - kql: strings become double-quoted literals with \\, \", \n, \r, \t and
//     \uXXXX escapes for other control characters; numbers and bools are
//     literals; datetimes are 2019-01-15T05:24:24.000000Z (templates write
//     datetime({start})); lists are comma-joined literals.
//   - spl: strings become double-quoted with \\ and \" escaped; datetimes
//     are epoch seconds (for earliest= and latest=); lists are comma-joined.
//   - esql: as kql, datetimes as quoted ISO-8601 strings.
//
// A placeholder inside a quoted literal of the template ("…{x}…", as
// msticpy's KQL templates write "{host_name}") is escaped for that literal in
// place: backslash escapes for kql, spl and esql; doubled quotes for sql and
// for KQL verbatim @"…" literals.
//
// Three kinds of parameter are not literals. Identifier parameters (named
// table, or declared identifier: true) must match ^[A-Za-z_][A-Za-z0-9_.]*$
// and render as a double-quoted identifier in sql, bare elsewhere. Operator
// parameters (names ending in _op) must be in a per-dialect whitelist. Raw
// parameters (declared raw: true, or named add_query_items, query_project,
// event_filter or subscription_filter) are pasted as given: they are the
// explicit escape hatch for analysts extending a query, never a place for
// untrusted input.
package queries
