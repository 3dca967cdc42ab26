package discover

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/residue-sec/residue/analyzers/source"
)

// headSize is how many bytes of an extension-less file are read to find a
// shebang.
const headSize = 256

// A candidate is a file the walk would yield, or a Warning about it, before
// the files reached more than once are merged.
type candidate struct {
	file    File
	real    string // the file's path with symlinks resolved
	viaLink bool
	problem string // if set, a Warning message instead of the file
}

// before reports whether c is preferred to d, a candidate for the same real
// file: a direct path wins over a symlink, then the smaller Path.
func (c *candidate) before(d *candidate) bool {
	if c.viaLink != d.viaLink {
		return !c.viaLink
	}
	return c.file.Path < d.file.Path
}

// langByName returns the language of a file called name, "" if it has no
// extension and its language depends on its shebang. ok is false for a file
// residue does not parse.
func langByName(name string) (lang source.Language, ok bool) {
	if filepath.Ext(name) == "" {
		return "", true
	}
	return source.Detect(name, nil)
}

// visitFile examines the file c, met during the walk as e, unless its
// name, the Include and Exclude globs or .gitignore rule it out.
func (w *walker) visitFile(c entry, e fs.DirEntry, m gitignore.Matcher) {
	lang, ok := langByName(e.Name())
	if !ok || !w.included(c.rel) || w.excluded(c.rel) || m.Match(c.comps, false) {
		return
	}
	w.examine(c, e, lang, false)
}

// examineNamedFile examines a file argument. .gitignore does not apply to
// it, Include and Exclude globs do.
func (w *walker) examineNamedFile(a arg) {
	if !w.included(a.rel) || w.excludedWithParents(a.rel) {
		return
	}
	// A file named on purpose whose extension residue does not know (lang
	// "") is still read for a Python shebang, as pre-commit's `types:
	// [python]` names one (Django's manage.py-tpl), which a walk leaves
	// alone.
	lang, _ := langByName(filepath.Base(a.abs))
	w.examine(entry{abs: a.abs, real: a.real, rel: a.rel}, fs.FileInfoToDirEntry(a.info), lang, true)
}

// examine records the file c, met as e, as a candidate once it knows its
// size, that it can be read and, when lang is "", its language.
func (w *walker) examine(c entry, e fs.DirEntry, lang source.Language, named bool) {
	if !e.Type().IsRegular() {
		if lang != "" || named {
			w.addProblem(c, "skipped: not a regular file")
		}
		return
	}
	info, err := e.Info()
	if err == nil {
		lang, err = readLanguage(c.abs, lang)
	}
	switch {
	case err != nil:
		w.addProblem(c, "skipped: cannot read the file: "+reason(err))
	case lang == "" && named:
		w.warn(c.rel, "skipped: not a Python or C file")
	case lang == "":
		// Not a Python script: ignored like any other file.
	case w.opt.MaxFileSize > 0 && info.Size() > w.opt.MaxFileSize:
		w.addProblem(c, fmt.Sprintf("skipped: %s exceeds the %s size cap (--max-file-size)",
			formatSize(info.Size()), formatSize(w.opt.MaxFileSize)))
	default:
		w.record(candidate{
			file:    File{Path: c.rel, Abs: c.abs, Lang: lang, Stat: StatOf(info)},
			real:    c.real,
			viaLink: c.viaLink,
		})
	}
}

// readLanguage checks that the file at abs can be read and returns lang,
// or if lang is "" the language its first bytes tell ("" if none).
func readLanguage(abs string, lang source.Language) (source.Language, error) {
	if lang != "" {
		return lang, checkReadAccess(abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return detectByHead(f)
}

// detectByHead returns the language of f, a file without an extension or
// one named on purpose with an extension residue does not know, from the
// shebang in its first headSize bytes, "" if residue does not parse it.
func detectByHead(f *os.File) (source.Language, error) {
	var head [headSize]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", err
	}
	lang, _ := source.Shebang(head[:n])
	return lang, nil
}

// addProblem records a Warning about the file c, to be reported unless the
// same file is yielded under a preferred path.
func (w *walker) addProblem(c entry, msg string) {
	w.record(candidate{file: File{Path: c.rel, Abs: c.abs}, real: c.real, viaLink: c.viaLink, problem: msg})
}

// record adds a candidate; the walks of a pass record concurrently.
func (w *walker) record(c candidate) {
	w.mu.Lock()
	w.found = append(w.found, c)
	w.mu.Unlock()
}

// formatSize formats a size in bytes for a Warning, in the binary units
// --max-file-size takes (MiB, KiB).
func formatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// result merges the candidates for the same real file, keeping the
// preferred one, and returns the files and warnings sorted by path.
func (w *walker) result() ([]File, []Warning) {
	best := make(map[string]int, len(w.found))
	for i := range w.found {
		if j, ok := best[w.found[i].real]; !ok || w.found[i].before(&w.found[j]) {
			best[w.found[i].real] = i
		}
	}
	files := make([]File, 0, len(best))
	for _, i := range best {
		c := w.found[i]
		if c.problem != "" {
			w.warn(c.file.Path, c.problem)
			continue
		}
		files = append(files, c.file)
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	slices.SortFunc(w.warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Message, b.Message))
	})
	return files, slices.Compact(w.warnings)
}
