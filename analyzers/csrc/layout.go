package csrc

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// typeKind classifies a C type.
type typeKind uint8

const (
	scalarT typeKind = iota
	pointerT
	arrayT
	recordT
)

// A ctype is a C type with its LP64 size and alignment.
type ctype struct {
	kind typeKind
	// size is in bytes, -1 when unknown (a variable-length array).
	size, align int64
	// name is how messages spell the type.
	name string
	// elem is a pointer's pointee or an array's element, nil when unknown.
	elem *ctype
	// count is an array's length.
	count amount
	rec   *record
}

// A record is the layout of a struct or union.
type record struct {
	union  bool
	fields []field
}

// A field is a member of a record at a byte offset. An anonymous struct or
// union member has no name; its fields are found through it.
type field struct {
	name string
	off  int64
	typ  *ctype
}

func scalar(name string, size int64) *ctype {
	return &ctype{kind: scalarT, size: size, align: size, name: name}
}

func pointerTo(t *ctype) *ctype {
	name := "void *"
	if t != nil {
		name = t.name + " *"
	}
	return &ctype{kind: pointerT, size: 8, align: 8, name: name, elem: t}
}

// sizeAmount returns the size of t, symbolic for a variable-length array.
func (t *ctype) sizeAmount() amount {
	switch {
	case t == nil:
		return amount{}
	case t.size >= 0:
		return constant(t.size)
	case t.kind == arrayT && t.elem != nil && t.elem.size == 1:
		return t.count
	case t.kind == arrayT && t.elem != nil && t.elem.size > 1 && !t.count.isUnknown():
		n := strconv.FormatInt(t.elem.size, 10)
		return symbolic("("+t.count.key()+"*"+n+")", t.count.String()+" * "+n)
	}
	return amount{}
}

// elemSize is the unit of pointer arithmetic on t: its element or
// pointee size, 1 for void and unknown types.
func (t *ctype) elemSize() int64 {
	if t != nil && (t.kind == arrayT || t.kind == pointerT) && t.elem != nil && t.elem.size > 0 {
		return t.elem.size
	}
	return 1
}

// baseType resolves the type specifier of a declaration; nil when unknown.
func (f *scope) baseType(n syntax.Node) *ctype {
	if n.IsNull() || f.cx.depth > maxDepth {
		return nil
	}
	switch n.Type() {
	case "primitive_type", "sized_type_specifier", "type_identifier":
		name := collapse(n.Text())
		if size, ok := primitives[name]; ok {
			return scalar(name, size)
		}
		if n.Type() == "type_identifier" {
			if t := f.typedefType(name); t != nil {
				return t
			}
			return f.macroType(name)
		}
	case "struct_specifier", "union_specifier":
		return f.recordType(n)
	case "enum_specifier":
		return scalar(collapse(n.ChildByFieldName("name").Text()), 4)
	}
	return nil
}

// macroType resolves a type name that is an object-like macro of a type
// (`#define lzo_bytep unsigned char __LZO_MMODEL *`): its words, less
// the macros that expand to nothing, and a pointer for each star; nil
// when its body is not such a type.
func (f *scope) macroType(name string) *ctype {
	m := f.u.macro(name)
	if m == nil || m.fn || !f.enter() {
		return nil
	}
	defer f.leave()
	body := strings.TrimSpace(m.body)
	stars := 0
	for strings.HasSuffix(body, "*") {
		body, stars = strings.TrimSpace(strings.TrimSuffix(body, "*")), stars+1
	}
	var words []string
	for _, w := range strings.Fields(body) {
		switch {
		case w == "const" || w == "volatile":
		case strings.IndexFunc(w, func(r rune) bool { return r >= 128 || !isIdentByte(byte(r)) }) >= 0:
			return nil
		default:
			if e := f.u.macro(w); e != nil && !e.fn && strings.TrimSpace(e.body) == "" {
				continue // __LZO_MMODEL: nothing
			}
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return nil
	}
	var t *ctype
	text := strings.Join(words, " ")
	if size, ok := primitives[collapse(text)]; ok {
		t = scalar(collapse(text), size)
	} else if len(words) == 1 {
		if t = f.typedefType(words[0]); t == nil {
			t = f.macroType(words[0]) // #define UBYTEP UBYTE *
		}
	}
	if t == nil && stars == 0 {
		return nil
	}
	for range stars {
		t = pointerTo(t)
	}
	return t
}

func (f *scope) typedefType(name string) *ctype {
	info, ok := f.u.typedef(name)
	if !ok || !f.enter() {
		return nil
	}
	defer f.leave()
	_, t, isFunc := f.declType(f.baseType(info.typ), info.decl, nil)
	if t == nil || isFunc {
		return nil
	}
	named := *t
	named.name = name
	return &named
}

// recordType returns the layout of a struct or union specifier, looking a
// body-less specifier up by its tag.
func (f *scope) recordType(spec syntax.Node) *ctype {
	name := spec.ChildByFieldName("name").Text()
	kw := "struct "
	if spec.Type() == "union_specifier" {
		kw = "union "
	}
	if spec.ChildByFieldName("body").IsNull() {
		def := f.u.record(recordKey(spec.Type(), name))
		if def.IsNull() {
			return nil
		}
		spec = def
	}
	if name == "" {
		name = "<anonymous>"
	}
	rec := f.layout(spec)
	if rec == nil {
		return nil
	}
	size, align := recordSize(rec, f.packed(spec))
	return &ctype{kind: recordT, size: size, align: align, name: kw + name, rec: rec}
}

// packed reports whether a record is declared packed (alignment 1).
func (f *scope) packed(spec syntax.Node) bool {
	t := spec.Text()
	if p := spec.Parent(); !p.IsNull() && p.Type() == "type_definition" {
		t = p.Text()
	}
	return strings.Contains(t, "packed")
}

// layout computes the fields of a record body; nil when any field's type
// or size is unknown, for bit-fields, explicit alignment and #pragma pack.
func (f *scope) layout(spec syntax.Node) *record {
	if rec, ok := f.layouts[spec]; ok {
		return rec
	}
	f.layouts[spec] = nil // a record that contains itself is unknown
	if f.u.repo.pragmaPack(spec.Tree()) || spec.HasError() || strings.Contains(spec.Text(), "aligned") || !f.enter() {
		return nil
	}
	defer f.leave()
	packed := f.packed(spec)
	rec := &record{union: spec.Type() == "union_specifier"}
	var off int64
	for _, fd := range namedChildren(spec.ChildByFieldName("body")) {
		if fd.Type() != "field_declaration" || hasChild(fd, "bitfield_clause") {
			return nil
		}
		base := f.baseType(fd.ChildByFieldName("type"))
		decls := fd.ChildrenByFieldName("declarator")
		if len(decls) == 0 {
			if base == nil || base.kind != recordT {
				return nil
			}
			off = place(rec, field{typ: base}, off, packed)
			continue
		}
		for _, d := range decls {
			name, t, isFunc := f.declType(base, d, nil)
			if t == nil || isFunc || t.size <= 0 {
				return nil
			}
			off = place(rec, field{name: name, typ: t}, off, packed)
		}
	}
	if len(rec.fields) == 0 {
		return nil
	}
	f.layouts[spec] = rec
	return rec
}

func hasChild(n syntax.Node, typ string) bool {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); !c.IsNull() && c.Type() == typ {
			return true
		}
	}
	return false
}

// place appends fl to rec at the next suitably aligned offset after off
// and returns the offset after it (unions place every field at 0).
func place(rec *record, fl field, off int64, packed bool) int64 {
	if rec.union {
		rec.fields = append(rec.fields, fl)
		return 0
	}
	if !packed {
		off = alignUp(off, fl.typ.align)
	}
	fl.off = off
	rec.fields = append(rec.fields, fl)
	return off + fl.typ.size
}

// recordSize returns a record's size and alignment.
func recordSize(rec *record, packed bool) (size, align int64) {
	align = 1
	for _, fl := range rec.fields {
		if end := fl.off + fl.typ.size; end > size {
			size = end
		}
		if !packed && fl.typ.align > align {
			align = fl.typ.align
		}
	}
	return alignUp(size, align), align
}

func alignUp(off, align int64) int64 {
	if align <= 1 {
		return off
	}
	return (off + align - 1) / align * align
}

// declType applies a declarator to a base type: it returns the declared
// name and type, or isFunc for a function declarator.
func (f *scope) declType(base *ctype, d syntax.Node, env evalEnv) (name string, t *ctype, isFunc bool) {
	t = base
	for i := 0; !d.IsNull() && i < maxDepth; i++ {
		switch d.Type() {
		case "identifier", "field_identifier", "type_identifier":
			return d.Text(), t, false
		case "pointer_declarator":
			t = pointerTo(t)
			d = d.ChildByFieldName("declarator")
		case "array_declarator":
			t = f.arrayOf(t, d.ChildByFieldName("size"), env)
			d = d.ChildByFieldName("declarator")
		case "function_declarator":
			return declName(d.ChildByFieldName("declarator")), nil, true
		case "init_declarator":
			d = d.ChildByFieldName("declarator")
		case "parenthesized_declarator", "attributed_declarator":
			if d.NamedChildCount() == 0 {
				return "", nil, false
			}
			d = d.NamedChild(0)
		default:
			return "", nil, false
		}
	}
	return "", nil, false
}

func (f *scope) arrayOf(elem *ctype, size syntax.Node, env evalEnv) *ctype {
	t := &ctype{kind: arrayT, size: -1, align: 1, elem: elem, name: "array"}
	if !size.IsNull() {
		t.count = f.eval(size, env)
	}
	if elem != nil {
		t.align = elem.align
		t.name = elem.name + "[" + t.count.String() + "]"
		if t.count.known && elem.size >= 0 && t.count.val >= 0 {
			t.size = elem.size * t.count.val
		}
	}
	return t
}

// member finds a named field of a record, looking through anonymous
// members; off is its offset from the record's start.
func (r *record) member(name string) (fl field, ok bool) {
	for _, m := range r.fields {
		if m.name == name {
			return m, true
		}
		if m.name == "" && m.typ.rec != nil {
			if in, ok := m.typ.rec.member(name); ok {
				in.off += m.off
				return in, true
			}
		}
	}
	return field{}, false
}

// dataSpans returns the bytes of t that belong to some scalar or pointer
// member: the rest is padding. Arrays of records are expanded up to a
// bound; past it their bytes count as data.
func (t *ctype) dataSpans(base int64, out spans) spans {
	switch {
	case t.kind == recordT && t.rec != nil:
		for _, fl := range t.rec.fields {
			out = fl.typ.dataSpans(base+fl.off, out)
		}
		return out
	case t.kind == arrayT && t.elem != nil && t.elem.kind == recordT && t.count.known && t.count.val <= 64:
		for i := int64(0); i < t.count.val; i++ {
			out = t.elem.dataSpans(base+i*t.elem.size, out)
		}
		return out
	}
	return out.add(span{base, base + t.size})
}

// fieldNames names the members of t (dotted for nested records) whose
// bytes overlap the unwritten bytes s: whole lists those s covers
// entirely, part those it covers in part.
func (t *ctype) fieldNames(prefix string, s spans) (whole, part []string) {
	if t.kind != recordT || t.rec == nil {
		return nil, nil
	}
	for _, fl := range t.rec.fields {
		sp := span{fl.off, fl.off + fl.typ.size}
		if !s.overlaps(sp) {
			continue
		}
		switch {
		case fl.name == "":
			w, p := fl.typ.fieldNames(prefix, s.shift(-fl.off))
			whole, part = append(whole, w...), append(part, p...)
		case fl.typ.kind == recordT && fl.typ.rec != nil && !s.covers(sp):
			w, p := fl.typ.fieldNames(prefix+fl.name+".", s.shift(-fl.off))
			whole, part = append(whole, w...), append(part, p...)
		case s.covers(sp):
			whole = append(whole, prefix+fl.name)
		default:
			part = append(part, prefix+fl.name)
		}
	}
	return whole, part
}
