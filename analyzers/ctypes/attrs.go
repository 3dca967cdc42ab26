package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// attr gives the attributes of the vocabulary's objects: a loader's
// libraries, a library's functions, a buffer's content (noted as a read),
// its length and a numpy array's .ctypes.
func attr(e *pysrc.Eval, d pysrc.Datum, name string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	switch d.Kind {
	case objLoader:
		if name == "LoadLibrary" || strings.HasPrefix(name, "_") {
			return nil, true
		}
		loader := lastName(d.Name)
		if d.Key != "" {
			loader = d.Key // a private loader's libraries are its own
		}
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objLibrary, Key: "loader:" + loader + "." + name}}, true
	case objLibrary:
		if strings.HasPrefix(name, "_") && (name == "_handle" || name == "_name" || name == "_FuncPtr" || strings.HasPrefix(name, "__")) {
			return nil, true
		}
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objFunc, Name: libKey(d), Key: name, Origin: d.Origin}}, true
	case objRef:
		if rs := results([]pysrc.Datum{d}); name == "contents" && len(rs) > 0 {
			// cast(ptr, POINTER(c_char * n)).contents: the memory a
			// foreign function returned a pointer to
			carried := pointerBytes(rs, castCount(e.Text(d.Origin)), loc)
			return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{nil}, Origin: loc, Carried: carried}}, true
		}
		return nil, true
	case objFunc, objResult, objPointer, objProto:
		return nil, true
	case objPart:
		// a field of a structure's field or element: the same memory;
		// .raw and .value of a pointer's contents read it
		p := pysrc.Datum{Tag: pysrc.TagObject, Kind: objPart, Items: d.Items, Origin: loc}
		if name == "raw" || name == "value" {
			p.Carried = d.Carried
		}
		return []pysrc.Datum{p}, true
	case objNdctypes:
		if name == "data" && len(d.Items) > 0 {
			return []pysrc.Datum{ref("addressof", d.Items[0], nil, "", loc)}, true
		}
		return nil, true
	case objBuffer, objStruct:
		return bufferAttr(e, d, name, loc)
	}
	return nil, false
}

// libKey returns a library's id.
func libKey(d pysrc.Datum) string {
	if d.Key == "" {
		return d.Name // pythonapi
	}
	return d.Key
}

// bufferAttr gives a buffer's attributes: .value and .raw read it,
// ._length_ and numpy's size and nbytes measure it, numpy's .ctypes
// refers to it, and a structure's fields read it.
func bufferAttr(e *pysrc.Eval, d pysrc.Datum, name string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	numpy := strings.HasPrefix(d.Key, "numpy:")
	switch {
	case name == "value" && !numpy:
		read(e, d, useValue, loc, strings.TrimSuffix(e.Text(loc), ".value"))
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objValue, Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
	case name == "raw" && !numpy:
		read(e, d, useWhole, loc, strings.TrimSuffix(e.Text(loc), ".raw"))
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objRaw, Items: [][]pysrc.Datum{{d}}, Origin: loc,
			Carried: bufferBytes(e, d, pysrc.ReadAll, loc)}}, true
	case name == "_length_" || numpy && name == "size":
		return []pysrc.Datum{{Tag: pysrc.TagExpr, Kind: "count", Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
	case numpy && name == "nbytes":
		return []pysrc.Datum{{Tag: pysrc.TagExpr, Kind: "sizeof", Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
	case numpy && name == "ctypes":
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objNdctypes, Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
	case d.Kind == objStruct && !strings.HasPrefix(name, "_"):
		text := e.Text(loc)
		read(e, d, useRead, loc, text[:max(strings.LastIndexByte(text, '.'), 0)])
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
	}
	return nil, true
}

// subscript gives what a key of the vocabulary's objects gives: lib["f"] is
// a new function pointer, buf[i] and buf.raw[:n] read the buffer.
func subscript(e *pysrc.Eval, d pysrc.Datum, key string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	switch d.Kind {
	case objLibrary:
		if key == "" {
			return nil, true
		}
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objFunc, Name: "site:" + site(loc), Key: key, Origin: d.Origin}}, true
	case objBuffer, objStruct:
		read(e, d, useRead, loc, subscripted(e.Text(loc)))
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{{d}}, Origin: loc,
			Carried: sliceBytes(e, []pysrc.Datum{d}, nil, loc)}}, true
	case objPart:
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: d.Items, Origin: loc}}, true
	case objRaw:
		for _, b := range d.Items[0] {
			read(e, b, useRead, loc, strings.TrimSuffix(subscripted(e.Text(loc)), ".raw"))
		}
		return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: d.Items, Origin: loc,
			Carried: sliceBytes(e, d.Items[0], nil, loc)}}, true
	case objRef, objResult:
		// cast(buf, POINTER(c_ubyte))[:n], ptr[:n]: a slice of the
		// memory a pointer points to
		var bs []pysrc.Datum
		if d.Kind == objRef && len(d.Items) > 0 {
			bs = buffers(d.Items[0])
		}
		if carried := sliceBytes(e, bs, results([]pysrc.Datum{d}), loc); len(carried) > 0 {
			return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{bs}, Origin: loc, Carried: carried}}, true
		}
	}
	return nil, false
}

// subscripted returns x of the text x[k].
func subscripted(text string) string {
	if i := strings.IndexByte(text, '['); i >= 0 {
		return strings.TrimSpace(text[:i])
	}
	return text
}

// method notes a foreign function's result decoded as text (a string,
// not binary data); the model gives what the method returns.
func method(e *pysrc.Eval, d pysrc.Datum, name string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	if d.Kind == objResult && name == "decode" {
		e.Note(family, &textNote{fp: d.Name + "#" + d.Key})
	}
	return nil, false
}
