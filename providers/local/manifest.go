package local

import "time"

// ManifestFile is the name of the optional file that describes a workspace folder.
const ManifestFile = "workspace.yaml"

// Manifest describes a workspace folder: which files are which tables, their time
// columns, and the span of time the data covers. It is optional for user folders
// (every data file then becomes a table named after the file) and always present in
// the demo workspace, whose builder writes it.
type Manifest struct {
	// Name is a short label for the workspace ("demo").
	Name string `yaml:"name,omitempty"`
	// Description says what the data is and where it came from.
	Description string `yaml:"description,omitempty"`
	// Persist, when set, is the .duckdb file (relative to the folder) that the
	// workspace is imported into so that reopening is instant.
	Persist string `yaml:"persist,omitempty"`
	// Tables lists the tables; a data file not listed still becomes a table.
	Tables []TableSpec `yaml:"tables,omitempty"`
	// Span is the time the data covers; zero when unknown.
	Span Span `yaml:"span,omitempty"`
}

// TableSpec names one table of a workspace.
type TableSpec struct {
	// Name is the table name queries use (e.g. SecurityEvent).
	Name string `yaml:"name"`
	// File is the data file, relative to the workspace folder.
	File string `yaml:"file"`
	// TimeColumn is the table's main time column (usually TimeGenerated).
	TimeColumn string `yaml:"time_column,omitempty"`
	// Rows is the row count when known (the demo builder records it).
	Rows int64 `yaml:"rows,omitempty"`
}

// Span is a closed range of time in UTC.
type Span struct {
	// Start is the earliest event time.
	Start time.Time `yaml:"start,omitempty"`
	// End is the latest event time.
	End time.Time `yaml:"end,omitempty"`
}

// IsZero reports whether the span is unknown.
func (s Span) IsZero() bool { return s.Start.IsZero() && s.End.IsZero() }
