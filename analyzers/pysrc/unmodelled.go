package pysrc

import (
	"strings"
)

// A call of a name that a package of the repository should define but
// no Python module of the model does is most often a compiled extension
// module's function: signing/_fastcodec.c built next to signing/views.py
// and imported as `from . import _fastcodec`. Families that follow data
// across the language boundary ask for such names.

// Unmodelled reports whether an external dotted name (a callee,
// "signing._fastcodec.unhex") lies in a package of the repository (a
// directory holding its Python files) although no module defines it
// and no Python file of the repository is its module (one the model did
// not read: a pure-Python module of the same name elsewhere); a module
// at the top (no package) counts when its name is private and lower case
// (_speedups, not a constant like _PLUGINS) and not the standard
// library's.
func (cs *CallSite) Unmodelled(name string) bool {
	mod, _, ok := cutLast(name)
	if !ok || cs.fr.p.provided(strings.ReplaceAll(mod, ".", "/")) {
		return false
	}
	pkg, last, ok := cutLast(mod)
	if !ok {
		return strings.HasPrefix(mod, "_") && !strings.HasPrefix(mod, "__") && strings.ToLower(mod) == mod && !stdlib[mod] && !privateStdlib[mod]
	}
	if stdlib[strings.SplitN(pkg, ".", 2)[0]] || last == "" {
		return false
	}
	return cs.fr.p.directory(strings.ReplaceAll(pkg, ".", "/"))
}

// privateStdlib are the standard library's own extension modules.
var privateStdlib = map[string]bool{
	"_abc": true, "_ast": true, "_asyncio": true, "_bisect": true, "_blake2": true, "_bz2": true, "_codecs": true,
	"_collections": true, "_contextvars": true, "_csv": true, "_ctypes": true, "_datetime": true, "_decimal": true,
	"_elementtree": true, "_functools": true, "_hashlib": true, "_heapq": true, "_io": true, "_json": true,
	"_locale": true, "_lzma": true, "_md5": true, "_multiprocessing": true, "_operator": true, "_pickle": true,
	"_posixsubprocess": true, "_queue": true, "_random": true, "_sha1": true, "_sha256": true, "_sha512": true,
	"_signal": true, "_socket": true, "_sqlite3": true, "_sre": true, "_ssl": true, "_stat": true, "_string": true,
	"_struct": true, "_thread": true, "_tracemalloc": true, "_uuid": true, "_warnings": true, "_weakref": true,
	"_winapi": true, "_zoneinfo": true,
}

// cutLast splits a dotted name at its last dot.
func cutLast(name string) (before, after string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", name, false
	}
	return name[:i], name[i+1:], true
}

// directory reports whether dir (a slash path) is, or ends, the
// directory of a module the program holds or of a Python file of the
// repository: which modules were read (a file the first round left out,
// that no part needed) does not decide it.
func (p *Program) directory(dir string) bool {
	p.dirsOnce.Do(p.indexFolders)
	return p.dirs[dir]
}

// indexFolders lists the folders of the modules and of the repository's Python
// files, and the modules of those files, each with its ends.
func (p *Program) indexFolders() {
	p.dirs, p.mods = map[string]bool{}, map[string]bool{}
	for _, m := range p.modules {
		addFolderRuns(p.dirs, m.File)
	}
	for _, f := range p.files {
		addFolderRuns(p.dirs, f)
		if key, ok := strings.CutSuffix(f, ".py"); ok {
			addEnds(p.mods, strings.TrimSuffix(key, "/__init__"))
		}
	}
}

// provided reports whether mod (a module's slash path) is, or ends, the
// module of a Python file of the repository (x.py, x/__init__.py).
func (p *Program) provided(mod string) bool {
	p.dirsOnce.Do(p.indexFolders)
	return p.mods[mod]
}
