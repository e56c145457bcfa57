package ioc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/quarry-sec/quarry/engine/frame"
)

// ChunkSize is how much of a stream ExtractReader holds at once: lines are
// gathered into chunks of about this size, so memory stays bounded whatever the
// stream's length.
const ChunkSize = 1 << 20

// ExtractReader reads r to its end and calls fn with each indicator and the
// 1-based line it starts on; Start and End are offsets from the stream's start.
// The stream is read in chunks of whole lines (see ReadChunks), so memory stays
// bounded; the priority rule and de-duplication apply within a chunk. It stops
// at the first read error, when ctx is done, or when fn returns an error, and
// returns that error.
func (x *Extractor) ExtractReader(ctx context.Context, r io.Reader, fn func(m Match, line int) error) error {
	return ReadChunks(ctx, r, func(chunk []byte, offset, line int) error {
		at := 0
		for _, m := range x.Extract(chunk) {
			if m.Start > at {
				line += bytes.Count(chunk[at:m.Start], []byte{'\n'})
				at = m.Start
			}
			m.Start += offset
			m.End += offset
			if err := fn(m, line); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadChunks reads r to its end in chunks of whole lines of up to ChunkSize
// bytes and calls fn with each, its offset in the stream and the 1-based number
// of its first line. A line longer than ChunkSize is cut (at a space or tab when
// one lies in its last 4 KiB) and handed over in pieces. The chunk is only valid
// during the call. It stops at the first read error, when ctx is done, or when
// fn returns an error, and returns that error.
func ReadChunks(ctx context.Context, r io.Reader, fn func(chunk []byte, offset, line int) error) error {
	buf := make([]byte, ChunkSize)
	have, offset, line := 0, 0, 1 // bytes held; stream offset and line of buf[0]
	eof := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		for idle := 0; !eof && have < len(buf); {
			k, err := r.Read(buf[have:])
			have += k
			switch {
			case errors.Is(err, io.EOF):
				eof = true
			case err != nil:
				return err
			case k == 0:
				if idle++; idle > 100 {
					return io.ErrNoProgress
				}
			}
		}
		if have == 0 {
			return nil
		}
		cut := have
		if !eof {
			if nl := bytes.LastIndexByte(buf[:have], '\n'); nl >= 0 {
				cut = nl + 1
			} else if sp := bytes.LastIndexAny(buf[max(0, have-4096):have], " \t"); sp >= 0 {
				cut = max(0, have-4096) + sp + 1
			}
		}
		chunk := buf[:cut]
		if err := fn(chunk, offset, line); err != nil {
			return err
		}
		line += bytes.Count(chunk, []byte{'\n'})
		offset += cut
		have = copy(buf, buf[cut:have])
	}
}

// ExtractFrame finds the indicators in the named columns of f, as msticpy's
// extract with a DataFrame: one row per distinct indicator per cell, with the
// columns IoCType, Observable, SourceIndex (the row), Input (the cell's text)
// and Column (the column it came from). A column name f does not have is an
// error naming it. ctx is checked every 1,024 rows.
func ExtractFrame(ctx context.Context, f *frame.Frame, columns []string, opts Options) (*frame.Frame, error) {
	x, err := New(opts)
	if err != nil {
		return nil, err
	}
	cols := make([]*frame.Column, len(columns))
	for i, name := range columns {
		if cols[i] = f.Col(name); cols[i] == nil {
			return nil, fmt.Errorf("no column %q in the data (columns: %s)", name, strings.Join(f.Names(), ", "))
		}
	}
	b := frame.NewBuilder([]string{"IoCType", "Observable", "SourceIndex", "Input", "Column"},
		[]frame.Kind{frame.String, frame.String, frame.Int, frame.String, frame.String})
	type key struct {
		t Type
		v string
	}
	seen := map[key]bool{}
	for r := 0; r < f.Len(); r++ {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, c := range cols {
			if c.IsNull(r) {
				continue
			}
			var text string
			if c.Kind == frame.String {
				text = c.Strings[r]
			} else {
				text = frame.DisplayText(c.Value(r))
			}
			clear(seen)
			for _, m := range x.Extract([]byte(text)) {
				k := key{m.Type, m.Value}
				if seen[k] {
					continue
				}
				seen[k] = true
				b.Append([]any{string(m.Type), m.Value, int64(r), text, c.Name})
			}
		}
	}
	out, err := b.Frame(frame.Meta{Provider: f.Meta.Provider, Query: f.Meta.Query})
	if err != nil {
		return nil, err
	}
	return out, nil
}
