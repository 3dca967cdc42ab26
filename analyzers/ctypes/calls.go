package ctypes

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// call gives the result of the calls ctypes knows: library loaders,
// foreign functions, buffer allocations, references to buffers, ctypes
// types and prototypes, numpy arrays and their .ctypes.
func call(c *pysrc.CallSite) ([]pysrc.Datum, bool) {
	loc := c.Loc()
	if ds, ok := methodCall(c, loc); ok {
		return ds, true
	}
	// An array type's call: (T * N)(); the value of T * N holds its
	// operands too.
	if arr, ok := arrayType(c); ok {
		if b, ok := arrayBuffer(c, arr, loc); ok {
			return []pysrc.Datum{b}, true
		}
		return nil, true
	}
	var out []pysrc.Datum
	known := false
	for _, d := range c.Callee() {
		switch {
		case d.Kind == objFunc:
			out = append(out, pysrc.Datum{Tag: pysrc.TagObject, Kind: objResult, Name: d.Name, Key: d.Key, Origin: loc})
			known = true
		case d.Kind == objProto:
			if fp, ok := prototypeInstance(c, d, loc); ok {
				out = append(out, fp)
			}
			known = true
		case d.Tag == pysrc.TagExt:
			if ds, ok := namedCall(c, ctypesName(d), d.Name, loc); ok {
				out = append(out, ds...)
				known = true
			}
		}
	}
	if !known && loader(c) {
		return []pysrc.Datum{library("new:", loc)}, true
	}
	return out, known
}

// methodCall handles the methods of the vocabulary's objects:
// cdll.LoadLibrary(path), arr.ctypes.data_as(T), arr.tobytes().
func methodCall(c *pysrc.CallSite, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	switch m := c.Method(); {
	case m == "LoadLibrary":
		if d, ok := c.RecvKind(objLoader); ok {
			return []pysrc.Datum{library(libPrefix(lastName(d.Name)), loc)}, true
		}
	case m == "data_as":
		if d, ok := c.RecvKind(objNdctypes); ok && len(d.Items) > 0 {
			name := strings.TrimSuffix(c.Name(), ".ctypes.data_as")
			if name == c.Name() {
				name = ""
			}
			return []pysrc.Datum{ref("data_as", d.Items[0], nil, name, loc)}, true
		}
	case m == "tobytes" || m == "tostring":
		if d, ok := c.RecvKind(objBuffer); ok {
			return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objRaw, Items: [][]pysrc.Datum{{d}}, Origin: loc}}, true
		}
	}
	return nil, false
}

// namedCall handles a call of ctypes' (name, when the callee is one of
// its names) or numpy's functions (ext, the callee's dotted name).
func namedCall(c *pysrc.CallSite, name, ext string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	switch name {
	case "":
	case "CDLL", "PyDLL", "WinDLL", "OleDLL":
		return []pysrc.Datum{library(libPrefix(name), loc)}, true
	case "LibraryLoader":
		// A private loader (LibraryLoader(WinDLL)): windll's conventions,
		// its own functions. Of another class, nothing is known.
		if i := c.Positional(0); i >= 0 {
			for _, d := range c.ArgData(i) {
				if l := loaderOf[ctypesName(d)]; d.Tag == pysrc.TagExt && l != "" {
					return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objLoader, Name: "ctypes." + l, Key: l + "@" + site(loc), Origin: loc}}, true
				}
			}
		}
		return nil, true
	case "create_string_buffer", "c_buffer", "create_unicode_buffer":
		if b, ok := stringBuffer(c, name, loc); ok {
			return []pysrc.Datum{b}, true
		}
		return nil, true
	case "byref", "pointer", "addressof", "cast":
		if i := c.Positional(0); i >= 0 {
			var offset []pysrc.Datum
			if j := c.Positional(1); j >= 0 && name == "byref" {
				offset = c.ArgData(j)
			}
			return []pysrc.Datum{ref(name, fieldsOf(c.ArgData(i)), offset, c.Eval().Text(c.ArgLoc(i)), loc)}, true
		}
		return nil, true
	case "POINTER":
		if i := c.Positional(0); i >= 0 {
			return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPointer, Items: [][]pysrc.Datum{c.ArgData(i)}, Origin: loc}}, true
		}
		return nil, true
	case "CFUNCTYPE", "WINFUNCTYPE", "PYFUNCTYPE":
		d := pysrc.Datum{Tag: pysrc.TagObject, Kind: objProto, Origin: loc}
		for i := range c.NumArgs() {
			if c.Arg(i).Keyword == "" {
				d.Items = append(d.Items, c.ArgData(i))
			}
		}
		return []pysrc.Datum{d}, true
	case "sizeof":
		if i := c.Positional(0); i >= 0 {
			for _, d := range c.ArgData(i) {
				if d.ClassKind() == objStruct {
					noteLayout(c.Eval(), d, loc)
				}
			}
			return []pysrc.Datum{{Tag: pysrc.TagExpr, Kind: "sizeof", Items: [][]pysrc.Datum{c.ArgData(i)}, Origin: loc}}, true
		}
		return nil, true
	case "string_at", "wstring_at":
		if i := c.Positional(0); i >= 0 {
			return stringAt(c, c.ArgData(i), loc), true
		}
		return nil, true
	case "bytes", "bytearray", "memoryview":
		return copyCall(c, name, loc)
	case "memmove", "memset", "alignment", "resize", "get_errno", "set_errno", "GetLastError", "FormatError":
		return nil, true
	default:
		if _, ok := elemSizes[name]; ok {
			return []pysrc.Datum{scalarBuffer(c, name, loc)}, true
		}
		if t, ok := cTypes[name]; ok && t.kind == kindPtr {
			return []pysrc.Datum{scalarBuffer(c, name, loc)}, true
		}
	}
	switch ext {
	case "numpy.empty", "numpy.zeros", "numpy.ones", "numpy.full", "numpy.frombuffer", "numpy.empty_like",
		"numpy.zeros_like", "numpy.ascontiguousarray", "numpy.array":
		return []pysrc.Datum{numpyBuffer(c, ext, loc)}, true
	case "numpy.ctypeslib.as_ctypes":
		if i := c.Positional(0); i >= 0 {
			return []pysrc.Datum{ref("as_ctypes", c.ArgData(i), nil, c.Eval().Text(c.ArgLoc(i)), loc)}, true
		}
	case "numpy.ctypeslib.load_library":
		return []pysrc.Datum{library("new:", loc)}, true
	}
	return nil, false
}

// copyCall gives bytes(x), bytearray(x) and memoryview(x) of the
// vocabulary's objects: a copy or a view of a buffer a foreign call
// filled is a read of all of it, with the native bytes the call left
// there; of anything else, its content (memoryview: what the model
// says).
func copyCall(c *pysrc.CallSite, name string, loc pysrc.Loc) ([]pysrc.Datum, bool) {
	var out []pysrc.Datum
	native := false
	for i := range c.NumArgs() {
		for _, d := range c.ArgData(i) {
			if d.Kind == objBuffer || d.Kind == objStruct {
				if carried := bufferBytes(c.Eval(), d, pysrc.ReadAll, loc); len(carried) > 0 && c.NumArgs() == 1 {
					out = append(out, pysrc.Datum{Tag: pysrc.TagObject, Kind: objRaw, Items: [][]pysrc.Datum{{d}}, Origin: loc, Carried: carried})
					native = true
					continue
				}
			}
			out = append(out, c.Eval().Whole(d)...)
		}
	}
	if name == "memoryview" && !native {
		return nil, false
	}
	return out, true
}

// stringAt returns what string_at(p, n) reads, p being ps: a part of
// the buffer p is or refers to, or of the memory a foreign function
// returned a pointer to, with the native bytes it holds when n says how
// many it reads (without n, string_at reads up to the first NUL).
func stringAt(c *pysrc.CallSite, ps []pysrc.Datum, loc pysrc.Loc) []pysrc.Datum {
	e := c.Eval()
	var n []pysrc.Datum
	j := c.Positional(1)
	if j >= 0 {
		n = c.ArgData(j)
	}
	for _, b := range buffers(ps) {
		p := pysrc.Datum{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{{b}}, Origin: loc}
		if f, ok := lastFill(e, b); ok && j >= 0 {
			if read, ok := readBound(e, n, &b, f.call.loc); ok {
				p.Carried = bufferBytes(e, b, read, loc)
			}
		}
		return []pysrc.Datum{p}
	}
	rs := results(ps)
	if len(rs) == 0 || j < 0 {
		return nil
	}
	var carried []pysrc.Datum
	for _, r := range rs {
		read, ok := readBound(e, n, nil, r.Origin)
		if !ok {
			read = pysrc.ReadAll // the size the caller asked for
		}
		carried = append(carried, pointerBytes([]pysrc.Datum{r}, read, loc)...)
	}
	return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objPart, Items: [][]pysrc.Datum{nil}, Origin: loc, Carried: carried}}
}

// loader reports whether the call is one of the loaders the settings
// name (bare or dotted).
func loader(c *pysrc.CallSite) bool {
	loaders := c.Settings()["loaders"]
	if len(loaders) == 0 {
		return false
	}
	names := append([]string{c.Name()}, c.Callees()...)
	for _, n := range names {
		if n != "" && (slices.Contains(loaders, n) || slices.Contains(loaders, lastName(n))) {
			return true
		}
	}
	return false
}

// library returns a library loaded at loc; prefix is "win:" for the
// Windows API conventions (WinDLL, OleDLL), whose sizes are 32-bit
// DWORDs, "new:" otherwise.
func library(prefix string, loc pysrc.Loc) pysrc.Datum {
	return pysrc.Datum{Tag: pysrc.TagObject, Kind: objLibrary, Key: prefix + site(loc), Origin: loc}
}

// site names a location for an object made there.
func site(loc pysrc.Loc) string { return loc.Path() + "@" + strconv.Itoa(int(loc.Span.Start)) }

// libPrefix is the prefix of the id of a library loaded by class or
// loader name.
func libPrefix(name string) string {
	switch name {
	case "WinDLL", "OleDLL", "windll", "oledll":
		return "win:"
	}
	return "new:"
}

// loaderOf names ctypes' loader of each library class.
var loaderOf = map[string]string{"CDLL": "cdll", "WinDLL": "windll", "OleDLL": "oledll", "PyDLL": "pydll"}

// windowsAPI reports whether a library id is a Windows API library: one
// of a WinDLL or OleDLL, loaded by ctypes' loader or a private one.
func windowsAPI(lib string) bool {
	for _, prefix := range []string{"win:", "loader:windll.", "loader:oledll.", "loader:windll@", "loader:oledll@"} {
		if strings.HasPrefix(lib, prefix) {
			return true
		}
	}
	return false
}

// fieldsOf replaces a structure's field or an array's element by the
// structure or array: a reference to it is one to the memory they are in.
func fieldsOf(ds []pysrc.Datum) []pysrc.Datum {
	var out []pysrc.Datum
	for _, d := range ds {
		if d.Kind == objPart && len(d.Items) > 0 {
			out = append(out, d.Items[0]...)
			continue
		}
		out = append(out, d)
	}
	return out
}

// ref returns a reference to inner taken by wrapper, named text.
func ref(wrapper string, inner, offset []pysrc.Datum, text string, loc pysrc.Loc) pysrc.Datum {
	return pysrc.Datum{Tag: pysrc.TagObject, Kind: objRef, Key: wrapper, Name: text, Items: [][]pysrc.Datum{inner, offset}, Origin: loc}
}

// stringBuffer returns the buffer of create_string_buffer(init, size),
// c_buffer or create_unicode_buffer: with an integer first argument it
// is its size, zero-filled; a string, its content and NUL.
func stringBuffer(c *pysrc.CallSite, name string, loc pysrc.Loc) (pysrc.Datum, bool) {
	elem := "c_char"
	if name == "create_unicode_buffer" {
		elem = "c_wchar"
	}
	e := c.Eval()
	arg := func(i int) ([]pysrc.Datum, string) {
		if i < 0 {
			return nil, ""
		}
		return c.ArgData(i), e.Text(c.ArgLoc(i))
	}
	init, size := c.Keyword("init"), c.Keyword("size")
	p0, p1 := c.Positional(0), c.Positional(1)
	switch {
	case init >= 0 || size >= 0:
		if p0 >= 0 && (size < 0 || init >= 0 || p1 >= 0) {
			return pysrc.Datum{}, false
		}
		if init < 0 {
			init = p0
		}
	case p1 >= 0:
		init, size = p0, p1
	case p0 >= 0:
		data, text := arg(p0)
		if intLike(data, text) {
			size = p0
		} else {
			init = p0
		}
	default:
		return pysrc.Datum{}, false
	}
	count, countText := arg(size)
	initData, initText := arg(init)
	if size < 0 {
		countText = "len(" + initText + ")+1"
	}
	if init >= 0 && c.Arg(init).Literal {
		initData = append(initData, pysrc.Datum{Tag: pysrc.TagConst, Kind: "str", Key: c.Arg(init).Lit})
	}
	return newBuffer(elem, count, countText, initData, init < 0, loc), true
}

// newBuffer makes a buffer datum.
func newBuffer(elem string, count []pysrc.Datum, countText string, init []pysrc.Datum, zeroed bool, loc pysrc.Loc) pysrc.Datum {
	return pysrc.Datum{Tag: pysrc.TagObject, Kind: objBuffer, Key: elem, Name: countText, Named: zeroed, Origin: loc,
		Items: [][]pysrc.Datum{count, init}}
}

// scalarBuffer returns the one-element buffer of a scalar type's
// instance (c_int(), c_size_t(n)), an output parameter by reference.
func scalarBuffer(c *pysrc.CallSite, name string, loc pysrc.Loc) pysrc.Datum {
	one := []pysrc.Datum{{Tag: pysrc.TagConst, Kind: "int", Key: "1"}}
	var init []pysrc.Datum
	if i := c.Positional(0); i >= 0 {
		init = c.ArgData(i)
	}
	return newBuffer(scalarPrefix+name, one, "", init, c.NumArgs() == 0, loc)
}

// scalarPrefix is the prefix of a scalar instance's element type: a
// memory cell when a call takes it by reference, a value otherwise.
const scalarPrefix = "scalar:"

// arrayBuffer returns the buffer of an array type's instance, (T * N)().
func arrayBuffer(c *pysrc.CallSite, arr pysrc.Datum, loc pysrc.Loc) (pysrc.Datum, bool) {
	if len(arr.Items) != 2 {
		return pysrc.Datum{}, false
	}
	elem := elemType(arr.Items[0])
	if elem == "" {
		return pysrc.Datum{}, false
	}
	b := newBuffer(elem, arr.Items[1], countText(c.Eval().Text(arr.Origin)), nil, c.NumArgs() == 0, loc)
	for _, t := range arr.Items[0] {
		if t.Tag == pysrc.TagClass && t.ClassKind() == objStruct {
			noteLayout(c.Eval(), t, loc)
		}
	}
	return b, true
}

// arrayType returns the array type a call instantiates, (T * N)(): the
// value of T * N holds its operands too, which the call does not call.
func arrayType(c *pysrc.CallSite) (pysrc.Datum, bool) {
	for _, d := range c.Callee() {
		if d.Tag == pysrc.TagExpr && d.Kind == "*" {
			return d, true
		}
	}
	return pysrc.Datum{}, false
}

// countText returns N of an array type's text T * N, without the
// parentheses around the type ((c_char * len(data)) is len(data)).
func countText(typ string) string {
	i := strings.LastIndexByte(typ, '*')
	if i < 0 {
		return ""
	}
	n := strings.TrimSpace(typ[i+1:])
	for strings.HasSuffix(n, ")") && strings.Count(n, ")") > strings.Count(n, "(") {
		n = strings.TrimSpace(n[:len(n)-1])
	}
	for strings.HasPrefix(n, "(") && strings.Count(n, "(") > strings.Count(n, ")") {
		n = strings.TrimSpace(n[1:])
	}
	return n
}

// elemType names the element type of an array type's T: a ctypes
// scalar, or "struct:" and a Structure's name.
func elemType(ds []pysrc.Datum) string {
	for _, t := range ds {
		if name := ctypesName(t); name != "" {
			if _, ok := elemSizes[name]; ok {
				return name
			}
		}
		if t.Tag == pysrc.TagClass && t.ClassKind() == objStruct {
			return "struct:" + t.ClassName()
		}
	}
	return ""
}

// numpyBuffer returns the array of np.empty(shape, dtype) and the like:
// its count is its shape's product, its elements its dtype's (float64
// unless given); np.frombuffer(buf, dtype) shares buf's memory.
func numpyBuffer(c *pysrc.CallSite, ext string, loc pysrc.Loc) pysrc.Datum {
	dtype := "float64"
	if ext == "numpy.frombuffer" {
		dtype = "uint8"
	}
	i := c.Keyword("dtype")
	if i < 0 && ext != "numpy.empty_like" && ext != "numpy.zeros_like" && ext != "numpy.array" && ext != "numpy.ascontiguousarray" {
		i = c.Positional(1)
	}
	if i >= 0 {
		dtype = numpyType(c.Arg(i), c.ArgData(i))
	}
	var count []pysrc.Datum
	text := ""
	if s := c.Positional(0); s >= 0 && ext != "numpy.empty_like" && ext != "numpy.zeros_like" && ext != "numpy.array" && ext != "numpy.ascontiguousarray" {
		count, text = c.ArgData(s), c.Eval().Text(c.ArgLoc(s))
		if ext == "numpy.frombuffer" {
			count = []pysrc.Datum{{Tag: pysrc.TagExpr, Kind: "frombuffer", Items: [][]pysrc.Datum{count}}}
		}
	}
	return newBuffer("numpy:"+dtype, count, text, nil, ext == "numpy.zeros" || ext == "numpy.zeros_like", loc)
}

// numpyType returns the name of a dtype argument ("uint8"), "" when it
// is not known.
func numpyType(a pysrc.Arg, ds []pysrc.Datum) string {
	if a.Literal {
		return a.Lit
	}
	for _, d := range ds {
		if d.Tag == pysrc.TagExt {
			return lastName(d.Name)
		}
	}
	return ""
}

// prototypeInstance returns the function pointer a prototype makes from
// (name, library) and its paramflags; a prototype called with anything
// else (a Python callback, an address) makes nothing the analysis
// follows.
func prototypeInstance(c *pysrc.CallSite, proto pysrc.Datum, loc pysrc.Loc) (pysrc.Datum, bool) {
	i := c.Positional(0)
	if i < 0 {
		return pysrc.Datum{}, false
	}
	for _, d := range c.ArgData(i) {
		if d.Tag != pysrc.TagSeq || len(d.Items) < 2 {
			continue
		}
		name, lib := constString(d.Items[0]), false
		for _, l := range d.Items[1] {
			lib = lib || l.Kind == objLibrary
		}
		if name == "" || !lib {
			continue
		}
		fp := pysrc.Datum{Tag: pysrc.TagObject, Kind: objFunc, Name: "proto:" + site(loc), Key: name, Items: [][]pysrc.Datum{{proto}, nil}}
		if j := c.Positional(1); j >= 0 {
			fp.Items[1] = c.ArgData(j)
		}
		c.Eval().Note(family, &protoNote{fn: fnOf(c.Eval()), fp: fp, loc: loc})
		return fp, true
	}
	return pysrc.Datum{}, false
}

// constString returns the string constant among ds, "" for none.
func constString(ds []pysrc.Datum) string {
	for _, d := range ds {
		if d.Tag == pysrc.TagConst && d.Kind == "str" {
			return d.Key
		}
	}
	return ""
}

// constantName matches names written as constants (BUF_SIZE, MAXLEN).
var constantName = regexp.MustCompile(`^_?[A-Z][A-Z0-9_]*$`)

// intLike reports whether an argument (what it may be, and its text) is
// an integer: a constant, arithmetic, len, sizeof, int, min or max, or a
// name written as a constant or that says it holds a size.
func intLike(ds []pysrc.Datum, text string) bool {
	for _, d := range ds {
		switch {
		case d.Tag == pysrc.TagConst:
			return d.Kind == "int"
		case d.Tag == pysrc.TagExpr:
			// n % m is arithmetic, "%d" % n formatting, b"\0" * n text;
			// len(b"\0" * n) is an integer whatever it measures.
			if d.Kind == "+" || d.Kind == "*" || d.Kind == "%" {
				return !slices.ContainsFunc(d.Items, isText) && (d.Kind != "%" || len(d.Items) == 0 || len(d.Items[0]) > 0)
			}
			return true
		case d.Tag == pysrc.TagData, d.Tag == pysrc.TagSeq:
			return false
		case d.Tag == pysrc.TagObject:
			if _, ok := scalarInit(d); ok {
				return true // c_size_t(n)
			}
		}
	}
	if constantName.MatchString(text) {
		return true
	}
	lower := strings.ToLower(text[strings.LastIndexByte(text, '.')+1:])
	if lower == "n" || strings.HasPrefix(lower, "n_") || strings.HasPrefix(lower, "num") {
		return true
	}
	for _, w := range intNames {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// lastName returns the last component of a dotted name.
func lastName(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }
