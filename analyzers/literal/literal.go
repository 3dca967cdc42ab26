// Package literal finds which of many literals a text contains, reading
// the text once for all of them: an Aho–Corasick automaton over every
// literal. The prefilters of every analyzer and model are literals a file
// must contain; testing them one by one would read each file once per
// literal.
package literal

// A Set finds which of its literals occur in a text. It is safe for
// concurrent use.
type Set struct {
	lits []string
	// edges is the automaton's transition table: edges[state*256+byte]
	// is the next state's row, state*256, with hit set when literals end
	// in that state.
	edges []uint32
	// out lists, for each state, the literals that end there (its own
	// and those of its failure chain).
	out [][]int32
}

// hit marks, in an edge, a state where literals end.
const hit = 1 << 31

// NewSet builds the automaton of lits (empty literals are never found).
func NewSet(lits []string) *Set {
	ls := &Set{lits: lits}
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
	next := make([]int32, n*256)
	ls.out = make([][]int32, n)
	fail := make([]int32, n)
	queue := make([]int32, 0, n)
	for c := 0; c < 256; c++ {
		if t := trie[0][c]; t >= 0 {
			next[c] = t
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
				next[int(s)*256+c] = next[int(fail[s])*256+c]
				continue
			}
			fail[t] = next[int(fail[s])*256+c]
			next[int(s)*256+c] = t
			queue = append(queue, t)
		}
	}
	// A row fits an edge's 31 bits: the trie, and so the table, would take
	// gigabytes first.
	ls.edges = make([]uint32, len(next))
	for i, t := range next {
		ls.edges[i] = uint32(t) << 8
		if len(ls.out[t]) > 0 {
			ls.edges[i] |= hit
		}
	}
	return ls
}

// Find returns, for each literal, whether src contains it.
func (ls *Set) Find(src []byte) []bool {
	found := make([]bool, len(ls.lits))
	var seen []bool
	e := uint32(0)
	for _, c := range src {
		if e = ls.edges[e&^hit|uint32(c)]; e&hit != 0 {
			s := (e &^ hit) >> 8
			if seen == nil {
				seen = make([]bool, len(ls.out))
			}
			if !seen[s] {
				seen[s] = true
				for _, id := range ls.out[s] {
					found[id] = true
				}
			}
		}
	}
	return found
}

// Any reports whether src contains one of the literals, reading it only
// up to the end of the first one found.
func (ls *Set) Any(src []byte) bool {
	e := uint32(0)
	for _, c := range src {
		if e = ls.edges[e&^hit|uint32(c)]; e&hit != 0 {
			return true
		}
	}
	return false
}
