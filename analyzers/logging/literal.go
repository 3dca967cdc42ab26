package logging

import (
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// A lit is a Python literal read from the tree: a dictionary with string
// keys, a list or tuple of strings, or a scalar's source text.
type lit struct {
	node    *source.Node
	entries map[string]*lit
	list    []string
	scalar  string
}

// literal reads n; anything that is not a literal gives an empty lit.
func (a *analysis) literal(n *source.Node) *lit {
	l := &lit{node: n}
	if n == nil {
		return l
	}
	switch n.Type() {
	case "dictionary":
		l.entries = map[string]*lit{}
		for i := 0; i < int(n.NamedChildCount()); i++ {
			p := n.NamedChild(i)
			if p.Type() != "pair" {
				continue
			}
			if k := p.ChildByFieldName("key"); k != nil && k.Type() == "string" {
				l.entries[unquote(a.text(k))] = a.literal(p.ChildByFieldName("value"))
			}
		}
	case "list", "tuple", "set":
		for i := 0; i < int(n.NamedChildCount()); i++ {
			if c := n.NamedChild(i); c.Type() == "string" {
				l.list = append(l.list, unquote(a.text(c)))
			}
		}
	case "string":
		l.scalar = unquote(a.text(n))
	default:
		l.scalar = a.text(n)
	}
	return l
}

// dict returns the dictionary at key, or an empty one.
func (l *lit) dict(key string) *lit {
	if v, ok := l.entries[key]; ok && v.entries != nil {
		return v
	}
	return &lit{node: l.node}
}

// str returns the string at key, or "".
func (l *lit) str(key string) string {
	if v, ok := l.entries[key]; ok {
		return v.scalar
	}
	return ""
}

// strs returns the list of strings at key.
func (l *lit) strs(key string) []string {
	if v, ok := l.entries[key]; ok {
		return v.list
	}
	return nil
}

// withEntry returns m with key set to v, copying m.
func withEntry(m map[string]*lit, key string, v *lit) map[string]*lit {
	out := map[string]*lit{key: v}
	for k, x := range m {
		if _, set := out[k]; !set {
			out[k] = x
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]*lit) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func unquote(s string) string {
	s = strings.TrimLeft(s, "rbuRBU")
	return strings.Trim(s, `"'`)
}
