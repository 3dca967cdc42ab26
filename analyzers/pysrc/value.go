package pysrc

import "slices"

// RootKind says what an atom starts from.
type RootKind uint8

// The roots of atoms.
const (
	// RootParam is the function's parameter Index.
	RootParam RootKind = iota + 1
	// RootCall is the result of the function's call site Index.
	RootCall
	// RootName is a name the function does not bind itself: a global of
	// the module, an import, a builtin.
	RootName
	// RootFunc is the module's function Index (a nested def).
	RootFunc
	// RootClass is the module's class Index.
	RootClass
	// RootImport is the module's import Index.
	RootImport
	// RootSuper is super() in a method.
	RootSuper
	// RootConst is a literal constant: Name is its text (a string's
	// content), Index its ConstKind.
	RootConst
	// RootSeq is the tuple or list display Func.Seqs[Index].
	RootSeq
	// RootExpr is the operation Func.Exprs[Index].
	RootExpr
	// RootCond is the truth of the function's condition Func.Conds[Index]
	// (ok = x == y), next to the condition's RootExpr: nothing to the
	// model's evaluation, which reads the operation.
	RootCond
)

// OpKind says what an operation did to a value.
type OpKind uint8

// The operations on values.
const (
	// OpAttr read attribute Name.
	OpAttr OpKind = iota + 1
	// OpIndex took key Name ("" when the key is not a literal).
	OpIndex
	// OpStep is an assignment the value went through.
	OpStep
	// OpEscape escaped CR and LF (repr, %r, !r).
	OpEscape
	// OpFilter is a filtered copy: a comprehension with a condition.
	OpFilter
	// OpIter is an element of an iterable: the target of the loop or
	// comprehension clause at Span.
	OpIter
	// OpUnpack is the item at position Name (decimal) of a value
	// unpacked into several targets; other values than sequences are
	// unpacked whole.
	OpUnpack
	// OpItem is a subscript by an integer literal, Name (decimal): an
	// item of a sequence, else what OpIndex without a key gives.
	OpItem
	// OpGetattr is getattr(Obj, name) with the name unknown until a
	// call binds it (a deferred operation only: see DOp.Obj).
	OpGetattr
	// OpStored is a value a container holds under the string key Name
	// (d["k"] = v, {"k": v}): reading the container at another key does
	// not give it (Datum.Under).
	OpStored
	// OpNumber is a value a test showed to be a number (isinstance(v,
	// int)), one of a few literals (v in ("a", "b"), v in ALLOWED,
	// v == "a") or a string of digits or letters (v.isdigit()): itself,
	// as data that carries no CR or LF. Name is TypedValue for a number
	// or a literal, a typed value as a validated field is.
	OpNumber
	// OpText is a value written as text by str() (%s, {} of a format, an
	// f-string's field): a container so written is the repr of its
	// items, with CR and LF escaped; other values are themselves.
	OpText
	// OpCaught is the exception an except clause catches, of the class
	// or classes the value is (`except requests.HTTPError as e`): an
	// instance of a class of the repository, or of a library's class
	// (its name, whose attributes a vocabulary may know).
	OpCaught
)

// An Op is one operation on a value, at Span. An OpIndex whose key is
// not a string literal has its key's value at Func.Keys[Key-1] (Key 0:
// a constant).
type Op struct {
	Kind OpKind
	Key  int32
	Name string
	Span Span
}

// An Atom is one thing a value may be: a root, and the operations applied
// to it since, in order.
type Atom struct {
	Root  RootKind
	Index int32
	Name  string
	Ops   []Op
}

// A Value is what an expression may be: a set of atoms. The empty value
// is a constant or something nothing is known of.
type Value []Atom

// Bounds of values: a value keeps at most maxAtoms atoms, an atom at most
// maxOps operations that are not steps and maxSteps steps (the oldest go).
const (
	maxAtoms = 16
	maxOps   = 6
	maxSteps = 6
)

func (a Atom) equal(b Atom) bool {
	return a.Root == b.Root && a.Index == b.Index && a.Name == b.Name && slices.Equal(a.Ops, b.Ops)
}

// Union returns the atoms of v and w, each once, v's first.
func (v Value) Union(w Value) Value {
	if len(w) == 0 {
		return v
	}
	if len(v) == 0 {
		return w
	}
	out := slices.Clip(v)
	for _, a := range w {
		if slices.ContainsFunc(out, a.equal) {
			continue
		}
		if len(out) < maxAtoms {
			out = append(out, a)
			continue
		}
		// Full: an atom that may carry content takes the place of the
		// last constant (a container's stored numbers before a header
		// stored after them), after the others, in order.
		if a.Root == RootConst {
			continue
		}
		if i := lastConst(out); i >= 0 {
			out = append(slices.Delete(slices.Clone(out), i, i+1), a)
		}
	}
	return out
}

// lastConst returns the index of v's last constant atom, -1 for none.
func lastConst(v Value) int {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i].Root == RootConst {
			return i
		}
	}
	return -1
}

// With returns v with op applied to each atom.
func (v Value) With(op Op) Value {
	if len(v) == 0 {
		return nil
	}
	out := make(Value, len(v))
	for i, a := range v {
		out[i] = a.with(op)
	}
	return out
}

// with appends op to the atom's operations, within the bounds: past
// maxOps operations an atom reads no further attributes or keys, and
// past maxSteps steps the oldest step goes.
func (a Atom) with(op Op) Atom {
	if op.Kind == OpStep && a.Root == RootConst {
		return a // a constant's path tells nothing
	}
	steps, others := 0, 0
	for _, o := range a.Ops {
		if o.Kind == OpStep {
			steps++
		} else {
			others++
		}
	}
	ops := a.Ops
	switch {
	case op.Kind == OpStep && steps >= maxSteps:
		i := slices.IndexFunc(ops, func(o Op) bool { return o.Kind == OpStep })
		ops = slices.Delete(slices.Clone(ops), i, i+1)
	case op.Kind != OpStep && others >= maxOps:
		return a
	}
	a.Ops = append(slices.Clip(ops), op)
	return a
}
