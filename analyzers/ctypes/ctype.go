package ctypes

import (
	"fmt"
	"strconv"
	"strings"
)

// A kind is what a C or ctypes type is for the calling convention.
type kind uint8

const (
	kindUnknown kind = iota
	kindInt
	kindFloat
	kindPtr
	kindAddr // an integer as wide as a pointer (intptr_t): a pointer passes for it
	kindVoid
	kindStruct
	kindArray // an array inside a structure
)

// A pointee classifies what a pointer points at.
type pointee uint8

const (
	pointeeOther pointee = iota
	pointeeChar          // char: a C string
	pointeeBytes         // unsigned char, uint8_t: binary data
	pointeeVoid          // void: any memory
	pointeeWide          // wchar_t
)

// A ctype is a C type (from a prototype) or a ctypes type (from argtypes
// or restype), reduced to what matters when the two are compared.
type ctype struct {
	kind    kind
	width   int64 // bytes, for ints and floats
	pointee pointee
	text    string // as written, for messages
}

func intType(w int64) ctype   { return ctype{kind: kindInt, width: w} }
func floatType(w int64) ctype { return ctype{kind: kindFloat, width: w} }
func ptrType(p pointee) ctype { return ctype{kind: kindPtr, pointee: p} }
func addrType() ctype         { return ctype{kind: kindAddr, width: 8} }

// binary reports whether t points at binary data (unsigned char,
// uint8_t), which a NUL byte does not end.
func (t ctype) binary() bool {
	return t.kind == kindPtr && t.pointee == pointeeBytes
}

// describe renders t for a message: "size_t (8 bytes)".
func (t ctype) describe() string {
	switch t.kind {
	case kindInt, kindFloat, kindAddr:
		return fmt.Sprintf("%s (%d bytes)", t.text, t.width)
	}
	return t.text
}

// mismatch says how a ctypes type py disagrees with the C type c, or ""
// when they agree or cannot be compared. Typedef equivalences hold: any
// pointer passes for any pointer (c_void_p, c_char_p, POINTER(c_ubyte) for
// uint8_t *), and equal widths are equal (c_size_t for size_t, c_long for
// long under LP64); signedness is not compared.
func mismatch(py, c ctype) string {
	if py.kind == kindUnknown || c.kind == kindUnknown || py.kind == kindStruct || c.kind == kindStruct {
		return ""
	}
	ptrLike := func(k kind) bool { return k == kindPtr || k == kindAddr }
	switch {
	case ptrLike(py.kind) && ptrLike(c.kind):
		return ""
	case py.kind == kindPtr && (c.kind == kindInt || c.kind == kindFloat):
		return "ctypes passes a pointer where C reads an integer"
	case c.kind == kindPtr && (py.kind == kindInt || py.kind == kindFloat):
		return "ctypes passes an integer where C reads a pointer"
	case py.kind == kindAddr && c.kind == kindInt || py.kind == kindInt && c.kind == kindAddr:
		if py.width != c.width {
			return "the widths differ"
		}
		return ""
	case py.kind == kindInt && c.kind == kindFloat || py.kind == kindFloat && c.kind == kindInt:
		return "integer and floating-point values travel in different registers"
	case py.kind == c.kind && py.width > c.width:
		return "the callee reads only part of the value"
	case py.kind == c.kind && py.width < c.width:
		return "ctypes truncates the value to the narrower type first"
	}
	return ""
}

// encode renders t for a fact value: "kind:width:pointee:text".
func (t ctype) encode() string {
	return fmt.Sprintf("%d:%d:%d:%s", t.kind, t.width, t.pointee, t.text)
}

// decodeType reads a value written by encode; a malformed one is unknown.
func decodeType(s string) ctype {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) != 4 {
		return ctype{text: s}
	}
	k, err1 := strconv.Atoi(parts[0])
	w, err2 := strconv.ParseInt(parts[1], 10, 64)
	p, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return ctype{text: parts[3]}
	}
	return ctype{kind: kind(k), width: w, pointee: pointee(p), text: parts[3]}
}
