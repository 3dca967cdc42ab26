package mtls

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// values evaluates the values of one walk of a function: what its
// parameters hold, the results of the calls the walk made, its tests.
// The model lowered every expression to atoms (a parameter, a call's
// result, a name, a test) and the operations applied to them; an atom's
// value is its root's, through those operations.
type values struct {
	fr     *frame
	params []value
	calls  []value
	made   []bool
	tests  map[int32]*tested
}

// A tested test: what it establishes, and its value.
type tested struct {
	c condition
	v value
}

func newValues(fr *frame, params []value) *values {
	n := len(fr.fn.Code().Calls)
	return &values{fr: fr, params: params, calls: make([]value, n), made: make([]bool, n), tests: map[int32]*tested{}}
}

// value returns the value of v: the union of its atoms'; a test among
// them makes the value's condition (ok = a or b). The structure the model
// keeps (constants, displays, operations) is read as its content.
func (vs *values) value(v pysrc.Value) value {
	v = vs.fr.fn.Content(v)
	var out value
	var cond *condition
	for i, a := range v {
		w := vs.atom(a)
		if a.Root == pysrc.RootCond && w.cond != nil && len(v) > 1 {
			if cond == nil {
				cond = w.cond
			} else {
				cond = &condition{t: cond.t.with(w.cond.t)}
			}
		}
		if i == 0 {
			out = w
		} else {
			out = out.union(w)
		}
	}
	if cond != nil {
		out.cond = cond
	}
	return out
}

// atom returns the value of one atom.
func (vs *values) atom(a pysrc.Atom) value {
	fr := vs.fr
	var v value
	switch a.Root {
	case pysrc.RootParam:
		if int(a.Index) < len(vs.params) {
			v = vs.params[a.Index]
		}
	case pysrc.RootCall:
		v = vs.call(a.Index)
	case pysrc.RootCond:
		t := vs.test(a.Index)
		c := t.c
		for _, op := range a.Ops {
			if op.Kind == pysrc.OpFilter {
				// A filtered copy is true when the filter held for some
				// element.
				c = condition{t: c.t}
				return value{cond: &c}
			}
		}
		v = t.v
		v.cond = &c
	case pysrc.RootSuper:
	default:
		v = value{refs: fr.rp.root(fr.fn, a)}
	}
	for _, op := range a.Ops {
		v = vs.op(v, op)
	}
	return v
}

// call returns the result of call k, made now if the walk did not make
// it yet (a value bound on a path the walk left).
func (vs *values) call(k int32) value {
	if int(k) >= len(vs.calls) {
		return value{}
	}
	if !vs.made[k] {
		vs.fr.make(k)
	}
	return vs.calls[k]
}

// op applies one operation to v.
func (vs *values) op(v value, o pysrc.Op) value {
	switch o.Kind {
	case pysrc.OpStep:
		if v.data() {
			v.paths = v.stepped(vs.fr.at(o.Span))
		}
		return v
	case pysrc.OpAttr:
		return vs.attribute(v, o.Name)
	case pysrc.OpIndex, pysrc.OpItem:
		return vs.subscript(v, o)
	}
	// An element or an unpacked item of v (OpIter, OpUnpack) carries
	// what v does.
	return v
}

// attribute returns attribute attr of v: a request's containers, a
// method's self.request, the objects of the program v may be, else the
// data v carries.
func (vs *values) attribute(v value, attr string) value {
	fr := vs.fr
	switch v.kind {
	case requestKind:
		switch {
		case attr == "META" || attr == "environ":
			return value{kind: metaKind}
		case attr == "headers":
			return value{kind: headersKind}
		case attr == "_request":
			return value{kind: requestKind}
		case attr == "session":
			return value{kind: sessionKind}
		}
		return value{}
	case metaKind, headersKind, sessionKind:
		return value{}
	case selfKind:
		if attr == "request" && fr.method {
			return value{kind: requestKind}
		}
	}
	if len(v.refs) > 0 {
		return value{refs: fr.rp.attr(fr.fn, v.refs, attr)}
	}
	return v.derived()
}

// subscript reads a key of a META or headers container, or indexes data.
func (vs *values) subscript(v value, o pysrc.Op) value {
	fr := vs.fr
	at := fr.at(o.Span)
	if v.kind == metaKind || v.kind == headersKind {
		return vs.readKey(v.kind, vs.indexKey(o), at, nil)
	}
	out := v.derived()
	if k := vs.indexKey(o); !k.literal && len(k.v) > 0 {
		// What a certificate value selects (PERMISSIONS[dn]) is as
		// trusted as the value.
		if kv := vs.value(k.v); kv.data() {
			out = out.union(kv.derived())
		}
	}
	if strings.HasSuffix(fr.rp.text(at), "[0]") && v.parse.Valid() && hasFormat(v, xfccFormat) {
		out.parse, out.parser, out.firstElement = at, "", true
	}
	return out
}

// requestUser reports whether obj is the request's user (request.user),
// whose attributes a middleware sets for the views as it sets the
// request's.
func (vs *values) requestUser(obj pysrc.Value) bool {
	for _, a := range obj {
		if n := len(a.Ops); n > 0 && a.Ops[n-1].Kind == pysrc.OpAttr && a.Ops[n-1].Name == "user" {
			a.Ops = a.Ops[:n-1]
			if vs.atom(a).kind == requestKind {
				return true
			}
		}
	}
	return false
}

// A keyExpr is the key of a read: a string literal, or a value.
type keyExpr struct {
	lit     string
	literal bool
	v       pysrc.Value
	// call is the read's call when the key is its first argument.
	call *pysrc.Call
}

// indexKey returns the key of subscript o (none for a position, x[0]).
func (vs *values) indexKey(o pysrc.Op) keyExpr {
	if o.Kind == pysrc.OpItem {
		return keyExpr{}
	}
	if o.Name != "" {
		return keyExpr{lit: o.Name, literal: true}
	}
	if k := int(o.Key) - 1; k >= 0 && k < len(vs.fr.fn.Code().Keys) {
		return keyExpr{v: vs.fr.fn.Code().Keys[k]}
	}
	return keyExpr{}
}

// argKey returns argument i of call c as a key.
func argKey(c *pysrc.Call, i int) keyExpr {
	if i < 0 || i >= len(c.Args) {
		return keyExpr{}
	}
	a := c.Args[i]
	return keyExpr{lit: a.Lit, literal: a.Literal, v: a.Value}
}

// readKey returns the value read from a container of kind k (request
// headers by name, else META keys) at key; at is the read, def its
// default, when given.
func (vs *values) readKey(k kind, key keyExpr, at pysrc.Loc, def *pysrc.Arg) value {
	infos := vs.keyInfos(key, k == headersKind)
	var v value
	var reads []keyInfo
	for _, info := range infos {
		v.header = v.header || info.spoofable
		switch info.class {
		case certKey, identityKey:
			reads = append(reads, info)
		case verifyKey:
			if v.status == nil {
				v.status = &origin{at: at, keys: []keyInfo{info}}
			}
			if def != nil && def.Literal && strings.EqualFold(strings.TrimSpace(def.Lit), successStatus) {
				v.defaultSuccess = true
			}
		case peerAddrKey:
			v.peer = true
		}
	}
	if len(reads) > 0 {
		v.origins = []*origin{{at: at, keys: reads}}
	}
	return v
}

// hasFormat reports whether v carries data of the given format.
func hasFormat(v value, f keyFormat) bool {
	for _, o := range v.origins {
		for _, k := range o.keys {
			if k.format == f {
				return true
			}
		}
	}
	return false
}

// isDN reports whether v is a distinguished name as a string: a DN key's
// value, or a name read from a parsed certificate (its rfc4514_string()).
func isDN(v value) bool { return (hasFormat(v, dnFormat) || v.fromCert) && !v.certAttr }

// isPEM reports whether v is a forwarded PEM still as a string.
func isPEM(v value) bool { return hasFormat(v, pemFormat) && !v.fromCert && !v.certAttr }

// spoofable reports whether v carries data from a header the client can send.
func spoofable(v value) bool {
	if v.status != nil && v.status.spoofable() {
		return true
	}
	for _, o := range v.origins {
		if o.spoofable() {
			return true
		}
	}
	return false
}

// spoofable reports whether some key o may be is a header the client
// can send.
func (o *origin) spoofable() bool {
	for _, k := range o.keys {
		if k.spoofable {
			return true
		}
	}
	return false
}

// key returns the first key o may be.
func (o *origin) key() keyInfo {
	if len(o.keys) == 0 {
		return keyInfo{}
	}
	return o.keys[0]
}
