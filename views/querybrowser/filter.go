package querybrowser

import (
	"sort"
	"strings"

	"github.com/sahilm/fuzzy"

	"github.com/quarry-sec/quarry/queries"
)

// group is one family in the list and its shown queries, as indexes into the
// browser's queries.
type group struct {
	family  string
	queries []int
}

// row is one line of the list: a family header (query < 0) or a query.
type row struct {
	family string
	query  int
	count  int
}

// searchText is what the filter matches a query against: "Family.name description".
func searchText(q *queries.Query) string {
	return q.Family + "." + q.Short + " " + q.Description
}

// sortQueries orders the library by family, then short name.
func sortQueries(qs []*queries.Query) {
	sort.SliceStable(qs, func(i, j int) bool {
		if qs[i].Family != qs[j].Family {
			return qs[i].Family < qs[j].Family
		}
		return qs[i].Short < qs[j].Short
	})
}

// grouping returns the shown families and their queries for a filter pattern,
// and the matched byte offsets of each shown query in its search text. With no
// pattern every query shows, by family and name. With one, only matching queries
// show, still grouped by family; families are ordered by their best score and the
// queries inside by score (ties keep library order).
func grouping(qs []*queries.Query, texts []string, pattern string) ([]group, map[int][]int) {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" {
		var out []group
		for i, q := range qs {
			if len(out) == 0 || out[len(out)-1].family != q.Family {
				out = append(out, group{family: q.Family})
			}
			out[len(out)-1].queries = append(out[len(out)-1].queries, i)
		}
		return out, nil
	}
	ms := fuzzy.FindNoSort(pattern, texts)
	score := make(map[int]int, len(ms))
	matched := make(map[int][]int, len(ms))
	best := map[string]int{}
	first := map[string]int{}
	var fams []string
	for _, m := range ms {
		score[m.Index] = m.Score
		matched[m.Index] = m.MatchedIndexes
		f := qs[m.Index].Family
		if b, ok := best[f]; !ok || m.Score > b {
			if !ok {
				fams = append(fams, f)
				first[f] = m.Index
			}
			best[f] = m.Score
		}
	}
	sort.SliceStable(fams, func(i, j int) bool {
		if best[fams[i]] != best[fams[j]] {
			return best[fams[i]] > best[fams[j]]
		}
		return first[fams[i]] < first[fams[j]]
	})
	byFam := map[string][]int{}
	for _, m := range ms {
		f := qs[m.Index].Family
		byFam[f] = append(byFam[f], m.Index)
	}
	out := make([]group, 0, len(fams))
	for _, f := range fams {
		idx := byFam[f]
		sort.SliceStable(idx, func(i, j int) bool { return score[idx[i]] > score[idx[j]] })
		out = append(out, group{family: f, queries: idx})
	}
	return out, matched
}

// rows flattens groups into list lines, each family preceded by its header.
func rows(groups []group) []row {
	var out []row
	for _, g := range groups {
		out = append(out, row{family: g.family, query: -1, count: len(g.queries)})
		for _, qi := range g.queries {
			out = append(out, row{family: g.family, query: qi})
		}
	}
	return out
}
