package queries

import (
	"fmt"
	"strings"

	"github.com/quarry-sec/quarry/engine/frame"
)

// quoteCtx says where in the target language a placeholder sits.
type quoteCtx struct {
	// quote is 0 outside a quoted literal, else the quote character.
	quote byte
	// verbatim marks a KQL @"..." literal, where quotes double and backslash is plain.
	verbatim bool
}

// segment is one piece of a compiled template: literal text, or a placeholder.
type segment struct {
	text  string   // literal text (braces already unescaped) when param == ""
	param string   // placeholder name
	ctx   quoteCtx // where the placeholder sits
	whole bool     // SQL only: the placeholder was the whole literal '{x}' (quotes dropped)
}

// compiled is a template split into segments once, at load time.
type compiled struct {
	segs []segment
}

// names returns the placeholder names in order of first use.
func (c *compiled) names() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range c.segs {
		if s.param != "" && !seen[s.param] {
			seen[s.param] = true
			out = append(out, s.param)
		}
	}
	return out
}

// lineComment returns the line-comment opener of a dialect ("" for none).
func lineComment(d frame.Dialect) string {
	switch d {
	case frame.SQL:
		return "--"
	case frame.KQL, frame.ESQL:
		return "//"
	}
	return ""
}

// compileTemplate splits a template into literal text and placeholders,
// tracking whether each placeholder sits inside a quoted literal of dialect
// d. "{{" and "}}" are literal braces; a lone brace is an error, as it is for
// Python's str.format that msticpy uses.
func compileTemplate(d frame.Dialect, text string) (*compiled, error) {
	var (
		c    compiled
		buf  strings.Builder
		ctx  quoteCtx
		cmt  = lineComment(d)
		inLC bool // inside a line comment
		// litEmpty is true right after a literal's opening quote, before any content.
		litEmpty bool
	)
	flush := func() {
		if buf.Len() > 0 {
			c.segs = append(c.segs, segment{text: buf.String()})
			buf.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case ch == '{' && i+1 < len(text) && text[i+1] == '{':
			buf.WriteByte('{')
			i++
			continue
		case ch == '}' && i+1 < len(text) && text[i+1] == '}':
			buf.WriteByte('}')
			i++
			continue
		case ch == '}':
			return nil, fmt.Errorf("single '}' at offset %d (write '}}' for a literal brace)", i)
		case ch == '{':
			end := strings.IndexByte(text[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed '{' at offset %d (write '{{' for a literal brace)", i)
			}
			name := text[i+1 : i+1+end]
			if k := strings.IndexAny(name, ":!"); k >= 0 {
				name = name[:k] // Python format spec / conversion: ignored
			}
			name = strings.TrimSpace(name)
			if name == "" || strings.ContainsAny(name, "{\n") {
				return nil, fmt.Errorf("bad placeholder %q at offset %d", text[i:i+2+end], i)
			}
			next := i + 2 + end
			seg := segment{param: name, ctx: ctx}
			if d == frame.SQL && ctx.quote != 0 && !inLC {
				// '{x}' as a whole literal becomes one prepared parameter.
				b := buf.String()
				if litEmpty && ctx.quote == '\'' && next < len(text) && text[next] == '\'' &&
					(next+1 >= len(text) || text[next+1] != '\'') {
					buf.Reset()
					buf.WriteString(b[:len(b)-1])
					seg = segment{param: name, whole: true}
					next++ // skip the closing quote
					ctx = quoteCtx{}
				}
			}
			if inLC {
				seg.ctx = quoteCtx{}
			}
			litEmpty = false
			flush()
			c.segs = append(c.segs, seg)
			i = next - 1
			continue
		}
		buf.WriteByte(ch)
		if inLC {
			if ch == '\n' {
				inLC = false
			}
			continue
		}
		if ctx.quote == 0 {
			switch {
			case ch == '?' && d == frame.SQL:
				return nil, fmt.Errorf("bare '?' at offset %d: prepared markers are generated from placeholders", i)
			case cmt != "" && strings.HasPrefix(text[i:], cmt):
				inLC = true
			case ch == '\'' || ch == '"':
				ctx.quote = ch
				litEmpty = true
				ctx.verbatim = d == frame.KQL && i > 0 && text[i-1] == '@'
			case ch == '`' && d == frame.SQL:
				// not a quote in DuckDB; ignore
			}
			continue
		}
		// inside a quoted literal
		litEmpty = false
		switch {
		case ch == '\\' && !ctx.verbatim && d != frame.SQL:
			if i+1 < len(text) && text[i+1] != '{' && text[i+1] != '}' {
				buf.WriteByte(text[i+1])
				i++
			}
		case ch == ctx.quote:
			if (d == frame.SQL || ctx.verbatim) && i+1 < len(text) && text[i+1] == ctx.quote {
				buf.WriteByte(ch) // doubled quote stays inside
				i++
			} else {
				ctx = quoteCtx{}
			}
		}
	}
	flush()
	return &c, nil
}
