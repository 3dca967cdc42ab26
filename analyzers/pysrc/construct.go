package pysrc

import "slices"

// An instance of a class of the repository keeps what its construction's
// arguments give its attributes: a constructor that assigns a parameter
// to an attribute (self.body = body) is summarized with that assignment
// still symbolic (result.initStores), and each call of the class binds
// it to the call's arguments (construct). The instance carries one holder
// per attribute (a datum of kind objAttr, Key the attribute, Carried what
// it holds), which reading the attribute gives (instanceAttr). Written out
// whole, an instance shows none of it: a class's default repr holds no
// attribute. A dataclass-like class (a dataclass, an attrs class, a
// NamedTuple or a pydantic model) that defines no constructor is given
// one that assigns its annotated fields in order (dataFields), and its
// repr shows them: written out whole, its instance writes what they hold.

// objAttr is the kind of the holder of an attribute of an instance.
const objAttr = "pysrc.attribute"

// An attrStore is what a constructor assigns to an attribute of its
// instance from its other parameters.
type attrStore struct {
	attr string
	vals []Datum
}

// initStores returns, in the order of the stores, what a constructor's
// stores assign at its end that holds a parameter other than self.
func (fr *frame) initStores(stores []Store) []attrStore {
	var out []attrStore
	for _, s := range stores {
		var held gathering
		for _, d := range fr.value(s.Value) {
			if symbolic(d) && (d.Tag != TagSym || d.Param != 0) {
				held.add(d)
			}
		}
		if len(held.ds) == 0 {
			continue
		}
		i := slices.IndexFunc(out, func(a attrStore) bool { return a.attr == s.Attr })
		if i < 0 {
			out = append(out, attrStore{attr: s.Attr})
			i = len(out) - 1
		}
		out[i].vals = union(out[i].vals, held.result()...)
	}
	return out
}

// construct returns the holders of the attributes that constructor init,
// called at cs for instance self, gives from the call's arguments. An
// instance among the arguments keeps its own holders, but not theirs:
// instances nest two levels (wrapped.event.body).
func (fr *frame) construct(init *fn, self *Datum, cs *CallSite) []Datum {
	if cs == nil {
		return nil
	}
	res := fr.res(init)
	if res == nil || len(res.initStores) == 0 {
		return nil
	}
	bound, _ := fr.bind(init, self, cs)
	var out []Datum
	for _, st := range res.initStores {
		var held gathering
		for _, v := range st.vals {
			for _, d := range fr.instantiate(v, bound, 0) {
				held.add(heldOnce(d))
			}
		}
		if len(held.ds) > 0 {
			out = append(out, Datum{Tag: TagObject, Kind: objAttr, Key: st.attr, Carried: held.result()})
		}
	}
	return out
}

// heldOnce returns d with the instances its holders hold without holders
// of their own.
func heldOnce(d Datum) Datum {
	if d.Tag != TagObject || !slices.ContainsFunc(d.Carried, isHolder) {
		return d
	}
	d.Carried = slices.Clone(d.Carried)
	for i, c := range d.Carried {
		if isHolder(c) {
			vals := slices.Clone(c.Carried)
			for j := range vals {
				vals[j] = withoutHolders(vals[j])
			}
			d.Carried[i].Carried = vals
		}
	}
	return d
}

// withoutHolders returns d without the holders of attributes it carries.
func withoutHolders(d Datum) Datum {
	if d.Tag != TagObject || !slices.ContainsFunc(d.Carried, isHolder) {
		return d
	}
	d.Carried = slices.DeleteFunc(slices.Clone(d.Carried), isHolder)
	return d
}

// isHolder reports whether d holds an attribute of an instance.
func isHolder(d Datum) bool { return d.Tag == TagObject && d.Kind == objAttr }

// heldAttr returns what the holders of instance d give attribute name.
func heldAttr(d Datum, name string) []Datum {
	var out gathering
	for _, c := range d.Carried {
		if isHolder(c) && c.Key == name {
			out.add(c.Carried...)
		}
	}
	return out.result()
}

// equalInitStores reports whether two results' constructor stores are
// the same.
func equalInitStores(a, b []attrStore) bool {
	return slices.EqualFunc(a, b, func(x, y attrStore) bool { return x.attr == y.attr && sameAll(x.vals, y.vals) })
}

// dataDecorators are the decorators that give a class a constructor of
// its annotated fields, as written.
var dataDecorators = map[string]bool{
	"dataclass": true, "dataclasses.dataclass": true,
	"attr.s": true, "attr.attrs": true, "attr.define": true, "attr.frozen": true, "attr.mutable": true,
	"attrs.define": true, "attrs.frozen": true, "attrs.mutable": true, "define": true, "frozen": true,
}

// dataBases are the library classes whose subclasses are given a
// constructor of their annotated fields.
var dataBases = map[string]bool{
	"typing.NamedTuple": true, "pydantic.BaseModel": true, "pydantic.main.BaseModel": true, "ninja.Schema": true,
}

// dataFields returns the fields, bases' first, of a dataclass-like class
// whose order defines no __init__; nil for another class.
func (c *class) dataFields() []string {
	data := false
	for _, k := range c.mro {
		data = data || slices.ContainsFunc(k.Decorators, func(d string) bool { return dataDecorators[d] })
	}
	data = data || slices.ContainsFunc(c.ext, func(e string) bool { return dataBases[e] })
	if !data || c.method("__init__", 0) != nil {
		return nil
	}
	var out []string
	for i := len(c.mro) - 1; i >= 0; i-- {
		for _, f := range c.mro[i].Fields {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// constructFields returns the holders of the fields a dataclass-like
// class's generated constructor, called at cs, assigns: positional
// arguments in the fields' order (until a splat), keywords by name.
func (fr *frame) constructFields(fields []string, cs *CallSite) []Datum {
	if cs == nil || len(fields) == 0 {
		return nil
	}
	vals := make([][]Datum, len(fields))
	pos := 0
	for i, a := range cs.c.Args {
		j := -1
		switch a.Keyword {
		case "*", "**":
			pos = len(fields) // what follows a splat has no known position
		case "":
			if pos < len(fields) {
				j = pos
			}
			pos++
		default:
			j = slices.Index(fields, a.Keyword)
		}
		if j >= 0 {
			for _, d := range cs.args[i] {
				vals[j] = union(vals[j], heldOnce(d))
			}
		}
	}
	var out []Datum
	for j, v := range vals {
		if len(v) > 0 {
			out = append(out, Datum{Tag: TagObject, Kind: objAttr, Key: fields[j], Carried: v})
		}
	}
	return out
}
