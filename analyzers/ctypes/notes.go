package ctypes

import (
	"slices"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// While the model evaluates a function, the vocabulary notes what it does
// with ctypes' objects: the calls that involve them, the attributes it
// assigns on them, each use of a buffer, and at its end what it returns,
// its loops, conditions and captures. The notes of a function's last
// evaluation are kept with it (pysrc.Program.Notes); the index reads
// them all.

// family names the vocabulary's notes.
const family = "ctypes"

// A fnID names a function of the program: its module's path and its
// qualified name ("" for the module body).
type fnID struct{ path, name string }

func fnOf(e *pysrc.Eval) fnID { return fnID{e.Path(), e.Func()} }

// A fnNote is what an evaluation of a function ends with.
type fnNote struct {
	fn   fnID
	kind pysrc.FuncKind
	span pysrc.Loc
	// escapes is what the function returns, written out whole.
	escapes []pysrc.Datum
	loops   []pysrc.Loc
	tests   []pysrc.TestAt
	// sizeof is how the module spells ctypes.sizeof.
	sizeof string
}

// A callNote is a call that involves ctypes: a foreign call, one of
// ctypes' functions, or a call given one of its objects.
type callNote struct {
	fn fnID
	// fps are the foreign functions the callee may be; builtin names a
	// ctypes function called. callee is the callee's text where fps are
	// several functions (index.candidates).
	fps     []pysrc.Datum
	callee  string
	builtin string
	args    []argNote
	// splat is set for a call that unpacks arguments or passes keywords.
	splat   bool
	loc     pysrc.Loc
	dropped bool
	// sends is set for a call that sends its arguments to a client: a
	// response's constructor, a send or write method.
	sends bool
	// repo is set for a call of a function or class of the repository.
	repo bool
	// other is set when the callee may also be another module's
	// function (a C extension's, imported in a try whose except binds
	// the ctypes fallback to the same name).
	other bool
}

// An argNote is an argument of a noted call.
type argNote struct {
	keyword string
	data    []pysrc.Datum
	loc     pysrc.Loc
	// text is what to call the value when loc is not its text.
	text string
}

// A storeNote is an assignment to an attribute of a foreign function or
// a structure.
type storeNote struct {
	fn    fnID
	obj   pysrc.Datum
	attr  string
	value []pysrc.Datum
	loc   pysrc.Loc
}

// A useNote is an occurrence of a buffer: what it does with it, where,
// and the expression that names the buffer there.
type useNote struct {
	fn   fnID
	buf  pysrc.Datum
	kind useKind
	loc  pysrc.Loc
	name string
}

// A useKind is what an occurrence of a buffer does with it.
type useKind uint8

const (
	useHanded useKind = iota // passed to a call, stored, written: it may be filled
	useValue                 // buf.value: up to the first NUL
	useRead                  // a prefix or an element: buf.raw[:n], buf[i], string_at(buf, n)
	useWhole                 // every byte: buf.raw, bytes(buf)
)

// An allocNote is a buffer allocated by a function; level is the kind
// of code that allocates it (a module or class body shares it).
type allocNote struct {
	fn    fnID
	level pysrc.FuncKind
	buf   pysrc.Datum
	// fields are a structure's initial fields, by name (a constructor's
	// arguments, positional ones in the order of _fields_).
	args []argNote
}

// A protoNote is a prototype instance, proto(("name", lib), paramflags).
type protoNote struct {
	fn  fnID
	fp  pysrc.Datum
	loc pysrc.Loc
}

// A textNote is a foreign function whose result code decodes as text.
type textNote struct{ fp string }

// A mutationNote is a list display that code changes (append, extend,
// insert…): what it holds is not its items any more.
type mutationNote struct{ seq pysrc.Loc }

// mutators are the methods that change a list.
var mutators = map[string]bool{
	"append": true, "extend": true, "insert": true, "remove": true, "pop": true, "clear": true,
	"reverse": true, "sort": true, "__setitem__": true, "__delitem__": true,
}

// read notes a read of buffer b.
func read(e *pysrc.Eval, b pysrc.Datum, kind useKind, loc pysrc.Loc, name string) {
	e.Note(family, &useNote{fn: fnOf(e), buf: b, kind: kind, loc: loc, name: name})
}

// observe notes a call that involves ctypes, the buffers it allocates,
// and what it does with the buffers it is given.
func observe(c *pysrc.CallSite, result []pysrc.Datum) {
	e := c.Eval()
	fn := fnOf(e)
	if mutators[c.Method()] {
		for _, r := range c.Recv {
			if r.Tag == pysrc.TagSeq {
				e.Note(family, &mutationNote{r.Origin})
			}
		}
	}
	n := &callNote{fn: fn, loc: c.Loc(), dropped: c.Dropped()}
	if _, array := arrayType(c); !array {
		for _, d := range c.Callee() {
			if d.Kind == objFunc {
				n.fps = append(n.fps, d)
			}
		}
		if slices.ContainsFunc(n.fps, func(fp pysrc.Datum) bool { return fp.Key != n.fps[0].Key }) {
			n.callee = strings.TrimSpace(c.CalleeText())
		}
	}
	python := ""
	for _, d := range c.Callee() {
		if name := ctypesName(d); name != "" {
			n.builtin = name
		}
		if d.Tag == pysrc.TagExt && !strings.Contains(d.Name, ".") {
			python = d.Name
		}
		if d.Tag == pysrc.TagFunc || d.Tag == pysrc.TagClass {
			n.repo = true
		}
		n.other = n.other || d.Tag == pysrc.TagExt && strings.Contains(d.Name, ".") && !strings.HasPrefix(d.Name, "ctypes.")
		if d.Tag == pysrc.TagClass && d.ClassKind() == objStruct {
			for _, r := range result {
				if r.Kind == objStruct {
					noteLayout(e, r, n.loc)
					e.Note(family, &allocNote{fn: fn, level: e.Kind(), buf: r, args: args(c)})
				}
			}
		}
	}
	if c.Method() != "" && !readsOnly(c) {
		// A method called on a structure or an array's element
		// (arr[i].wrap(image)), the Structure's own, may fill it.
		for _, b := range receivedStructs(c.Recv) {
			e.Note(family, &useNote{fn: fn, buf: b, kind: useHanded, loc: n.loc, name: strings.TrimSpace(c.CalleeText())})
		}
	}
	wrapper := false
	for _, r := range result {
		switch {
		case r.Kind == objLibrary && r.Origin == n.loc:
			noteBinding(e, r.Key, "", "", n.loc)
		case r.Kind == objBuffer && r.Origin == n.loc:
			e.Note(family, &allocNote{fn: fn, level: e.Kind(), buf: r})
		case r.Kind == objRef && r.Origin == n.loc:
			wrapper = true
		}
	}
	n.sends = sends(c)
	interesting := len(n.fps) > 0 || pointerBuiltins[n.builtin]
	for i := range c.NumArgs() {
		a := c.Arg(i)
		n.splat = n.splat || a.Keyword != ""
		data := c.ArgData(i)
		for _, d := range data {
			interesting = interesting || involves(d)
		}
		if !wrapper {
			uses(e, c, n, python, i)
		}
	}
	if interesting {
		n.args = args(c)
		e.Note(family, n)
	}
}

// receivedStructs returns the buffers a method's receiver is or is part
// of, when it is a structure: a Structure instance, or an element or a
// field of one (an array of structures' arr[i]).
func receivedStructs(recv []pysrc.Datum) []pysrc.Datum {
	return gather(recv, func(d pysrc.Datum) bool {
		return d.Kind == objStruct || d.Kind == objBuffer && strings.HasPrefix(d.Key, "struct:")
	}, func(d pysrc.Datum) bool { return d.Kind == objPart })
}

// args returns a call's arguments.
func args(c *pysrc.CallSite) []argNote {
	out := make([]argNote, c.NumArgs())
	for i := range out {
		out[i] = argNote{keyword: c.Arg(i).Keyword, data: c.ArgData(i), loc: c.ArgLoc(i)}
	}
	return out
}

// pointerBuiltins are ctypes' functions that take a pointer or a buffer.
var pointerBuiltins = map[string]bool{
	"memmove": true, "memset": true, "string_at": true, "wstring_at": true, "c_void_p": true, "c_char_p": true,
	"c_wchar_p": true, "cast": true,
}

// involves reports whether a datum is one of ctypes' objects or data.
func involves(d pysrc.Datum) bool {
	switch d.Kind {
	case objFunc, objResult, objBuffer, objStruct, objRef, objValue, objRaw, objPart,
		dataContent, dataPartial, dataText, dataReturned:
		return true
	}
	for _, it := range d.Items {
		for _, x := range it {
			if d.Tag == pysrc.TagSeq && involves(x) {
				return true
			}
		}
	}
	return false
}

// uses notes what a call does with the buffers of its argument i: a
// neutral builtin nothing, bytes() reads all of it, string_at a part, a
// wrapper passes it on to the call it is given to; any other call may
// fill it.
func uses(e *pysrc.Eval, c *pysrc.CallSite, n *callNote, python string, i int) {
	if neutralCalls[python] || neutralCalls[n.builtin] || c.Method() == "tobytes" || c.Method() == "tostring" {
		return
	}
	bufs := namedBuffers(c.ArgData(i), "")
	for _, d := range c.ArgData(i) {
		// A structure's field handed to a function of the repository:
		// a nested structure (SDL_VERSION(info.version)) is a view of
		// the buffer it may fill. (A library's call, log.debug(x.f),
		// reads it.)
		if !readsOnly(c) && d.Kind == objPart && len(d.Items) > 0 {
			for _, b := range d.Items[0] {
				if b.Kind == objStruct {
					bufs = append(bufs, namedBuffer{b, ""})
				}
			}
		}
	}
	if len(bufs) == 0 {
		return
	}
	text := e.Text(c.ArgLoc(i)) // read only when a buffer is passed: it may need the file
	for _, b := range bufs {
		if b.name == "" {
			b.name = text
		}
		kind := useHanded
		at := c.ArgLoc(i)
		switch {
		case readCalls[python] && c.Positional(0) == i:
			kind, at = useWhole, n.loc
		case (n.builtin == "string_at" || n.builtin == "wstring_at") && c.Positional(0) == i:
			kind, at = useRead, n.loc
		}
		e.Note(family, &useNote{fn: n.fn, buf: b.buf, kind: kind, loc: at, name: b.name})
	}
}

// readsOnly reports whether a call only reads what it is given: a log
// method (log.debug(info.version)) or a builtin that writes or measures
// a value. Any other callee may fill a nested structure it is handed.
func readsOnly(c *pysrc.CallSite) bool {
	switch c.Method() {
	case "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "write", "append", "format":
		return true
	}
	for _, name := range c.Callees() {
		switch name {
		case "print", "str", "repr", "bytes", "len", "format", "bool", "int", "hash", "id":
			return true
		}
	}
	return false
}

// A namedBuffer is a buffer an argument passes, with the text that
// names it.
type namedBuffer struct {
	buf  pysrc.Datum
	name string
}

// namedBuffers returns the buffers an argument written text passes: the
// text names a buffer passed as is, a reference's argument one it refers
// to ("" for text: the argument's own, which the caller reads).
func namedBuffers(ds []pysrc.Datum, text string) []namedBuffer {
	var out []namedBuffer
	for _, d := range ds {
		switch {
		case d.Kind == objBuffer || d.Kind == objStruct:
			out = append(out, namedBuffer{d, text})
		case d.Kind == objRef && len(d.Items) > 0:
			name := d.Name
			if name == "" {
				name = text
			}
			out = append(out, namedBuffers(d.Items[0], name)...)
		case d.Tag == pysrc.TagSeq:
			for _, b := range buffers([]pysrc.Datum{d}) {
				out = append(out, namedBuffer{b, text})
			}
		}
	}
	return out
}

// buffers returns the buffers ds are or refer to (through references,
// tuples and lists).
func buffers(ds []pysrc.Datum) []pysrc.Datum {
	var out []pysrc.Datum
	var walk func(ds []pysrc.Datum, depth int)
	walk = func(ds []pysrc.Datum, depth int) {
		if depth > 4 {
			return
		}
		for _, d := range ds {
			switch {
			case d.Kind == objBuffer || d.Kind == objStruct:
				out = append(out, d)
			case d.Kind == objRef && len(d.Items) > 0:
				walk(d.Items[0], depth+1)
			case d.Tag == pysrc.TagSeq:
				for _, it := range d.Items {
					walk(it, depth+1)
				}
			}
		}
	}
	walk(ds, 0)
	return out
}

// sends reports whether a call sends its arguments to a client: an HTTP
// response constructor or a send or write method.
func sends(c *pysrc.CallSite) bool {
	if m := c.Method(); m != "" {
		return sendMethods[m]
	}
	return responseSinks[lastName(c.Name())]
}

// store notes an assignment to an attribute of a foreign function or a
// structure; a buffer assigned anywhere may be filled there, and a
// buffer written (buf.value = …) is.
func store(e *pysrc.Eval, obj pysrc.Datum, attr string, value []pysrc.Datum, loc pysrc.Loc) {
	fn := fnOf(e)
	switch obj.Kind {
	case objFunc, objStruct:
		e.Note(family, &storeNote{fn: fn, obj: obj, attr: attr, value: value, loc: loc})
	}
	if obj.Kind == objFunc && (attr == "argtypes" || attr == "restype") {
		noteBinding(e, obj.Name, obj.Key, attr, loc)
	}
	switch {
	case obj.Kind == objBuffer || obj.Kind == objStruct:
		e.Note(family, &useNote{fn: fn, buf: obj, kind: useHanded, loc: loc, name: attr})
	case obj.Kind == objPart && len(obj.Items) > 0:
		// a field of a field, an element of an element: written
		for _, b := range obj.Items[0] {
			e.Note(family, &useNote{fn: fn, buf: b, kind: useHanded, loc: loc, name: attr})
		}
	}
	for _, b := range buffers(value) {
		e.Note(family, &useNote{fn: fn, buf: b, kind: useHanded, loc: loc, name: e.Text(loc)})
	}
}

// done notes how an evaluation that noted something ends: what the
// function returns, its loops, conditions and the buffers its nested code
// captures (which it may fill when called).
func done(e *pysrc.Eval) {
	if !e.Noted(family) {
		return
	}
	fn := fnOf(e)
	n := &fnNote{fn: fn, kind: e.Kind(), span: e.Span(), loops: e.Loops(), tests: e.Tests(), sizeof: sizeofSpelling(e.Module())}
	for _, r := range e.Returns() {
		n.escapes = append(n.escapes, e.Whole(r)...)
	}
	data, at := e.Captures()
	for i := range data {
		for _, b := range buffers(data[i]) {
			e.Note(family, &useNote{fn: fn, buf: b, kind: useHanded, loc: at[i]})
		}
	}
	e.Note(family, n)
}

// sizeofSpelling is how a module spells ctypes.sizeof.
func sizeofSpelling(m *pysrc.Module) string {
	var aliases []string
	for _, imp := range m.Imports {
		switch {
		case imp.Module == "ctypes" && (imp.Star || imp.Name == "sizeof" && imp.Local == "sizeof"):
			return "sizeof"
		case imp.Module == "ctypes" && imp.Name == "" && imp.Local != "":
			aliases = append(aliases, imp.Local)
		}
	}
	if len(aliases) == 0 {
		return "ctypes.sizeof"
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		if a == "ctypes" {
			return "ctypes.sizeof"
		}
	}
	return aliases[0] + ".sizeof"
}
