package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cache"
	"github.com/residue-sec/residue/analyzers/config"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/gitdiff"
	"github.com/residue-sec/residue/analyzers/report"
	"github.com/residue-sec/residue/analyzers/rule"
)

// A scanSetup is everything a scan needs besides its flags: the driver's
// configuration, with the configuration file merged in, and the filters
// applied to its findings.
type scanSetup struct {
	set      *rule.Set
	driver   driver.Config
	baseline filter.Baseline
	// baselineSum is a hash of the baseline's fingerprints, sorted: the
	// file is read once (it may be a pipe).
	baselineSum []byte
	// baselineFiles are the files of the baseline's findings.
	baselineFiles []string
	changes       *gitdiff.Changes
	// scan identifies the scan among its shards' reports (report.Run.Scan).
	scan string
}

// scanIdentity returns what tells a shard's report from that of a shard of
// another scan: a hash of everything besides the shard's files that
// decides the findings reported (the paths scanned, relative to the root,
// the file filters, the rules and settings, the report's filters, the
// build of residue), and nothing that does not (the output, the cache,
// the jobs).
func (o *scanOptions) scanIdentity(sc *scanSetup) (string, error) {
	var paths []string
	given := sc.driver.Paths
	if len(given) == 0 {
		given = []string{"."} // as the driver takes no path
	}
	for _, p := range given {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		rel, err := filepath.Rel(sc.driver.Root, abs)
		if err != nil {
			return "", err
		}
		paths = append(paths, filepath.ToSlash(rel))
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	// The rules as they match, not where their files are: the way their
	// directory was written, or the checkout's place, is no other scan.
	var rules []rule.Rule
	for _, r := range sc.set.All() {
		c := *r
		c.File, c.Line, c.Positions = "", 0, nil
		rules = append(rules, c)
	}
	d := sc.driver
	data, err := json.Marshal([]any{paths, d.Include, d.Exclude, d.MaxFileSize, d.NoIgnore, d.WarnUnusedIgnores, d.Settings, d.Disable,
		rules, o.severity, o.includeSuppressed, o.category, sc.baselineSum, o.diffBase, driver.BuildID()})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8]), nil
}

// prepare finds the repository root, loads the rules (with the
// configuration's rules-dirs), the configuration file, the baseline and the
// changed lines: every error happens before scanning.
func (o *scanOptions) prepare(paths []string) (*scanSetup, error) {
	first := "."
	if len(paths) > 0 {
		first = paths[0]
	}
	root, err := driver.FindRootOf(append([]string{first}, paths[min(1, len(paths)):]...))
	if err != nil {
		return nil, pathError(first, err)
	}
	if err := checkOutputTarget(o.output, root); err != nil {
		return nil, err
	}
	dir := commonDir(paths, first, root)
	if cwd, err := filepath.Abs("."); o.preCommit && err == nil && driver.Within(root, cwd) {
		// pre-commit cuts the staged files into runs of the hook as it
		// pleases: every run takes the configuration of the directory the
		// hook runs in (the repository's root), so that the report they
		// gather has one. A run from outside the repository takes its
		// files'.
		dir = "."
	}
	cfgPath, err := o.configPath(dir, root)
	if err != nil {
		return nil, err
	}
	set, cfg, dirs, err := o.rules.withConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	if err := checkNotAnInput(o.output, cfgPath, o.baseline, dirs); err != nil {
		return nil, err
	}
	as, err := analyzersFor(set)
	if err != nil {
		return nil, err
	}
	sc := &scanSetup{set: set, driver: driver.Config{
		Analyzers: as, Rules: set, Paths: paths, Root: root,
		Include: o.include, Exclude: append(append([]string{}, cfg.Exclude...), o.exclude...),
		MaxFileSize: o.maxFileSize, Jobs: o.jobs, Settings: cfg.Settings, Disable: cfg.Disable,
		WarnUnusedIgnores: o.warnUnusedIgnores, NoIgnore: o.noIgnore,
	}}
	sc.driver.Exclude = append(sc.driver.Exclude, ruleDirGlobs(dirs, root, paths)...)
	if !o.set["include"] {
		sc.driver.Include = cfg.Include
	}
	if !o.set["max-file-size"] && cfg.MaxFileSize > 0 {
		sc.driver.MaxFileSize = cfg.MaxFileSize
	}
	sc.driver.CacheDir = o.cachePath(cfg, root)
	if what := sharedFolder(sc.driver.CacheDir, root); what != "" {
		return nil, fmt.Errorf("cache directory %s is %s: residue would write its folders among your files; name a folder of its own (the default is %s at the repository root)", sc.driver.CacheDir, what, DefaultCacheDir)
	}
	sc.driver.Shard = driver.Shard(o.shard)
	if o.baseline != "" {
		fps, files, err := report.ReadBaseline(o.baseline)
		if err != nil {
			return nil, err
		}
		sc.baseline = filter.NewBaseline(fps)
		sc.baselineFiles = files
		sorted := slices.Sorted(slices.Values(fps))
		sum := sha256.Sum256([]byte(strings.Join(sorted, "\n")))
		sc.baselineSum = sum[:]
	}
	if o.diffBase != "" {
		if sc.changes, err = gitdiff.Since(root, o.diffBase); err != nil {
			return nil, err
		}
	}
	if o.shard.Count > 0 {
		if sc.scan, err = o.scanIdentity(sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// sharedFolder says which folder of the user's dir is, when a cache there
// would write among the user's files: the repository's root, the home
// folder, the file system's root; "" for any other.
func sharedFolder(dir, root string) string {
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	home, _ := os.UserHomeDir()
	switch abs = filepath.Clean(abs); {
	case abs == filepath.Clean(root):
		return "the repository's root"
	case home != "" && abs == filepath.Clean(home):
		return "your home folder"
	case abs == filepath.Dir(abs):
		return "the file system's root"
	}
	return ""
}

// DefaultCacheDir is the cache directory's name at the repository root;
// the environment variable CacheDirEnv names another, as --cache-dir does.
const (
	DefaultCacheDir = ".residue_cache"
	CacheDirEnv     = "RESIDUE_CACHE_DIR"
)

// cachePath returns the cache directory: --cache-dir, $RESIDUE_CACHE_DIR,
// the configuration's cache-dir, or the default at the root of a git work
// tree (or where one exists already); "" with --no-cache, and when the
// default cannot be created (a read-only checkout runs without a cache,
// quietly; a directory asked for is a warning when it cannot be used).
func (o *scanOptions) cachePath(cfg *config.Config, root string) string {
	switch {
	case o.noCache:
		return ""
	case o.cacheDir != "":
		return config.ExpandHome(o.cacheDir)
	case os.Getenv(CacheDirEnv) != "":
		return config.ExpandHome(os.Getenv(CacheDirEnv))
	case cfg.CacheDir != "":
		return cfg.CacheDir
	}
	dir := filepath.Join(root, DefaultCacheDir)
	if _, err := os.Stat(dir); err != nil {
		// A folder that is no git work tree (/etc for /etc/passwd, a bare
		// repository, an unpacked tarball) gets no cache of its own
		// unless asked for: a scan writes nowhere it was not sent.
		if !driver.IsWorkTreeRoot(root) {
			return ""
		}
	}
	if cache.Make(dir) != nil {
		return ""
	}
	return dir
}

// commonDir returns the directory that holds every path (first when there
// is one path), up to root: where the configuration is looked for, so
// that the order of the paths (pre-commit's staged files) does not decide
// which of two nested configurations applies.
func commonDir(paths []string, first, root string) string {
	if len(paths) < 2 {
		return first
	}
	dir, err := driver.CommonDir(paths)
	if err != nil {
		return first
	}
	if !driver.Within(root, dir) {
		return root
	}
	return dir
}

// configPath returns --config, else the nearest configuration file at or
// above dir up to root, else "".
func (o *scanOptions) configPath(first, root string) (string, error) {
	if o.config != "" {
		return o.config, nil
	}
	found, err := config.Find(first, root)
	if err != nil {
		return "", pathError(first, err)
	}
	if found == "" {
		return "", nil
	}
	return shortPath(found), nil
}

// filter returns the findings the report shows: at or above --severity,
// suppressed ones only with --include-suppressed, none in the baseline and,
// with --diff-base, only those on changed lines. What the baseline and the
// diff left out is counted on stderr unless --quiet.
func (sc *scanSetup) filter(all []analyzers.Finding, o *scanOptions, stderr io.Writer) []analyzers.Finding {
	findings := filter.Report(all, o.severity, o.includeSuppressed)
	note := func(format string, n int) {
		if n > 0 && !o.quiet {
			printNotification(stderr, analyzers.Notification{Level: "note", Message: fmt.Sprintf(format, n, plural(n))})
		}
	}
	if sc.baseline != nil {
		var n int
		findings, n = sc.baseline.Drop(findings)
		note("%d finding%s in the baseline left out", n)
		if n == 0 && !o.quiet {
			if at, ok := otherRoot(sc.baselineFiles, findings); ok {
				printNotification(stderr, analyzers.Notification{Level: "warning", Message: fmt.Sprintf(
					"--baseline %s: none of its findings is in this scan, whose %s is its %s: a report of a scan from another folder? Its paths are relative to that scan's root",
					o.baseline, at[0], at[1])})
			}
		}
	}
	if sc.changes != nil {
		var n int
		findings, n = filter.OnChangedLines(findings, sc.changes)
		note("%d finding%s on lines unchanged since --diff-base left out", n)
	}
	return findings
}

// otherRoot reports whether a baseline matched nothing because it was
// written by a scan of another folder: one of the findings' files is a
// file of the baseline under a folder (sub/a.py for a.py), or the other
// way round; at are the two paths.
func otherRoot(baseline []string, findings []analyzers.Finding) (at [2]string, ok bool) {
	files := map[string]bool{}
	for _, p := range baseline {
		files[p] = true
	}
	for _, f := range findings {
		p := f.Location.Path
		if files[p] {
			return at, false // the same paths: findings fixed, or edited
		}
	}
	for _, f := range findings {
		p := f.Location.Path
		for _, b := range baseline {
			if strings.HasSuffix(p, "/"+b) || strings.HasSuffix(b, "/"+p) {
				return [2]string{p, b}, true
			}
		}
	}
	return at, false
}

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// count returns "1 word" or "N words".
func count(n int, word string) string {
	return fmt.Sprintf("%d %s%s", n, word, plural(n))
}

// pathError names a path argument as given in an error about it.
func pathError(p string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", p, pe.Err)
	}
	return err
}

// shortPath returns path relative to the working directory when it is
// below it, so that errors name ".residue.yml" rather than an absolute path.
func shortPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// ruleDirGlobs returns exclude globs for the rules directories under root:
// the Python and C files there are the rules' fixtures, which residue test
// checks and a scan of the repository must not report. A directory that
// holds one of the paths scanned is the user's choice, and kept.
func ruleDirGlobs(dirs []string, root string, paths []string) []string {
	var globs []string
dirs:
	for _, dir := range dirs {
		abs := absResolved(dir)
		rel, err := filepath.Rel(resolved(root), abs)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		for _, p := range paths {
			if in, err := filepath.Rel(abs, absResolved(p)); err == nil && (in == "." || filepath.IsLocal(in)) {
				continue dirs
			}
		}
		globs = append(globs, filepath.ToSlash(rel)+"/**")
	}
	return globs
}
