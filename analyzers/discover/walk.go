package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/residue-sec/residue/analyzers/glob"
)

// A walker holds the state of one Walk.
type walker struct {
	opt      Options
	include  glob.Includes
	exclude  []string
	root     string              // Options.Root, cleaned
	realRoot string              // root with symlinks resolved
	base     []gitignore.Pattern // from .git/info/exclude
	// The directories of a pass are walked on every core (spawn); mu
	// guards what the walks record.
	slots    chan struct{}
	pending  sync.WaitGroup
	mu       sync.Mutex
	visited  map[string]bool // real paths of the directories walked
	linked   []dir           // symlinked directories, walked last
	found    []candidate
	warnings []Warning
}

// An entry is a file or directory met during the walk.
type entry struct {
	abs     string   // absolute, through symlinks
	real    string   // absolute, symlinks resolved
	rel     string   // slash path relative to the root
	comps   []string // rel split at slashes, nil for the root
	viaLink bool     // reached through a symlink below the argument
}

// A dir is a directory to walk.
type dir struct {
	entry
	patterns []gitignore.Pattern // from the ignore files above it
	named    bool                // a path argument
}

func newWalker(opt Options) (*walker, error) {
	if !filepath.IsAbs(opt.Root) {
		return nil, fmt.Errorf("repository root %q is not an absolute path", opt.Root)
	}
	root := filepath.Clean(opt.Root)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	include, err := cleanGlobs(opt.Include, "include")
	if err != nil {
		return nil, err
	}
	exclude, err := cleanGlobs(opt.Exclude, "exclude")
	if err != nil {
		return nil, err
	}
	w := &walker{
		opt: opt, include: glob.NewIncludes(include), exclude: exclude,
		root: root, realRoot: realRoot, visited: map[string]bool{},
		slots: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	if !opt.NoIgnore {
		w.base = w.readPatterns(filepath.Join(root, ".git", "info", "exclude"), ".git/info/exclude", nil)
	}
	return w, nil
}

// walkArg walks one resolved path argument, and waits for the walks of
// its directories; the symlinked directories it met are queued in the
// order of their paths, the order a walk on one core meets them in.
func (w *walker) walkArg(a arg) {
	met := len(w.linked)
	defer func() {
		w.pending.Wait()
		sortDirs(w.linked[met:])
	}()
	switch {
	case a.info.IsDir():
		w.walkNamedDir(a)
	case a.info.Mode().IsRegular():
		w.examineNamedFile(a)
	default:
		w.warn(a.rel, "skipped: not a regular file")
	}
}

// walkNamedDir walks a directory argument. The skip table does not apply to
// it, Exclude globs and .gitignore do.
func (w *walker) walkNamedDir(a arg) {
	if w.excludedWithParents(a.rel) {
		return
	}
	patterns, ignored := w.ancestorPatterns(a.rel)
	if ignored {
		w.warn(a.rel, "skipped: ignored by .gitignore (use --no-ignore to scan it)")
		return
	}
	w.walkDir(dir{entry: entry{abs: a.abs, real: a.real, rel: a.rel, comps: splitRel(a.rel)}, patterns: patterns, named: true})
}

// walkLinkedDirs walks the symlinked directories met so far, and those met
// while walking them, once everything reachable directly has been walked:
// one after the other, in the order they were queued, since the first walk
// of a directory claims it.
func (w *walker) walkLinkedDirs() {
	for i := 0; i < len(w.linked); i++ {
		met := len(w.linked)
		w.walkDir(w.linked[i])
		w.pending.Wait()
		sortDirs(w.linked[met:])
	}
}

// sortDirs sorts directories by their path components.
func sortDirs(ds []dir) {
	slices.SortStableFunc(ds, func(a, b dir) int { return slices.Compare(a.comps, b.comps) })
}

// spawn walks d on another goroutine when a core is free, else at once.
func (w *walker) spawn(d dir) {
	select {
	case w.slots <- struct{}{}:
		w.pending.Add(1)
		go func() {
			defer func() { <-w.slots; w.pending.Done() }()
			w.walkDir(d)
		}()
	default:
		w.walkDir(d)
	}
}

// claim marks the real directory real walked, and reports whether it was
// not yet.
func (w *walker) claim(real string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.visited[real] {
		return false
	}
	w.visited[real] = true
	return true
}

// walkDir walks d unless it was walked already or is a virtualenv.
func (w *walker) walkDir(d dir) {
	if !w.claim(d.real) {
		return
	}
	entries, err := os.ReadDir(d.abs)
	if err != nil {
		w.warn(d.rel, "skipped: cannot read the directory: "+reason(err))
		return
	}
	if !d.named && !w.include.Names(d.rel) && isVirtualenv(entries) {
		return
	}
	patterns := w.dirPatterns(d, entries)
	m := gitignore.NewMatcher(patterns)
	for _, e := range entries {
		c := d.child(e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			w.visitLink(c, patterns, m)
		case e.IsDir():
			if !w.skipDir(c, m) {
				w.spawn(dir{entry: c, patterns: patterns})
			}
		default:
			w.visitFile(c, e, m)
		}
	}
}

// child returns the entry of d's member name.
func (d *dir) child(name string) entry {
	rel := name
	if d.rel != "" {
		rel = d.rel + "/" + name
	}
	return entry{
		abs:     filepath.Join(d.abs, name),
		real:    filepath.Join(d.real, name),
		rel:     rel,
		comps:   append(d.comps[:len(d.comps):len(d.comps)], name),
		viaLink: d.viaLink,
	}
}

// visitLink follows the symlink c if it leads to a place inside the root.
// A symlinked directory is queued and walked after the direct pass, unless
// it holds the link, which would make a loop.
func (w *walker) visitLink(c entry, patterns []gitignore.Pattern, m gitignore.Matcher) {
	info, err := os.Stat(c.abs)
	name := c.comps[len(c.comps)-1]
	if _, source := langByName(name); err != nil && (!source || isSkippedName(name) || w.excluded(c.rel) || m.Match(c.comps, false) || m.Match(c.comps, true)) {
		return // a broken link the walk would not have followed, or to a file it would not read: no warning
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.warn(c.rel, "skipped: dangling symlink")
		return
	case errors.Is(err, syscall.ELOOP):
		w.warn(c.rel, "skipped: symlink loop")
		return
	case err != nil:
		w.warn(c.rel, "skipped: "+reason(err))
		return
	}
	real, err := filepath.EvalSymlinks(c.abs)
	if err != nil {
		w.warn(c.rel, "skipped: "+reason(err))
		return
	}
	if _, inside := relUnder(w.realRoot, real); !inside {
		return
	}
	parent := filepath.Dir(c.real)
	c.real, c.viaLink = real, true
	if !info.IsDir() {
		w.visitFile(c, fs.FileInfoToDirEntry(info), m)
		return
	}
	if _, loop := relUnder(real, parent); loop {
		return // a link to the directory holding it or to one above
	}
	if !w.skipDir(c, m) {
		w.mu.Lock()
		w.linked = append(w.linked, dir{entry: c, patterns: patterns})
		w.mu.Unlock()
	}
}

// skipDir reports whether the directory c, met during the walk, is skipped
// by the skip table (unless an include glob names it, but a version
// control folder), an Exclude glob or .gitignore.
func (w *walker) skipDir(c entry, m gitignore.Matcher) bool {
	name := c.comps[len(c.comps)-1]
	return isSkippedName(name) && (slices.Contains(vcsDirs, name) || !w.include.Names(c.rel)) || w.excluded(c.rel) || m.Match(c.comps, true)
}

// ancestorPatterns returns the ignore patterns that apply inside the
// directory rel: those of .git/info/exclude and of the .gitignore files of
// the directories above it. ignored is true if rel or a directory above it
// is ignored.
func (w *walker) ancestorPatterns(rel string) (patterns []gitignore.Pattern, ignored bool) {
	patterns = w.base
	if w.opt.NoIgnore || rel == "" {
		return patterns, false
	}
	comps := splitRel(rel)
	for i := range comps {
		parent := comps[:i]
		name := filepath.Join(append([]string{w.root}, parent...)...)
		patterns = appendPatterns(patterns, w.readIgnoreFile(name, parent))
		if gitignore.NewMatcher(patterns).Match(comps[:i+1], true) {
			return nil, true
		}
	}
	return patterns, false
}

// dirPatterns returns the ignore patterns that apply to d's entries: d's
// own .gitignore, if it has one, after those of the directories above.
func (w *walker) dirPatterns(d dir, entries []fs.DirEntry) []gitignore.Pattern {
	if w.opt.NoIgnore || !hasEntry(entries, ".gitignore") {
		return d.patterns
	}
	return appendPatterns(d.patterns, w.readIgnoreFile(d.abs, d.comps))
}

// appendPatterns appends more to a copy of ps: the slices of sibling
// directories share their parent's patterns.
func appendPatterns(ps, more []gitignore.Pattern) []gitignore.Pattern {
	if len(more) == 0 {
		return ps
	}
	return append(ps[:len(ps):len(ps)], more...)
}

// readIgnoreFile reads the .gitignore file of the directory abs, whose
// components relative to the root are comps.
func (w *walker) readIgnoreFile(abs string, comps []string) []gitignore.Pattern {
	rel := strings.Join(append(comps[:len(comps):len(comps)], ".gitignore"), "/")
	return w.readPatterns(filepath.Join(abs, ".gitignore"), rel, comps)
}

// readPatterns parses the ignore file at abs, whose patterns are relative
// to the directory domain. A missing file has no patterns; an unreadable one
// gives a Warning.
func (w *walker) readPatterns(abs, rel string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(abs)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			w.warn(rel, "cannot read the ignore file, its patterns are not applied: "+reason(err))
		}
		return nil
	}
	var ps []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, parseIgnorePattern(line, domain))
	}
	return ps
}

// hasEntry reports whether entries has one called name.
func hasEntry(entries []fs.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}

// splitRel splits a slash path relative to the root; nil for the root.
func splitRel(rel string) []string {
	if rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

// warn records a Warning about the path rel ("" is the root).
func (w *walker) warn(rel, msg string) {
	if rel == "" {
		rel = "."
	}
	w.mu.Lock()
	w.warnings = append(w.warnings, Warning{Path: rel, Message: msg})
	w.mu.Unlock()
}

// reason returns the cause of err without the path that PathError adds:
// a Warning carries the path already.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
