package pysrc

import (
	"path"
	"strings"
	"sync"
)

// A fileIndex finds the repository file of a dotted module name. A module
// is found by the end of its path, so that a project kept below the root
// (netbox/netbox/settings.py is netbox.settings) resolves, and a directory
// without __init__.py still holds modules (namespace packages, small
// projects).
type fileIndex struct {
	// byKey maps a module's slash path ("app/core" for app/core.py or
	// app/core/__init__.py) and each of its suffixes ("core") to the files
	// that end so.
	byKey map[string][]string
	// exact maps the slash path of each module to its file, a package's
	// __init__.py winning over a module of the same name.
	exact    map[string]string
	packages map[string]bool // directories holding an __init__.py
}

// moduleKey returns the slash path of a Python file's module, "" for a
// file that is not a module.
func moduleKey(file string) string {
	p, ok := strings.CutSuffix(file, ".py")
	if !ok {
		return ""
	}
	if q, ok := strings.CutSuffix(p, "/__init__"); ok {
		return q
	}
	if p == "__init__" {
		return ""
	}
	return p
}

func newFileIndex(files []string) *fileIndex {
	ix := &fileIndex{byKey: map[string][]string{}, exact: map[string]string{}, packages: map[string]bool{}}
	for _, f := range files {
		key := moduleKey(f)
		if key == "" {
			continue
		}
		init := strings.HasSuffix(f, "/__init__.py")
		if init {
			ix.packages[key] = true
		}
		if cur, ok := ix.exact[key]; !ok || init && !strings.HasSuffix(cur, "/__init__.py") {
			ix.exact[key] = f
		}
	}
	for key, f := range ix.exact {
		for k := key; ; {
			ix.byKey[k] = append(ix.byKey[k], f)
			i := strings.IndexByte(k, '/')
			if i < 0 {
				break
			}
			k = k[i+1:]
		}
	}
	return ix
}

// The index is built once per list of files: every Extract of a run gets
// the same list.
var (
	indexMu    sync.Mutex
	indexFiles []string
	indexLast  *fileIndex
)

// indexOf returns the index of files, reusing the last one built for the
// same list.
func indexOf(files []string) *fileIndex {
	indexMu.Lock()
	defer indexMu.Unlock()
	if indexLast != nil && len(files) == len(indexFiles) && (len(files) == 0 || &files[0] == &indexFiles[0]) {
		return indexLast
	}
	indexFiles, indexLast = files, newFileIndex(files)
	return indexLast
}

// resolve returns the file of absolute dotted module mod imported from
// file from, "" when the repository has none. Of several files the one
// nearest from wins, then the shortest path. A file found below a package
// that does not itself hold the module's top name is not it: `import
// logging` is not app/logging.py when app is a package.
func (ix *fileIndex) resolve(mod, from string) string {
	if mod == "" {
		return ""
	}
	key := strings.ReplaceAll(mod, ".", "/")
	best, bestShared := "", -1
	for _, f := range ix.byKey[key] {
		fkey := moduleKey(f)
		prefix := strings.TrimSuffix(strings.TrimSuffix(fkey, key), "/")
		if prefix != "" && (ix.packages[prefix] || stdlib[strings.SplitN(mod, ".", 2)[0]]) {
			continue
		}
		shared := sharedDirs(f, from)
		if shared > bestShared || shared == bestShared && len(f) < len(best) {
			best, bestShared = f, shared
		}
	}
	return best
}

// relative returns the file of a module given by its slash path from the
// root, "" when the repository has none.
func (ix *fileIndex) relative(key string) string { return ix.exact[key] }

// sharedDirs counts the leading directories two paths share.
func sharedDirs(a, b string) int {
	da, db := strings.Split(path.Dir(a), "/"), strings.Split(path.Dir(b), "/")
	n := 0
	for n < len(da) && n < len(db) && da[n] == db[n] {
		n++
	}
	return n
}

// moduleName returns the dotted name of file: from its top package when
// its directory is a package, else its path from the root.
func (ix *fileIndex) moduleName(file string) string {
	key := moduleKey(file)
	dir := path.Dir(file)
	if dir == "." || !ix.packages[dir] {
		return strings.ReplaceAll(key, "/", ".")
	}
	top := dir
	for p := path.Dir(top); p != "." && ix.packages[p]; p = path.Dir(p) {
		top = p
	}
	base := path.Dir(top)
	if base == "." {
		return strings.ReplaceAll(key, "/", ".")
	}
	return strings.ReplaceAll(strings.TrimPrefix(key, base+"/"), "/", ".")
}

// stdlib are top-level names of Python's standard library and of
// packages residue knows: a repository file of the same name below a
// directory is not them.
var stdlib = map[string]bool{
	"abc": true, "argparse": true, "asyncio": true, "base64": true, "binascii": true, "codecs": true,
	"collections": true, "contextlib": true, "copy": true, "csv": true, "ctypes": true, "dataclasses": true,
	"datetime": true, "decimal": true, "email": true, "enum": true, "functools": true, "glob": true,
	"hashlib": true, "hmac": true, "html": true, "http": true, "importlib": true, "inspect": true, "io": true,
	"ipaddress": true, "itertools": true, "json": true, "logging": true, "math": true, "operator": true,
	"os": true, "pathlib": true, "pickle": true, "pprint": true, "queue": true, "random": true, "re": true,
	"secrets": true, "shlex": true, "shutil": true, "signal": true, "socket": true, "ssl": true,
	"string": true, "struct": true, "subprocess": true, "sys": true, "tempfile": true, "textwrap": true,
	"threading": true, "time": true, "traceback": true, "types": true, "typing": true, "unicodedata": true,
	"urllib": true, "uuid": true, "warnings": true, "weakref": true, "xml": true, "zlib": true,
	"django": true, "rest_framework": true, "requests": true, "httpx": true, "urllib3": true,
	"structlog": true, "loguru": true, "celery": true,
}
