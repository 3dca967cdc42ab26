package pysrc

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// A Program is the built model: every module's code linked across
// modules, and each function's summary. It is read-only once built, and
// safe for Check to read from any goroutine.
type Program struct {
	// root is the repository's root, where the source of a module the
	// cache stored is read (module.Source).
	root    string
	modules []*module
	byPath  map[string]*module
	// byKey maps module slash paths and their suffixes to modules, exact
	// each slash path to its module (a package over a module of the same
	// name); packages are the slash paths of the packages modelled.
	byKey    map[string][]*module
	exact    map[string]*module
	packages map[string]bool
	// requestStorers are the functions that assign each attribute of a
	// request parameter (Func.RequestStores).
	requestStorers map[string][]*fn
	settings       analyzers.Settings
	sched          scheduler
	// onDemand says only the scanned modules' findings are read (demand.go).
	onDemand bool
	// Memos of Build's scheduler: what vocabularies say of names, what
	// imports and module-level names resolve to.
	cleans      map[string]bool
	resolutions map[resolutionKey]resolution
	// What readers of the built program share (reader.go): the call
	// sites by name, made on first use, and the families' indexes of the
	// program (Memo).
	callersOnce sync.Once
	callSites   map[string][]CallRef
	memoMu      sync.Mutex
	memos       map[string]*memo
	// files are the repository's Python files, read or not.
	files []string
	// dirs are the directories of the modules and of files, and mods the
	// modules of files, each with its ends.
	dirsOnce sync.Once
	dirs     map[string]bool
	mods     map[string]bool
	// settingsByName indexes the modules' settings (Settings).
	settingsOnce   sync.Once
	settingsByName map[string][]SettingAt
	// natives indexes the events that write native bytes.
	natives nativeIndex
	// changed are the files whose source no longer matched (Changed).
	changedMu sync.Mutex
	changed   []string
}

// A resolutionKey is an import (i, of m), or a name at the top level of m
// (i is -1), and the depth a resolution of it started at when maxDepth
// cut it (anyDepth when it did not).
type resolutionKey struct {
	m     *module
	i     int32
	name  string
	depth int
}

// anyDepth is the depth of a resolutionKey whose resolution maxDepth did
// not cut.
const anyDepth = -1

// A resolution is what an import binds, or a name is, as a resolution
// found it without evaluating anything, and how many names deeper it
// went: where maxDepth did not cut it, a resolution that starts deeper
// finds the same if it does not go past maxDepth.
type resolution struct {
	ds   []Datum
	used int
}

// clean reports whether a vocabulary calls name a sanitizer, through the
// program's memo (nil once Build is done).
func (fr *frame) clean(name string) bool {
	if name == "" {
		return false
	}
	cleans := fr.p.cleans
	c, ok := cleans[name]
	if !ok {
		c = clean(name, fr.p.settings)
		if cleans != nil {
			cleans[name] = c
		}
	}
	return c
}

// A module is a Module of the program.
type module struct {
	*Module
	// name is the module's dotted name.
	name    string
	prog    *Program
	fns     []*fn
	classes []*class
	// env is what the module body binds, sorted by name (FuncCode.Env);
	// storers are the functions that assign each name declared global in
	// them.
	env     env
	storers map[string][]*fn
	// scanned says the scan reports on the module (see demand).
	scanned bool
	// src is the source read from disk for a module the cache stored
	// without it (Source).
	srcOnce, linesOnce sync.Once
	src                []byte
	lines              *source.Lines
}

// Source returns the module's source: the one it was lowered from or,
// for a module the cache stored, the file as read on first use, nil when
// the file no longer has the size and checksum stored (edited during the
// scan): its locations then have no text.
func (m *module) Source() []byte {
	if m.Module.src != nil || m.stamp.Size == 0 {
		return m.Module.src
	}
	m.srcOnce.Do(func() {
		src, err := os.ReadFile(filepath.Join(m.prog.root, filepath.FromSlash(m.File)))
		if err == nil && m.stamp.Matches(src) {
			m.src = src
			return
		}
		m.prog.changedMu.Lock()
		m.prog.changed = append(m.prog.changed, m.File)
		m.prog.changedMu.Unlock()
	})
	return m.src
}

// Changed returns, sorted, the files of the modules whose source was
// needed (for the text and lines of locations) and no longer had the size
// and checksum they were modelled with: edited or removed since.
func (p *Program) Changed() []string {
	p.changedMu.Lock()
	defer p.changedMu.Unlock()
	out := slices.Clone(p.changed)
	slices.Sort(out)
	return out
}

// A fn is a Func of the program, with its last evaluation.
type fn struct {
	*Func
	mod *module
	idx int32
	// class is the class of a method or class body.
	class *class
	res   *result
	// The scheduler's state: final is set once the result is.
	index, low                int
	onStack, recursive, final bool
}

// A class is a Class of the program.
type class struct {
	*Class
	mod  *module
	body *fn
	// methods are the functions defined in the class body, by name.
	methods map[string]*fn
	// storers are the methods that assign each attribute of self.
	storers map[string][]*fn
	// env is what the class body binds, sorted by name.
	env env
	// Resolved on first use: the method resolution order (the class
	// first), the external bases' names, the kind of object instances
	// are.
	resolved   bool
	mro        []*class
	ext        []string
	kind       string
	middleware bool
	// subclasses are the classes whose order holds this one after
	// themselves, in the order of the modules (resolveClasses).
	subclasses []*class
}

// build links the parts and summarizes the program for every module.
func build(parts []analyzers.Part) (any, error) {
	return buildFor(&analyzers.BuildPass{Parts: parts})
}

// buildFor links the pass's parts and summarizes what the findings of its
// scanned files read (see demand); nil Scanned scans every file.
func buildFor(pass *analyzers.BuildPass) (any, error) {
	p := &Program{byPath: map[string]*module{}, byKey: map[string][]*module{}, exact: map[string]*module{}, packages: map[string]bool{}, requestStorers: map[string][]*fn{},
		cleans: map[string]bool{}, resolutions: map[resolutionKey]resolution{}, root: pass.Root, files: pass.Files}
	scanned := pass.Scanned
	mods, err := openParts(pass)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		if m == nil {
			continue
		}
		if _, dup := p.byPath[m.File]; dup || len(m.Funcs) == 0 {
			continue
		}
		if p.settings == nil && m.Config != nil {
			p.settings = m.Config
		}
		p.link(m)
	}
	if p.settings == nil {
		p.settings = analyzers.Settings{}
	}
	for _, m := range p.modules {
		m.name = p.moduleName(m.File)
	}
	p.scope(scanned)
	p.summarize()
	p.cleans, p.resolutions = nil, nil
	return p, nil
}

// openParts returns the pass's modules decoded (Module.open), in the
// order of the parts: on Build's goroutine, and on the cores it can take
// from the pass's spare ones meanwhile. A module that does not decode is
// nil, with a warning: the run goes on without it.
func openParts(pass *analyzers.BuildPass) ([]*Module, error) {
	mods := make([]*Module, len(pass.Parts))
	errs := make([]error, len(pass.Parts))
	for i, part := range pass.Parts {
		m, ok := part.(*Module)
		if !ok {
			return nil, fmt.Errorf("pysrc: part of %s is a %T", part.Path(), part)
		}
		mods[i] = m
	}
	var next atomic.Int64
	open := func() {
		for i := int(next.Add(1) - 1); i < len(mods); i = int(next.Add(1) - 1) {
			mods[i], errs[i] = mods[i].open()
		}
	}
	var wg sync.WaitGroup
take:
	for range maxOpeners {
		select {
		case <-pass.Spare: // never ready when nil
			wg.Go(func() {
				defer func() { pass.Spare <- struct{}{} }()
				open()
			})
		default:
			break take
		}
	}
	open()
	wg.Wait()
	for i, err := range errs {
		if err != nil && pass.Warn != nil {
			pass.Warn(fmt.Sprintf("%s: the Python model could not decode its part (%v); the file is left out of the model", pass.Parts[i].Path(), err))
		}
	}
	return mods, nil
}

// maxOpeners bounds the spare cores openParts takes.
const maxOpeners = 7

// link adds a module to the program.
func (p *Program) link(m *Module) {
	mod := &module{Module: m, prog: p, env: m.Funcs[0].bodyEnv()}
	mod.fns = make([]*fn, len(m.Funcs))
	for i := range m.Funcs {
		mod.fns[i] = &fn{Func: &m.Funcs[i], mod: mod, idx: int32(i)}
	}
	mod.classes = make([]*class, len(m.Classes))
	for i := range m.Classes {
		c := &m.Classes[i]
		if c.Body <= 0 || int(c.Body) >= len(mod.fns) {
			continue
		}
		cl := &class{Class: c, mod: mod, body: mod.fns[c.Body], methods: map[string]*fn{}, storers: map[string][]*fn{}, env: m.Funcs[c.Body].bodyEnv()}
		mod.classes[i] = cl
	}
	for _, f := range mod.fns {
		for _, g := range f.Globals {
			if !containsFn(mod.storers[g.Attr], f) {
				if mod.storers == nil {
					mod.storers = map[string][]*fn{}
				}
				mod.storers[g.Attr] = append(mod.storers[g.Attr], f)
			}
		}
		for _, s := range f.RequestStores {
			if !containsFn(p.requestStorers[s.Attr], f) {
				p.requestStorers[s.Attr] = append(p.requestStorers[s.Attr], f)
			}
		}
		f.class = mod.classOf(f.Class)
		if f.class == nil || f.Kind != KindDef || f.Parent != f.class.Body {
			continue
		}
		f.class.methods[lastName(f.Name)] = f
		for _, s := range f.Stores {
			if !containsFn(f.class.storers[s.Attr], f) {
				f.class.storers[s.Attr] = append(f.class.storers[s.Attr], f)
			}
		}
	}
	p.modules = append(p.modules, mod)
	p.byPath[m.File] = mod
	p.index(mod)
}

// An env is what a module or class body binds, sorted by name.
type env []Binding

// lookup returns the value the body binds name to.
func (e env) lookup(name string) (Value, bool) {
	i, ok := slices.BinarySearchFunc(e, name, func(b Binding, name string) int { return strings.Compare(b.Name, name) })
	if !ok {
		return nil, false
	}
	return e[i].Value, true
}

// classOf returns the class at index i of the module, nil when there is
// none.
func (m *module) classOf(i int32) *class {
	if i < 0 || int(i) >= len(m.classes) {
		return nil
	}
	return m.classes[i]
}

func containsFn(fs []*fn, f *fn) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// lastName returns the last component of a dotted name.
func lastName(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }

// Lines returns the module's line table, made on first use.
func (m *module) Lines() *source.Lines {
	m.linesOnce.Do(func() { m.lines = source.NewLines(m.Source()) })
	return m.lines
}

// qualified returns the dotted name of a definition of the module.
func (m *module) qualified(name string) string {
	if m.name == "" {
		return name
	}
	return m.name + "." + name
}
