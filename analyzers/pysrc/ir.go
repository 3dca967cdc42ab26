package pysrc

import (
	"encoding/gob"
	"iter"
	"slices"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// A module's part of the model is a small program: every function lowered
// to the call sites it makes, the values it returns and the attributes it
// stores, where a value is a set of atoms that name where it may come from
// (a parameter, a call's result, a name of the module) and what was done
// to it since (attributes read, keys taken, assignments passed). Nothing
// in a part depends on another file or on what any name means: Build
// resolves names across modules and evaluates the programs.

func init() { gob.Register(&Module{}) }

// A Module is one Python file's part of the model.
type Module struct {
	// File is the file's path, relative to the repository root.
	File string
	// Package is set for an __init__.py.
	Package bool
	// src is the file's source, for the text and lines of locations (see
	// module.Source): the source the module was lowered from, nil for one
	// the cache stored, which leaves sources out since the files are on
	// disk; stamp is what the file must match then.
	src     []byte
	stamp   source.Stamp
	Imports []Import
	// Funcs are the module's code: Funcs[0] is the module body, then
	// every class body, function and method, in source order.
	Funcs   []Func
	Classes []Class
	// Settings are module-level assignments of literals to upper-case
	// names (Django settings) and the literal arguments of configuration
	// calls that vocabularies name (dictConfig).
	Settings []Setting
	// Config holds the settings of the analyzers that use the model.
	Config analyzers.Settings
	// Need lists the repository files the module imports.
	Need []string
	// form is the binary form the module was decoded from (codec.go),
	// but its source's size and checksum: its strings and its functions'
	// code are read from it. Nil for a module as lowered. wire is the
	// whole binary form, those included, which GobEncode gives as is; form
	// is its start.
	form, wire []byte
	// sealed is set for a module as extraction returns it: its File,
	// Package, Config and Need, its source's stamp and its binary form,
	// nothing decoded (Module.compact). Build decodes a copy of it
	// (Module.open): a scan holds every module of the repository until it
	// builds, and the decoded form costs more memory than the binary one.
	sealed bool
}

// Path returns the module's file path.
func (m *Module) Path() string { return m.File }

// Needs returns the repository files the module imports.
func (m *Module) Needs() []string { return m.Need }

// A Span is a byte range of a module's source.
type Span struct{ Start, End uint32 }

// An Import is one name an import statement binds. A part depends on
// its file alone, so imports are kept as written: Build finds their
// modules among the files extracted.
type Import struct {
	// Local is the name bound ("" for `from x import *`).
	Local string
	// Module is the dotted module imported from ("django.http"); for a
	// relative import, the module's path from the repository root, with
	// dots ("app.core" for `from .core import x` in app/views.py). For
	// `import a.b` it is "a", which is what the statement binds, and Full
	// is "a.b".
	Module, Full string
	Relative     bool
	// Name is the name imported from Module ("" for `import m`).
	Name string
	Star bool
	// Func is the index of the function whose body holds the import.
	Func int32
}

// FuncKind says what a Func's code is.
type FuncKind uint8

// The kinds of code.
const (
	KindModule FuncKind = iota // a module's top level
	KindClass                  // a class body
	KindDef                    // a function or method
)

// A Func is one body of code: a function, a method, a class body or the
// module's top level.
type Func struct {
	Kind FuncKind
	// Name is qualified within the module: "view", "View.get",
	// "outer.inner"; "" for the module body.
	Name string
	// Class is the index of the class this is a method or the body of,
	// -1 for none.
	Class int32
	// Parent is the index of the enclosing code (0: the module body).
	Parent     int32
	Params     []Param
	Decorators []string
	// DecoratorCalls are, for each decorator, the index of its call in
	// the enclosing code's Calls (@method_decorator(check)), -1 for a
	// decorator that is not a call; DecoratorSpans the decorators.
	DecoratorCalls []int32
	DecoratorSpans []Span
	Async          bool
	// Stores are assignments to attributes of the first parameter
	// (self.x = v), RequestStores to attributes of a parameter that is a
	// request (request.client_ip = v, see requestParam), Globals the
	// assignments to names declared global: Build links them before it
	// evaluates anything.
	Stores        []Store
	RequestStores []Store
	Globals       []Store
	// Span is the definition; NameSpan its name.
	Span, NameSpan Span
	// code is what Code returns; lazy, for a Func of a decoded module
	// (every module extracted, or read from the cache), holds its code
	// still encoded (see codec.go), a body's Env, the names its calls call
	// (Call.called) and whether one is a candidate sink, which Build reads
	// without decoding it.
	code *FuncCode
	lazy *lazyCode
}

// Code returns the function's code. A decoded module (every module
// extracted, or read from the cache) keeps the code of its Funcs (but the
// Env of module and class bodies) encoded until it is asked for: a run
// links every module of the repository but evaluates a part of its
// functions, and Build lets go of a function's code once its summary is
// final. It is safe for concurrent use.
func (f *Func) Code() *FuncCode {
	if f.lazy != nil {
		return f.lazy.get()
	}
	return f.code
}

// releaseCode lets go of the code of a function whose module keeps it
// encoded: the next Code decodes it again.
func (f *Func) releaseCode() {
	if f.lazy != nil {
		f.lazy.release()
	}
}

// A FuncCode is a function's code.
type FuncCode struct {
	// Calls are the call sites in the order they are evaluated.
	Calls []Call
	// Returns is what the function may return.
	Returns Value
	// Env is what a module or class body binds at its end, by name.
	Env []Binding
	// Body is a function's flow, its statements as a tree (see flow.go):
	// a block of Stmts, whose compound statements' blocks are runs of
	// Stmts and Handlers; Targets are what they assign to; Conds the
	// conditions they and the function's expressions test.
	Body     Run
	Stmts    []Stmt
	Handlers []Run
	Targets  []Target
	Conds    []Cond
	// Keys are the values of the keys of subscripts that are not string
	// literals (see Op).
	Keys []Value
	// Seqs and Exprs are the displays and operations that RootSeq and
	// RootExpr atoms of the code name.
	Seqs  []Seq
	Exprs []Expr
	// Sets are the assignments to attributes, Loops the loops, Tests
	// the conditions of if, elif and assert statements, in the order of
	// the code; Captures what nested code reads of the function's names.
	Sets     []Set
	Loops    []Loop
	Tests    []Test
	Captures []Capture
}

// bodyEnv returns what a module or class body binds at its end
// (FuncCode.Env), without decoding code kept encoded.
func (f *Func) bodyEnv() []Binding {
	switch {
	case f.lazy != nil:
		return f.lazy.env
	case f.code != nil:
		return f.code.Env
	}
	return nil
}

// callNames yields the name each of f's calls calls (Call.called), in
// order, without decoding code kept encoded.
func (f *Func) callNames() iter.Seq[string] {
	return func(yield func(string) bool) {
		if f.lazy != nil {
			for _, ref := range f.lazy.called {
				if !yield(f.lazy.table.ref(ref)) {
					return
				}
			}
			return
		}
		if f.code != nil {
			for i := range f.code.Calls {
				if !yield(f.code.Calls[i].called()) {
					return
				}
			}
		}
	}
}

// mayCall reports whether some call of f calls something named name.
func (f *Func) mayCall(name string) bool {
	for n := range f.callNames() {
		if n == name {
			return true
		}
	}
	return false
}

// callsCandidate reports whether some call of f is one a vocabulary says
// may be a sink (candidate), without decoding code kept encoded.
func (f *Func) callsCandidate() bool {
	if f.lazy != nil {
		return f.lazy.candidate
	}
	if f.code == nil {
		return false
	}
	for i := range f.code.Calls {
		if c := &f.code.Calls[i]; candidate(c.Name, c.Method) {
			return true
		}
	}
	return false
}

// calledNames returns the names f's calls call (callNames) as a slice.
func (f *Func) calledNames() []string { return slices.Collect(f.callNames()) }

// ParamKind says how a parameter takes its arguments.
type ParamKind uint8

// The kinds of parameters.
const (
	ParamPlain  ParamKind = iota // positional or keyword
	ParamStar                    // *args
	ParamKwargs                  // **kwargs
	ParamKwOnly                  // after * or *args
)

// A Param is one parameter of a function.
type Param struct {
	Name string
	Kind ParamKind
	Span Span
}

// A Call is one call site.
type Call struct {
	// Func is the value called, for a call of anything but an attribute.
	Func Value
	// Recv is the object whose Method is called, for obj.method(…).
	Recv   Value
	Method string
	// Name is the callee's dotted text ("logger.info", "requests.get"),
	// "" when the callee is not a dotted name.
	Name string
	Args []Arg
	// Dropped is set for a call whose result the code drops (a call
	// statement).
	Dropped bool
	// Span is the call; FuncSpan its callee.
	Span, FuncSpan Span
}

// called returns the last name of what a call calls: its method, or the
// last component of its callee's dotted text ("" for neither).
func (c *Call) called() string {
	if c.Method != "" {
		return c.Method
	}
	return lastName(c.Name)
}

// An Arg is one argument of a call.
type Arg struct {
	// Keyword names a keyword argument; "*" and "**" mark splats.
	Keyword string
	Value   Value
	// Lit is the value of a string literal argument; Literal tells it
	// apart from an empty string. Name is set for a dunder argument
	// (__name__). Prefix is the literal a concatenation starts with
	// ("app." of "app." + name).
	Lit     string
	Literal bool
	Name    string
	Prefix  string
	Span    Span
}

// A Store is an assignment to an attribute of a method's first parameter.
type Store struct {
	Attr  string
	Value Value
	Span  Span
}

// A Binding is a name a module or class body binds, with its value.
type Binding struct {
	Name  string
	Value Value
}

// A Setting is a module-level literal: NAME = literal, or a literal
// argument of a configuration call (Name is then the callee's last name).
type Setting struct {
	Name  string
	Value Literal
}

// LiteralKind says what a Literal is.
type LiteralKind uint8

// The kinds of literals.
const (
	LitOther LiteralKind = iota // anything else: Text is its source
	LitString
	LitDict
	LitList
	// LitCall is a call: Text is the callee's dotted name, Items its
	// arguments and Keys their keywords ("" for a positional one).
	LitCall
)

// A Literal is a Python literal read from the source: a dictionary with
// string keys, a list, tuple or set, a string, or another expression's text.
type Literal struct {
	Kind LiteralKind
	Text string
	// Keys and Items are a dictionary's entries (Keys[i] → Items[i]), or a
	// list's items.
	Keys  []string
	Items []Literal
	Span  Span
}

// Get returns a dictionary's item at key.
func (l *Literal) Get(key string) (*Literal, bool) {
	if i := slices.Index(l.Keys, key); i >= 0 && l.Kind == LitDict {
		return &l.Items[i], true
	}
	return nil, false
}

// Strings returns the strings of a list literal.
func (l *Literal) Strings() []string {
	var out []string
	if l.Kind != LitList {
		return nil
	}
	for _, it := range l.Items {
		if it.Kind == LitString {
			out = append(out, it.Text)
		}
	}
	return out
}
