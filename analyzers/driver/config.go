// Package driver runs analyzers over a repository: discover → read → parse
// once → one shared query pass → analyzers → suppressions → sort. It takes
// the analyzer list as a parameter; package all holds residue's.
package driver

import (
	"hash/fnv"
	"runtime"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// Config is one scan.
type Config struct {
	// Analyzers run on every file they want.
	Analyzers []*analyzers.Analyzer
	// Rules holds the metadata of every rule the analyzers may report.
	Rules *rule.Set
	// Paths are the files and directories to scan (default ".").
	Paths []string
	// Root is the repository root that reported paths are relative to;
	// "" finds it: the git top level above the first path, else that path.
	Root string
	// Include and Exclude are doublestar globs relative to Root.
	Include, Exclude []string
	// NoIgnore scans files that .gitignore files exclude.
	NoIgnore bool
	// MaxFileSize skips larger files with a warning (0: DefaultMaxFileSize).
	MaxFileSize int64
	// Jobs is the number of worker goroutines (0: GOMAXPROCS).
	Jobs int
	// Settings are the analyzers' user settings, by analyzer name.
	Settings map[string]analyzers.Settings
	// Disable lists rule ids and family names that do not run: their
	// findings are dropped, they are left out of Result.Rules, and an
	// analyzer all of whose rules are disabled does not run at all.
	Disable []string
	// WarnUnusedIgnores reports suppression comments that matched nothing.
	WarnUnusedIgnores bool
	// SkipIgnoreNames leaves the rule names of suppression comments
	// unchecked: a query's run has only its own rule, and the comments
	// name the rules of a scan.
	SkipIgnoreNames bool
	// Shard, when its Count is above 1, reports on one part of the files
	// only: those whose path falls in shard Index (0-based) of Count. The
	// other files are still read for facts and models.
	Shard Shard
	// CacheDir is the cache directory that keeps files' results between
	// runs (package cache); "" runs without a cache.
	CacheDir string
	// Limits; zero values take the defaults below. MaxDepth, MaxMatches
	// (a file's query matches, and each analyzer's findings in a file's
	// Check) and MaxQuerySteps count work, so that what a scan finds does not
	// depend on the machine's load; ParseTimeout and FileTimeout are
	// wall-clock backstops, far beyond what a file within MaxFileSize
	// needs, reported as such when they cut a file. ModelTimeout is the
	// backstop of the model phase (every model's Build and every file's
	// Check step), reported as an error for what it left unfinished.
	ParseTimeout  time.Duration
	FileTimeout   time.Duration
	ModelTimeout  time.Duration
	MaxDepth      int
	MaxMatches    int
	MaxQuerySteps int
}

// Defaults for Config's zero values.
const (
	DefaultMaxFileSize   = 5 << 20
	DefaultParseTimeout  = 5 * time.Minute
	DefaultFileTimeout   = 5 * time.Minute
	DefaultModelTimeout  = 10 * time.Minute
	DefaultMaxDepth      = 2000
	DefaultMaxMatches    = 10000
	DefaultMaxQuerySteps = 2_000_000
)

func (c *Config) setDefaults() {
	if len(c.Paths) == 0 {
		c.Paths = []string{"."}
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.Jobs <= 0 {
		c.Jobs = runtime.GOMAXPROCS(0)
	}
	if c.ParseTimeout == 0 {
		c.ParseTimeout = DefaultParseTimeout
	}
	if c.FileTimeout == 0 {
		c.FileTimeout = DefaultFileTimeout
	}
	if c.ModelTimeout == 0 {
		c.ModelTimeout = DefaultModelTimeout
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxMatches == 0 {
		c.MaxMatches = DefaultMaxMatches
	}
	if c.MaxQuerySteps == 0 {
		c.MaxQuerySteps = DefaultMaxQuerySteps
	}
}

// A Shard is one of Count parts of a scan's files (Index counts from 0).
type Shard struct{ Index, Count int }

// Has reports whether path falls in the shard: the FNV-1a hash of the
// path, modulo Count, is Index. Every shard of a scan gets the files of
// one path, so merging the shards' reports gives the whole scan's.
func (s Shard) Has(path string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(path))
	return int(h.Sum32()%uint32(s.Count)) == s.Index
}

// Result is what a scan found.
type Result struct {
	// Root is the absolute repository root.
	Root string
	// Findings are every finding, sorted by path, line, column and rule;
	// suppressed ones carry a Suppression. filter.Report selects the reported.
	Findings []analyzers.Finding
	// Notifications are skipped files, parse problems and analyzer failures.
	Notifications []analyzers.Notification
	// Rules are the rules of the analyzers that ran, sorted by id.
	Rules []*rule.Rule
	// FilesScanned counts the files read (parsed, or ruled out by the
	// prefilters); skipped files are notifications instead.
	FilesScanned int
	// FilesSkipped counts the files (and paths) skipped, each with a
	// notification: unreadable, binary, too big, too deep, or cut by a
	// parse backstop. They are not among FilesScanned.
	FilesSkipped int
	// FilesParsed counts the files that were parsed.
	FilesParsed int
	// Tree identifies, in a shard's run (Config.Shard), the files every
	// shard walks: a hash of their paths and sizes. Shards of one tree
	// agree; those of another checkout or commit almost never do.
	Tree string
	// RuleFindings counts the findings of each rule that MaxRuleFindings
	// caps, in the files' passes of the run (the shard's files, with
	// Config.Shard), before any filter; nil when there were none.
	RuleFindings map[string]int64
}
