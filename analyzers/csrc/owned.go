package csrc

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// ReturnsAllocated reports whether the repository's one definition of
// function name returns memory it allocated: a return of an allocator's
// call (malloc, calloc, realloc, strdup…, or a function of the repository
// that returns what it allocated), directly or through the variable it
// was assigned to. The caller owns the memory and must free it. The
// location is the allocation.
func (r *Repo) ReturnsAllocated(name string) (analyzers.Location, bool) {
	return r.returnsAllocated(nil, name, 0)
}

// returnsAllocated looks name up in part from (a static function of the
// file) first, then among the repository's functions.
func (r *Repo) returnsAllocated(from *Part, name string, depth int) (analyzers.Location, bool) {
	if depth > 3 {
		return analyzers.Location{}, false
	}
	var p *Part
	var fn syntax.Node
	if from != nil {
		p, fn = from, from.declarations().funcs[name]
	}
	if fn.IsNull() {
		defs := r.funcs[name]
		if len(defs) != 1 {
			return analyzers.Location{}, false
		}
		p, fn = defs[0].part, defs[0].node
	}
	body := fn.ChildByFieldName("body")
	if body.IsNull() {
		return analyzers.Location{}, false
	}
	allocated := map[string]syntax.Node{}
	var at syntax.Node
	body.Walk(func(n syntax.Node) bool {
		if !at.IsNull() {
			return false
		}
		switch n.Type() {
		case "init_declarator":
			if v := r.allocation(p, n.ChildByFieldName("value"), depth); !v.IsNull() {
				if id, _ := declaratorShape(n.ChildByFieldName("declarator")); id != "" {
					allocated[id] = v
				}
			}
		case "assignment_expression":
			if left := n.ChildByFieldName("left"); !left.IsNull() && left.Type() == "identifier" {
				if v := r.allocation(p, n.ChildByFieldName("right"), depth); !v.IsNull() {
					allocated[left.Text()] = v
				}
			}
		case "return_statement":
			if n.NamedChildCount() == 0 {
				return false
			}
			e := unwrapExpr(n.NamedChild(0))
			if v := r.allocation(p, e, depth); !v.IsNull() {
				at = v
			} else if e.Type() == "identifier" && !allocated[e.Text()].IsNull() {
				at = allocated[e.Text()]
			}
			return false
		}
		return true
	})
	if at.IsNull() {
		return analyzers.Location{}, false
	}
	loc := analyzers.Location{Path: p.File, Range: p.Snapshot.Range(at), Message: "the memory is allocated here"}
	loc.Snippet = p.Snapshot.Lines.Text(loc.StartLine)
	return loc, true
}

// allocation returns the call when expression e allocates memory the
// caller owns, no node otherwise.
func (r *Repo) allocation(p *Part, e syntax.Node, depth int) syntax.Node {
	e = unwrapExpr(e)
	if e.IsNull() || e.Type() != "call_expression" {
		return syntax.Node{}
	}
	fn := e.ChildByFieldName("function")
	if fn.IsNull() || fn.Type() != "identifier" {
		return syntax.Node{}
	}
	if owningAllocators[fn.Text()] {
		return e
	}
	if _, ok := r.returnsAllocated(p, fn.Text(), depth+1); ok {
		return e
	}
	return syntax.Node{}
}

// unwrapExpr removes casts and parentheses around an expression.
func unwrapExpr(e syntax.Node) syntax.Node {
	for !e.IsNull() {
		switch e.Type() {
		case "cast_expression":
			e = e.ChildByFieldName("value")
		case "parenthesized_expression":
			e = e.NamedChild(0)
		default:
			return e
		}
	}
	return syntax.Node{}
}

// owningAllocators return memory the caller must free.
var owningAllocators = map[string]bool{
	"malloc": true, "calloc": true, "realloc": true, "reallocarray": true, "strdup": true, "strndup": true,
	"g_malloc": true, "g_malloc0": true, "g_strdup": true, "g_strndup": true, "g_strdup_printf": true,
	"PyMem_Malloc": true, "PyMem_RawMalloc": true, "xmalloc": true, "xstrdup": true,
}
