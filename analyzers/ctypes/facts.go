package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
)

// The kinds of facts the analyzer exports: Python files export their
// libraries, bindings and foreign calls.
const (
	// factLibrary: Key "module.variable" of a module-level library; Values its library id.
	factLibrary = "library"
	// factBinding: Key the symbol; Values the library id, the attribute
	// (argtypes, restype, paramflags) and the encoded types ("*": not a literal list).
	factBinding = "binding"
	// factCall: Key the symbol; Values the library id, the argument count
	// ("*" when splatted), flags (u: result used, e: result returned or
	// sent) and per argument "class\ttext" (classes: size, addr, other).
	factCall = "call"
)

// Finding.Data keys of the findings Run reports for Finish to confirm.
const (
	dataLib    = "lib"    // library id of the foreign function called
	dataSymbol = "symbol" // its name
	dataBuffer = "buffer" // index of the buffer argument
	dataLength = "length" // index of the length argument
	dataUnits  = "units"  // "1": a wide buffer's length counted in bytes
	dataResult = "result" // "1": the foreign call's result is read
	dataFixed  = "fixed"  // "1": the checked argument positions are fixed (memmove, string_at)
)

// libraries that are not one object: a library id starting with one of
// these names an imported variable to resolve against factLibrary facts.
const importPrefix = "import:"

// A proto is a C prototype of the repository's C model.
type proto struct {
	name     string
	loc      analyzers.Location
	ret      cparam
	params   []cparam
	variadic bool
}

// A cparam is a prototype's parameter (or return type): its name, base
// type and pointer depth.
type cparam struct {
	name, base string
	stars      int
}

// protoOf converts a prototype of the C model.
func protoOf(c csrc.Prototype) *proto {
	p := &proto{name: c.Name, loc: c.Location, ret: cparam{c.Ret.Name, c.Ret.Base, c.Ret.Stars}, variadic: c.Variadic}
	for _, q := range c.Params {
		p.params = append(p.params, cparam{q.Name, q.Base, q.Stars})
	}
	return p
}

// signature renders the prototype for messages: "f(const char *, size_t)".
func (p *proto) signature() string {
	var ps []string
	for _, c := range p.params {
		s := c.base + " " + strings.Repeat("*", c.stars) + c.name
		ps = append(ps, strings.TrimSpace(s))
	}
	if p.variadic {
		ps = append(ps, "...")
	}
	return p.name + "(" + strings.Join(ps, ", ") + ")"
}

// atoi reads a small non-negative decimal; anything else is 0.
func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1<<20 {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}
