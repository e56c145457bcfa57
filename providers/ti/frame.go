package ti

import (
	"fmt"
	"strings"

	"github.com/quarry-sec/quarry/engine/frame"
)

// FrameQueries returns what to look up in a frame's column: each non-empty
// cell's indicators (the cell itself when it is one, else those written in
// it), as LookupMany takes them. typ, when set, is every cell's type and no
// detection or extraction is done (msticpy's ioc_type_col, for one type).
func FrameQueries(f *frame.Frame, column, typ string) ([]Query, error) {
	c := f.Col(column)
	if c == nil {
		return nil, fmt.Errorf("no column %q (columns: %s)", column, strings.Join(f.Names(), ", "))
	}
	var out []Query
	for r := range f.Len() {
		if c.IsNull(r) {
			continue
		}
		v := strings.TrimSpace(frame.DisplayText(c.Value(r)))
		switch {
		case v == "":
		case typ != "":
			out = append(out, Query{Ioc: v, Type: typ})
		default:
			out = append(out, Indicators(v)...)
		}
	}
	return out, nil
}
