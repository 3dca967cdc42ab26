package ctypes

import (
	"slices"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A structure's size and fields come from its _fields_ (and _pack_), read
// while the model evaluates the code that makes one, with the layout of
// LP64 (Linux, macOS): each field aligned to its size, pointers 8 bytes.

// A layout is a Structure or Union subclass's.
type layout struct {
	name   string
	size   int64
	union  bool
	fields []field
}

// A field is one of a structure's fields.
type field struct {
	name string
	typ  ctype
}

// A layoutNote is a structure's layout, read where code made one.
type layoutNote struct{ l *layout }

// noteLayout notes the layout of structure class d (or of the class of
// instance d), once per evaluation.
func noteLayout(e *pysrc.Eval, d pysrc.Datum, loc pysrc.Loc) *layout {
	d.Tag = pysrc.TagClass
	l := layoutOf(e, d, loc, 0)
	if l != nil {
		e.Note(family, &layoutNote{l})
	}
	return l
}

// layoutOf computes a structure class's layout; nil when its _fields_
// are not a literal list of (name, type) pairs of known sizes.
func layoutOf(e *pysrc.Eval, class pysrc.Datum, loc pysrc.Loc, depth int) *layout {
	if depth > 4 || class.ClassKind() != objStruct {
		return nil
	}
	l := &layout{name: class.ClassName()}
	for _, b := range class.ClassBases() {
		switch lastName(b) {
		case "Union", "BigEndianUnion", "LittleEndianUnion":
			l.union = true
		}
	}
	pack := int64(0)
	if v, ok := constEval(e.Attr(class, "_pack_", loc)); ok && v > 0 {
		pack = v
	}
	var fields []pysrc.Datum
	for _, d := range e.Attr(class, "_fields_", loc) {
		if d.Tag == pysrc.TagSeq {
			if d.Flags&pysrc.FlagEach != 0 {
				return nil // a comprehension's fields: how many is not shown
			}
			fields = append(fields, d)
			break
		}
	}
	if len(fields) == 0 {
		return nil
	}
	offset, align := int64(0), int64(1)
	for _, it := range fields[0].Items {
		if len(it) == 0 || it[0].Tag != pysrc.TagSeq || len(it[0].Items) < 2 {
			return nil
		}
		name := constString(it[0].Items[0])
		size, a, t := fieldType(e, it[0].Items[1], loc, depth)
		if size == 0 {
			return nil
		}
		if pack > 0 {
			a = min(a, pack)
		}
		align = max(align, a)
		if l.union {
			offset = max(offset, size)
		} else {
			offset = (offset+a-1)/a*a + size
		}
		l.fields = append(l.fields, field{name, t})
	}
	l.size = (offset + align - 1) / align * align
	return l
}

// fieldType returns the size, alignment and C type of a field's type.
func fieldType(e *pysrc.Eval, ds []pysrc.Datum, loc pysrc.Loc, depth int) (size, align int64, t ctype) {
	for _, d := range ds {
		if name := ctypesName(d); name != "" {
			if s, ok := elemSizes[name]; ok {
				t, _ := typeOf(d)
				return s, min(s, 8), t
			}
		}
		switch {
		case d.Kind == objPointer || d.Kind == objProto:
			t, _ := typeOf(d)
			return 8, 8, t
		case d.Tag == pysrc.TagExpr && d.Kind == "*" && len(d.Items) == 2:
			n, ok := constEval(d.Items[1])
			s, a, _ := fieldType(e, d.Items[0], loc, depth)
			if !ok || s == 0 {
				return 0, 0, ctype{}
			}
			t, _ := typeOf(d)
			t.kind = kindArray
			return s * n, a, t
		case d.Tag == pysrc.TagClass && d.ClassKind() == objStruct:
			if l := layoutOf(e, d, loc, depth+1); l != nil {
				t, _ := typeOf(d)
				return l.size, 8, t
			}
		case d.Tag == pysrc.TagClass:
			if t, ok := typeOf(d); ok && t.kind != kindUnknown {
				s := t.width
				if t.kind == kindPtr {
					s = 8
				}
				return s, s, t
			}
		}
	}
	return 0, 0, ctype{}
}

// constEval evaluates an integer constant or arithmetic on constants.
func constEval(ds []pysrc.Datum) (int64, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	d := ds[0]
	if v, ok := intValue(d); ok {
		return v, true
	}
	if d.Tag != pysrc.TagExpr || len(d.Items) != 2 || !slices.Contains([]string{"+", "-", "*", "//"}, d.Kind) {
		return 0, false
	}
	a, ok1 := constEval(d.Items[0])
	b, ok2 := constEval(d.Items[1])
	if !ok1 || !ok2 {
		return 0, false
	}
	switch d.Kind {
	case "+":
		return a + b, true
	case "-":
		return a - b, true
	case "*":
		return a * b, true
	}
	if b == 0 {
		return 0, false
	}
	return a / b, true
}
