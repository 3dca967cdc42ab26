package pysrc

import (
	"bytes"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers"
)

// A module that imports a compiled extension is worth modelling for a
// family that follows native bytes (NativeImports): its calls of the
// extension's functions return them, even when it names nothing else a
// vocabulary looks for and no call with data leads a part to it. The
// literals that find such imports, "import _" and "from ._", find as
// often the repository's own private Python modules (`from ._binary
// import i16`, a file of Pillow's next to _binary.py) and private names
// of its modules (`from django.utils.regex_helper import
// _lazy_re_compile`). admit reads the import statements of a file those
// literals alone let through (or with a "request" that names none,
// below), and keeps it in the first round only when one may bind an
// extension's module or what such a module holds: a module no Python
// file of the repository provides, or one of its Python modules that
// may itself (a private re-export, `from ._codes import padded` in
// _native.py), read in turn. A file left out is still read when a part
// needs it (a call with data leads to it).

// nativeImportLiterals find the imports of private modules and names.
var nativeImportLiterals = []string{"import _", "from ._"}

// The literal "request" (the outputs' and logging's vocabularies) finds
// as often a word that only starts with it: `requested`, `requestor`,
// saleor's `request_data`, none of which the model reads as a request. A
// file only that literal and the native imports' let through is kept
// when it names a request (`request`, `http_request`, `self.request`,
// `urllib.request`, a method's `request_obj` after self) or an HTTP
// client (`requests`, `requests_hardened`): the literal ends a word, or
// `requests` starts one.

// A log method's literal (".warn(") finds as often the warnings module's
// and Django's messages framework's calls (`warnings.warn(`,
// `messages.success(request, …)`), which are no log sink
// (logCandidate): the literal counts only for another receiver.

// admit is the model's Admit: a file that holds a literal besides these
// is kept; else it must name a request or import a compiled extension
// (which reads the repository's files).
func admit(pass *analyzers.AdmitPass) (take, byFiles bool) {
	native := false
	for _, lit := range pass.Literals {
		switch {
		case slices.Contains(nativeImportLiterals, lit):
			native = true
		case lit == "request":
			if namesRequest(pass.Src) {
				return true, false
			}
		case strings.HasPrefix(lit, ".") && logMethods[strings.Trim(lit, ".(")]:
			if callsLogMethod(pass.Src, lit) {
				return true, false
			}
		default:
			return true, false
		}
	}
	if !native {
		return false, false
	}
	imp := &importReader{files: repoFiles(pass.Files), read: pass.Read, seen: map[string]bool{pass.Path: true}}
	return imp.native(pass.Path, pass.Src, 0), true
}

// namesRequest reports whether src holds "request" at the end of a word,
// or "requests" at the start of one, or starts a method's first
// parameter with it (`def get(self, request_obj)`: a view's request,
// whatever its name).
func namesRequest(src []byte) bool {
	if bytes.Contains(src, []byte("self, request")) || bytes.Contains(src, []byte("self,request")) {
		return true
	}
	const word = "request"
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte(word))
		if j < 0 {
			return false
		}
		end := i + j + len(word)
		if end == len(src) || !identByte(src[end]) || src[end] == 's' && (end+1 == len(src) || !identByte(src[end+1]) || src[end+1] == '_') {
			return true
		}
		i = end
	}
}

// identByte reports whether b may be part of an identifier (any byte of
// a multi-byte character may be).
func identByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// callsLogMethod reports whether src holds lit, a log method's literal
// (".warn("), on a receiver other than the warnings module or Django's
// messages framework written alone.
func callsLogMethod(src []byte, lit string) bool {
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte(lit))
		if j < 0 {
			return false
		}
		at := i + j
		i = at + len(lit)
		recv := at
		for recv > 0 && identByte(src[recv-1]) {
			recv--
		}
		word := string(src[recv:at])
		if word != "warnings" && word != "messages" || recv > 0 && src[recv-1] == '.' {
			return true
		}
	}
}

// An importReader reads a file's import statements, and those of the
// repository's Python modules they import names of, through read.
type importReader struct {
	files repoFiles
	read  func(path string) ([]byte, error)
	seen  map[string]bool
}

// maxReexports bounds the chain of modules read for what they import.
const maxReexports = 4

// native reports whether a statement of src, the module at file, may
// import a compiled extension or what one holds, or whether a line holds
// a native import's literal outside an import statement it reads (a
// one-line `if`, a docstring): such a file is kept. depth is the number of
// modules read before it.
func (r *importReader) native(file string, src []byte, depth int) bool {
	var via []string
	lines := bytes.Split(src, []byte("\n"))
	for i := 0; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if !bytes.HasPrefix(line, []byte("import ")) && !bytes.HasPrefix(line, []byte("from ")) {
			if holdsNativeLiteral(line) {
				return true
			}
			continue
		}
		stmt := string(uncomment(line))
		// A parenthesized list or a backslash continues the statement.
		for j := 0; i+1 < len(lines) && j < maxImportLines; j++ {
			open := strings.Count(stmt, "(") > strings.Count(stmt, ")")
			if !open && !strings.HasSuffix(stmt, "\\") {
				break
			}
			i++
			stmt = strings.TrimSuffix(stmt, "\\") + " " + string(uncomment(bytes.TrimSpace(lines[i])))
		}
		for _, part := range strings.Split(stmt, ";") {
			known, native, modules := r.files.importNative(file, strings.TrimSpace(part), depth > 0)
			if native || !known && holdsNativeLiteral([]byte(part)) {
				return true
			}
			via = append(via, modules...)
		}
	}
	for _, m := range via {
		if r.seen[m] {
			continue
		}
		r.seen[m] = true
		if depth+1 >= maxReexports || r.read == nil {
			return true // too far to tell
		}
		src, err := r.read(m)
		if err != nil || r.native(m, src, depth+1) {
			return true
		}
	}
	return false
}

// maxImportLines bounds the lines one import statement is read over.
const maxImportLines = 200

// holdsNativeLiteral reports whether text holds one of the native imports'
// literals.
func holdsNativeLiteral(text []byte) bool {
	for _, lit := range nativeImportLiterals {
		if bytes.Contains(text, []byte(lit)) {
			return true
		}
	}
	return false
}

// uncomment drops a line's comment (a # outside quotes is one; an import
// statement holds no string).
func uncomment(line []byte) []byte {
	if i := bytes.IndexByte(line, '#'); i >= 0 && !bytes.ContainsAny(line[:i], `"'`) {
		return bytes.TrimSpace(line[:i])
	}
	return line
}

// repoFiles are the repository's Python files, sorted.
type repoFiles []string

// has reports whether the repository holds the file p.
func (fs repoFiles) has(p string) bool {
	i := sort.SearchStrings(fs, p)
	return i < len(fs) && fs[i] == p
}

// hasDir reports whether some file of the repository lies below dir.
func (fs repoFiles) hasDir(dir string) bool {
	i := sort.SearchStrings(fs, dir+"/")
	return i < len(fs) && strings.HasPrefix(fs[i], dir+"/")
}

// anywhere reports whether some folder of the repository, at any depth,
// is dir (a slash path): a package its importer's folders do not reach
// (libs/inventory imported as inventory).
func (fs repoFiles) anywhere(dir string) bool {
	return folderRuns(fs)[dir]
}

// folderIndex keeps folderRuns' answer for the file list of a run, which
// every Admit of the run is given.
var folderIndex struct {
	sync.Mutex
	files []string
	runs  map[string]bool
}

// folderRuns returns the runs of folder names the files lie in (a/b/c.py:
// a, a/b, b), worked out once per list.
func folderRuns(files []string) map[string]bool {
	folderIndex.Lock()
	defer folderIndex.Unlock()
	if len(files) > 0 && len(folderIndex.files) == len(files) && &folderIndex.files[0] == &files[0] {
		return folderIndex.runs
	}
	runs := map[string]bool{}
	for _, f := range files {
		addFolderRuns(runs, f)
	}
	folderIndex.files, folderIndex.runs = files, runs
	return runs
}

// addFolderRuns adds to runs the runs of folder names file lies in.
func addFolderRuns(runs map[string]bool, file string) {
	for d := path.Dir(file); d != "." && d != "/"; d = path.Dir(d) {
		addEnds(runs, d)
	}
}

// addEnds adds to set key, a slash path, and each of its ends (a/b/c:
// a/b/c, b/c, c).
func addEnds(set map[string]bool, key string) {
	for {
		set[key] = true
		i := strings.IndexByte(key, '/')
		if i < 0 {
			return
		}
		key = key[i+1:]
	}
}

// A moduleKind is what a dotted name resolves to among the files.
type moduleKind uint8

const (
	noModule   moduleKind = iota
	fileModule            // a .py file, or a package's __init__.py
	folder                // a folder without __init__.py
)

// kind returns what key (a slash path without extension) is, and the
// Python file that is it.
func (fs repoFiles) kind(key string) (moduleKind, string) {
	switch {
	case fs.has(key + ".py"):
		return fileModule, key + ".py"
	case fs.has(key + "/__init__.py"):
		return fileModule, key + "/__init__.py"
	case fs.hasDir(key):
		return folder, ""
	}
	return noModule, ""
}

// resolve returns what the dotted module mod, imported by file with
// level leading dots, is, and its Python file: for a relative import, in
// the package level-1 folders above the file's; else below any folder
// above the file, the root or src/, the first found.
func (fs repoFiles) resolve(file, mod string, level int) (moduleKind, string) {
	key := strings.ReplaceAll(mod, ".", "/")
	if level > 0 {
		dir := path.Dir(file)
		for range level - 1 {
			dir = path.Dir(dir)
		}
		if dir == "." {
			dir = ""
		}
		if key == "" {
			if dir == "" {
				return folder, ""
			}
			return fs.kind(dir)
		}
		return fs.kind(path.Join(dir, key))
	}
	for d := path.Dir(file); d != "." && d != "/"; d = path.Dir(d) {
		if k, f := fs.kind(d + "/" + key); k != noModule {
			return k, f
		}
	}
	if k, f := fs.kind(key); k != noModule {
		return k, f
	}
	return fs.kind("src/" + key)
}

// private reports whether a module or name is private: _x, not __x.
func private(name string) bool {
	return strings.HasPrefix(name, "_") && !strings.HasPrefix(name, "__")
}

// importNative reads stmt, one import statement of file: known is false
// when it is not one it reads; native tells whether it may bind an
// extension's module or a name of one: a module no file provides that
// is the repository's (absoluteNative; a relative one whatever its
// name), or a private member of a package of the repository that no
// Python file provides (a submodule, or a folder without __init__.py
// beside the extension's source). modules are the repository's Python
// modules whose names it binds, through a private part (or any, when
// every one counts: in a module read for what it re-exports): what they
// import decides in turn.
func (fs repoFiles) importNative(file, stmt string, every bool) (known, native bool, modules []string) {
	if rest, ok := strings.CutPrefix(stmt, "import "); ok {
		for _, item := range strings.Split(rest, ",") {
			mod, _, _ := strings.Cut(strings.TrimSpace(item), " ")
			if !IsDottedName(mod) {
				return false, false, nil
			}
			if fs.absoluteNative(file, mod) {
				return true, true, nil
			}
			if k, f := fs.resolve(file, mod, 0); k == fileModule && (every || slices.ContainsFunc(strings.Split(mod, "."), private)) {
				modules = append(modules, f)
			}
		}
		return true, false, modules
	}
	rest, ok := strings.CutPrefix(stmt, "from ")
	if !ok {
		return false, false, nil
	}
	mod, names, ok := strings.Cut(rest, " import ")
	if !ok {
		return false, false, nil
	}
	mod = strings.TrimSpace(mod)
	level := len(mod) - len(strings.TrimLeft(mod, "."))
	mod = mod[level:]
	if mod != "" && !IsDottedName(mod) {
		return false, false, nil
	}
	if level == 0 && fs.absoluteNative(file, mod) {
		return true, true, nil
	}
	kind, modFile := fs.resolve(file, mod, level)
	switch {
	case kind == noModule:
		return true, level > 0, nil // relative: an extension; absolute: not the repository's
	case kind == folder && slices.ContainsFunc(strings.Split(mod, "."), private):
		return true, true, nil // a folder beside the extension's source
	}
	var privateNames, publicNames []string
	names = strings.Trim(strings.TrimSpace(names), "()")
	for _, item := range strings.Split(names, ",") {
		switch name, _, _ := strings.Cut(strings.TrimSpace(item), " "); {
		case private(name):
			privateNames = append(privateNames, name)
		case every && IsDottedName(name):
			publicNames = append(publicNames, name)
		}
	}
	if modFile != "" && (every || len(privateNames) > 0 || slices.ContainsFunc(strings.Split(mod, "."), private)) {
		modules = append(modules, modFile) // its names, which it may import
	}
	if kind == fileModule && !strings.HasSuffix(modFile, "/__init__.py") {
		return true, false, modules // names of a module, not submodules
	}
	for _, name := range privateNames {
		switch k, f := fs.resolve(file, joinModule(mod, name), level); k {
		case fileModule:
			modules = append(modules, f)
		default: // no Python file, or a folder that is no package
			return true, true, nil
		}
	}
	for _, name := range publicNames {
		if k, f := fs.resolve(file, joinModule(mod, name), level); k == fileModule {
			modules = append(modules, f) // a submodule
		}
	}
	return true, false, modules
}

// absoluteNative reports whether the absolute module mod, as file
// imports it, may be an extension's: no file provides it, and it is
// private at its top (_speedups, not the standard library's) or its top
// is a folder of the repository (found from the file, or anywhere).
func (fs repoFiles) absoluteNative(file, mod string) bool {
	top, _, _ := strings.Cut(mod, ".")
	if stdlib[top] || privateStdlib[top] {
		return false
	}
	switch k, _ := fs.resolve(file, mod, 0); {
	case k == fileModule:
		return false
	case k == folder && !slices.ContainsFunc(strings.Split(mod, "."), private):
		return false // a namespace package
	}
	if private(top) {
		return true
	}
	if k, _ := fs.resolve(file, top, 0); k != noModule {
		return true
	}
	return fs.anywhere(top) // a folder of mod's path lies in one named top
}

// joinModule joins a module and a member's name with a dot.
func joinModule(mod, name string) string {
	if mod == "" {
		return name
	}
	return mod + "." + name
}
