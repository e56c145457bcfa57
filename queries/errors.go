package queries

import (
	"errors"
	"fmt"
)

// ErrUnknownQuery is returned (wrapped) by Library.Get when no query has the name.
var ErrUnknownQuery = errors.New("unknown query")

// ErrNoTemplate is returned (wrapped) by Query.Bind when the query has no
// template for the requested dialect.
var ErrNoTemplate = errors.New("no template for dialect")

// SchemaError reports a query file that parses as YAML but breaks the query
// schema: a missing section, an untyped parameter, a placeholder that names no
// parameter.
type SchemaError struct {
	// File is the path of the YAML file.
	File string
	// Query is the source name, empty for file-level problems.
	Query string
	// Field is the dotted path of the offending key (e.g. "metadata.version").
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error names the file, the query and the field.
func (e *SchemaError) Error() string {
	q := e.Query
	if q == "" {
		q = "-"
	}
	return fmt.Sprintf("query schema: file %s: query %s: field %s: %s", e.File, q, e.Field, e.Reason)
}

// ParamError reports a parameter value that cannot be bound: unknown, missing,
// of the wrong type, or refused (an identifier or operator outside its rules).
type ParamError struct {
	// Query is the dotted query name.
	Query string
	// Param is the parameter name as the caller or the template spelled it.
	Param string
	// Reason says what is wrong.
	Reason string
}

// Error names the query and the parameter.
func (e *ParamError) Error() string {
	return fmt.Sprintf("query %s: parameter %s: %s", e.Query, e.Param, e.Reason)
}
