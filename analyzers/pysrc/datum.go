package pysrc

import "slices"

// Tag says what a Datum is.
type Tag uint8

// The tags of datums.
const (
	// TagSym is a parameter of the function being summarized
	// (Param), with the operations applied to it (Ops): what it becomes
	// is known at each call.
	TagSym Tag = iota + 1
	// TagData is content of Kind (a DataBody…), from Origin.
	TagData
	// TagObject is an object of Kind (ObjRequest…, or a vocabulary's),
	// or of a class of the repository (Class, Kind "" when the class has
	// no kind).
	TagObject
	// TagFunc is a function of the repository (bound to Self for a method
	// read from an instance).
	TagFunc
	// TagClass is a class of the repository.
	TagClass
	// TagModule is a module of the repository.
	TagModule
	// TagExt is a name the repository does not define: a module, class or
	// function of a library, a builtin (Name, dotted).
	TagExt
	// TagSuper is super() in a method of Class, bound to Self.
	TagSuper
	// TagConst is a literal constant: Kind is its ConstKind's name
	// ("int", "str", "none", "bool", "float"), Key its text (a string's
	// content).
	TagConst
	// TagSeq is a tuple or list display: Items are what each item may be.
	TagSeq
	// TagExpr is an operation (Kind: "+", "<", "and", "not", "len",
	// "slice"…) on operands (Items); its content is carried by the
	// operands, which the value holds too, not by the datum.
	TagExpr
)

// A Loc is a span of a module of the program.
type Loc struct {
	Mod  *module
	Span Span
}

// Valid reports whether the location is set.
func (l Loc) Valid() bool { return l.Mod != nil }

// A DOp is an operation on a parameter, deferred until the argument is
// known: an Op of the module Mod, or a method call (Call, with the
// literal first argument in Op.Name's place Key).
type DOp struct {
	Op
	Mod  *module
	Call bool
	Key  string
	// Obj is the object of an OpGetattr.
	Obj *Datum
}

// Flags of data.
const (
	// FlagNoCR and FlagNoLF: CR or LF were removed or escaped.
	FlagNoCR = 1 << iota
	FlagNoLF
	// FlagFiltered: a filtered copy (a comprehension with a condition).
	FlagFiltered
	// FlagValidated: validated by a serializer or a form, whose fields
	// are typed values.
	FlagValidated
	// FlagEach: a sequence of any length whose items past its last are
	// its last (the parts str.split cuts data into).
	FlagEach
	// FlagDecoded: data decoded from base64 (a Basic credential's
	// user:password).
	FlagDecoded
	// FlagNested: what a container holds under its key (Under) is the
	// content of another container, which reading it at that key gives
	// ({"page": {"id": v}}["page"] holds v at a key).
	FlagNested
	// FlagUpload: a file the client uploaded (request.FILES), whose name
	// Django strips of CR, LF and the other non-printable characters.
	FlagUpload
	// FlagTyped: a test showed the value a number or one of a few
	// literals (isinstance(v, int), v in ("a", "b")): no secret, and no
	// part of the body but itself.
	FlagTyped
)

// FlagEscaped is both CR and LF escaped.
const FlagEscaped = FlagNoCR | FlagNoLF

// A Datum is one thing a value is, once resolved in the program.
type Datum struct {
	Tag Tag
	// Named says the object's Key is its name; Flags are data's.
	Named bool
	Flags uint16
	// Param is a parameter's index (TagSym).
	Param int
	// Kind is the kind of data or object.
	Kind string
	// Key is the key data was read at (a form field, a header); for an
	// object, a name the object knows itself by (a logger's name, when
	// Named).
	Key string
	// Name is an external dotted name.
	Name  string
	Class *class
	Fn    *fn
	Mod   *module
	// Self is the object a method was read from; Carried the data an
	// object holds (a serializer's data, a bound logger's fields).
	Self    *Datum
	Carried []Datum
	Ops     []DOp
	// Items are a sequence's items or an operation's operands.
	Items [][]Datum
	// Origin is where data was read; Steps the assignments and calls it
	// went through since.
	Origin Loc
	Steps  []Loc
	// Under is the key a container holds the datum under (OpStored),
	// until the container is read at a key or used otherwise.
	Under string
}

// same reports whether two datums are the same thing (their paths aside).
func (d *Datum) same(e *Datum) bool {
	return d.Tag == e.Tag && d.Kind == e.Kind && d.Key == e.Key && d.Named == e.Named && d.Name == e.Name &&
		d.Class == e.Class && d.Fn == e.Fn && d.Mod == e.Mod && d.Param == e.Param && d.Flags == e.Flags &&
		d.Origin == e.Origin && d.Under == e.Under && slices.EqualFunc(d.Ops, e.Ops, func(a, b DOp) bool { return a == b }) &&
		(d.Self == nil) == (e.Self == nil) && (d.Self == nil || d.Self.same(e.Self)) &&
		sameAll(d.Carried, e.Carried) && slices.EqualFunc(d.Items, e.Items, sameAll)
}

// sameAll reports whether two lists of datums are the same, in order.
func sameAll(a, b []Datum) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].same(&b[i]) {
			return false
		}
	}
	return true
}

// maxNodes bounds the datums a sequence or an operation holds, its
// items' items included: past it (a table built of tables, an attribute
// each method extends with itself), a sequence keeps its leaves as one
// item and an operation nothing, so that values stay small to compare.
const maxNodes = 256

// bounded returns d within maxNodes.
func bounded(d Datum) Datum {
	if d.Tag != TagSeq && d.Tag != TagExpr {
		return d
	}
	budget := maxNodes
	if countNodes(d.Items, &budget) {
		return d
	}
	if d.Tag == TagExpr {
		d.Items = nil
		return d
	}
	var leaves []Datum
	collectLeaves(d.Items, &leaves)
	d.Items = [][]Datum{leaves}
	return d
}

// countNodes spends budget on the datums of items, nested ones included,
// and reports whether it sufficed.
func countNodes(items [][]Datum, budget *int) bool {
	for _, it := range items {
		*budget -= len(it)
		if *budget < 0 {
			return false
		}
		for i := range it {
			if len(it[i].Items) > 0 && !countNodes(it[i].Items, budget) {
				return false
			}
		}
	}
	return true
}

// collectLeaves adds to leaves, up to maxAtoms, the datums of items that
// are no sequence or operation, nested ones included.
func collectLeaves(items [][]Datum, leaves *[]Datum) {
	for _, it := range items {
		for _, x := range it {
			if len(*leaves) >= maxAtoms {
				return
			}
			if x.Tag == TagSeq || x.Tag == TagExpr {
				collectLeaves(x.Items, leaves)
			} else {
				*leaves = union(*leaves, x)
			}
		}
	}
}

// union adds the datums of add to ds, each once, up to maxAtoms. The
// result may share add's or ds's array, but union never writes into one
// (values are never changed in place once made, and ds may be a result's
// that another frame also adds to): once something is added, the result
// is a new array. A datum is some 230 bytes, and most unions add to none,
// or add nothing new.
func union(ds []Datum, add ...Datum) []Datum {
	if len(add) == 0 {
		return ds
	}
	if len(ds) == 0 && distinct(add) {
		n := min(len(add), maxAtoms)
		return add[:n:n]
	}
	for i := range add {
		if len(ds) < maxAtoms && !holds(ds, &add[i]) {
			out := slices.Grow(slices.Clip(ds), min(len(add)-i, maxAtoms-len(ds)))
			return appendNew(out, add[i:])
		}
	}
	return ds
}

// A gathering collects datums as a loop of unions does (union), without
// copying the result each time a datum is added: once union has made an
// array of the gathering's own, the datums after are appended to it in
// place. The result is read once the loop is over.
type gathering struct {
	ds  []Datum
	own bool
}

// result returns the datums gathered, with no room after them: an array
// of the gathering's own may have some, which an append must not share.
func (g *gathering) result() []Datum { return slices.Clip(g.ds) }

// add adds the datums of add that the gathering does not hold, up to
// maxAtoms.
func (g *gathering) add(add ...Datum) {
	if len(add) == 0 {
		return
	}
	if g.own {
		g.ds = appendNew(g.ds, add)
		return
	}
	next := union(g.ds, add...)
	// union returns ds when nothing is new, add's array when ds is empty
	// and add is distinct, else an array of its own.
	g.own = len(next) > len(g.ds) && &next[0] != &add[0]
	g.ds = next
}

// appendNew appends to ds, in place, the datums of add it does not hold,
// up to maxAtoms: union's loop, for a ds of its own.
func appendNew(ds, add []Datum) []Datum {
	for i := range add {
		if len(ds) >= maxAtoms {
			break
		}
		if !holds(ds, &add[i]) {
			ds = append(ds, add[i])
		}
	}
	return ds
}

// cloned returns a copy of ds, nil when ds is empty.
func cloned(ds []Datum) []Datum {
	if len(ds) == 0 {
		return nil
	}
	return slices.Clone(ds)
}

// distinct reports whether no two datums of ds are the same.
func distinct(ds []Datum) bool {
	for i := 1; i < len(ds); i++ {
		if holds(ds[:i], &ds[i]) {
			return false
		}
	}
	return true
}

// holds reports whether ds holds a datum the same as d.
func holds(ds []Datum, d *Datum) bool {
	for i := range ds {
		if ds[i].same(d) {
			return true
		}
	}
	return false
}

// step returns d with loc added to its steps: data's own, and a
// sequence's data items' (the list a comprehension builds, assigned or
// returned, goes through loc with what it holds).
func (d Datum) step(loc Loc) Datum {
	if !d.addsStep(loc) {
		return d
	}
	if d.Tag == TagSeq {
		items := make([][]Datum, len(d.Items))
		for i, it := range d.Items {
			items[i] = stepped(it, loc)
		}
		d.Items = items
		return d
	}
	steps := slices.Clip(d.Steps)
	if len(steps) >= 2*maxSteps {
		steps = slices.Delete(slices.Clone(steps), 0, 1)
	}
	d.Steps = append(steps, loc)
	return d
}

// stepped returns ds with loc added to the steps of each datum (step),
// ds itself when none gains it.
func stepped(ds []Datum, loc Loc) []Datum {
	for i := range ds {
		if ds[i].addsStep(loc) {
			out := slices.Clone(ds)
			for j := i; j < len(out); j++ {
				out[j] = out[j].step(loc)
			}
			return out
		}
	}
	return ds
}

// addsStep reports whether step adds loc to d's steps, or to those of a
// sequence's items.
func (d *Datum) addsStep(loc Loc) bool {
	if !loc.Valid() {
		return false
	}
	switch d.Tag {
	case TagData:
		return len(d.Steps) == 0 || d.Steps[len(d.Steps)-1] != loc
	case TagSeq:
		for _, it := range d.Items {
			for i := range it {
				if it[i].addsStep(loc) {
					return true
				}
			}
		}
	}
	return false
}

// Escaped reports whether CR and LF were both escaped.
func (d *Datum) Escaped() bool { return d.Flags&FlagEscaped == FlagEscaped }

// Filtered reports whether the data is a filtered copy.
func (d *Datum) Filtered() bool { return d.Flags&FlagFiltered != 0 }

// Validated reports whether a serializer or a form validated the data.
func (d *Datum) Validated() bool { return d.Flags&FlagValidated != 0 }

// Typed reports whether a test showed the value a number or a literal.
func (d *Datum) Typed() bool { return d.Flags&FlagTyped != 0 }
