package csrc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// A compileCommand is what compile_commands.json says of one file: its
// include folders and macros, paths relative to the repository root.
type compileCommand struct {
	file    string
	dirs    []string
	defines []Define
	undefs  []string
}

// compileDB is a repository's compile_commands.json, by file.
type compileDB struct {
	byFile map[string]*compileCommand
	files  []string // sorted
}

// compDBNames are where a compilation database is looked for, relative
// to the repository root.
var compDBNames = []string{"compile_commands.json", "build/compile_commands.json"}

// loadCompileDB reads the repository's compilation database; nil when
// there is none or it cannot be read.
func loadCompileDB(root string) *compileDB {
	if _, data, err := findCompileDB(root); err == nil && data != nil {
		return parseCompileDB(data, root)
	}
	return nil
}

// findCompileDB returns the name and bytes of the repository's compilation
// database, the first of compDBNames there is; no name when there is none.
func findCompileDB(root string) (name string, data []byte, err error) {
	for _, name := range compDBNames {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if !errors.Is(err, fs.ErrNotExist) {
			return name, data, err
		}
	}
	return "", nil, nil
}

// compileDBProblem says why the repository's compilation database, when
// there is one, gives nothing ("" when it is fine or absent): its flags
// (-D, -I) would change what the files mean.
func compileDBProblem(root string) string {
	name, data, err := findCompileDB(root)
	if name == "" {
		return ""
	}
	if err == nil {
		var entries []compileEntry
		if err = json.Unmarshal(data, &entries); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("%s not used, its -D and -I flags ignored: %v", name, err)
}

// A compileEntry is an entry of a compilation database as it is written.
type compileEntry struct {
	Directory string   `json:"directory"`
	File      string   `json:"file"`
	Command   string   `json:"command"`
	Arguments []string `json:"arguments"`
}

// parseCompileDB reads a compilation database's entries.
func parseCompileDB(data []byte, root string) *compileDB {
	var entries []compileEntry
	if json.Unmarshal(data, &entries) != nil {
		return nil
	}
	db := &compileDB{byFile: map[string]*compileCommand{}}
	for _, e := range entries {
		dir := e.Directory
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		file, ok := relTo(root, dir, e.File)
		if !ok || db.byFile[file] != nil {
			continue
		}
		args := e.Arguments
		if len(args) == 0 {
			args = splitCommand(e.Command)
		}
		cc := &compileCommand{file: file}
		for i := 0; i < len(args); i++ {
			a := args[i]
			val := func(flag string) (string, bool) {
				if a == flag && i+1 < len(args) {
					i++
					return args[i], true
				}
				if strings.HasPrefix(a, flag) && len(a) > len(flag) {
					return a[len(flag):], true
				}
				return "", false
			}
			if v, ok := val("-I"); ok {
				if d, ok := relTo(root, dir, v); ok {
					cc.dirs = append(cc.dirs, d)
				}
			} else if v, ok := val("-iquote"); ok {
				if d, ok := relTo(root, dir, v); ok {
					cc.dirs = append(cc.dirs, d)
				}
			} else if v, ok := val("-D"); ok {
				cc.defines = append(cc.defines, parseDefine(v))
			} else if v, ok := val("-U"); ok {
				cc.undefs = append(cc.undefs, v)
			}
		}
		db.byFile[file] = cc
		db.files = append(db.files, file)
	}
	sort.Strings(db.files)
	return db
}

// parseDefine reads NAME or NAME=VALUE (NAME alone defines it as 1).
func parseDefine(s string) Define {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		value = "1"
	}
	return Define{Name: strings.TrimSpace(name), Value: value}
}

// relTo returns p (relative to dir, or absolute) relative to root,
// slash-separated; false when it lies outside root.
func relTo(root, dir, p string) (string, bool) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// splitCommand splits a shell command line into words (quotes and
// backslashes, no expansion).
func splitCommand(s string) []string {
	var out []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else {
				b.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}

// commandFor returns the compile command of a file: its own, or for a
// header that of the nearest compiled file (the longest common folder,
// then the first by path); nil without a database.
func (db *compileDB) commandFor(file string) *compileCommand {
	if db == nil || len(db.files) == 0 {
		return nil
	}
	if cc := db.byFile[file]; cc != nil {
		return cc
	}
	best, bestLen := db.files[0], -1
	for _, f := range db.files {
		if n := commonDirLen(path.Dir(file), path.Dir(f)); n > bestLen {
			best, bestLen = f, n
		}
	}
	return db.byFile[best]
}

// commonDirLen counts the leading folder names two folders share.
func commonDirLen(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] && as[n] != "." {
		n++
	}
	return n
}
