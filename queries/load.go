package queries

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/quarry-sec/quarry/engine/frame"
)

//go:embed library/*.yaml
var embedded embed.FS

// Embedded returns the built-in query library: a file system whose folder
// "library" holds the YAML files.
func Embedded() fs.FS { return embedded }

// Library is a set of loaded queries, keyed by dotted name ("Family.query").
type Library struct {
	byName   map[string]*Query
	families map[string]bool
}

// Load reads the embedded library and then every *.yaml file under each of
// dirs (recursively). A query defined again later replaces the earlier one.
func Load(dirs ...string) (*Library, error) {
	lib, err := LoadFS(Embedded(), "library")
	if err != nil {
		return nil, fmt.Errorf("load embedded library: %w", err)
	}
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("load queries from %s: %w", dir, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("load queries from %s: not a folder", dir)
		}
		if err := lib.addTree(os.DirFS(dir), ".", dir); err != nil {
			return nil, err
		}
	}
	return lib, nil
}

// LoadFS reads every *.yaml file under root in fsys (recursively) into a new
// library.
func LoadFS(fsys fs.FS, root string) (*Library, error) {
	lib := &Library{byName: map[string]*Query{}, families: map[string]bool{}}
	if err := lib.addTree(fsys, root, ""); err != nil {
		return nil, err
	}
	return lib, nil
}

// addTree loads the YAML files under root, in lexical order. label, when set,
// replaces root in the file names reported in errors and Query.File.
func (l *Library) addTree(fsys fs.FS, root, label string) error {
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list query files under %s: %w", root, err)
	}
	sort.Strings(files)
	for _, p := range files {
		name := p
		if label != "" {
			rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
			name = filepath.Join(label, filepath.FromSlash(rel))
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read query file %s: %w", name, err)
		}
		qs, err := parseFile(name, data)
		if err != nil {
			return err
		}
		for _, q := range qs {
			l.byName[q.Name] = q
			l.families[q.Family] = true
		}
	}
	return nil
}

// Queries returns every query, sorted by Name.
func (l *Library) Queries() []*Query {
	out := make([]*Query, 0, len(l.byName))
	for _, q := range l.byName {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Families returns the family names, sorted.
func (l *Library) Families() []string {
	out := make([]string, 0, len(l.families))
	for f := range l.families {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Get finds a query by its dotted name, exactly or ignoring case; a bare
// query name is accepted when only one family has it. The error wraps
// ErrUnknownQuery.
func (l *Library) Get(name string) (*Query, error) {
	if q, ok := l.byName[name]; ok {
		return q, nil
	}
	var bare []*Query
	for n, q := range l.byName {
		if strings.EqualFold(n, name) {
			return q, nil
		}
		if strings.EqualFold(q.Short, name) {
			bare = append(bare, q)
		}
	}
	if len(bare) == 1 {
		return bare[0], nil
	}
	if len(bare) > 1 {
		return nil, fmt.Errorf("query %q is ambiguous (%d families have it; use Family.%s): %w",
			name, len(bare), name, ErrUnknownQuery)
	}
	return nil, fmt.Errorf("query %q: %w", name, ErrUnknownQuery)
}

// envDialect maps a data environment (lower case) to the dialect of an
// args.query template written for it; "" means no dialect Quarry can bind.
var envDialect = map[string]frame.Dialect{
	"mssentinel": frame.KQL, "loganalytics": frame.KQL, "azuresentinel": frame.KQL,
	"mssentinel_new": frame.KQL, "mssentinel_legacy": frame.KQL, "mssentinel_kqlm": frame.KQL,
	"mssentinelsearch": frame.KQL, "mde": frame.KQL, "mdatp": frame.KQL, "m365d": frame.KQL,
	"m365dgraph": frame.KQL, "kusto": frame.KQL, "kusto_new": frame.KQL, "kusto_legacy": frame.KQL,
	"kusto_kqlm": frame.KQL, "azuredataexplorer": frame.KQL, "resourcegraph": frame.KQL,
	"splunk": frame.SPL, "elastic": frame.ESQL, "localdata": "",
}

// knownDialects are the keys accepted under a source's "dialects".
var knownDialects = map[string]frame.Dialect{
	"sql": frame.SQL, "kql": frame.KQL, "spl": frame.SPL, "esql": frame.ESQL,
}

// macroRE matches a $<name>$ macro reference.
var macroRE = regexp.MustCompile(`\$<([A-Za-z0-9_\-]+)>\$`)

// blankRunRE matches runs of blank lines, which msticpy collapses.
var blankRunRE = regexp.MustCompile(`\n\s*\n`)

// parseFile reads one query file into its queries (one per source and family).
func parseFile(file string, data []byte) ([]*Query, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("query file %s: %w", file, err)
	}
	serr := func(query, field, reason string) error {
		return &SchemaError{File: file, Query: query, Field: field, Reason: reason}
	}
	if doc == nil {
		return nil, serr("", "metadata", "file is empty")
	}
	meta, ok := doc["metadata"].(map[string]any)
	if !ok {
		return nil, serr("", "metadata", "missing or not a mapping")
	}
	v, ok := meta["version"]
	if !ok {
		return nil, serr("", "metadata.version", "missing")
	}
	if _, isInt := v.(int); !isInt {
		return nil, serr("", "metadata.version", fmt.Sprintf("must be an integer, got %v", v))
	}
	sources, ok := doc["sources"].(map[string]any)
	if !ok || len(sources) == 0 {
		return nil, serr("", "sources", "missing, empty or not a mapping")
	}
	defaults, _ := doc["defaults"].(map[string]any)
	if doc["defaults"] != nil && defaults == nil {
		return nil, serr("", "defaults", "not a mapping")
	}
	defMeta, _ := defaults["metadata"].(map[string]any)
	defParams, _ := defaults["parameters"].(map[string]any)

	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*Query
	for _, name := range names {
		src, ok := sources[name].(map[string]any)
		if !ok {
			return nil, serr(name, "sources."+name, "not a mapping")
		}
		qs, err := parseSource(file, name, src, meta, defMeta, defParams)
		if err != nil {
			return nil, err
		}
		out = append(out, qs...)
	}
	return out, nil
}

// parseSource builds the queries of one source, one per effective family.
func parseSource(file, name string, src, fileMeta, defMeta, defParams map[string]any) ([]*Query, error) {
	field := "sources." + name
	serr := func(f, reason string) error {
		return &SchemaError{File: file, Query: name, Field: f, Reason: reason}
	}
	md := map[string]any{}
	for _, m := range []map[string]any{fileMeta, defMeta} {
		for k, v := range m {
			md[k] = v
		}
	}
	if sm, ok := src["metadata"].(map[string]any); ok {
		for k, v := range sm {
			md[k] = v
		}
	}
	envs := stringList(md["data_environments"])
	families := stringList(md["data_families"])
	if len(families) == 0 {
		return nil, serr(field+".metadata.data_families", "no data family (set metadata.data_families)")
	}

	// Parameters: defaults then the source's own.
	params := map[string]*Param{}
	for _, set := range []struct {
		m     map[string]any
		field string
	}{{defParams, "defaults.parameters"}, {asMap(src["parameters"]), field + ".parameters"}} {
		for pn, pv := range set.m {
			p, err := parseParam(pn, pv)
			if err != nil {
				return nil, serr(set.field+"."+pn, err.Error())
			}
			params[pn] = p
		}
	}

	// Templates: args.query and/or dialects.
	macros := asMap(src["query_macros"])
	expand := func(t string) string {
		t = macroRE.ReplaceAllStringFunc(t, func(m string) string {
			mv := asMap(macros[macroRE.FindStringSubmatch(m)[1]])
			s, _ := mv["value"].(string)
			return s
		})
		return blankRunRE.ReplaceAllString(t, "\n")
	}
	templates := map[frame.Dialect]string{}
	tfield := map[frame.Dialect]string{}
	hasArgsQuery := false
	if a, ok := src["args"]; ok {
		am, ok := a.(map[string]any)
		if !ok {
			return nil, serr(field+".args", "not a mapping")
		}
		q, _ := am["query"].(string)
		if strings.TrimSpace(q) == "" {
			return nil, serr(field+".args.query", "missing or empty")
		}
		hasArgsQuery = true
		d, known := dialectForEnvs(envs)
		if _, hasDialects := src["dialects"]; hasDialects && !known {
			d, known = frame.KQL, true
		}
		if known && d != "" {
			templates[d] = expand(q)
			tfield[d] = field + ".args.query"
		}
	}
	if dv, ok := src["dialects"]; ok {
		dm, ok := dv.(map[string]any)
		if !ok {
			return nil, serr(field+".dialects", "not a mapping")
		}
		for k, tv := range dm {
			d, ok := knownDialects[strings.ToLower(k)]
			if !ok {
				return nil, serr(field+".dialects."+k, "unknown dialect (want sql, kql, spl or esql)")
			}
			t, _ := tv.(string)
			if strings.TrimSpace(t) == "" {
				return nil, serr(field+".dialects."+k, "empty template")
			}
			templates[d] = expand(t)
			tfield[d] = field + ".dialects." + k
		}
	} else if !hasArgsQuery {
		return nil, serr(field+".args", "missing (need args.query or dialects)")
	}

	compiledT := map[frame.Dialect]*compiled{}
	for d, t := range templates {
		c, err := compileTemplate(d, t)
		if err != nil {
			return nil, serr(tfield[d], err.Error())
		}
		for _, pn := range c.names() {
			if _, ok := params[pn]; !ok {
				return nil, serr(tfield[d], fmt.Sprintf("placeholder {%s} is not a defined parameter", pn))
			}
		}
		compiledT[d] = c
	}

	plist := make([]Param, 0, len(params))
	for _, p := range params {
		plist = append(plist, *p)
	}
	sort.Slice(plist, func(i, j int) bool { return plist[i].Name < plist[j].Name })

	desc, _ := src["description"].(string)
	var out []*Query
	for _, fam := range families {
		q := &Query{
			Name:         fam + "." + name,
			Family:       fam,
			Short:        name,
			Description:  strings.TrimSpace(desc),
			File:         file,
			Params:       plist,
			Templates:    templates,
			Environments: envs,
			Tags:         stringList(md["tags"]),
			Metadata:     md,
			compiled:     compiledT,
		}
		q.index()
		out = append(out, q)
	}
	return out, nil
}

// dialectForEnvs picks the dialect of an args.query from data_environments.
// known is false when no environment is recognised.
func dialectForEnvs(envs []string) (d frame.Dialect, known bool) {
	for _, e := range envs {
		if d, ok := envDialect[strings.ToLower(e)]; ok {
			return d, true
		}
	}
	return "", false
}

// parseParam reads one parameter definition.
func parseParam(name string, v any) (*Param, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("parameter definition is not a mapping")
	}
	typ, _ := m["type"].(string)
	if typ == "" {
		return nil, errors.New("type: missing")
	}
	if !validTypes[typ] {
		return nil, fmt.Errorf("type: %q is not one of str, int, float, bool, datetime, list, dict", typ)
	}
	p := &Param{Name: name, Type: typ}
	p.Description, _ = m["description"].(string)
	p.Format, _ = m["format"].(string)
	p.Aliases = stringList(m["aliases"])
	p.Raw = asBool(m["raw"]) || rawNames[name]
	p.Identifier = asBool(m["identifier"]) || name == "table"
	p.ItemType, _ = m["item_type"].(string)
	if p.ItemType != "" && p.ItemType != TypeStr && p.ItemType != TypeInt && p.ItemType != TypeFloat {
		return nil, fmt.Errorf("item_type: %q is not one of str, int, float", p.ItemType)
	}
	if d, ok := m["default"]; ok && d != nil {
		p.Default = d
	} else if p.Raw {
		p.Default = ""
	} else {
		p.Required = true
	}
	return p, nil
}

// stringList reads a YAML string or list of strings.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			} else if it != nil {
				out = append(out, fmt.Sprint(it))
			}
		}
		return out
	}
	return nil
}

// asMap returns v as a mapping, or nil.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// asBool reads a YAML boolean, false when absent.
func asBool(v any) bool {
	b, _ := v.(bool)
	return b
}

// Empty returns a library with no queries (for a workbench whose library failed
// to load: it still opens, and says why the list is empty).
func Empty() *Library {
	return &Library{byName: map[string]*Query{}, families: map[string]bool{}}
}
