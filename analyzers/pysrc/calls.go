package pysrc

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// A CallSite is a call being evaluated, as vocabularies see it.
type CallSite struct {
	fr *frame
	c  *Call
	// Recv is what the receiver of obj.method(…) may be; Func what the
	// callee of any other call may be.
	Recv, Func []Datum
	args       [][]Datum
	callees    []string
	known      bool
	// callee is what the callee of a method call may be, once resolved.
	callee   []Datum
	resolved bool
}

// Method returns the method called, "" for a call of anything else.
func (cs *CallSite) Method() string { return cs.c.Method }

// Name returns the callee's dotted text ("logger.info"), "" when the
// callee is not a dotted name.
func (cs *CallSite) Name() string { return cs.c.Name }

// CalleeText returns the source text of the callee (`_funcs["SDL_Delay"]`
// of `_funcs["SDL_Delay"](10)`).
func (cs *CallSite) CalleeText() string {
	return cs.fr.p.text(Loc{cs.fr.f.mod, cs.c.FuncSpan})
}

// Module returns the dotted name of the calling module.
func (cs *CallSite) Module() string { return cs.fr.f.mod.name }

// Settings returns the run's settings of the families using the model.
func (cs *CallSite) Settings() analyzers.Settings { return cs.fr.p.settings }

// NumArgs returns the number of arguments.
func (cs *CallSite) NumArgs() int { return len(cs.c.Args) }

// Arg returns argument i as written.
func (cs *CallSite) Arg(i int) Arg { return cs.c.Args[i] }

// ArgData returns what argument i may be.
func (cs *CallSite) ArgData(i int) []Datum { return cs.args[i] }

// Positional returns the index of the n-th positional argument (from 0),
// -1 when there is none.
func (cs *CallSite) Positional(n int) int {
	for i, a := range cs.c.Args {
		if a.Keyword == "" {
			if n == 0 {
				return i
			}
			n--
		}
	}
	return -1
}

// positional returns the index of the first positional argument of a
// call site, -1 for none or no call site (a method a summary applies).
func (cs *CallSite) positional() int {
	if cs == nil {
		return -1
	}
	return cs.Positional(0)
}

// Iterated reports whether a value is an element of something iterated:
// a loop's variable.
func (v Value) Iterated() bool {
	for _, a := range v {
		for _, o := range a.Ops {
			if o.Kind == OpIter {
				return true
			}
		}
	}
	return false
}

// Keyword returns the index of keyword argument name, -1.
func (cs *CallSite) Keyword(name string) int {
	for i, a := range cs.c.Args {
		if a.Keyword == name {
			return i
		}
	}
	return -1
}

// Callees returns the external dotted names the call may call: an
// external function, or a method of an external object; for a class or
// function of the repository, its qualified name.
func (cs *CallSite) Callees() []string {
	if !cs.known {
		cs.callees, cs.known = cs.findCallees(), true
	}
	return cs.callees
}

func (cs *CallSite) findCallees() []string {
	var out []string
	add := func(s string) {
		if s != "" {
			for _, o := range out {
				if o == s {
					return
				}
			}
			out = append(out, s)
		}
	}
	for _, d := range cs.Func {
		switch d.Tag {
		case TagExt:
			add(d.Name)
		case TagClass:
			add(d.Class.mod.qualified(d.Class.Name))
		case TagFunc:
			add(d.Fn.mod.qualified(d.Fn.Name))
		}
	}
	for _, d := range cs.Recv {
		if d.Tag == TagExt {
			add(d.Name + "." + cs.c.Method)
		}
	}
	return out
}

// RecvKinds reports whether the receiver may be an object of kind.
func (cs *CallSite) RecvKind(kind string) (Datum, bool) {
	for _, d := range cs.Recv {
		if d.Tag == TagObject && d.Kind == kind {
			return d, true
		}
	}
	return Datum{}, false
}

// carried returns what an object of kind k that the call constructs
// carries: its data keyword or positional argument, else the data its
// instance argument is.
func (cs *CallSite) carried(k *ObjectKind) []Datum {
	if i := cs.Keyword(k.Data); k.Data != "" && i >= 0 {
		return cs.args[i]
	}
	if i := cs.Positional(k.DataAt - 1); k.DataAt > 0 && i >= 0 {
		return cs.args[i]
	}
	if i := cs.Positional(k.InstanceAt - 1); k.InstanceAt > 0 && i >= 0 {
		var data []Datum
		for _, d := range cs.args[i] {
			switch {
			case d.Tag == TagData:
				data = union(data, d)
			case d.Tag == TagObject && d.Class == nil && objectKind(d.Kind) != nil && objectKind(d.Kind).Whole != "":
				data = union(data, cs.fr.whole(d)...) // request.data
			}
		}
		return data
	}
	return nil
}

// Loc returns the call's location.
func (cs *CallSite) Loc() Loc { return Loc{cs.fr.f.mod, cs.c.Span} }

// call evaluates a call site: its sinks, then its result.
func (fr *frame) call(c *Call) []Datum {
	cs := &CallSite{fr: fr, c: c}
	if c.Method != "" {
		cs.Recv = fr.value(c.Recv)
	} else {
		cs.Func = fr.value(c.Func)
	}
	cs.args = make([][]Datum, len(c.Args))
	for i := range c.Args {
		cs.args[i] = fr.value(c.Args[i].Value)
		if c.Args[i].Literal {
			// A string argument is a constant, which a parameter holds.
			cs.args[i] = union(cs.args[i], Datum{Tag: TagConst, Kind: ConstStr.String(), Key: c.Args[i].Lit})
		}
	}
	for _, v := range vocabularies() {
		if v.Sink == nil {
			continue
		}
		if s, ok := v.Sink(cs); ok {
			fr.sink(cs, s)
		}
	}
	out := fr.callResult(cs)
	fr.observe(cs, out)
	return out
}

// callResult is what a call returns.
func (fr *frame) callResult(cs *CallSite) []Datum {
	c := cs.c
	if fr.clean(c.Name) || fr.clean(c.Method) {
		return nil
	}
	for _, name := range cs.Callees() {
		if fr.clean(name) {
			return nil
		}
	}
	if ds, ok := fr.attrBuiltin(cs); ok {
		return ds
	}
	for _, v := range vocabularies() {
		if v.Call == nil {
			continue
		}
		if ds, ok := v.Call(cs); ok {
			return ds
		}
	}
	loc := cs.Loc()
	var out gathering
	if c.Method != "" {
		key := ""
		if i := cs.Positional(0); i >= 0 {
			key = c.Args[i].Lit
		}
		for _, r := range cs.Recv {
			out.add(fr.method(r, c.Method, key, cs, loc)...)
		}
		return out.result()
	}
	for _, d := range cs.Func {
		out.add(fr.invoke(d, cs, loc)...)
	}
	return out.result()
}

// method is the result of calling method name of d; key is the call's
// literal first argument, cs the call (nil for a method applied to an
// argument of a summary).
func (fr *frame) method(d Datum, name, key string, cs *CallSite, loc Loc) []Datum {
	if d.Under != "" && d.Tag != TagSym {
		if k, read := readsKey(0, true, name, key); read {
			return d.reread(k)
		}
		if ds, ok := d.heldItems(true, name, loc); ok {
			return ds
		}
		d.Under = ""
	}
	switch d.Tag {
	case TagSym:
		return []Datum{d.deferred(DOp{Op: Op{Name: name, Span: loc.Span}, Mod: loc.Mod, Call: true, Key: key})}
	case TagSeq:
		switch name {
		case "pop":
			return fr.popped(d, cs, loc)
		case "copy":
			return []Datum{d}
		}
	case TagData:
		if name == "split" || name == "rsplit" {
			return dataMethod(d, name, cs.separator(key), loc)
		}
		if i := cs.positional(); key == "" && i >= 0 {
			// data.get(name) reads one field; in a loop over the names
			// the client sent (its keys), each field.
			key = fieldKey(cs.c.Args[i].Value, cs.args[i])
		}
		return dataMethod(d, name, key, loc)
	case TagObject:
		if d.Class != nil {
			if m := d.Class.method(name, 0); m != nil {
				self := d
				out := fr.apply(m, &self, cs, loc)
				if fr.ownSelf(d) {
					for _, o := range d.Class.overrides(name, m, fr.f) {
						self := d
						out = union(out, fr.apply(o, &self, cs, loc)...)
					}
				}
				return out
			}
			if ds := fr.instanceAttr(d, name, loc); len(ds) > 0 {
				// A callable attribute (self.get_response).
				var out []Datum
				for _, f := range ds {
					out = union(out, fr.invoke(f, cs, loc)...)
				}
				return out
			}
		}
		if ds, ok := fr.vocabMethod(d, name, loc); ok {
			return ds
		}
		if k := objectKind(d.Kind); k != nil {
			if cleanMethods[name] {
				return nil
			}
			r, ok := k.Methods[name]
			if !ok {
				r = k.Other
			}
			if i := cs.positional(); r.Keyed && key == "" && i >= 0 {
				key = fieldKey(cs.c.Args[i].Value, cs.args[i]) // form.get(name): as for data
			}
			return fr.result(d, k, r, key, loc)
		}
	case TagModule, TagClass, TagSuper, TagExt:
		var out []Datum
		for _, f := range fr.attr(d, name, loc) {
			out = union(out, fr.invoke(f, cs, loc)...)
		}
		return out
	}
	return nil
}

// ownSelf reports whether d is the instance a method is evaluated on (its
// self, as entry binds it: no call made it), whose class may be any
// subclass of the method's.
func (fr *frame) ownSelf(d Datum) bool {
	return fr.f != nil && fr.f.class != nil && d.Class == fr.f.class && !d.Origin.Valid() && d.Self == nil
}

// dataMethod is the result of a method of data: the data, unless the
// method derives nothing of it, takes one key of a parsed body, or
// escapes CR and LF.
func dataMethod(d Datum, name, key string, loc Loc) []Datum {
	switch {
	case cleanMethods[name]:
		return nil
	case name == "replace" && key == `\r`:
		d.Flags |= FlagNoCR
	case name == "replace" && key == `\n`:
		d.Flags |= FlagNoLF
	case name == "encode" && key == "unicode_escape", name == "as_json" || name == "as_data":
		// A form's errors as JSON, or as ValidationError objects (their
		// repr): CR and LF escaped.
		d.Flags |= FlagEscaped
	case name == "split" && key == ":" && basicCredential(d):
		// user-id:password: the id is a header value, not the secret.
		user := d
		user.Key = d.Key + "_USER_ID"
		return []Datum{{Tag: TagSeq, Items: [][]Datum{{user}, {d}}, Flags: FlagEach, Origin: loc}}
	case (name == "split" || name == "rsplit") && key != "":
		// The parts cut at a separator, each a piece of the data that
		// keeps its CR and LF but the separator's; written whole, a list
		// is the repr of its items (OpText).
		switch key {
		case `\n`:
			d.Flags |= FlagNoLF
		case `\r`:
			d.Flags |= FlagNoCR
		}
		return listOf([]Datum{d}, loc)
	case name == "split" || name == "rsplit" || name == "splitlines":
		// Parts cut at whitespace or at line breaks hold no CR or LF.
		d.Flags |= FlagEscaped
	case name == "get" || name == "pop":
		return []Datum{field(d, key, loc)}
	case name == "getlist":
		return listOf([]Datum{field(d, key, loc)}, loc)
	}
	return []Datum{d}
}

// separator returns the separator of a call of split: key, its literal
// first argument; "" for none, None or a call of no site (whitespace);
// AnyKey for one that is not a literal, given by position or as sep=.
func (cs *CallSite) separator(key string) string {
	if key != "" || cs == nil {
		return key
	}
	i := cs.Positional(0)
	if i < 0 {
		i = cs.Keyword("sep")
	}
	if i < 0 || !slices.ContainsFunc(cs.args[i], func(d Datum) bool { return d.Tag != TagConst || d.Kind != "none" }) {
		return ""
	}
	if a := cs.c.Args[i]; a.Literal {
		return a.Lit
	}
	return AnyKey
}

// basicCredential reports whether d is the value of an Authorization
// header decoded from base64, which a split at ":" cuts into a Basic
// credential's user id and password.
func basicCredential(d Datum) bool {
	if d.Kind != DataHeader || d.Flags&FlagDecoded == 0 {
		return false
	}
	for _, k := range KeyNames(d.Key) {
		if k = strings.ToUpper(strings.ReplaceAll(k, "-", "_")); k == "HTTP_AUTHORIZATION" || k == "AUTHORIZATION" {
			return true
		}
	}
	return false
}

// popped is what seq.pop() gives: its last item, or the item at a
// constant position; any item where that is not known.
func (fr *frame) popped(d Datum, cs *CallSite, loc Loc) []Datum {
	at := "-1"
	if cs != nil && len(cs.args) > 0 {
		at = ""
		if a := cs.args[0]; len(a) == 1 && a[0].Tag == TagConst && position(a[0].Key) >= 0 {
			at = a[0].Key
		}
	}
	switch {
	case at == "":
		return d.allItems()
	case at == "-1" && d.Flags&FlagEach == 0 && len(d.Items) > 0:
		return d.Items[len(d.Items)-1]
	}
	return fr.items(d, DOp{Op: Op{Kind: OpItem, Name: at, Span: loc.Span}, Mod: loc.Mod}, loc)
}

// invoke is the result of calling d: a function of the repository
// through its summary, a class's instance.
func (fr *frame) invoke(d Datum, cs *CallSite, loc Loc) []Datum {
	switch d.Tag {
	case TagFunc:
		return fr.apply(d.Fn, d.Self, cs, loc)
	case TagClass:
		inst := Datum{Tag: TagObject, Class: d.Class, Kind: d.Class.kind, Origin: loc}
		if init := d.Class.method("__init__", 0); init != nil {
			self := inst
			fr.apply(init, &self, cs, loc)
			if inst.Kind == "" {
				inst.Carried = fr.construct(init, &self, cs)
			}
		} else if inst.Kind == "" {
			inst.Carried = fr.constructFields(d.Class.dataFields(), cs)
		}
		if k := objectKind(inst.Kind); k != nil && cs != nil {
			inst.Carried = cs.carried(k)
		}
		return []Datum{inst}
	case TagExt:
		if cs == nil {
			return nil
		}
		// The call of d alone: what the call site found of its own
		// callees (a module or an object whose attribute d is) is not
		// d's.
		sub := *cs
		sub.Func, sub.Recv = []Datum{d}, nil
		sub.callees, sub.known, sub.callee, sub.resolved = nil, false, nil, false
		for _, v := range vocabularies() {
			if v.Call == nil {
				continue
			}
			if ds, ok := v.Call(&sub); ok {
				return ds
			}
		}
	}
	return nil
}
