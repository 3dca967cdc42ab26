package ctypes

import (
	"sort"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// An index is the program's notes arranged for the checks: each
// function's calls and buffer uses, the bindings of each foreign
// function (by library and symbol), its calls, and the C prototypes.
// It is built once per program and holds every finding, by path.
type index struct {
	prog   *pysrc.Program
	repo   *csrc.Repo
	protos map[string]*proto // nil: declared inconsistently
	fns    map[fnID]*function
	order  []fnID
	// bindings are each foreign function's argtypes, restype, errcheck
	// and paramflags; bySymbol its argtypes by symbol.
	bindings map[string][]*binding
	bySymbol map[string][]*binding
	// unknown are the foreign functions handed to a function outside the
	// repository, which may bind them; dynamic the libraries whose
	// functions the repository binds by a name it computes
	// (getattr(lib, name).restype = ...), by library key.
	unknown map[string]bool
	dynamic map[string]bool
	calls   []*callNote
	byFP    map[string][]*callNote
	allocs  map[pysrc.Loc]*allocNote
	stores  []*storeNote
	// layouts are the structures' layouts, by qualified class name.
	layouts map[string]*layout
	// textual are the foreign functions whose result is decoded as text;
	// mutated the list displays code changes.
	textual map[string]bool
	mutated map[pysrc.Loc]bool

	findings map[string][]analyzers.Finding
	seen     map[string]bool
}

// A function is what the notes say of one function.
type function struct {
	id     fnID
	note   *fnNote
	calls  []*callNote
	uses   []*useNote
	stores []*storeNote
	allocs []*allocNote
}

// A binding is an assignment of argtypes, restype, errcheck or
// paramflags to a foreign function (or what a prototype instance gets).
type binding struct {
	fp   pysrc.Datum
	attr string
	// types are argtypes' types (known when they are a literal list) or
	// restype's type (types[0]).
	types []ctype
	known bool
	// lo and hi bound the arguments paramflags accept.
	lo, hi int
	loc    pysrc.Loc
}

// fpKey identifies a foreign function: its library's id and its symbol.
func fpKey(d pysrc.Datum) string { return d.Name + "#" + d.Key }

// newIndex reads the program's notes and the C model's prototypes, and
// runs every check.
func newIndex(prog *pysrc.Program, repo *csrc.Repo) *index {
	ix := &index{prog: prog, repo: repo, protos: map[string]*proto{}, fns: map[fnID]*function{},
		bindings: map[string][]*binding{}, bySymbol: map[string][]*binding{}, unknown: map[string]bool{}, dynamic: map[string]bool{},
		byFP: map[string][]*callNote{}, allocs: map[pysrc.Loc]*allocNote{}, layouts: map[string]*layout{},
		textual: map[string]bool{}, mutated: map[pysrc.Loc]bool{},
		findings: map[string][]analyzers.Finding{}, seen: map[string]bool{}}
	if repo != nil {
		for _, p := range repo.Prototypes() {
			ix.addProto(protoOf(p))
		}
	}
	// What changes how other notes read (a list changed after it was
	// built, a structure's layout, a result decoded as text) first.
	var notes []any
	prog.Notes(family, func(v any) {
		switch n := v.(type) {
		case *textNote:
			ix.textual[n.fp] = true
		case *mutationNote:
			ix.mutated[n.seq] = true
		case *layoutNote:
			if ix.layouts[n.l.name] == nil {
				ix.layouts[n.l.name] = n.l
			}
		default:
			notes = append(notes, v)
		}
	})
	seen := map[useKey]bool{}
	for _, v := range notes {
		switch n := v.(type) {
		case *fnNote:
			ix.function(n.fn).note = n
		case *callNote:
			ix.addCall(n)
		case *useNote:
			k := useKey{n.fn, n.buf.Origin, n.loc, n.kind}
			if !seen[k] {
				seen[k] = true
				f := ix.function(n.fn)
				f.uses = append(f.uses, n)
			}
		case *storeNote:
			ix.addStore(n)
		case *allocNote:
			if _, ok := ix.allocs[n.buf.Origin]; !ok {
				ix.allocs[n.buf.Origin] = n
			}
			f := ix.function(n.fn)
			f.allocs = append(f.allocs, n)
		case *protoNote:
			ix.addPrototypeInstance(n)
		}
	}
	ix.check()
	return ix
}

// A useKey identifies a use, noted again each time its value is read.
type useKey struct {
	fn   fnID
	buf  pysrc.Loc
	at   pysrc.Loc
	kind useKind
}

// function returns the function id's record, made on first use.
func (ix *index) function(id fnID) *function {
	f := ix.fns[id]
	if f == nil {
		f = &function{id: id}
		ix.fns[id] = f
		ix.order = append(ix.order, id)
	}
	return f
}

// addCall records a noted call: a foreign call under each function its
// callee may be; a foreign function handed to a function the repository
// does not define may be bound there.
func (ix *index) addCall(n *callNote) {
	f := ix.function(n.fn)
	f.calls = append(f.calls, n)
	for _, fp := range n.fps {
		key := fpKey(fp)
		ix.byFP[key] = append(ix.byFP[key], n)
	}
	if len(n.fps) > 0 {
		ix.calls = append(ix.calls, n)
		return
	}
	if n.repo || n.builtin != "" {
		return
	}
	for _, a := range n.args {
		for _, d := range a.data {
			if d.Kind == objFunc {
				ix.unknown[fpKey(d)] = true
			}
		}
	}
}

// mayBeBound reports whether code the index cannot read may bind the
// foreign function fp (key): a function outside the repository it is
// handed to, or a binding by a computed name of its library's functions.
func (ix *index) mayBeBound(fp pysrc.Datum, key string) bool {
	return ix.unknown[key] || ix.dynamic[fp.Name]
}

// addStore records an assignment to an attribute of a foreign function
// (a binding, or a misspelled one) or of a structure's field.
func (ix *index) addStore(n *storeNote) {
	f := ix.function(n.fn)
	f.stores = append(f.stores, n)
	if n.obj.Kind != objFunc {
		return
	}
	switch n.attr {
	case "argtypes", "restype", "errcheck":
		if n.obj.Key == pysrc.AnyKey {
			// A table of declarations applied in a loop or a helper:
			// any function of the library may be bound.
			ix.dynamic[n.obj.Name] = true
			return
		}
		if symbolicAll(n.value) {
			return // made again, with what it binds, where it is called
		}
		b := &binding{fp: n.obj, attr: n.attr, loc: n.loc}
		switch n.attr {
		case "argtypes":
			b.types, b.known = ix.typeList(n.value)
			if isNone(n.value) {
				return
			}
		case "restype":
			b.types, b.known = []ctype{pyType(n.value)}, true
		}
		ix.addBinding(b)
	default:
		ix.stores = append(ix.stores, n)
	}
}

// addBinding records a binding of a foreign function.
func (ix *index) addBinding(b *binding) {
	key := fpKey(b.fp)
	for _, o := range ix.bindings[key] {
		if o.attr == b.attr && o.loc == b.loc {
			return
		}
	}
	ix.bindings[key] = append(ix.bindings[key], b)
	if b.attr == "argtypes" {
		ix.bySymbol[b.fp.Key] = append(ix.bySymbol[b.fp.Key], b)
	}
}

// addPrototypeInstance records the bindings a prototype instance gets
// from its prototype (CFUNCTYPE(restype, *argtypes)) and the range of
// arguments its paramflags accept.
func (ix *index) addPrototypeInstance(n *protoNote) {
	if len(n.fp.Items) < 2 {
		return
	}
	for _, p := range n.fp.Items[0] {
		if len(p.Items) == 0 {
			continue
		}
		ix.addBinding(&binding{fp: n.fp, attr: "restype", types: []ctype{pyType(p.Items[0])}, known: true, loc: n.loc})
		b := &binding{fp: n.fp, attr: "argtypes", known: true, loc: n.loc}
		for _, t := range p.Items[1:] {
			b.types = append(b.types, pyType(t))
		}
		ix.addBinding(b)
		break
	}
	if len(n.fp.Items[1]) > 0 {
		b := &binding{fp: n.fp, attr: "paramflags", loc: n.loc}
		b.lo, b.hi, b.known = paramflagsRange(n.fp.Items[1])
		ix.addBinding(b)
	}
}

// paramflagsRange returns how many arguments a call through a prototype
// instance with these paramflags needs at least and accepts at most:
// output parameters (flag 2) are allocated by ctypes, parameters with a
// default (a third item, or flag 4) may be left out.
func paramflagsRange(ds []pysrc.Datum) (lo, hi int, ok bool) {
	for _, d := range ds {
		if d.Tag != pysrc.TagSeq {
			continue
		}
		if d.Flags&pysrc.FlagEach != 0 {
			return 0, 0, false
		}
		for _, p := range d.Items {
			if len(p) != 1 || p[0].Tag != pysrc.TagSeq || len(p[0].Items) == 0 {
				return 0, 0, false
			}
			flag, err := strconv.Atoi(constInt(p[0].Items[0]))
			if err != nil {
				return 0, 0, false
			}
			switch {
			case flag&2 != 0 && flag&1 == 0:
			case flag&4 != 0 || len(p[0].Items) >= 3:
				hi++
			default:
				lo++
				hi++
			}
		}
		return lo, hi, true
	}
	return 0, 0, false
}

// constInt returns the text of the integer constant among ds, "".
func constInt(ds []pysrc.Datum) string {
	for _, d := range ds {
		if d.Tag == pysrc.TagConst && d.Kind == "int" {
			return d.Key
		}
	}
	return ""
}

// symbolicAll reports whether a value is only parameters (TagSym): an
// assignment in a function whose callers make it.
func symbolicAll(ds []pysrc.Datum) bool {
	if len(ds) == 0 {
		return false
	}
	for _, d := range ds {
		if d.Tag != pysrc.TagSym {
			return false
		}
	}
	return true
}

// isNone reports whether a value is None.
func isNone(ds []pysrc.Datum) bool {
	return len(ds) > 0 && ds[0].Tag == pysrc.TagConst && ds[0].Kind == "none"
}

// addProto records a prototype; two that disagree on the parameter count
// make the symbol ambiguous.
func (ix *index) addProto(p *proto) {
	old, seen := ix.protos[p.name]
	switch {
	case !seen:
		ix.protos[p.name] = p
	case old != nil && (len(old.params) != len(p.params) || old.variadic != p.variadic):
		ix.protos[p.name] = nil
	}
}

// argtypes returns the types a foreign function's argtypes declare, the
// binding, and ok false when there is none or it is not a literal list.
// Bindings that disagree on the count make it unknown too.
func (ix *index) argtypes(key string) ([]ctype, *binding, bool) {
	var types []ctype
	var at *binding
	for _, b := range ix.bindings[key] {
		if b.attr != "argtypes" {
			continue
		}
		if !b.known || at != nil && len(b.types) != len(types) {
			return nil, b, false
		}
		types, at = b.types, b
	}
	return types, at, at != nil
}

// binding returns a foreign function's first binding of attr.
func (ix *index) binding(key, attr string) (*binding, bool) {
	for _, b := range ix.bindings[key] {
		if b.attr == attr {
			return b, true
		}
	}
	return nil, false
}

// check runs every check, functions in the order of the program.
func (ix *index) check() {
	for _, id := range ix.order {
		f := ix.fns[id]
		// by place; at one place (a statement assigning a field it
		// reads), what hands the buffer first
		sort.SliceStable(f.uses, func(i, j int) bool {
			a, b := f.uses[i], f.uses[j]
			if a.loc.Span.Start != b.loc.Span.Start {
				return a.loc.Span.Start < b.loc.Span.Start
			}
			return a.kind == useHanded && b.kind != useHanded
		})
		ix.checkIgnored(f)
		ix.checkLengths(f)
		ix.checkNulReads(f)
		ix.checkShared(f)
		ix.checkPairs(f)
	}
	ix.checkTypos()
	ix.prototypeMismatches()
	ix.charPResults()
	ix.callMismatches()
	ix.resultsAsPointers()
	for path := range ix.findings {
		analyzers.SortFindings(ix.findings[path])
	}
}

// report records a finding at loc, once per rule and location.
func (ix *index) report(fd analyzers.Finding, at pysrc.Loc) {
	key := fd.RuleID + "\x00" + at.Path() + "\x00" + strconv.Itoa(int(at.Span.Start))
	if ix.seen[key] || !at.Valid() || ix.prog.ExpectsRaise(at) {
		// A test that expects the code to raise (pytest.raises) calls
		// it wrong on purpose.
		return
	}
	ix.seen[key] = true
	fd.Location = ix.prog.Location(at, "")
	ix.findings[at.Path()] = append(ix.findings[at.Path()], fd)
}

// loc returns l as a related location or flow step with msg.
func (ix *index) loc(l pysrc.Loc, msg string) analyzers.Location { return ix.prog.Location(l, msg) }

// place returns l as a fix's location: its range alone.
func (ix *index) place(l pysrc.Loc) analyzers.Location {
	loc := ix.prog.Location(l, "")
	loc.Snippet = ""
	return loc
}

// text returns the source text at l.
func (ix *index) text(l pysrc.Loc) string { return ix.prog.Text(l) }
