package driver

// The prefilters of every analyzer and model are literals a file must
// contain: one literal.Set per language finds all of them in one read,
// and the analyzers' markers (recorded in outlines, never a reason to
// parse a file) with them.

import (
	"slices"

	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/literal"
	"github.com/residue-sec/residue/analyzers/source"
)

// A fileFilter is a language's prefilters: one literal.Set of every
// analyzer's and model's literals, and which of them each one wants.
type fileFilter struct {
	set *literal.Set
	// lits are the literals of set, by id.
	lits []string
	// analyzers, facts and models hold the literal ids of each analyzer's
	// prefilter, fact prefilter and of each model's prefilter; nil for
	// one that wants every file.
	analyzers, facts, models [][]int32
	marker                   int32
}

// newFileFilter collects the prefilters of lang's analyzers and models.
func newFileFilter(p *plan, lang source.Language) *fileFilter {
	ff := &fileFilter{analyzers: make([][]int32, len(p.cfg.Analyzers)), facts: make([][]int32, len(p.cfg.Analyzers)),
		models: make([][]int32, len(p.models))}
	var lits []string
	ids := func(l []string) []int32 {
		var out []int32
		for _, lit := range l {
			out = append(out, int32(len(lits)))
			lits = append(lits, lit)
		}
		return out
	}
	for i, a := range p.cfg.Analyzers {
		if hasLanguage(a, lang) {
			ff.analyzers[i], ff.facts[i] = ids(p.prefilters[i]), ids(a.FactPrefilter)
			ids(a.Markers)
		}
	}
	for i, m := range p.models {
		if m.Language == lang {
			ff.models[i] = ids(m.Prefilter)
		}
	}
	ff.marker = ids([]string{filter.Marker})[0]
	ff.set, ff.lits = literal.NewSet(lits), lits
	return ff
}

// holds returns the distinct literals found says a file holds, in the
// order of their ids; empty (not nil) for none.
func (ff *fileFilter) holds(found []bool) []string {
	out := []string{}
	for id, ok := range found {
		if ok && !slices.Contains(out, ff.lits[id]) {
			out = append(out, ff.lits[id])
		}
	}
	return out
}

// anyOf reports whether one of the literals ids was found.
func anyOf(found []bool, ids []int32) bool {
	for _, id := range ids {
		if found[id] {
			return true
		}
	}
	return false
}
