package pysrc

import (
	"slices"
	"strings"
)

// A frame evaluates one function's code: its call sites in order, then
// what it returns and stores. Build evaluates every function with what
// Django passes to its parameters where that is known (entry) and its
// other parameters symbolic (TagSym): what reaches its return value and
// its sinks from those is its summary; the data that reaches a sink
// otherwise is an event, which Check hands to the families.
type frame struct {
	// code is the function's code, held while the frame evaluates it
	// (its lazy code may be released meanwhile: see Func.Code).
	code   *FuncCode
	p      *Program
	f      *fn
	params [][]Datum
	calls  [][]Datum
	sinks  []SinkFlow
	events []*Event
	// evaluated is set when a resolution read a module body's result;
	// deepest is how deep resolutions went, and cut is set when maxDepth
	// cut one (importValue).
	evaluated bool
	deepest   int
	cut       bool
	// ov holds, when the frame reads a built program (Check), the results
	// of the functions Build did not evaluate.
	ov *overlay
	// iters holds the item of each loop being unrolled, by the loop's
	// location; unrolled counts the steps unrolled loops ran.
	iters    map[Loc]int
	unrolled int
	// structs are the sequences and operations of the code resolved since
	// a call's result or a loop's item last changed (changed), by their
	// index among the code's Seqs (from 0) and Exprs (from -1 down): a
	// name assigned in many branches and loops holds values that share
	// their operands, which are resolved once each.
	structs map[int32][]Datum
	stores  []StoreFlow
	notes   []note
	// returns is what the function returns, once resolved.
	returns []Datum
}

// A result is what one evaluation of a function found.
type result struct {
	returns []Datum
	sinks   []SinkFlow
	stores  map[string][]Datum
	// requestStores is the data assigned to attributes of a request
	// parameter (RequestStores).
	requestStores map[string][]Datum
	env           map[string][]Datum
	events        []*Event
	globals       map[string][]Datum
	// symbolic says which returns are or hold a parameter.
	symbolic []bool
	// initStores are, for a constructor, what it assigns to attributes
	// of self from its other parameters (construct.go).
	initStores []attrStore
	// storeFlows are the assignments callers make through the
	// function's parameters; notes what vocabularies kept.
	storeFlows []StoreFlow
	notes      []note
}

// need makes g's result current before it is read.
func (fr *frame) need(g *fn) {
	if fr.f != nil && g != nil && fr.ov == nil {
		fr.p.need(fr.f, g)
	}
}

// res returns g's result, made current first.
func (fr *frame) res(g *fn) *result {
	fr.need(g)
	if g.res == nil && fr.ov != nil {
		return fr.ov.result(fr.p, g)
	}
	return g.res
}

// fcode returns the code of the frame's function, decoded once for the
// frame.
func (fr *frame) fcode() *FuncCode {
	if fr.code == nil {
		fr.code = fr.f.Code()
	}
	return fr.code
}

// run evaluates the frame's function.
func (fr *frame) run() *result {
	f := fr.f
	fr.params = fr.p.entry(f)
	fr.calls = make([][]Datum, len(fr.fcode().Calls))
	fr.walk()
	fr.returns = fr.value(fr.fcode().Returns)
	res := &result{returns: fr.returns, sinks: fr.sinks, events: fr.events}
	res.stores = fr.assigned(f.Stores, false)
	if f.class != nil && f.Kind == KindDef && lastName(f.Name) == "__init__" {
		res.initStores = fr.initStores(f.Stores)
	}
	res.requestStores = fr.assigned(f.RequestStores, true)
	for _, g := range f.Globals {
		if res.globals == nil {
			res.globals = map[string][]Datum{}
		}
		for _, d := range fr.value(g.Value) {
			if c, ok := concrete(d); ok {
				res.globals[g.Attr] = union(res.globals[g.Attr], c)
			}
		}
	}
	if f.Kind != KindDef {
		res.env = map[string][]Datum{}
		for _, b := range fr.fcode().Env {
			res.env[b.Name] = fr.value(b.Value)
		}
	}
	fr.done()
	res.storeFlows, res.notes = fr.stores, fr.notes
	res.symbolic = make([]bool, len(res.returns))
	for i, r := range res.returns {
		res.symbolic[i] = symbolic(r)
	}
	return res
}

// assigned returns, by attribute, what the function's stores assign (their
// values as the function ends) that does not depend on a parameter; with
// dataOnly, only the data among it.
func (fr *frame) assigned(stores []Store, dataOnly bool) map[string][]Datum {
	var out map[string][]Datum
	for _, s := range stores {
		var keep gathering
		for _, d := range fr.value(s.Value) {
			if c, ok := concrete(d); ok && (!dataOnly || c.Tag == TagData) {
				keep.add(c)
			}
		}
		if len(keep.result()) > 0 {
			if out == nil {
				out = map[string][]Datum{}
			}
			out[s.Attr] = union(out[s.Attr], keep.result()...)
		}
	}
	return out
}

// value resolves a value of the frame's function.
func (fr *frame) value(v Value) []Datum {
	if len(v) == 1 {
		return fr.atom(v[0])
	}
	var buf [maxAtoms]Datum
	out := buf[:0]
	for _, a := range v {
		out = appendNew(out, fr.atom(a))
	}
	return cloned(out)
}

// atom resolves one atom: its root, then its operations.
func (fr *frame) atom(a Atom) []Datum {
	m := fr.f.mod
	var roots []Datum
	switch a.Root {
	case RootParam:
		if int(a.Index) < len(fr.params) {
			roots = fr.params[a.Index]
		}
	case RootCall:
		if int(a.Index) < len(fr.calls) {
			roots = fr.calls[a.Index]
		}
	case RootName, RootFunc, RootClass, RootImport:
		roots = fr.named(a)
	case RootSuper:
		if c := fr.f.class; c != nil && len(fr.params) > 0 && len(fr.params[0]) > 0 {
			self := fr.params[0][0]
			roots = []Datum{{Tag: TagSuper, Class: c, Self: &self}}
		}
	case RootConst, RootSeq, RootExpr:
		roots = fr.structured(a)
	}
	out := roots
	for i, op := range a.Ops {
		if len(out) == 0 {
			break
		}
		if len(out) == 1 && out[0].Tag == TagSym {
			// A parameter's path: op and the operations after it are
			// deferred, appended to the path at once.
			var buf [maxOps + maxSteps]DOp
			rest := buf[:0]
			for _, op := range a.Ops[i:] {
				rest = append(rest, DOp{Op: fr.keyed(op), Mod: m})
			}
			return []Datum{out[0].deferredAll(rest)}
		}
		op = fr.keyed(op)
		if op.Kind == OpStep {
			if stepped, ok := stepAll(out, Loc{m, op.Span}); ok {
				out = stepped
				continue
			}
		}
		if len(out) == 1 {
			out = union(nil, fr.op(out[0], DOp{Op: op, Mod: m})...)
			continue
		}
		var buf [maxAtoms]Datum
		next := buf[:0]
		for _, d := range out {
			next = appendNew(next, fr.op(d, DOp{Op: op, Mod: m}))
		}
		out = cloned(next)
	}
	return out
}

// keyed returns op with the name of the field it reads, when op reads
// d[name] with a name the code holds in a variable: d[name] reads one
// field, as data.get(name) does; which names a loop's variable holds
// decides in a loop.
func (fr *frame) keyed(op Op) Op {
	if op.Kind == OpIndex && op.Name == "" && op.Key > 0 && int(op.Key) <= len(fr.fcode().Keys) {
		key := fr.fcode().Keys[op.Key-1]
		var ds []Datum
		if key.Iterated() {
			ds = fr.value(key)
		}
		op.Name = fieldKey(key, ds)
	}
	return op
}

// named resolves the root of an atom that names something of the
// module: a name, an import, a function or a class.
func (fr *frame) named(a Atom) []Datum {
	m := fr.f.mod
	switch a.Root {
	case RootName:
		return fr.name(a.Name)
	case RootImport:
		return fr.importValue(m, a.Index, 0)
	case RootFunc:
		if int(a.Index) < len(m.fns) {
			return []Datum{{Tag: TagFunc, Fn: m.fns[a.Index]}}
		}
	case RootClass:
		if c := m.classOf(a.Index); c != nil {
			return []Datum{{Tag: TagClass, Class: c}}
		}
	}
	return nil
}

// text is d written by str(): a container (a sequence, or the container
// that holds d under a key, written whole) is the repr of its items, CR
// and LF escaped; other data is itself, and an object its own str().
// A parameter's is deferred.
func (fr *frame) text(d Datum, loc Loc) []Datum {
	switch {
	case d.Tag == TagSym:
		return []Datum{d.deferred(DOp{Op: Op{Kind: OpText, Span: loc.Span}, Mod: loc.Mod})}
	case d.Tag == TagSeq:
		out := fr.whole(d)
		for i := range out {
			out[i] = escape(out[i], loc)
		}
		return out
	case d.Under != "":
		d.Under = ""
		return []Datum{escape(d, loc)}
	}
	return []Datum{d}
}

// name resolves a name the function does not bind: a global of its
// module, else an external name (a builtin).
func (fr *frame) name(name string) []Datum {
	if name == "__name__" {
		return nil
	}
	if ds := fr.global(fr.f.mod, name, 0); len(ds) > 0 {
		return ds
	}
	return []Datum{fr.p.external(name)}
}

// op applies one operation to a datum.
func (fr *frame) op(d Datum, o DOp) []Datum {
	loc := Loc{o.Mod, o.Span}
	if d.Tag == TagSym {
		return []Datum{d.deferred(o)}
	}
	if o.Kind == OpText && !o.Call {
		return fr.text(d, loc)
	}
	if o.Kind == OpStored && !o.Call && o.Name == AnyKey && d.Under != "" {
		// Held at a position or a key the code does not name (a list of
		// dictionaries): the dictionary's own key is the one to keep.
		return []Datum{d}
	}
	if d.Under != "" && (o.Call || !keepsUnder(o.Kind) || d.Under == AnyKey) {
		if key, read := readsKey(o.Kind, o.Call, o.Name, o.Key); read {
			return d.reread(key)
		}
		if ds, ok := d.heldItems(o.Call, o.Name, loc); ok {
			return ds
		}
		if o.Kind == OpStored && !o.Call {
			d.Flags |= FlagNested // a container's content stored in another
		}
		d.Under = ""
	}
	if o.Call {
		return fr.method(d, o.Name, o.Key, nil, loc)
	}
	switch o.Kind {
	case OpStored:
		d.Under = o.Name
		return []Datum{d}
	case OpStep:
		return []Datum{d.step(loc)}
	case OpAttr:
		return fr.attr(d, o.Name, loc)
	case OpIndex:
		return fr.index(d, o.Name, loc)
	case OpEscape:
		return flagged(fr.whole(d), FlagEscaped)
	case OpNumber:
		if d.Tag == TagData {
			d.Flags |= FlagEscaped
			if o.Name == TypedValue {
				d.Flags |= FlagTyped
			}
		}
		if d.Tag == TagObject && o.Name == TypedValue && objectKind(d.Kind) != nil && objectKind(d.Kind).Keyed != "" {
			// A loop's name over a form's or the headers' names (for p
			// in request.GET) a test showed to be a literal: no data.
			return nil
		}
		return []Datum{d} // a size stays the size ctypes checks
	case OpFilter:
		return flagged(fr.whole(d), FlagFiltered)
	case OpIter, OpUnpack, OpItem:
		return fr.items(d, o, loc)
	case OpGetattr:
		return fr.getattr(d, o, loc)
	case OpCaught:
		return caught(d)
	}
	return nil
}

// caught returns the exception an except clause that catches d binds:
// an instance of a class of the repository (no constructor known), a
// library's class as its name, each class of a tuple.
func caught(d Datum) []Datum {
	switch d.Tag {
	case TagClass:
		return []Datum{{Tag: TagObject, Class: d.Class, Kind: d.Class.kind, Origin: d.Origin}}
	case TagExt:
		return []Datum{d}
	case TagSeq:
		var out gathering
		for _, it := range d.Items {
			for _, x := range it {
				if x.Tag == TagClass || x.Tag == TagExt {
					out.add(caught(x)...)
				}
			}
		}
		return out.result()
	}
	return nil
}

// stepAll is what op does for an OpStep at loc to each datum of ds, when
// none is a parameter's and no two are the same (so that the union of the
// results is them, in order): ds itself when no datum gains a step, else
// a copy with the steps added.
func stepAll(ds []Datum, loc Loc) ([]Datum, bool) {
	for i := range ds {
		if ds[i].Tag == TagSym {
			return nil, false
		}
	}
	if !distinct(ds) {
		return nil, false
	}
	out := ds
	for i := range ds {
		if !ds[i].addsStep(loc) {
			continue
		}
		if &out[0] == &ds[0] {
			out = slices.Clone(ds)
		}
		out[i] = ds[i].step(loc)
	}
	return slices.Clip(out), true
}

// deferred appends a deferred operation to a parameter's path, within
// the bounds of atoms.
func (d Datum) deferred(o DOp) Datum { return d.deferredAll([]DOp{o}) }

// isStep reports whether o is a step of the path (an assignment, a
// return), which the bounds count apart from the other operations.
func (o DOp) isStep() bool { return o.Kind == OpStep && !o.Call }

// deferredAll appends deferred operations to a parameter's path in turn,
// each within the bounds of atoms, with one copy of the path.
func (d Datum) deferredAll(os []DOp) Datum {
	steps := 0
	for _, p := range d.Ops {
		if p.isStep() {
			steps++
		}
	}
	others := len(d.Ops) - steps
	var ops []DOp
	for _, o := range os {
		if o.isStep() {
			if steps >= maxSteps {
				continue
			}
			steps++
		} else {
			if others >= maxOps {
				continue
			}
			others++
		}
		if ops == nil {
			ops = make([]DOp, len(d.Ops), len(d.Ops)+len(os))
			copy(ops, d.Ops)
		}
		ops = append(ops, o)
	}
	if ops != nil {
		d.Ops = slices.Clip(ops)
	}
	return d
}

func flagged(ds []Datum, flag uint16) []Datum {
	for i := range ds {
		ds[i].Flags |= flag
	}
	return ds
}

// whole returns what d is when written out whole: data is itself, an
// object its Whole data or what it carries.
func (fr *frame) whole(d Datum) []Datum {
	switch d.Tag {
	case TagData, TagSym:
		return []Datum{d}
	case TagObject:
		if k := objectKind(d.Kind); k != nil && k.Whole != "" {
			out := []Datum{{Tag: TagData, Kind: k.Whole, Origin: d.Origin, Steps: d.Steps, Flags: d.Flags}}
			// native bytes a read of native memory carries
			for _, c := range d.Carried {
				if c.Tag == TagData && c.Kind == DataNative {
					out = union(out, c)
				}
			}
			return out
		}
		var out []Datum
		shown := d.Class != nil && d.Class.dataFields() != nil // its repr shows its fields
		for _, c := range d.Carried {
			if shown || !isHolder(c) {
				out = union(out, fr.whole(c)...)
			}
		}
		return out
	case TagSeq:
		var out []Datum
		for _, it := range d.Items {
			for _, x := range it {
				out = union(out, fr.whole(x)...)
			}
		}
		return out
	}
	return nil
}

// attr reads attribute name of d.
func (fr *frame) attr(d Datum, name string, loc Loc) []Datum {
	if name == AnyKey && d.Tag != TagSym {
		// Any attribute (getattr of a name not known): only of the
		// objects whose kind has one.
		if k := objectKind(d.Kind); d.Tag != TagObject || k == nil || !k.AnyAttr {
			return nil
		}
	}
	switch d.Tag {
	case TagData:
		if d.Flags&FlagUpload != 0 && name == "name" {
			d.Flags |= FlagEscaped // Django strips CR and LF from it
		}
		if d.Kind == DataField && d.Validated() {
			// A validated field that has attributes is the object a
			// field made of the client's value (a model instance a
			// related field looked up): they hold the server's data.
			return nil
		}
		return []Datum{d}
	case TagObject:
		if d.Class != nil {
			if ds := fr.instanceAttr(d, name, loc); len(ds) > 0 {
				return ds
			}
		}
		if ds, ok := fr.vocabAttr(d, name, loc); ok {
			return ds
		}
		if k := objectKind(d.Kind); k != nil {
			if r, ok := k.Attrs[name]; ok {
				return fr.result(d, k, r, "", loc)
			}
		}
		if d.Kind == ObjRequest {
			return fr.requestAttr(name)
		}
		if d.Class != nil && name == "request" && !d.Class.testFixture(name) {
			// Django's views and DRF's serializers' context hold the
			// request there.
			return []Datum{{Tag: TagObject, Kind: ObjRequest, Origin: loc}}
		}
	case TagExt:
		return []Datum{fr.p.external(d.Name + "." + name)}
	case TagModule:
		return fr.moduleAttr(d.Mod, name, 0)
	case TagClass:
		if m := d.Class.method(name, 0); m != nil {
			return []Datum{{Tag: TagFunc, Fn: m}}
		}
		if k := d.Class.classAttr(name); k != nil {
			if res := fr.res(k.body); res != nil {
				return fr.storedAttr(d.Class, name, res.env[name])
			}
		}
		return fr.storedAttr(d.Class, name, nil)
	case TagSuper:
		if m := d.Class.method(name, 1); m != nil {
			return []Datum{{Tag: TagFunc, Fn: m, Self: d.Self}}
		}
	}
	return nil
}

// instanceAttr reads an attribute of an instance of a repository class:
// what its methods assign to it, else the class's attribute or method
// (a property's value).
func (fr *frame) instanceAttr(d Datum, name string, loc Loc) []Datum {
	c := d.Class
	if out := fr.storedAttr(c, name, heldAttr(d, name)); len(out) > 0 {
		return out
	}
	if m := c.method(name, 0); m != nil {
		if m.isProperty() {
			self := d
			return fr.apply(m, &self, nil, loc)
		}
		self := d
		return []Datum{{Tag: TagFunc, Fn: m, Self: &self}}
	}
	if k := c.classAttr(name); k != nil {
		if res := fr.res(k.body); res != nil {
			return res.env[name]
		}
	}
	return nil
}

// requestAttr reads an attribute of a request that Django does not set:
// the data any function assigns to that attribute of a request it is
// passed (a middleware's request.client_agent = request.headers[…]).
func (fr *frame) requestAttr(name string) []Datum {
	var out []Datum
	for _, s := range fr.p.requestStorers[name] {
		if testModule(s.mod.File) && !testModule(fr.f.mod.File) {
			continue // a test's request is not the service's
		}
		if res := fr.res(s); res != nil {
			out = union(out, res.requestStores[name]...)
		}
	}
	return out
}

// storedAttr adds to ds what the methods of c's order assign to
// attribute name of their first parameter (self, or cls in a
// classmethod).
func (fr *frame) storedAttr(c *class, name string, ds []Datum) []Datum {
	out := gathering{ds: ds}
	for _, k := range c.mro {
		for _, s := range k.storers[name] {
			if res := fr.res(s); res != nil {
				out.add(res.stores[name]...)
			}
		}
	}
	return out.result()
}

// testFixture reports whether c is a test's class that assigns attribute
// name of self itself (setUp's self.request = RequestFactory().post(…)):
// it holds what the test assigned, not the request of a view.
func (c *class) testFixture(name string) bool {
	if !testModule(c.mod.File) {
		return false
	}
	for _, k := range c.mro {
		if len(k.storers[name]) > 0 {
			return true
		}
	}
	return false
}

// index reads d[key] ("" for a key that is not a literal).
func (fr *frame) index(d Datum, key string, loc Loc) []Datum {
	switch d.Tag {
	case TagData:
		return []Datum{field(d, key, loc)}
	case TagObject:
		if ds, ok := fr.vocabIndex(d, key, loc); ok {
			return ds
		}
		if k := objectKind(d.Kind); k != nil && k.Item != "" {
			return []Datum{{Tag: TagObject, Kind: k.Item, Key: key, Origin: loc}}
		}
		if k := objectKind(d.Kind); k != nil && k.Keyed != "" && (key != "" || k.Keyed == DataHeader) {
			return []Datum{{Tag: TagData, Kind: k.Keyed, Key: key, Origin: loc, Flags: d.Flags}}
		}
		var out []Datum
		for _, w := range fr.whole(d) {
			out = union(out, fr.index(w, key, loc)...)
		}
		return out
	case TagSeq:
		return d.allItems()
	}
	return nil
}

// field returns d[key]: one field of a parsed body or of an HTTP
// client's response is data of its own, at the key; any other key of
// data keeps it.
func field(d Datum, key string, loc Loc) Datum {
	switch {
	case key == "" || d.Key != "":
		return d
	case d.Kind == DataBody:
		return Datum{Tag: TagData, Kind: DataField, Key: key, Origin: loc, Steps: d.Steps, Flags: d.Flags}
	case d.Kind == DataClient:
		return Datum{Tag: TagData, Kind: DataClient, Key: key, Origin: loc, Steps: d.Steps, Flags: d.Flags}
	}
	return d
}

// listOf returns a list of any length whose items are each of ds (nil
// for none).
func listOf(ds []Datum, loc Loc) []Datum {
	if len(ds) == 0 {
		return nil
	}
	return []Datum{{Tag: TagSeq, Items: [][]Datum{ds}, Flags: FlagEach, Origin: loc}}
}

// result is what an attribute or method r of object d gives.
func (fr *frame) result(d Datum, k *ObjectKind, r Result, key string, loc Loc) []Datum {
	if r.Listed {
		r.Listed = false
		return listOf(fr.result(d, k, r, key, loc), loc)
	}
	switch {
	case r.Data != "":
		return []Datum{{Tag: TagData, Kind: r.Data, Origin: loc}}
	case r.Object != "":
		o := Datum{Tag: TagObject, Kind: r.Object, Origin: loc, Carried: d.Carried}
		if r.Upload {
			o.Flags |= FlagUpload
		}
		return []Datum{o}
	case r.Keyed && k.Keyed != "" && (key != "" || k.Keyed == DataHeader):
		// obj.get(KEY): one value; a header's, whatever its key.
		return []Datum{{Tag: TagData, Kind: k.Keyed, Key: key, Origin: loc, Flags: d.Flags}}
	case r.Pairs:
		return []Datum{namedPairs(fr.whole(d), loc)}
	case r.Keyed, r.Whole:
		return fr.whole(d)
	case r.Same:
		return []Datum{d}
	case r.Carried:
		out := make([]Datum, len(d.Carried))
		for i, c := range d.Carried {
			if !c.Origin.Valid() {
				c.Origin = loc // what a serializer holds, read in its method
			}
			if r.Validated {
				c.Flags |= FlagValidated
			}
			out[i] = c
		}
		if r.Echoed {
			var fields []Datum
			for _, c := range out {
				fields = union(fields, fr.op(c, DOp{Op: Op{Kind: OpIndex, Name: AnyKey, Span: loc.Span}, Mod: loc.Mod})...)
			}
			if r.Held {
				for i := range fields {
					if fields[i].Tag == TagData {
						fields[i].Under = AnyKey
					}
				}
			}
			return fields
		}
		return out
	}
	return nil
}

// IsProperty reports whether a method is read as an attribute
// (@property, @cached_property).
func (f *fn) IsProperty() bool { return f.isProperty() }

// isProperty reports whether a method is read as an attribute.
func (f *fn) isProperty() bool {
	for _, d := range f.Decorators {
		switch lastName(d) {
		case "property", "cached_property":
			return true
		}
	}
	return false
}

// heldItems is what method name of a container gives for d, held in it
// under a literal key: keys() only literals, items() (key, d) pairs whose
// key is no data ({"serial": data.get("serial")}.items() gives the
// client's value, not a client's key); ok false for another method.
func (d Datum) heldItems(call bool, name string, loc Loc) ([]Datum, bool) {
	if !call {
		return nil, false
	}
	switch name {
	case "keys":
		return nil, true
	case "items":
		d.Under = ""
		return []Datum{namedPairs([]Datum{d}, loc)}, true
	}
	return nil, false
}

// namedPairs is what items() of a container gives: (name, value) pairs
// whose names are no data and whose values are values.
func namedPairs(values []Datum, loc Loc) Datum {
	pair := Datum{Tag: TagSeq, Items: [][]Datum{nil, values}, Origin: loc}
	return Datum{Tag: TagSeq, Items: [][]Datum{{pair}}, Origin: loc}
}

// keepsUnder reports whether an operation keeps the key a datum is held
// under: an assignment, or an element of a sequence of containers (a
// list of dictionaries, iterated, indexed by position or unpacked). A
// datum held at a computed key (AnyKey: lst[i] = v, or d[k] = v) is an
// item of its own when iterated, indexed or unpacked.
func keepsUnder(kind OpKind) bool {
	return kind == OpStep || kind == OpIter || kind == OpItem || kind == OpUnpack
}

// readsKey reports whether an operation (a subscript, or a call of
// method name) reads a container at a key, and which ("" for one that is
// not a literal).
func readsKey(kind OpKind, call bool, name, key string) (string, bool) {
	switch {
	case call:
		return key, name == "get" || name == "pop" || name == "setdefault"
	case kind == OpIndex:
		return name, true
	}
	return "", false
}

// fieldKey returns the key of a read of data at a key that is no literal
// (key, which is ds, read only when key is a loop's variable): AnyKey, one field, whatever its name; "", every
// field, when the key is a loop's variable over names the client sent
// (for name in request.GET, its keys()) or over a list of constants (one
// item at a time when the loop is unrolled: a list of literals and the
// client's field) or of anything else the client may name.
func fieldKey(key Value, ds []Datum) string {
	if key.Iterated() && (len(ds) == 0 || slices.ContainsFunc(ds, clientKeys)) {
		return ""
	}
	return AnyKey
}

// clientKeys reports whether d may be names the client chose: data, a
// constant among others, a request's container.
func clientKeys(d Datum) bool {
	switch d.Tag {
	case TagData, TagConst:
		return true
	case TagObject:
		return d.Kind == ObjForm || d.Kind == ObjHeaders || d.Kind == ObjCookies || d.Kind == ObjSession
	}
	return false
}

// keySep joins the names of a key read with the variable of a loop over
// string literals (for key in ("serial_number", "serial_num")): the key
// is one of them.
const keySep = "|"

// AnyKey is the key of a field of data read at a key that is no literal
// (data.get(name)): one value, of a name not known.
const AnyKey = "*"

// JoinKeys returns the key of a read whose key is one of names.
func JoinKeys(names []string) string { return strings.Join(names, keySep) }

// KeyNames returns the names key may be: itself, or each name JoinKeys
// joined.
func KeyNames(key string) []string { return strings.Split(key, keySep) }

// reread reads the datum a container holds under d.Under at key: d
// itself for its own key (one of its names) or one that is not known (the
// key or d.Under), nothing for another. A body held at keys not known
// (data[k] = v over its items) read at a literal key is that field.
func (d Datum) reread(key string) []Datum {
	if key != "" && key != AnyKey && key != d.Under && d.Under != AnyKey && !slices.Contains(KeyNames(key), d.Under) {
		return nil
	}
	if d.Under == AnyKey && key != "" && key != AnyKey && d.Tag == TagData && d.Kind == DataBody {
		return []Datum{field(d, key, d.Origin)}
	}
	d.Under = ""
	if d.Flags&FlagNested != 0 {
		// The inner container's content, at a key of its own.
		d.Under, d.Flags = AnyKey, d.Flags&^FlagNested
	}
	return []Datum{d}
}
