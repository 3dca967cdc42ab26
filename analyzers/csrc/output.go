package csrc

import "github.com/residue-sec/residue/analyzers/syntax"

// An OutputKind says how uninitialized bytes leave.
type OutputKind uint8

const (
	// BytesOut: unwritten bytes of a buffer are sent, written, copied
	// out, returned or turned into a Python object.
	BytesOut OutputKind = iota
	// PaddingOut: every member of a struct is written, its padding is
	// not, and the whole object leaves.
	PaddingOut
	// BytesObjectOut: a bytes object created with a NULL buffer is
	// returned with fewer bytes written than its size.
	BytesObjectOut
	// ValueOut: a variable, member or element is printed (or passed to
	// a function that prints it) by value before it was written.
	ValueOut
	// PointerOut: a pointer variable is read through (printed as a
	// string, dereferenced for a value printed) before it was assigned.
	PointerOut
	// StringOut: a char array is read as a string (printf's %s, puts)
	// up to a NUL, and unwritten bytes come first or no NUL was written.
	StringOut
)

// An Output is uninitialized memory that leaves at one place, with what
// the analysis knows of it: the buffer, the bytes that leave, the
// writes on the way.
type Output struct {
	Kind OutputKind
	// At is the call, return or assignment where the bytes leave, in the
	// snapshot the model reads (its byte offsets are the file's).
	At     syntax.Node
	Buffer BufferInfo
	// Verb says what happens to the bytes ("sent by send()").
	Verb string
	// Leaving is the count that leaves, as written ("sizeof buf" is
	// evaluated: "256"); Offset the first byte's offset in the buffer.
	Leaving string
	Offset  int64
	// Whole is set when every byte of the buffer leaves.
	Whole bool
	// Gaps are the unwritten bytes that leave, when the count is a
	// constant.
	Gaps []Range
	// Members and Partial name the record members the unwritten bytes
	// cover entirely and in part.
	Members, Partial []string
	// What is the expression a ValueOut or PointerOut reads ("data[i]",
	// "s.len", "p").
	What string
	// NoNUL is set on a StringOut when no NUL is written: the read runs
	// past the written bytes; Reader is the function that reads the
	// string ("puts()", "strlen()").
	NoNUL  bool
	Reader string
	// Definite is set when no path wrote the bytes that leave; otherwise
	// some path did and another did not.
	Definite bool
	// Written says what wrote the buffer, to start a message:
	// "strncpy writes 8 of", "nothing writes", "the writes cover 5 of".
	Written string
	// Steps are the writes on the way, in source order.
	Steps []Step
	// ToPython is set when the bytes go into a Python object the
	// function builds (PyBytes_FromStringAndSize, Py_BuildValue's y#, a
	// wrapper of them), or a bytes object is returned.
	ToPython bool
}

// A BufferInfo describes a tracked buffer.
type BufferInfo struct {
	Name string
	Kind BufferKind
	// Decl is the declarator or the allocating call.
	Decl syntax.Node
	// Size is the buffer's size in bytes as far as it is known ("16",
	// "len / 2").
	Size string
	// Origin is the allocating call of a heap or bytes buffer.
	Origin string
	// Type names the variable's type ("struct hdr").
	Type string
	// Resizer is the function that shrinks a bytes object.
	Resizer string
}

// A BufferKind says what a tracked buffer is.
type BufferKind uint8

// The kinds of tracked buffers.
const (
	ArrayBuffer   BufferKind = iota // a local array
	RecordBuffer                    // a local struct or union
	ScalarBuffer                    // a local scalar declared without initializer
	HeapBuffer                      // a block from malloc and friends
	BytesBuffer                     // the buffer of PyBytes_FromStringAndSize(NULL, n)
	ParamBuffer                     // what a pointer parameter points to
	PointerBuffer                   // a local pointer variable's own bytes
)

// A Range is the byte range [Lo, Hi) of a buffer.
type Range struct{ Lo, Hi int64 }

// A Step is one write on the way to an output.
type Step struct {
	At      syntax.Node
	Message string
}
