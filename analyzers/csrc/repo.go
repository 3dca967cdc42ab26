package csrc

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A Repo is the built C model of a repository: every extracted file with
// its headers, and the functions and variables the files define for each
// other. It is read by any number of goroutines.
type Repo struct {
	parts map[string]*Part
	paths []string
	// funcs are the definitions of functions with external linkage by
	// name, globals the definitions (with an initializer) of variables
	// with external linkage, in path order.
	funcs   map[string][]funcRef
	globals map[string][]globalRef
	// assigned holds every name some file assigns, increments or takes
	// the address of.
	assigned map[string]bool
	// trees maps each snapshot the model reads to its part.
	trees map[*syntax.Tree]*Part

	mu    sync.Mutex
	units map[string]*unit
	// graph is the call graph, built on first use, for summaries.
	graphOnce sync.Once
	graph     *callGraph
	// analyses are the summaries computed for each output configuration.
	analyses map[string]*Analysis
	// packs caches, per snapshot, whether its file uses #pragma pack.
	packs sync.Map
	// pyIndex are the method tables of C extension modules, read on
	// first use.
	pyOnce  sync.Once
	pyIndex []PyMethod
	// declared are the names of the functions some file declares or
	// defines, made on first use.
	declOnce sync.Once
	declared map[string]bool
	// readOnly are, by function name, which of its parameters its first
	// prototype makes a pointer to const (const int *v).
	readOnlyOnce sync.Once
	readOnly     map[string][]bool
}

// declares reports whether some file of the repository declares or
// defines a function named name (a prototype in a header read).
// readsOnly reports whether parameter i of function name is a pointer
// to const by the first prototype of the repository that declares it:
// the function only reads what it gets there.
func (r *Repo) readsOnly(name string, i int) bool {
	r.readOnlyOnce.Do(func() {
		r.readOnly = map[string][]bool{}
		for _, pr := range r.Prototypes() {
			if _, seen := r.readOnly[pr.Name]; seen {
				continue
			}
			ro := make([]bool, len(pr.Params))
			for k, p := range pr.Params {
				ro[k] = p.Stars == 1 && strings.HasPrefix(p.Base, "const ")
			}
			r.readOnly[pr.Name] = ro
		}
	})
	ro := r.readOnly[name]
	return i < len(ro) && ro[i]
}

func (r *Repo) declares(name string) bool {
	r.declOnce.Do(func() {
		r.declared = map[string]bool{}
		for _, path := range r.paths {
			for _, n := range r.parts[path].declarations().protoDecls {
				if fd, _ := functionDeclarator(n.ChildByFieldName("declarator")); !fd.IsNull() {
					if id := fd.ChildByFieldName("declarator"); !id.IsNull() && id.Type() == "identifier" {
						r.declared[id.Text()] = true
					}
				}
			}
		}
	})
	return r.declared[name]
}

// A funcRef is a function definition in a file.
type funcRef struct {
	part *Part
	node syntax.Node
}

// A globalRef is a variable definition in a file.
type globalRef struct {
	part *Part
	g    *global
}

// build links the parts. Every function's summaries are computed on first
// use, so what the scanned files do not reach is never computed: the
// scanned list is not read.
func build(pass *analyzers.BuildPass) (any, error) {
	if problem := compileDBProblem(pass.Root); problem != "" && pass.Warn != nil && pass.Root != "" {
		pass.Warn(problem)
	}
	parts := pass.Parts
	r := &Repo{parts: map[string]*Part{}, funcs: map[string][]funcRef{}, globals: map[string][]globalRef{},
		assigned: map[string]bool{}, units: map[string]*unit{}, analyses: map[string]*Analysis{}, trees: map[*syntax.Tree]*Part{}}
	for _, ap := range parts {
		p, ok := ap.(*Part)
		if !ok {
			return nil, fmt.Errorf("csrc: part of type %T", ap)
		}
		if r.parts[p.File] != nil {
			continue
		}
		r.parts[p.File] = p
		r.paths = append(r.paths, p.File)
		r.trees[p.Snapshot.Tree] = p
		if p.Configured != nil {
			r.trees[p.Configured.Tree] = p
		}
	}
	sort.Strings(r.paths)
	for _, path := range r.paths {
		p := r.parts[path]
		d := p.declarations()
		for _, fn := range d.defs {
			if name := funcName(fn); name != "" && d.funcs[name] == fn && !isStatic(fn) {
				r.funcs[name] = append(r.funcs[name], funcRef{p, fn})
			}
		}
		for _, name := range sortedNames(d.globals) {
			if g := d.globals[name]; !g.init.IsNull() && !g.static {
				r.globals[name] = append(r.globals[name], globalRef{p, g})
			}
		}
		for name := range d.assigned {
			r.assigned[name] = true
		}
	}
	return r, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unit returns the translation unit of a file: the file and the headers
// it includes, nil when the file was not extracted.
func (r *Repo) unit(file string) *unit {
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.units[file]; ok {
		return u
	}
	p := r.parts[file]
	if p == nil {
		r.units[file] = nil
		return nil
	}
	u := &unit{repo: r, part: p}
	seen := map[string]bool{}
	var visit func(q *Part)
	visit = func(q *Part) {
		if seen[q.File] {
			return
		}
		seen[q.File] = true
		u.files = append(u.files, q)
		for _, inc := range q.Includes {
			if h := r.parts[inc.Path]; h != nil {
				visit(h)
			}
		}
	}
	visit(p)
	r.units[file] = u
	return u
}

// function returns the definition of a function with external linkage
// named name for a caller in file from: the only one, or the only one in
// the caller's folder.
func (r *Repo) function(name, from string) (funcRef, bool) {
	return pick(r.funcs[name], from, func(f funcRef) string { return f.part.File })
}

// global returns the definition of a variable with external linkage, as
// function does.
func (r *Repo) global(name, from string) (globalRef, bool) {
	return pick(r.globals[name], from, func(g globalRef) string { return g.part.File })
}

func pick[T any](defs []T, from string, file func(T) string) (T, bool) {
	var zero T
	switch len(defs) {
	case 0:
		return zero, false
	case 1:
		return defs[0], true
	}
	var found []T
	for _, d := range defs {
		if path.Dir(file(d)) == path.Dir(from) {
			found = append(found, d)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return zero, false
}

// A unit is a translation unit: a file and the headers it includes
// (transitively, in include order). Names are looked up in that order.
type unit struct {
	repo  *Repo
	part  *Part
	files []*Part
}

// macro returns the macro a name is in the unit: a command-line define
// of the file, then the first #define of the files.
func (u *unit) macro(name string) *macro {
	for _, d := range u.part.Defines {
		if d.Name == name {
			return &macro{body: d.Value}
		}
	}
	for _, p := range u.files {
		if m := p.declarations().macros[name]; m != nil {
			return m
		}
	}
	return nil
}

func (u *unit) record(key string) syntax.Node {
	for _, p := range u.files {
		if r := p.declarations().records[key]; !r.IsNull() {
			return r
		}
	}
	return syntax.Node{}
}

func (u *unit) typedef(name string) (typedefInfo, bool) {
	for _, p := range u.files {
		if t, ok := p.declarations().typedefs[name]; ok {
			return t, true
		}
	}
	return typedefInfo{}, false
}

func (u *unit) isRecordTypedef(name string) bool {
	for _, p := range u.files {
		if p.declarations().recordTypedefs[name] {
			return true
		}
		if _, ok := p.declarations().typedefs[name]; ok {
			return false
		}
	}
	return false
}

// enumList returns the enumerator list that declares name, no node if
// none.
func (u *unit) enumList(name string) syntax.Node {
	for _, p := range u.files {
		if l := p.declarations().enumerators[name]; !l.IsNull() {
			return l
		}
	}
	return syntax.Node{}
}

// localGlobal returns the declaration of a file-scope variable the unit
// sees, preferring one with an initializer.
func (u *unit) localGlobal(name string) *global {
	var found *global
	for _, p := range u.files {
		if g := p.declarations().globals[name]; g != nil {
			if !g.init.IsNull() {
				return g
			}
			if found == nil {
				found = g
			}
		}
	}
	return found
}

// function returns the definition of a function a call in the unit
// reaches: one of its own files', else one with external linkage
// anywhere in the repository.
func (u *unit) function(name string) (funcRef, bool) {
	for _, p := range u.files {
		if fn := p.declarations().funcs[name]; !fn.IsNull() {
			return funcRef{p, fn}, true
		}
	}
	return u.repo.function(name, u.part.File)
}

// pragmaPack reports whether the file of a snapshot uses #pragma pack:
// its record layouts are then unknown.
func (r *Repo) pragmaPack(t *syntax.Tree) bool {
	if v, ok := r.packs.Load(t); ok {
		return v.(bool)
	}
	v := bytes.Contains(t.Src(), []byte("#pragma pack"))
	r.packs.Store(t, v)
	return v
}
