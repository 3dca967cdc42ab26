package csrc

import (
	"fmt"
	"sync"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// An Export is what a C function that Python calls (a method of a C
// extension module, or a symbol a ctypes library exports) hands back in
// memory nothing wrote, as the analysis sees it: the object or block it
// returns, and the bytes it fills with residue in the buffers its
// callers pass. It is read from the function's outputs and its summary,
// the same analysis cmem reports from.
type Export struct {
	// Name is the C function; File its file; Decl its definition.
	Name, File string
	Decl       syntax.Node
	// Returned are the outputs through which its return value holds
	// unwritten bytes: a bytes object (or another Python object) built
	// from them, a pointer to a block only partly written.
	Returned []Returned
	// Params are the parameters whose memory it fills with residue.
	Params []ParamResidue
	// Writes says, per parameter, what a successful call writes of the
	// memory it points to ("the first n bytes, n returned").
	Writes []string
}

// A Returned is an output of unwritten bytes that a function's return
// value holds: in the function itself, or in a function whose result it
// returns (Via are the calls, outermost first).
type Returned struct {
	Output Output
	Via    []syntax.Node
	// Block is set for a pointer returned to a heap block (a ctypes
	// restype of c_void_p or a pointer): Output.Gaps are its unwritten
	// bytes when its size is a constant.
	Block bool
}

// A ParamResidue is the residue a function leaves in what parameter
// Param points to: the bytes Spans, from Sources.
type ParamResidue struct {
	Param   int
	Spans   []Range
	Sources []*ResidueSource
	// Inside is set when a successful call writes bytes after the
	// residue: a count of the bytes it wrote, such as the one it
	// returns, includes it.
	Inside bool
}

// maxVia bounds the calls followed from an exported function to the
// function that builds what it returns.
const maxVia = 4

// Carries reports whether what the function hands back holds the bytes
// of output o: its return value, or the residue it leaves in a buffer
// its caller passes, was copied at o.
func (x *Export) Carries(o Output) bool {
	for _, r := range x.Returned {
		if r.Output.At == o.At {
			return true
		}
	}
	for _, p := range x.Params {
		for _, s := range p.Sources {
			if s.At == o.At {
				return true
			}
		}
	}
	return false
}

// ParamName returns the name of parameter i of the function, "" when
// it has none.
func (x *Export) ParamName(i int) string {
	ps := params(x.Decl)
	if i < 0 || i >= len(ps) {
		return ""
	}
	return declName(ps[i].ChildByFieldName("declarator"))
}

// ParamRead returns the residue a caller that reads what parameter
// param points to after a call finds there: in all of it when n < 0,
// in its first n bytes otherwise; counted says the caller reads only
// the count of bytes the call reports it wrote (returned, or written
// back), which includes the residue only when bytes written after it
// count too (Inside). The spans returned are those the read covers.
func (x *Export) ParamRead(param int, n int64, counted bool) (ParamResidue, bool) {
	for _, p := range x.Params {
		if p.Param != param || counted && !p.Inside {
			continue
		}
		r := p
		r.Spans = nil
		for _, s := range p.Spans {
			if n >= 0 && s.Lo >= n {
				continue
			}
			if n >= 0 && s.Hi > n {
				s.Hi = n
			}
			r.Spans = append(r.Spans, s)
		}
		if len(r.Spans) > 0 {
			return r, true
		}
	}
	return ParamResidue{}, false
}

// BlockRead returns the heap block the function returns partly written
// when a read of its first n bytes (all of it when n < 0) reaches bytes
// nothing wrote: its unwritten bytes are not known (a size that is not
// a constant), or one of them is below n.
func (x *Export) BlockRead(n int64) (Returned, bool) {
	for _, r := range x.Returned {
		if !r.Block {
			continue
		}
		if n < 0 || len(r.Output.Gaps) == 0 {
			return r, true
		}
		for _, g := range r.Output.Gaps {
			if g.Lo < n {
				return r, true
			}
		}
	}
	return Returned{}, false
}

// Symbol returns the export summary of a function with external
// linkage (one definition in the repository), as a ctypes library
// exports it; false when there is none.
func (a *Analysis) Symbol(name string) (*Export, bool) {
	defs := a.repo.funcs[name]
	if len(defs) != 1 {
		return nil, false
	}
	return a.exportOf(defs[0]), true
}

// Method returns the export summary of a C extension module's method.
func (a *Analysis) Method(m PyMethod) (*Export, bool) {
	u := a.repo.unit(m.File)
	if u == nil {
		return nil, false
	}
	ref, ok := u.function(m.Func)
	if !ok {
		return nil, false
	}
	return a.exportOf(ref), true
}

// exportOf returns the export summary of function ref, made once.
func (a *Analysis) exportOf(ref funcRef) *Export {
	v, _ := a.exports.LoadOrStore(ref.node, &exported{})
	e := v.(*exported)
	e.once.Do(func() { e.x = a.export(ref) })
	return e.x
}

// An exported holds a function's export summary, made once.
type exported struct {
	once sync.Once
	x    *Export
}

// export summarizes function ref.
func (a *Analysis) export(ref funcRef) *Export {
	fn := ref.node
	x := &Export{Name: funcName(fn), File: ref.part.File, Decl: fn}
	x.Returned = a.returned(fn, newContext(a.repo).scope(a.repo.unit(ref.part.File)), 0)
	id, ok := a.graph.index[fn]
	if !ok {
		return x
	}
	s := a.summaryOf(id)
	if s == nil {
		return x
	}
	for i := range s.ok {
		x.Writes = append(x.Writes, s.ok[i].describe(params(fn)))
	}
	for _, pr := range s.residue {
		r := ParamResidue{Param: pr.param, Sources: pr.from, Inside: true}
		for _, g := range pr.s {
			r.Spans = append(r.Spans, Range{g.lo, g.hi})
		}
		if pr.param < len(s.ok) {
			r.Inside = s.ok[pr.param].after(pr.s[0].lo)
		}
		x.Params = append(x.Params, r)
	}
	return x
}

// returned returns the outputs the return value of fn (read in scope f)
// holds: its own, and those of the functions of the repository whose
// results it returns.
func (a *Analysis) returned(fn syntax.Node, f *scope, depth int) []Returned {
	if f == nil {
		return nil
	}
	var out []Returned
	for _, o := range a.outputsOf(f, fn) {
		block := o.Kind == BytesOut && o.Verb == "returned" && o.Buffer.Kind == HeapBuffer
		if o.Kind == BytesObjectOut || block || o.ToPython && returnedValue(fn, o.At) {
			out = append(out, Returned{Output: o, Block: block})
		}
	}
	if depth >= maxVia || fn.HasError() {
		return out
	}
	fn.ChildByFieldName("body").Walk(func(n syntax.Node) bool {
		if n.Type() != "call_expression" {
			return true
		}
		callee := n.ChildByFieldName("function")
		if callee.IsNull() || callee.Type() != "identifier" || !returnedValue(fn, n) {
			return true
		}
		g, gs := f.function(resolveAlias(f.u, callee.Text()))
		if g.IsNull() || g == fn {
			return true
		}
		for _, r := range a.returned(g, gs, depth+1) {
			if !r.Block {
				r.Via = append([]syntax.Node{n}, r.Via...)
				out = append(out, r)
			}
		}
		return true
	})
	return out
}

// returnedValue reports whether the value of expression n reaches a
// return of fn: returned as it is, or as an argument of a call that is
// (Py_BuildValue("N", obj)), or through a variable that is.
func returnedValue(fn, n syntax.Node) bool {
	for i := 0; i < maxVia; i++ {
		p := n.Parent()
		for !p.IsNull() && (p.Type() == "parenthesized_expression" || p.Type() == "cast_expression") {
			n, p = p, p.Parent()
		}
		switch {
		case p.IsNull():
			return false
		case p.Type() == "return_statement":
			return true
		case p.Type() == "argument_list":
			n = p.Parent()
		case p.Type() == "init_declarator" && p.ChildByFieldName("value") == n:
			return variableReturned(fn, declName(p.ChildByFieldName("declarator")))
		case p.Type() == "assignment_expression" && p.ChildByFieldName("right") == n:
			if l := stripParens(p.ChildByFieldName("left")); !l.IsNull() && l.Type() == "identifier" {
				return variableReturned(fn, l.Text())
			}
			return false
		default:
			return false
		}
	}
	return false
}

// variableReturned reports whether fn returns the variable name, or a
// call it is an argument of.
func variableReturned(fn syntax.Node, name string) bool {
	if name == "" {
		return false
	}
	found := false
	fn.ChildByFieldName("body").Walk(func(n syntax.Node) bool {
		if found {
			return false
		}
		if n.Type() != "return_statement" {
			return true
		}
		n.Walk(func(c syntax.Node) bool {
			if c.Type() != "identifier" || c.Text() != name {
				return !found
			}
			p := c.Parent()
			for !p.IsNull() && (p.Type() == "parenthesized_expression" || p.Type() == "cast_expression") {
				p = p.Parent()
			}
			found = p == n || !p.IsNull() && p.Type() == "argument_list"
			return !found
		})
		return !found
	})
	return found
}

// describe says what an effect writes of a parameter's memory, for
// messages: "the first n bytes, n returned".
func (e effect) describe(ps []syntax.Node) string {
	switch e.kind {
	case effNone:
		return "none of it"
	case effBytes:
		return "bytes " + rangeList(e.cover)
	case effCap:
		if e.capArg < len(ps) {
			return fmt.Sprintf("the first %s bytes", declName(ps[e.capArg].ChildByFieldName("declarator")))
		}
	case effString:
		return "a string and its NUL"
	case effCount:
		return "the first n bytes, n returned"
	}
	return "all of it, or an unknown part"
}

// after reports whether an effect may write bytes at or after offset
// lo: a count of what it wrote may reach past lo.
func (e effect) after(lo int64) bool {
	switch e.kind {
	case effNone:
		return false
	case effBytes:
		return len(e.cover) > 0 && e.cover[len(e.cover)-1].hi > lo
	}
	return true
}

// rangeList renders byte ranges: "0, 4-7".
func rangeList(s spans) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		if x.hi-x.lo == 1 {
			out += fmt.Sprint(x.lo)
		} else {
			out += fmt.Sprintf("%d-%d", x.lo, x.hi-1)
		}
	}
	return out
}

// Location returns the location of n, a node of any file of the model,
// with msg; the zero location when n is not one.
func (r *Repo) Location(n syntax.Node, msg string) analyzers.Location {
	if n.IsNull() {
		return analyzers.Location{Message: msg}
	}
	p := r.trees[n.Tree()]
	if p == nil {
		return analyzers.Location{Message: msg}
	}
	loc := analyzers.Location{Path: p.File, Range: p.Snapshot.Range(n), Message: msg}
	loc.Snippet = p.Snapshot.Lines.Text(loc.StartLine)
	return loc
}
