package driver

// The prefilters of every analyzer and model are literals a file must
// contain. Testing them one by one reads each file once per literal; a
// literalSet reads it once for all of them: an Aho–Corasick automaton over
// every literal, which reports the set of literals the file contains.

import (
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/source"
)

// A literalSet finds which of its literals occur in a text.
type literalSet struct {
	lits []string
	// next is the automaton's transition table: next[state*256+byte].
	next []int32
	// out lists, for each state, the literals that end there (its own
	// and those of its failure chain).
	out [][]int32
}

// newLiteralSet builds the automaton of lits (empty literals are never
// found).
func newLiteralSet(lits []string) *literalSet {
	ls := &literalSet{lits: lits}
	// The trie: goto transitions, -1 for none.
	trie := [][256]int32{{}}
	for i := range trie[0] {
		trie[0][i] = -1
	}
	ends := [][]int32{nil}
	for id, lit := range lits {
		if lit == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(lit); i++ {
			c := lit[i]
			if trie[s][c] < 0 {
				var row [256]int32
				for j := range row {
					row[j] = -1
				}
				trie = append(trie, row)
				ends = append(ends, nil)
				trie[s][c] = int32(len(trie) - 1)
			}
			s = trie[s][c]
		}
		ends[s] = append(ends[s], int32(id))
	}
	// Breadth first: failure links and the full transition table.
	n := len(trie)
	ls.next = make([]int32, n*256)
	ls.out = make([][]int32, n)
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	for c := 0; c < 256; c++ {
		if t := trie[0][c]; t >= 0 {
			ls.next[c] = t
			queue = append(queue, t)
		}
	}
	ls.out[0] = ends[0]
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		ls.out[s] = append(append([]int32(nil), ends[s]...), ls.out[fail[s]]...)
		for c := 0; c < 256; c++ {
			t := trie[s][c]
			if t < 0 {
				ls.next[int(s)*256+c] = ls.next[int(fail[s])*256+c]
				continue
			}
			fail[t] = ls.next[int(fail[s])*256+c]
			ls.next[int(s)*256+c] = t
			queue = append(queue, t)
		}
	}
	return ls
}

// find returns, for each literal, whether src contains it.
func (ls *literalSet) find(src []byte) []bool {
	found := make([]bool, len(ls.lits))
	seen := make([]bool, len(ls.out))
	s := int32(0)
	for _, c := range src {
		s = ls.next[int(s)*256+int(c)]
		if len(ls.out[s]) > 0 && !seen[s] {
			seen[s] = true
			for _, id := range ls.out[s] {
				found[id] = true
			}
		}
	}
	return found
}

// A fileFilter is a language's prefilters: one literalSet of every
// analyzer's and model's literals, and which of them each one wants.
type fileFilter struct {
	set *literalSet
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
		}
	}
	for i, m := range p.models {
		if m.Language == lang {
			ff.models[i] = ids(m.Prefilter)
		}
	}
	ff.marker = ids([]string{filter.Marker})[0]
	ff.set = newLiteralSet(lits)
	return ff
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
