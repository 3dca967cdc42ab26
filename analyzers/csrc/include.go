package csrc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers"
)

// The settings the model reads (cmem declares them).
const (
	// SettingIncludeDirs lists include folders relative to the root.
	SettingIncludeDirs = "include-dirs"
	// SettingDefines lists macros, NAME or NAME=VALUE.
	SettingDefines = "defines"
)

// A repoEnv is what Extract needs of the whole repository to read one
// file: its C files by name, its compilation database, the settings.
// It is computed once per run (the files' list identifies the run).
type repoEnv struct {
	files    map[string]bool
	byBase   map[string][]string
	db       *compileDB
	dirs     []string
	defines  []Define
	filesPtr *string
	key      string
}

var (
	envMu   sync.Mutex
	lastEnv *repoEnv
)

// envFor returns the environment of pass's run.
func envFor(pass *analyzers.ExtractPass) *repoEnv {
	var first *string
	if len(pass.Files) > 0 {
		first = &pass.Files[0]
	}
	key := fmt.Sprintf("%s\x00%d\x00%q\x00%q", pass.Root, len(pass.Files), pass.Settings[SettingIncludeDirs], pass.Settings[SettingDefines])
	envMu.Lock()
	defer envMu.Unlock()
	if e := lastEnv; e != nil && e.filesPtr == first && e.key == key {
		return e
	}
	e := &repoEnv{files: map[string]bool{}, byBase: map[string][]string{}, filesPtr: first, key: key}
	for _, f := range pass.Files {
		e.files[f] = true
		e.byBase[path.Base(f)] = append(e.byBase[path.Base(f)], f)
	}
	if pass.Root != "" {
		e.db = loadCompileDB(pass.Root)
	}
	for _, d := range pass.Settings[SettingIncludeDirs] {
		e.dirs = append(e.dirs, path.Clean(strings.Trim(strings.TrimSpace(d), "/")))
	}
	for _, d := range pass.Settings[SettingDefines] {
		e.defines = append(e.defines, parseDefine(d))
	}
	lastEnv = e
	return e
}

// contextKey is the key of what Extract reads besides the file: the
// repository's C files (includes resolve among them) and its compilation
// database.
func contextKey(root string, files []string) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\n", f)
	}
	for _, name := range compDBNames {
		if data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name))); err == nil {
			fmt.Fprintf(h, "%s\x00%s", name, data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// flagsFor returns the include folders and macros of a file: the
// compilation database's, then the settings'.
func (e *repoEnv) flagsFor(file string) (dirs []string, defines []Define, undefs []string) {
	if cc := e.db.commandFor(file); cc != nil {
		dirs, defines, undefs = append(dirs, cc.dirs...), append(defines, cc.defines...), cc.undefs
	}
	return append(dirs, e.dirs...), append(defines, e.defines...), undefs
}

// resolve finds the repository file an #include names: next to the
// including file (quoted names), in the include folders, else (quoted
// names) the file of that name nearest the including file, as a build
// with the right -I would. "" when the repository has none.
func (e *repoEnv) resolve(from, name string, angle bool, dirs []string) string {
	name = path.Clean(name)
	if !angle {
		if p := path.Join(path.Dir(from), name); e.files[p] {
			return p
		}
	}
	for _, d := range dirs {
		if p := path.Join(d, name); e.files[p] {
			return p
		}
	}
	if angle {
		return ""
	}
	var cands []string
	for _, c := range e.byBase[path.Base(name)] {
		if c == name || strings.HasSuffix(c, "/"+strings.TrimLeft(name, "./")) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return ""
	}
	sort.SliceStable(cands, func(i, j int) bool {
		ci, cj := commonDirLen(path.Dir(from), path.Dir(cands[i])), commonDirLen(path.Dir(from), path.Dir(cands[j]))
		if ci != cj {
			return ci > cj
		}
		if len(cands[i]) != len(cands[j]) {
			return len(cands[i]) < len(cands[j])
		}
		return cands[i] < cands[j]
	})
	return cands[0]
}

// readIncludes returns a part's active #include directives, resolved.
func readIncludes(p *Part, e *repoEnv, dirs []string) []Include {
	var out []Include
	for _, n := range p.declarations().includes {
		pn := n.ChildByFieldName("path")
		text := pn.Text()
		inc := Include{}
		switch pn.Type() {
		case "string_literal":
			inc.Name = strings.Trim(text, `"`)
		case "system_lib_string":
			inc.Name, inc.Angle = strings.Trim(text, "<>"), true
		default:
			continue
		}
		if inc.Name == "" {
			continue
		}
		if r := e.resolve(p.File, inc.Name, inc.Angle, dirs); r != p.File {
			inc.Path = r
		}
		out = append(out, inc)
	}
	return out
}
