// Package gitdiff finds the lines of a git work tree that changed since a
// revision, for reporting only the findings a pull request introduces.
package gitdiff

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers/source"
)

// Changes are the changed lines of a work tree, by slash path relative to
// the directory git ran in.
type Changes struct {
	// lines holds each changed file's added or modified line ranges, in
	// the new version, in the order of the diff.
	lines map[string][]span
	// whole holds the files that are new and untracked: every line counts
	// as changed; wholeDirs the folders, ending in "/", all of whose files
	// are (an untracked repository).
	whole     map[string]bool
	wholeDirs []string
}

// A span is a range of lines, first to last inclusive.
type span struct{ first, last int }

// Touches reports whether any of the lines first..last of path changed.
func (c *Changes) Touches(path string, first, last int) bool {
	if c.whole[path] {
		return true
	}
	for _, d := range c.wholeDirs {
		if strings.HasPrefix(path, d) {
			return true
		}
	}
	for _, s := range c.lines[path] {
		if s.first <= last && first <= s.last {
			return true
		}
	}
	return false
}

// Since returns the lines of the work tree under dir that differ from
// revision rev: lines added or modified in tracked files, staged or not
// (every line of one git takes for binary), and every line of untracked
// files, ignored ones too; in
// a submodule, those that differ from the commit rev records for it (its
// own diff and untracked files, so that residue's options, not the
// user's diff configuration, apply). Paths are relative to dir.
func Since(dir, rev string) (*Changes, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("--diff-base %q is not a revision", rev)
	}
	c, err := since(dir, rev, 0)
	if err != nil {
		return nil, fmt.Errorf("--diff-base %s: %v", rev, err)
	}
	return c, nil
}

// maxSubmoduleDepth bounds how deep submodules of submodules are read.
const maxSubmoduleDepth = 8

// since is Since at a submodule depth.
func since(dir, rev string, depth int) (*Changes, error) {
	diff, err := gitAt(dir, depth, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
		"--ignore-submodules", "--find-renames", "--relative", "--src-prefix=a/", "--dst-prefix=b/", "-U0", rev, "--")
	if err != nil {
		if depth > 0 {
			return nil, err
		}
		return nil, missing(dir, rev, err)
	}
	c, err := Parse(diff)
	if err != nil {
		return nil, err
	}
	if err := c.addUntracked(dir, "", depth); err != nil {
		return nil, err
	}
	if err := c.addBinary(dir, rev, depth); err != nil {
		return nil, err
	}
	// Git counts lines by line feeds only, residue by old Mac line endings
	// too: the lines of a changed file that has such endings are not
	// git's, and the whole file counts as changed.
	for name := range c.lines {
		if src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err == nil && source.HasLoneCR(src) {
			c.whole[name] = true
		}
	}
	if depth < maxSubmoduleDepth {
		if err := c.addSubmodules(dir, rev, depth); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// addSubmodules adds the changes of the submodules whose recorded commit
// or work tree differs from rev's: each compared, in its own work tree,
// with the commit rev records (a submodule rev lacks is new, all of it).
func (c *Changes) addSubmodules(dir, rev string, depth int) error {
	// Every submodule, whatever submodule.<name>.ignore or
	// diff.ignoreSubmodules say; a moved one is one removed and one added.
	raw, err := gitAt(dir, depth, "diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--ignore-submodules=none", "--relative", rev, "--")
	if err != nil {
		return err
	}
	fields := strings.Split(string(raw), "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		// ":<old mode> <new mode> <old sha> <new sha> <status>", then the
		// path.
		meta := strings.Fields(strings.TrimPrefix(fields[i], ":"))
		if len(meta) < 5 {
			continue
		}
		path := fields[i+1]
		if meta[1] != "160000" {
			continue
		}
		sub := filepath.Join(dir, filepath.FromSlash(path))
		if !checkedOut(sub) {
			continue
		}
		old, newSHA := meta[2], meta[3]
		if meta[0] == "160000" && strings.Trim(old, "0") != "" {
			base := old
			if strings.Contains(rev, "..") && strings.Trim(newSHA, "0") != "" {
				// A range compares commits, here as in the superproject.
				base = old + ".." + newSHA
			}
			if inner, err := since(sub, base, depth+1); err == nil {
				c.merge(inner, path+"/")
				continue
			}
		}
		// New here, or its commit of then is not in the clone (a shallow
		// submodule): every file of it counts as changed.
		if err := c.addWhole(sub, path+"/", depth+1); err != nil {
			return err
		}
	}
	return nil
}

// merge adds the changes of a submodule, whose paths get prefix.
func (c *Changes) merge(inner *Changes, prefix string) {
	for name, spans := range inner.lines {
		c.lines[prefix+name] = spans
	}
	for name := range inner.whole {
		c.whole[prefix+name] = true
	}
	for _, d := range inner.wholeDirs {
		c.wholeDirs = append(c.wholeDirs, prefix+d)
	}
}

// checkedOut reports whether the submodule folder dir holds a work tree.
func checkedOut(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return err == nil
}

// addWhole counts every file of the submodule at sub (prefix its path
// relative to the scan, with a final slash) as changed, those of the
// submodules it holds too.
func (c *Changes) addWhole(sub, prefix string, depth int) error {
	files, err := gitAt(sub, depth, "ls-files", "-z", "--stage")
	if err != nil {
		return err
	}
	for _, entry := range strings.Split(string(files), "\x00") {
		// "<mode> <sha> <stage>\t<path>"
		meta, name, ok := strings.Cut(entry, "\t")
		if !ok {
			continue
		}
		if !strings.HasPrefix(meta, "160000 ") {
			c.whole[prefix+name] = true
			continue
		}
		nested := filepath.Join(sub, filepath.FromSlash(name))
		if checkedOut(nested) && depth < maxSubmoduleDepth {
			if err := c.addWhole(nested, prefix+name+"/", depth+1); err != nil {
				return err
			}
		}
	}
	return c.addUntracked(sub, prefix, depth)
}

// addBinary counts as changed, all of it, each changed file git takes for
// binary (a NUL byte, a -diff attribute), whose diff has no lines: residue
// may scan one. (Diffing them as text would read every changed blob of
// the repository, an archive's or a model's too, into memory.)
func (c *Changes) addBinary(dir, rev string, depth int) error {
	out, err := gitAt(dir, depth, "diff", "--numstat", "-z", "--no-color", "--no-ext-diff", "--no-textconv",
		"--ignore-submodules", "--find-renames", "--relative", rev, "--")
	if err != nil {
		return err
	}
	// "added\tdeleted\tpath\0", or for a rename "added\tdeleted\t\0old\0new\0";
	// a binary file's counts are "-".
	fields := strings.Split(string(out), "\x00")
	for i := 0; i < len(fields); i++ {
		counts := strings.SplitN(fields[i], "\t", 3)
		if len(counts) < 3 {
			continue
		}
		path := counts[2]
		if path == "" && i+2 < len(fields) {
			path, i = fields[i+2], i+2
		}
		if counts[0] == "-" && counts[1] == "-" && path != "" {
			c.whole[path] = true
		}
	}
	return nil
}

// addUntracked counts the untracked files of the repository at dir as
// changed, their paths with prefix; a repository inside it that git does
// not enter (a clone never added, which git lists as its folder) all of
// it. So are the files .gitignore excludes, as folders where a whole
// folder is (a virtualenv is one line): none is at rev, and a scan reads
// one named on its command line or with --no-ignore.
func (c *Changes) addUntracked(dir, prefix string, depth int) error {
	for _, args := range [][]string{
		{"ls-files", "-z", "--others", "--exclude-standard"},
		{"ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"},
	} {
		untracked, err := gitAt(dir, depth, args...)
		if err != nil {
			return err
		}
		for _, name := range strings.Split(string(untracked), "\x00") {
			switch {
			case strings.HasSuffix(name, "/"):
				c.wholeDirs = append(c.wholeDirs, prefix+name)
			case name != "":
				c.whole[prefix+name] = true
			}
		}
	}
	return nil
}

// missing returns why git could not diff against rev: a revision that
// names no commit of the clone is said to be missing, with the two
// usual causes, and any other error is git's.
func missing(dir, rev string, err error) error {
	if strings.Contains(rev, "..") {
		return err // a range (base...HEAD) is git's to judge
	}
	if _, repoErr := git(dir, "rev-parse", "--git-dir"); repoErr != nil {
		switch msg := repoErr.Error(); {
		case strings.Contains(msg, "dubious ownership"):
			return fmt.Errorf("%s: mark it safe (git config --global --add safe.directory %s) or run as its owner", msg, shellQuote(dir))
		case !strings.Contains(msg, "not a git repository"):
			return repoErr // git refuses the repository: its words
		}
		return errors.New("not in a git work tree: --diff-base compares with a revision of one")
	}
	if _, revErr := git(dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); revErr == nil {
		return err
	}
	if _, headErr := git(dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); headErr != nil {
		return errors.New("the repository has no commit yet")
	}
	return errors.New("no such commit in this clone (a force-push drops the commit before it; a shallow clone lacks history: fetch it, or clone with full depth)")
}

// shellQuote quotes s for a POSIX shell when it holds more than letters,
// digits and /._-+:@=, (a path with a space, pasted from a message).
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// git runs git in dir and returns its standard output; the error carries
// git's first line of complaint.
func git(dir string, args ...string) ([]byte, error) { return gitAt(dir, 0, args...) }

// submoduleEnv is the environment of git in a submodule: the variables
// that name the repository a hook runs in (git rev-parse
// --local-env-vars: GIT_INDEX_FILE, GIT_DIR, ...) are the superproject's,
// as git itself drops them for its submodules; -c settings stay.
var submoduleEnv = sync.OnceValue(func() []string {
	local := map[string]bool{}
	for _, v := range []string{"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_OBJECT_DIRECTORY", "GIT_DIR",
		"GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE", "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS",
		"GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR"} {
		local[v] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !local[name] {
			env = append(env, kv)
		}
	}
	return env
})

// gitAt is git in a repository depth submodules below the scan's.
func gitAt(dir string, depth int, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if depth > 0 {
		cmd.Env = submoduleEnv()
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); errors.As(err, &ee) && msg != "" {
			return nil, fmt.Errorf("git: %s", msg)
		}
		return nil, fmt.Errorf("running git: %v", err)
	}
	return out, nil
}
