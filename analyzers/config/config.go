// Package config loads residue's configuration file, .residue.yml: which
// files to scan, which rules to disable or re-level, the analyzers'
// settings and the file size cap. Every problem in the file is reported
// with its file:line:col; unknown keys are errors.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// FileName is the name of the configuration file found by Find.
const FileName = ".residue.yml"

// Config is the content of one configuration file. The zero Config, what
// an absent or empty file gives, changes nothing.
type Config struct {
	// Include and Exclude are doublestar globs relative to the repository
	// root, as --include and --exclude.
	Include, Exclude []string
	// Disable lists rule ids and family names whose findings are dropped.
	Disable []string
	// Severity overrides rules' levels by rule id or family name; a rule
	// id takes precedence over its family.
	Severity map[string]string
	// Settings are the analyzers' settings, by analyzer name.
	Settings map[string]analyzers.Settings
	// MaxFileSize is the size cap in bytes; 0 when the file sets none.
	MaxFileSize int64
	// RulesDirs are directories of the user's rules, as --rules; Load
	// makes them relative to the configuration file's directory.
	RulesDirs []string
	// CacheDir is the cache directory, as --cache-dir; Load makes it
	// relative to the configuration file's directory. "" when unset.
	CacheDir string
}

// Known is what a configuration file may refer to: the rules that exist
// and the analyzers whose settings it may set.
type Known struct {
	Rules     *rule.Set
	Analyzers []*analyzers.Analyzer
}

// An Error is a problem in a configuration file, at File:Line:Col.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Find returns the configuration file for a scan of path: the nearest
// FileName in path's directory (path itself when it is one) or above it,
// up to and including root. It returns "" when there is none.
func Find(path, root string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if root, err = filepath.Abs(root); err != nil {
		return "", err
	}
	dir := abs
	if fi, err := os.Stat(abs); err != nil {
		return "", err
	} else if !fi.IsDir() {
		dir = filepath.Dir(abs)
	}
	for {
		candidate := filepath.Join(dir, FileName)
		fi, err := os.Stat(candidate)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return candidate, nil
		case err == nil:
			return "", fmt.Errorf("%s is not a regular file", candidate)
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
		parent := filepath.Dir(dir)
		if dir == root || parent == dir || !within(root, parent) {
			return "", nil
		}
		dir = parent
	}
}

// within reports whether dir is root or below it.
func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) &&
		(len(rel) < 3 || rel[:3] != ".."+string(filepath.Separator))
}

// A File is a configuration file as read, once: a pipe (--config
// <(...)) cannot be read twice, and a file edited between two reads
// would configure the rules and the rest of the scan apart.
type File struct {
	path string
	data []byte
}

// Read reads the configuration file at path, naming it in the error.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read the configuration file: %v", err)}
	}
	return &File{path: path, data: data}, nil
}

// Load validates the configuration, with the rules of its rules-dirs
// loaded (RulesDirs) in known.
func (f *File) Load(known Known) (*Config, error) {
	c, err := Parse(f.path, f.data, known)
	if err != nil {
		return nil, err
	}
	c.RulesDirs = relativeTo(f.path, c.RulesDirs)
	if c.CacheDir != "" {
		c.CacheDir = relativeTo(f.path, []string{c.CacheDir})[0]
	}
	return c, nil
}

// RulesDirs returns the configuration's `rules-dirs:`, relative to the
// file's directory: the rules Load needs to know.
func (f *File) RulesDirs() ([]string, error) {
	dirs, err := PeekRulesDirs(f.path, f.data)
	return relativeTo(f.path, dirs), err
}

// relativeTo resolves dirs against the directory of the file at path.
func relativeTo(path string, dirs []string) []string {
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		d = ExpandHome(d)
		if !filepath.IsAbs(d) {
			d = filepath.Join(filepath.Dir(path), d)
		}
		out = append(out, d)
	}
	return out
}

// ExpandHome returns path with a leading ~, alone or before a slash,
// replaced by the user's home directory, as a shell expands it (an
// environment variable or a YAML value is not expanded by one); path as
// it is otherwise, and when the home directory is unknown.
func ExpandHome(path string) string {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	return filepath.Join(home, path[1:])
}
