package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// pyType returns the C type a ctypes type stands for: a ctypes or
// wintypes name, None, POINTER(T), an array type T * N, a Structure
// class, a CFUNCTYPE prototype, a subclass of c_void_p and the like.
func pyType(ds []pysrc.Datum) ctype {
	for _, d := range ds {
		if t, ok := typeOf(d); ok {
			return t
		}
	}
	return ctype{}
}

// typeOf classifies one datum of a type expression.
func typeOf(d pysrc.Datum) (ctype, bool) {
	if name := ctypesName(d); name != "" {
		if t, ok := cTypes[name]; ok {
			t.text = name
			return t, true
		}
		return ctype{}, false
	}
	switch {
	case d.Tag == pysrc.TagConst && d.Kind == "none":
		return ctype{kind: kindVoid, text: "None"}, true
	case d.Kind == objPointer && len(d.Items) > 0:
		return ctype{kind: kindPtr, pointee: pointeeOf(d.Items[0]), text: "POINTER(" + typeText(d.Items[0]) + ")"}, true
	case d.Kind == objProto:
		return ctype{kind: kindPtr, text: "CFUNCTYPE(...)"}, true
	case d.Tag == pysrc.TagExpr && d.Kind == "*" && len(d.Items) == 2 && elemType(d.Items[0]) != "":
		return ctype{kind: kindPtr, pointee: pointeeOf(d.Items[0]), text: typeText(d.Items[0]) + " * N"}, true
	case d.Tag == pysrc.TagClass && d.ClassKind() == objStruct:
		return ctype{kind: kindStruct, text: lastName(d.ClassName())}, true
	case d.Tag == pysrc.TagClass && strings.HasPrefix(d.ClassKind(), typePrefix):
		t := cTypes[strings.TrimPrefix(d.ClassKind(), typePrefix)]
		t.text = lastName(d.ClassName())
		return t, true
	}
	return ctype{}, false
}

// typeText names a type for messages.
func typeText(ds []pysrc.Datum) string {
	for _, d := range ds {
		if name := ctypesName(d); name != "" {
			return name
		}
		if t, ok := typeOf(d); ok {
			return t.text
		}
	}
	return "?"
}

// pointeeOf classifies the element type of POINTER(T) or T * N.
func pointeeOf(ds []pysrc.Datum) pointee {
	for _, d := range ds {
		name := ctypesName(d)
		switch {
		case charElems[name]:
			return pointeeChar
		case byteElems[name]:
			return pointeeBytes
		case name == "c_wchar":
			return pointeeWide
		}
	}
	return pointeeOther
}

// typeList returns the types of an argtypes list or tuple; ok is false
// when it is not one literal list the code leaves as it is.
func (ix *index) typeList(ds []pysrc.Datum) ([]ctype, bool) {
	var seq *pysrc.Datum
	for i, d := range ds {
		if d.Tag != pysrc.TagSeq {
			continue
		}
		// A comprehension's list has no length the code shows.
		if seq != nil || ix.mutated[d.Origin] || d.Flags&pysrc.FlagEach != 0 {
			return nil, false
		}
		seq = &ds[i]
	}
	if seq == nil {
		return nil, false
	}
	out := make([]ctype, len(seq.Items))
	for i, it := range seq.Items {
		out[i] = pyType(it)
	}
	return out, true
}
