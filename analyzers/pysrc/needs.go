package pysrc

import (
	"path"
	"strings"
)

// Not every import is followed: the model reads another module when
// code that can matter calls what it binds with an argument that can
// carry data (derived from a parameter or from a call's result), or
// inherits from it. Code that can matter is active code: a function that
// takes a request (by name, or as a view's or middleware's method), reads
// self.request, calls an HTTP client or get_response, or makes a call
// some vocabulary says may be a sink; and the functions and classes of
// the module it calls. A star import is followed when active code calls
// with data a name the module does not bind itself, and a package's
// re-export of a name of its own modules (`from .audit import audit` at
// the top of an __init__.py) always. A package's star re-exports are not
// (`from .cables import *` in models/__init__.py): what they bring is
// read only when it is read for another reason, as a module that writes
// to a log always is. A name called only with constants (gettext's _("…"),
// a model field) cannot pass data on, and the functions no active code
// reaches are never evaluated: their modules are not read for them.

// uses is what one function's code names that may bring in a module.
type uses struct {
	// imports and names are the imports and the names the function does
	// not bind that its data calls name.
	imports map[int32]bool
	names   map[string]bool
	// calls are the last names of what it calls.
	calls  []string
	active bool
}

func newUses() *uses { return &uses{imports: map[int32]bool{}, names: map[string]bool{}} }

// use records the call of v with args: the name called, and the imports
// v names when an argument can carry data.
func (s *fnState) use(c *Call) {
	if name := c.called(); name != "" {
		s.u.calls = append(s.u.calls, name)
	}
	first, _, _ := strings.Cut(c.Name, ".")
	if candidate(c.Name, c.Method) || c.Method == "get_response" || clientModules[first] {
		s.u.active = true
	}
	for _, a := range c.Args {
		if s.carries(a.Value, 0) {
			s.u.name(c.Func)
			s.u.name(c.Recv)
			return
		}
	}
}

// carries reports whether v can carry data: it is derived from a
// parameter or a call, or is a display or an operation of such values.
func (s *fnState) carries(v Value, depth int) bool {
	for _, at := range v {
		switch at.Root {
		case RootParam, RootCall:
			return true
		case RootSeq:
			if depth < maxDepth && int(at.Index) < len(s.fn.code.Seqs) {
				for _, it := range s.fn.code.Seqs[at.Index].Items {
					if s.carries(it, depth+1) {
						return true
					}
				}
			}
		case RootExpr:
			if depth < maxDepth && int(at.Index) < len(s.fn.code.Exprs) {
				for _, arg := range s.fn.code.Exprs[at.Index].Args {
					if s.carries(arg, depth+1) {
						return true
					}
				}
			}
		}
	}
	return false
}

// clientModules are the HTTP clients whose calls make code active.
var clientModules = map[string]bool{"requests": true, "httpx": true, "urllib3": true, "urllib": true}

// name records the imports and unbound names at the roots of v: a name
// called itself, or a method or function of it (utils.summarize), not a
// model's manager (Device.objects.filter: Django's ORM, whose module
// tells nothing of the data).
func (u *uses) name(v Value) {
	for _, a := range v {
		attrs := 0
		for _, o := range a.Ops {
			if o.Kind != OpStep && o.Kind != OpIter && o.Kind != OpUnpack {
				attrs++
				if o.Name == "objects" {
					attrs += maxOps
				}
			}
		}
		if attrs > 1 {
			continue
		}
		switch a.Root {
		case RootImport:
			u.imports[a.Index] = true
		case RootName:
			u.names[a.Name] = true
		}
	}
}

// activeParams makes a function active when it takes a request.
func (s *fnState) activeParams() {
	method := s.fn.Class >= 0
	for i, p := range s.fn.Params {
		if requestParamNames[p.Name] || method && i == 1 && requestMethods[lastName(s.fn.Name)] {
			s.u.active = true
		}
	}
}

// need lists the files the module may need: for each import active code
// uses, the files its module (and, for a from-import, the name's
// submodule) would be, below the root, any directory above the file, or
// src/.
func (l *lowerer) need() {
	imports, names := l.activeUses()
	unbound := false
	for name := range names {
		bound := builtins[name]
		for _, b := range l.m.Funcs[0].code.Env {
			bound = bound || b.Name == name
		}
		unbound = unbound || !bound
	}
	seen := map[string]bool{l.m.File: true}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			l.m.Need = append(l.m.Need, f)
		}
	}
	var roots []string
	for d := path.Dir(l.m.File); d != "."; d = path.Dir(d) {
		roots = append(roots, d+"/")
	}
	roots = append(roots, "", "src/")
	for i, imp := range l.m.Imports {
		reexport := l.m.Package && imp.Func == 0 && imp.Relative && !imp.Star
		star := imp.Star && !l.m.Package && unbound
		if !star && !reexport && !imports[int32(i)] && !(imp.Func == 0 && names[imp.Local]) {
			continue
		}
		mod := imp.Module
		if imp.Full != "" {
			mod = imp.Full
		}
		var keys []string
		if key := strings.ReplaceAll(mod, ".", "/"); imp.Relative {
			keys = append(keys, key)
		} else {
			for _, r := range roots {
				keys = append(keys, r+key)
			}
		}
		for _, k := range keys {
			add(k + ".py")
			add(k + "/__init__.py")
			if imp.Name != "" {
				add(k + "/" + imp.Name + ".py")
				add(k + "/" + imp.Name + "/__init__.py")
			}
		}
	}
}

// activeUses returns what active code uses: the active functions, closed
// over the module's functions and classes they call by name, and the
// bases of the classes with an active method.
func (l *lowerer) activeUses() (map[int32]bool, map[string]bool) {
	byName := map[string][]int32{}
	for i, f := range l.m.Funcs {
		if f.Kind != KindModule {
			byName[lastName(f.Name)] = append(byName[lastName(f.Name)], int32(i))
		}
	}
	active := map[int32]bool{}
	var work []int32
	activate := func(i int32) {
		if !active[i] {
			active[i] = true
			work = append(work, i)
		}
	}
	all := moduleRoot(l.m)
	for i, u := range l.uses {
		if u.active || all {
			activate(int32(i))
		}
	}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		for _, name := range l.uses[i].calls {
			for _, j := range byName[name] {
				activate(j)
				if l.m.Funcs[j].Kind == KindClass {
					// Calling a class runs its methods.
					for k, g := range l.m.Funcs {
						if g.Parent == j {
							activate(int32(k))
						}
					}
				}
			}
		}
	}
	imports, names := map[int32]bool{}, map[string]bool{}
	for i := range active {
		for k := range l.uses[i].imports {
			imports[k] = true
		}
		for k := range l.uses[i].names {
			names[k] = true
		}
	}
	for _, c := range l.m.Classes {
		if !active[c.Body] && !l.hasActiveMethod(c.Body, active) {
			continue
		}
		u := newUses()
		for _, b := range c.Bases {
			u.name(b)
		}
		for k := range u.imports {
			imports[k] = true
		}
		for k := range u.names {
			names[k] = true
		}
	}
	return imports, names
}

func (l *lowerer) hasActiveMethod(body int32, active map[int32]bool) bool {
	for i, f := range l.m.Funcs {
		if f.Parent == body && active[int32(i)] {
			return true
		}
	}
	return false
}

// builtins are Python's builtins that code calls with data.
var builtins = map[string]bool{
	"abs": true, "all": true, "any": true, "bool": true, "bytes": true, "callable": true, "dict": true,
	"enumerate": true, "filter": true, "float": true, "format": true, "frozenset": true, "getattr": true,
	"hasattr": true, "hash": true, "int": true, "isinstance": true, "issubclass": true, "iter": true,
	"len": true, "list": true, "map": true, "max": true, "min": true, "next": true, "open": true,
	"print": true, "range": true, "repr": true, "reversed": true, "round": true, "set": true,
	"setattr": true, "sorted": true, "str": true, "sum": true, "super": true, "tuple": true, "type": true,
	"vars": true, "zip": true, "ValueError": true, "TypeError": true, "KeyError": true, "Exception": true,
	"RuntimeError": true, "AttributeError": true, "NotImplementedError": true, "PermissionError": true,
}
