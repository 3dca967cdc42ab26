package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What ctypes tells the Python model: loaded libraries, their foreign
// functions, buffers (arrays, scalars, structures, numpy arrays), the
// references to them that calls take (byref, cast, .ctypes.data_as), and
// ctypes types. Every function of a module that imports ctypes is
// evaluated, and what it does with these objects is noted (notes.go).

// The kinds of the vocabulary's objects.
const (
	// objLoader is a LibraryLoader (cdll, windll…); Name its dotted name,
	// the ctypes loader whose class it loads with; Key, for a private
	// loader (LibraryLoader(WinDLL)), its id ("windll@PATH@OFFSET").
	objLoader = "ctypes.loader"
	// objLibrary is a loaded library: Key its id ("new:PATH@OFFSET" of
	// a loader's call, "win:…" for the Windows API's conventions,
	// "loader:cdll.NAME" for a loader's attribute, "loader:windll@…" for
	// a private loader's, ctypes.pythonapi), Origin the loader's call.
	objLibrary = "ctypes.library"
	// objFunc is a foreign function pointer: Name its library's id, Key
	// its symbol, Origin where its library was loaded; a prototype
	// instance has Items [prototype, paramflags].
	objFunc = "ctypes.function"
	// objResult is what a foreign call returned: Name and Key its
	// function's, Origin the call.
	objResult = "ctypes.result"
	// objBuffer is memory a call may fill: an array, a scalar, a numpy
	// array (Key its element type, "numpy:<dtype>" for numpy, Name the
	// text of its count, Named when it is zero-filled, Origin the
	// allocation, Items its count and its initial content). An instance
	// of a Structure or Union subclass is an objStruct, made by the model.
	objBuffer = "ctypes.buffer"
	objStruct = "ctypes.struct"
	// objRef is a reference to a buffer that a call takes: byref,
	// pointer, cast, addressof, .ctypes.data_as (Key), with Items the
	// buffer and byref's offset.
	objRef = "ctypes.ref"
	// objPointer is POINTER(T) (Items: T); objProto a CFUNCTYPE(restype,
	// *argtypes) prototype (Items: restype, then argtypes).
	objPointer = "ctypes.pointer"
	objProto   = "ctypes.prototype"
	// objValue, objRaw and objPart are reads of a buffer (Items):
	// .value (up to the first NUL), .raw (every byte), a prefix or an
	// element; Origin is the read.
	objValue = "ctypes.value"
	objRaw   = "ctypes.raw"
	objPart  = "ctypes.part"
	// objNdctypes is a numpy array's .ctypes (Items: the array).
	objNdctypes = "ctypes.ndctypes"
)

// The kinds of data that reads and results are when written out.
const (
	dataContent  = "ctypes.content"  // every byte of a buffer
	dataPartial  = "ctypes.partial"  // some bytes of a buffer
	dataText     = "ctypes.text"     // a buffer's bytes up to its first NUL
	dataReturned = "ctypes.returned" // what a foreign function returned
)

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name:      "ctypes",
		Prefilter: literals,
		Settings:  []string{"loaders"},
		Objects: []*pysrc.ObjectKind{
			{Name: objLoader}, {Name: objLibrary, AnyAttr: true}, {Name: objFunc},
			{Name: objResult, Whole: dataReturned, Other: pysrc.Result{Whole: true}},
			{Name: objBuffer, Whole: dataContent}, {Name: objStruct, Whole: dataContent},
			{Name: objRef}, {Name: objPointer}, {Name: objProto}, {Name: objNdctypes},
			{Name: objValue, Whole: dataText, Other: pysrc.Result{Whole: true}},
			{Name: objRaw, Whole: dataContent, Other: pysrc.Result{Whole: true}},
			{Name: objPart, Whole: dataPartial, Other: pysrc.Result{Whole: true}},
		},
		Globals: globals,
		Class:   classKind,
		Call:    call,
		Attr:    attr,
		Index:   subscript,
		Method:  method,
		Observe: observe,
		Store:   store,
		Done:    done,
		Module:  importsCtypes,
		Watch:   func(attr string) bool { return attr == "argtypes" || attr == "restype" || nearAttribute(attr) != "" },
	})
}

// literals are what a module worth modelling for ctypes contains: ctypes
// itself (also numpy's ctypeslib and .ctypes) or one of its loaders.
var literals = []string{"ctypes", "CDLL", "cdll", "WinDLL", "windll", "OleDLL", "oledll", "PyDLL", "pydll"}

// globals are ctypes' library loaders and its Python API library, by
// dotted name and, for `from ctypes import *`, bare.
var globals = map[string]string{}

func init() {
	for _, name := range []string{"cdll", "windll", "oledll", "pydll", "pythonapi"} {
		kind := objLoader
		if name == "pythonapi" {
			kind = objLibrary
		}
		globals["ctypes."+name] = kind
		globals[name] = kind
	}
}

// classKind makes instances of the repository's Structure and Union
// subclasses structures, and its subclasses of a scalar or pointer type
// (class handle_t(c_void_p)) that type.
func classKind(name string) string {
	base := strings.TrimPrefix(name, "ctypes.")
	switch base {
	case "Structure", "Union", "BigEndianStructure", "LittleEndianStructure", "BigEndianUnion", "LittleEndianUnion":
		return objStruct
	}
	if _, ok := cTypes[base]; ok && strings.HasPrefix(base, "c_") {
		return typePrefix + base
	}
	return ""
}

// typePrefix is the prefix of the kind of a subclass of a ctypes type.
const typePrefix = "ctypes.type:"

// importsCtypes reports whether a module imports ctypes: all its
// functions are evaluated.
func importsCtypes(m *pysrc.Module) bool {
	for _, imp := range m.Imports {
		if imp.Module == "ctypes" || strings.HasPrefix(imp.Module, "ctypes.") {
			return true
		}
	}
	return false
}

// ctypesName returns X when d is the external name ctypes.X (or
// ctypes.wintypes.X, ctypes.util.X), or a bare X (a name of a module that
// star imports ctypes, directly or through the repository's modules);
// "" otherwise.
func ctypesName(d pysrc.Datum) string {
	if d.Tag != pysrc.TagExt {
		return ""
	}
	for _, prefix := range []string{"ctypes.wintypes.", "ctypes.util.", "ctypes."} {
		if name, ok := strings.CutPrefix(d.Name, prefix); ok && !strings.Contains(name, ".") {
			return name
		}
	}
	if !strings.Contains(d.Name, ".") {
		return d.Name
	}
	return ""
}
