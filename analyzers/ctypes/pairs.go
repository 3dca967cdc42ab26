package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A structure whose fields hold a buffer's address and its length (a
// request a foreign function fills) is checked as a call is: the field
// named as the pointer field's length (out → outlen, out_size; or a
// length right after it) must be within the buffer's size. Fields are
// set by the constructor (positionally in the order of _fields_, or by
// keyword) or assigned afterwards in the same function.
func (ix *index) checkPairs(f *function) {
	for _, a := range f.allocs {
		if a.buf.Kind != objStruct {
			continue
		}
		l := ix.layouts[a.buf.ClassName()]
		if l == nil {
			continue
		}
		values := map[string]argNote{}
		pos := 0
		for _, arg := range a.args {
			switch {
			case arg.keyword == "" && pos < len(l.fields):
				values[l.fields[pos].name] = arg
				pos++
			case arg.keyword != "" && arg.keyword != "*" && arg.keyword != "**":
				values[arg.keyword] = arg
			}
		}
		for _, s := range f.stores {
			if s.obj.Origin == a.buf.Origin {
				values[s.attr] = argNote{data: s.value, loc: s.loc, text: ix.valueText(s.value, s.loc)}
			}
		}
		ix.fieldPairs(f, a, l, values)
	}
}

// fieldPairs compares each pointer field's buffer with its length field.
func (ix *index) fieldPairs(f *function, a *allocNote, l *layout, values map[string]argNote) {
	p := &proto{name: lastName(l.name)}
	for _, fl := range l.fields {
		stars := 0
		if fl.typ.kind == kindPtr {
			stars = 1
		}
		p.params = append(p.params, cparam{name: fl.name, stars: stars})
	}
	for i, fl := range l.fields {
		if fl.typ.kind != kindPtr {
			continue
		}
		ptr, ok := values[fl.name]
		if !ok {
			continue
		}
		j := lengthParam(p, i)
		if j < 0 {
			continue
		}
		length, ok := values[l.fields[j].name]
		if !ok || !intLike(length.data, ix.text(length.loc)) {
			continue
		}
		for _, r := range bufferRefs(ptr.data) {
			ix.fieldPair(f, a, p.name+"."+l.fields[j].name, r, ptr, length)
		}
	}
}

// valueText renders a value assigned by the statement at l: a
// constant's text, an operation's (len(data)), else the statement's right
// side.
func (ix *index) valueText(ds []pysrc.Datum, l pysrc.Loc) string {
	if len(ds) > 0 {
		switch d := ds[0]; {
		case d.Tag == pysrc.TagConst:
			return d.Key
		case d.Tag == pysrc.TagExpr && d.Origin.Valid():
			return ix.text(d.Origin)
		}
	}
	stmt := ix.text(l)
	if _, right, ok := strings.Cut(stmt, "="); ok {
		return strings.TrimSpace(right)
	}
	return stmt
}

// fieldPair reports a length field that is not provably within the
// buffer's size.
func (ix *index) fieldPair(f *function, a *allocNote, field string, r bufRef, ptr, length argNote) {
	z := ix.newSizer()
	size := z.bytes(r.buf, 0)
	z.addGuards(f, length.loc)
	v := z.compare(z.eval(length.data, 0), size)
	if v.kind != 'x' {
		return
	}
	refText := r.byRefName(ix.text(ptr.loc))
	where := fmt.Sprintf("%s (a buffer of %s)", refText, ix.describeSize(z, r.buf))
	lengthText := length.text
	if lengthText == "" {
		lengthText = ix.text(length.loc)
	}
	var msg string
	if v.input != "" {
		msg = fmt.Sprintf("the structure field %s is given %s as the length of %s, and nothing bounds %s by that size: with a longer input the function it is passed to may write past the end of the buffer",
			field, lengthText, where, v.input)
	} else {
		msg = fmt.Sprintf("the structure field %s is given %s as the length of %s: %s more than it holds, so the function it is passed to may write past the end of the buffer",
			field, lengthText, where, plural(v.over, "byte"))
	}
	ix.report(analyzers.Finding{RuleID: ruleLength, Message: msg,
		Related: []analyzers.Location{ix.loc(r.buf.Origin, "the buffer is allocated here"), ix.loc(a.buf.Origin, "the structure is made here")},
		Flow: []analyzers.Step{
			{Location: ix.loc(r.buf.Origin, refText+" is allocated")},
			{Location: ix.loc(ptr.loc, refText+" is stored in the structure")},
			{Location: ix.loc(length.loc, lengthText+" is stored as its length")},
		}}, length.loc)
}
