// Package analyzers is the contract between residue's driver and its analyzers.
//
// It is modelled on golang.org/x/tools/go/analysis: an Analyzer is a value that
// declares what it needs (languages, literal prefilters, candidate query
// patterns) and a Run function that receives a Pass for one parsed file and
// reports Findings through it. The driver parses every file once, runs one
// multi-pattern query pass shared by all analyzers, and hands each analyzer the
// matches of its own patterns.
package analyzers

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// An Analyzer finds one family of bugs. Analyzers are plain values registered
// in package all; the driver takes the list as a parameter.
type Analyzer struct {
	// Name is the family name, also the prefix of every rule id it reports
	// ("ctypes" reports "ctypes/…").
	Name string
	// Doc is a one-paragraph description shown by `residue rules`.
	Doc string
	// Languages are the languages whose files the analyzer runs on.
	Languages []source.Language
	// Rules lists every rule id the analyzer may report. Each must have a
	// rule file in rules/; the driver drops (and notifies about) a finding
	// whose id is not listed.
	Rules []string
	// Prefilter lists literal byte strings one of which a file must contain
	// for the analyzer to have anything to say about it. Empty means every
	// file of Languages. A file no analyzer wants is never parsed.
	Prefilter []string
	// Queries holds, per language, tree-sitter query patterns whose matches
	// the analyzer wants. The driver compiles the patterns of all analyzers
	// of a language into one query and runs it once per file.
	Queries map[source.Language]string
	// PrefilterSettings names setting keys whose values are prefilter
	// literals too (the part before the first ':'), so that a file that
	// names only a user-configured sink is still analyzed.
	PrefilterSettings []string
	// FactPrefilter lists literals that make a file outside the scanned
	// paths (but inside the repository) worth analyzing for its facts
	// alone: when a subfolder or single files are scanned, such files are
	// still read, analyzed, and their findings discarded, so that Finish
	// sees the repository's facts. Empty: facts come from scanned files only.
	FactPrefilter []string
	// Finish, if set, runs once after every file was analyzed, with every
	// fact the analyzer exported and its findings: it can drop findings
	// that another file's facts clear, and report findings at facts'
	// locations (a mismatch between two files).
	Finish func(*Summary) error
	// SettingKeys lists the settings the analyzer reads from Pass.Settings,
	// each with a one-line description.
	SettingKeys map[string]string
	// Run analyzes one file. It must not keep any node of pass.File after it
	// returns: the tree is closed once every analyzer is done.
	Run func(pass *Pass) error
}

// A Pass is one analyzer's view of one parsed file.
type Pass struct {
	Analyzer *Analyzer
	// File is the parsed file: its path, language, bytes and tree.
	File *source.File
	// Matches are the matches of the analyzer's own Queries patterns in this
	// file, in document order. PatternIndex is relative to the analyzer's
	// query text.
	Matches []tsquery.Match
	// Settings are the user's settings for this analyzer (from the
	// configuration file's `analyzers: {NAME: {...}}`), never nil.
	Settings Settings
	// Report records a finding. Locations are usually built with Location.
	Report func(Finding)
	// Export records a fact for the analyzer's Finish step. The driver
	// fills in the fact's path, snippet and enclosing function.
	Export func(Fact)
}

// A Fact is a small piece of repository-wide knowledge that an analyzer
// exports from one file for its Finish step: copied text and positions,
// never a node.
type Fact struct {
	// Kind and Key are the analyzer's to define ("prototype", "signer_sign").
	Kind   string   `json:"kind"`
	Key    string   `json:"key"`
	Values []string `json:"values,omitempty"`
	// Location is where the fact was found.
	Location Location `json:"location"`
	// Function is the qualified name of the enclosing function, set by the driver.
	Function string `json:"function,omitempty"`
}

// A Summary is an analyzer's view of the whole run, for its Finish step.
type Summary struct {
	Analyzer *Analyzer
	// Facts are every fact the analyzer exported, ordered by path.
	Facts []Fact
	// Findings are the analyzer's findings from Run, ordered by path.
	Findings []Finding
	Settings Settings
	// Report records a new finding, usually at a fact's location (set its
	// Function from the fact for a stable fingerprint).
	Report func(Finding)
	// Drop removes Findings[i] from the results.
	Drop func(i int)
	// Update replaces what the analyzer owns of Findings[i] with fd's
	// message, related locations, flow and fix, and lowers its level to
	// fd.Level when that is lower (a finding another file mitigates);
	// the rule, location, fingerprint and suppression stay.
	Update func(i int, fd Finding)
}

// Settings are an analyzer's user settings: lists of names by setting key,
// such as "sanitizers" or "cert-headers". Each analyzer documents its keys
// in Analyzer.SettingKeys; the configuration loader rejects others.
type Settings map[string][]string

// Location returns the location of node in the pass's file, with msg as its
// message (used for related locations and flow steps).
func (p *Pass) Location(node *source.Node, msg string) Location {
	return Location{Path: p.File.Path, Range: p.File.NodeRange(node), Message: msg}
}

// Reportf reports a finding for rule at the span of node with a formatted message.
func (p *Pass) Reportf(rule string, node *source.Node, format string, args ...any) {
	p.Report(Finding{RuleID: rule, Message: fmt.Sprintf(format, args...), Location: p.Location(node, "")})
}

// A Finding is one problem reported by an analyzer.
type Finding struct {
	// RuleID is "<family>/<name>", the id of a rule file.
	RuleID string `json:"rule"`
	// Message says what is wrong at Location, in one or two sentences.
	Message string `json:"message"`
	// Location is where the problem is reported (the sink).
	Location Location `json:"location"`
	// Related marks other places that explain the finding, each with a
	// Message (the buffer's allocation, the argtypes declaration).
	Related []Location `json:"related"`
	// Flow is the path from source to sink, one step per location.
	Flow []Step `json:"flow"`
	// Fix is an optional suggested edit.
	Fix *Fix `json:"fix,omitempty"`

	// The driver fills in the fields below; analyzers leave them empty.

	// Level is the rule's severity after configuration: error, warning or note.
	Level string `json:"level"`
	// Fingerprint identifies the finding across unrelated edits: a hash of
	// the rule id, path, enclosing function and the normalized reported lines.
	Fingerprint string `json:"fingerprint"`
	// Function is the qualified name of the enclosing function, "" at top level.
	Function string `json:"function,omitempty"`
	// Suppression is set when an in-source ignore comment matched the finding.
	Suppression *Suppression `json:"suppression,omitempty"`
	// Data is the analyzer's own, for its Finish step; never reported.
	Data map[string]string `json:"-"`
}

// A Suppression records the in-source comment that suppressed a finding.
type Suppression struct {
	Location      Location `json:"location"`
	Justification string   `json:"justification"`
}

// A Notification is a problem with the run rather than with the code: a file
// that was skipped or failed to parse, an analyzer that panicked.
type Notification struct {
	// Level is "warning" or "error" (SARIF notification levels).
	Level string `json:"level"`
	// Path is the file concerned, relative to the repository root, or "".
	Path string `json:"path,omitempty"`
	// Analyzer names the analyzer concerned, or "".
	Analyzer string `json:"analyzer,omitempty"`
	Message  string `json:"message"`
}

// A Location is a range of a file. Path is slash-separated and relative to
// the repository root; the range's conventions are source.Range's.
type Location struct {
	Path string `json:"path"`
	source.Range
	// Message describes the location's role; used by Related and Flow.
	Message string `json:"message,omitempty"`
	// Snippet is the full text of StartLine, filled in by the driver.
	Snippet string `json:"snippet,omitempty"`
}

// A Step is one location on a Flow, with what happens there.
type Step struct {
	Location Location `json:"location"`
}

// A Fix is a suggested edit: a description and replacements of byte ranges
// of the finding's file.
type Fix struct {
	Description  string        `json:"description"`
	Replacements []Replacement `json:"replacements"`
}

// A Replacement replaces the text at Location with Text.
type Replacement struct {
	Location Location `json:"location"`
	Text     string   `json:"text"`
}
