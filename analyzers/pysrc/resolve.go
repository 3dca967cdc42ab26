package pysrc

import "strings"

// maxDepth bounds chains of names resolved through other names (imports
// of imports, re-exports, star imports).
const maxDepth = 12

// global returns what name is at the top level of module m: a name it
// binds (its own definitions and imports, re-exports among them), else a
// name of a module it star-imports; nil when m has none. Resolutions are
// cached (resolved), or modules that star-import one another would be
// walked once for every path through them.
func (fr *frame) global(m *module, name string, depth int) []Datum {
	if !fr.within(depth) {
		return nil
	}
	return fr.resolved(resolutionKey{m, -1, name, anyDepth}, depth, func() []Datum { return fr.topLevel(m, name, depth) })
}

// topLevel is global, uncached.
func (fr *frame) topLevel(m *module, name string, depth int) []Datum {
	if v, ok := m.env.lookup(name); ok {
		if ds, ok := fr.static(m, v, depth); ok {
			return ds
		}
		fr.evaluated = true
		var out []Datum
		if res := fr.res(m.fns[0]); res != nil {
			out = res.env[name]
		}
		return fr.stored(m, name, out)
	}
	if ds := fr.stored(m, name, nil); len(ds) > 0 {
		return ds
	}
	for i := range m.Imports {
		imp := &m.Imports[i]
		if !imp.Star {
			continue
		}
		if t := fr.p.importModule(m, imp); t != nil && t != m {
			if ds := fr.global(t, name, depth+1); len(ds) > 0 {
				return ds
			}
		}
	}
	return nil
}

// stored adds to ds what the functions of m that declare name global
// assign to it.
func (fr *frame) stored(m *module, name string, ds []Datum) []Datum {
	for _, f := range m.storers[name] {
		res := fr.res(f)
		fr.evaluated = true
		if res != nil {
			ds = union(ds, res.globals[name]...)
		}
	}
	return ds
}

// static resolves a binding that needs no evaluation: imports, classes
// and functions, and attributes of them; ok is false for anything else.
func (fr *frame) static(m *module, v Value, depth int) ([]Datum, bool) {
	var out []Datum
	for _, a := range v {
		var roots []Datum
		switch a.Root {
		case RootImport:
			roots = fr.importValue(m, a.Index, depth+1)
		case RootClass:
			if c := m.classOf(a.Index); c != nil {
				roots = []Datum{{Tag: TagClass, Class: c}}
			}
		case RootFunc:
			if int(a.Index) < len(m.fns) {
				roots = []Datum{{Tag: TagFunc, Fn: m.fns[a.Index]}}
			}
		default:
			return nil, false
		}
		for _, op := range a.Ops {
			if op.Kind != OpAttr && op.Kind != OpStep {
				return nil, false
			}
		}
		for _, r := range roots {
			ds, ok := fr.staticAttrs(r, a.Ops, depth)
			if !ok {
				return nil, false
			}
			out = union(out, ds...)
		}
	}
	return out, true
}

// staticAttrs follows attribute reads of modules and external names;
// false when one reads an attribute of something else (a vocabulary's
// object: ctypes.windll.kernel32), which only the module body's
// evaluation gives.
func (fr *frame) staticAttrs(d Datum, ops []Op, depth int) ([]Datum, bool) {
	for _, op := range ops {
		if op.Kind != OpAttr {
			continue
		}
		switch d.Tag {
		case TagExt:
			d = fr.p.external(d.Name + "." + op.Name)
		case TagModule:
			ds := fr.moduleAttr(d.Mod, op.Name, depth+1)
			if len(ds) != 1 {
				return ds, true
			}
			d = ds[0]
		case TagObject:
			return nil, false
		default:
			return nil, true
		}
	}
	return []Datum{d}, true
}

// importValue returns what import i of m binds.
func (fr *frame) importValue(m *module, i int32, depth int) []Datum {
	if i < 0 || int(i) >= len(m.Imports) || !fr.within(depth) {
		return nil
	}
	return fr.resolved(resolutionKey{m, i, "", anyDepth}, depth, func() []Datum { return fr.resolveImport(m, i, depth) })
}

// resolved returns what resolve finds of key at depth, through the
// program's cache of resolutions. Only what needed no evaluation is kept
// (a module body's globals may still change), and what maxDepth cut only
// for resolutions that start as deep, so that what a resolution finds
// does not depend on what was resolved before.
func (fr *frame) resolved(key resolutionKey, depth int, resolve func() []Datum) []Datum {
	cache := fr.p.resolutions
	if e, ok := cache[key]; ok && depth+e.used <= maxDepth {
		fr.deepest = max(fr.deepest, depth+e.used)
		return e.ds
	}
	key.depth = depth
	if e, ok := cache[key]; ok {
		fr.deepest, fr.cut = max(fr.deepest, depth+e.used), true
		return e.ds
	}
	evaluated, deepest, cut := fr.evaluated, fr.deepest, fr.cut
	fr.evaluated, fr.deepest, fr.cut = false, depth, false
	ds := resolve()
	if cache != nil && !fr.evaluated {
		if !fr.cut {
			key.depth = anyDepth
		}
		cache[key] = resolution{ds, fr.deepest - depth}
	}
	fr.evaluated, fr.deepest, fr.cut = fr.evaluated || evaluated, max(fr.deepest, deepest), fr.cut || cut
	return ds
}

// within reports whether a resolution at depth may go on, and notes how
// deep resolutions went and whether maxDepth cut one.
func (fr *frame) within(depth int) bool {
	fr.deepest = max(fr.deepest, depth)
	if depth > maxDepth {
		fr.cut = true
		return false
	}
	return true
}

func (fr *frame) resolveImport(m *module, i int32, depth int) []Datum {
	p := fr.p
	imp := &m.Imports[i]
	switch {
	case imp.Star:
		return nil
	case imp.Name == "":
		if t := p.importModule(m, imp); t != nil {
			return []Datum{{Tag: TagModule, Mod: t}}
		}
		return []Datum{p.external(imp.Module)}
	}
	t := p.importModule(m, imp)
	if t != nil && t != m {
		if ds := fr.global(t, imp.Name, depth+1); len(ds) > 0 {
			return ds
		}
	}
	if s := p.submodule(m, imp, t); s != nil {
		return []Datum{{Tag: TagModule, Mod: s}}
	}
	return []Datum{p.external(imp.Module + "." + imp.Name)}
}

// moduleAttr returns attribute name of module m: a name it binds, else
// its submodule of that name.
func (fr *frame) moduleAttr(m *module, name string, depth int) []Datum {
	p := fr.p
	if ds := fr.global(m, name, depth); len(ds) > 0 {
		return ds
	}
	if m.Package {
		if ms := p.byKey[moduleKey(m.File)+"/"+name]; len(ms) > 0 {
			return []Datum{{Tag: TagModule, Mod: ms[0]}}
		}
	}
	return []Datum{{Tag: TagExt, Name: m.qualified(name)}}
}

// external returns the datum of an external dotted name: a module of the
// repository when one is named so (a namespace package's module), an
// object a vocabulary names, else the name.
func (p *Program) external(name string) Datum {
	if strings.Contains(name, ".") && !stdlib[name[:strings.IndexByte(name, '.')]] {
		key := strings.ReplaceAll(name, ".", "/")
		for _, m := range p.byKey[key] {
			prefix := strings.TrimSuffix(strings.TrimSuffix(moduleKey(m.File), key), "/")
			if prefix == "" || !p.packages[prefix] {
				return Datum{Tag: TagModule, Mod: m}
			}
		}
	}
	if k := globalKind(name); k != "" {
		return Datum{Tag: TagObject, Kind: k, Name: name}
	}
	return Datum{Tag: TagExt, Name: name}
}
