package local

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/quarry-sec/quarry/providers/data"
)

// Schema lists the workspace's tables with their columns, row counts, time columns
// and source files.
func (p *Provider) Schema(ctx context.Context) ([]data.Table, error) {
	out := make([]data.Table, 0, len(p.sources))
	for _, s := range p.sources {
		t := data.Table{Name: s.Name, Rows: -1, Source: s.File}
		rows, err := p.db.QueryContext(ctx,
			"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", s.Name)
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", s.Name, err)
		}
		for rows.Next() {
			var c data.Column
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				rows.Close()
				return nil, err
			}
			t.Columns = append(t.Columns, c)
		}
		rows.Close()
		if s.Rows > 0 {
			t.Rows = s.Rows
		} else if err := p.db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(s.Name)).Scan(&t.Rows); err != nil {
			return nil, fmt.Errorf("count %s: %w", s.Name, err)
		}
		t.TimeColumn = p.tableTimeColumn(s, t.Columns)
		out = append(out, t)
	}
	return out, nil
}

func (p *Provider) tableTimeColumn(s source, cols []data.Column) string {
	if s.TimeColumn != "" {
		return s.TimeColumn
	}
	for _, want := range []string{"TimeGenerated", "Timestamp"} {
		for _, c := range cols {
			if strings.EqualFold(c.Name, want) && strings.HasPrefix(c.Type, "TIMESTAMP") {
				return c.Name
			}
		}
	}
	for _, c := range cols {
		if strings.HasPrefix(c.Type, "TIMESTAMP") {
			return c.Name
		}
	}
	return ""
}

// Span is the time the workspace covers: the manifest's span when it records one,
// else the earliest and latest value of every table's time column.
func (p *Provider) Span(ctx context.Context) (time.Time, time.Time, bool) {
	p.spanMu.Lock()
	defer p.spanMu.Unlock()
	if p.spanKnown {
		return p.span.Start, p.span.End, !p.span.IsZero()
	}
	if !p.man.Span.IsZero() {
		p.span, p.spanKnown = Span{Start: p.man.Span.Start.UTC(), End: p.man.Span.End.UTC()}, true
		return p.span.Start, p.span.End, true
	}
	span, err := p.scanSpan(ctx)
	if err != nil {
		// Not remembered: a cancelled scan must not leave the workspace without a span.
		return time.Time{}, time.Time{}, false
	}
	p.span, p.spanKnown = span, true
	return span.Start, span.End, !span.IsZero()
}

// scanSpan reads the earliest and latest value of every table's time column.
func (p *Provider) scanSpan(ctx context.Context) (Span, error) {
	tables, err := p.Schema(ctx)
	if err != nil {
		return Span{}, err
	}
	var parts []string
	for _, t := range tables {
		if t.TimeColumn != "" {
			col := quoteIdent(t.TimeColumn)
			parts = append(parts, fmt.Sprintf("SELECT min(%s)::TIMESTAMP AS lo, max(%s)::TIMESTAMP AS hi FROM %s", col, col, quoteIdent(t.Name)))
		}
	}
	if len(parts) == 0 {
		return Span{}, nil
	}
	q := "SELECT min(lo), max(hi) FROM (" + strings.Join(parts, " UNION ALL ") + ")"
	var lo, hi *time.Time
	if err := p.db.QueryRowContext(ctx, q).Scan(&lo, &hi); err != nil {
		return Span{}, err
	}
	if lo == nil || hi == nil {
		return Span{}, nil
	}
	return Span{Start: lo.UTC(), End: hi.UTC()}, nil
}
