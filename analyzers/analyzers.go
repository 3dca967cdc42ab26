// Package analyzers is the contract between residue's driver and its analyzers.
//
// It is modelled on golang.org/x/tools/go/analysis: an Analyzer is a value that
// declares what it needs (languages, literal prefilters, candidate query
// patterns) and a Run function that receives a Pass for one parsed file and
// reports Findings through it. The driver parses every file once, runs one
// multi-pattern query pass shared by all analyzers, and hands each analyzer the
// matches of its own patterns.
//
// Judging a file often needs the rest of the repository: the struct layout
// in a header, what a helper in another module returns. For that a run has
// a second phase. A Model (csrc for C, pysrc for Python) extracts a
// node-free part from each file it wants while the file is parsed, the
// driver links the parts into one repository model once every file was
// read, and each analyzer that Uses the model then Checks every scanned
// file against it, in parallel, without a tree.
package analyzers

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
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
	// Markers lists literals the driver looks for in the analyzer's files
	// along with the prefilters, without letting a file through for them:
	// a Check step finds those the file holds in its outline's Literals,
	// and need not read the file for them.
	Markers []string
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
	// ValidateSetting, if set, checks one value of one of SettingKeys
	// (the configuration loader and the driver call it for every value)
	// and says what is wrong with it: a bad value is a configuration
	// error before anything is scanned, never a failure on every file.
	ValidateSetting func(key, value string) error
	// Run analyzes one file. It must not keep any node of pass.File after it
	// returns: the tree is closed once every analyzer is done. Optional
	// when Check is set.
	Run func(pass *Pass) error
	// Uses lists the repository models Check reads.
	Uses []*Model
	// Check, if set, analyzes one scanned file once the models of Uses of
	// the file's language are built (CheckPass.Model waits for the
	// others): the file's snapshot and the models hold what it needs.
	// It runs for each scanned file of Languages that some model of Uses
	// extracted, on any goroutine, and must only read the models.
	Check func(pass *CheckPass) error
}

// A Model is a repository model of one language, shared by the analyzers
// that list it in Uses. Each file's part is extracted from its snapshot
// where the file is parsed; Build links the parts once every file was read.
type Model struct {
	// Name names the model in notifications ("csrc", "pysrc").
	Name string
	// Language is the language of the files the model reads.
	Language source.Language
	// Prefilter lists literals one of which a file of the repository must
	// contain to be extracted; empty means every file of Language. Files
	// that parts name in Needs are extracted too, whatever they contain.
	Prefilter []string
	// Admit, if set, decides of a file of the repository that Prefilter
	// lets through whether the model extracts it in the first round
	// (take); a file it leaves out is still extracted when a part needs
	// it. Its answer depends on the file, and on the repository's files
	// of Language (AdmitPass.Files) when it says it read them (byFiles),
	// and on the files it reads through AdmitPass.Read: the cache then
	// keeps the answer while the list and those files stay the same.
	Admit func(pass *AdmitPass) (take, byFiles bool)
	// Extract reads one file into its part of the model. The part must
	// not keep any node of a tree-sitter tree; it may keep the snapshot.
	Extract func(pass *ExtractPass) (Part, error)
	// Context, if set, returns a key of what Extract reads besides its
	// file (ExtractPass.Files, a compilation database under the root):
	// the cache keeps a part only while the key stays the same. Without
	// it, a part must depend on its file alone.
	Context func(root string, files []string) string
	// Build links every extracted part, sorted by path, into the model
	// that analyzers read in Check (through CheckPass.Model).
	Build func(pass *BuildPass) (any, error)
}

// A BuildPass is what a model's Build links, and for which files.
type BuildPass struct {
	// Parts are the model's parts, sorted by path.
	Parts []Part
	// Scanned lists, sorted, the files of any language that Check runs
	// on. A model may leave undone what only the other files' findings
	// would read (pre-commit's few staged files, a shard), provided the
	// scanned files' findings stay those a scan of every file gives.
	Scanned []string
	// Root is the repository root's absolute path, for files a model
	// reads itself (the source of a part the cache stored without it).
	Root string
	// Files lists the repository's files of the model's language, by
	// path relative to the root, sorted: those no part is of too.
	Files []string
	// Spare, when set, is the run's pool of cores: a Build that has work
	// it may leave undone for another core takes a core from it for each
	// piece (receiving) and gives the core back after (sending), so that
	// the work runs on a core the run does not use meanwhile; a piece holds
	// its core until it ends. The pool's capacity is its number of cores,
	// so giving one back never blocks.
	Spare chan struct{}
	// Warn reports a problem that did not stop the build (a file of the
	// repository the model reads itself and could not use), as a warning
	// of the run. Build calls it from its own goroutine only.
	Warn func(message string)
}

// An ExtractPass is a model's view of one parsed file.
type ExtractPass struct {
	Model *Model
	// Syntax is the file's snapshot: its path, tree and lines. Unless the
	// part returned is a SyntaxPart holding it, the part must not keep
	// the tree or its nodes (text and the file's bytes are the part's to
	// keep): the driver builds the next file's snapshot in their memory.
	Syntax *source.Syntax
	// Files lists the repository's files of the model's language, by
	// path relative to the root, sorted: what Needs may name. A model
	// whose Extract reads it must have a Context.
	Files []string
	// Settings are the settings of the analyzers that use the model,
	// merged by key, never nil.
	Settings Settings
	// Root is the repository root's absolute path, for files a model
	// reads itself (compile_commands.json).
	Root string
	// Parse parses src as a file of the same language and path (another
	// configuration of the file, say) and snapshots it.
	Parse func(src []byte) (*source.Syntax, error)
}

// An AdmitPass is a file that a model's prefilter let through.
type AdmitPass struct {
	// Path is the file's path, relative to the repository root.
	Path string
	// Src is the file's content.
	Src []byte
	// Literals are the literals of the model's Prefilter the file holds.
	Literals []string
	// Files lists the repository's files of the model's language, by
	// path relative to the root, sorted.
	Files []string
	// Read returns the content of another file of the repository, by
	// path relative to the root; the answer then depends on it.
	Read func(path string) ([]byte, error)
}

// A Part is one file's contribution to a model. Parts are stored in
// residue's cache with encoding/gob, so that an unchanged file is not
// parsed again: a part's concrete type must be registered with
// gob.Register, its state must be in exported fields (a *source.Syntax
// encodes itself), and a decoded part must behave as the original.
type Part interface {
	// Path is the file's path, relative to the repository root.
	Path() string
	// Needs lists other files of ExtractPass.Files that the model needs
	// extracted too (the modules a file imports, the headers it includes).
	Needs() []string
}

// A ReparsedPart is a part whose model parsed its file again, repaired
// (a C file's macros and conditional branches), when the first parse had
// syntax errors. FirstBroken returns the byte offset of the first code
// the model analyzes that the parse it reads has errors in (a function),
// -1 for none: the first parse's errors then hide nothing from the
// model, and the driver does not note them unless an analyzer reads the
// first parse; else its note names that line.
type ReparsedPart interface {
	Part
	FirstBroken() int
}

// A SyntaxPart is a part that keeps its file's snapshot; the driver then
// stores the snapshot once, with the part.
type SyntaxPart interface {
	Part
	Syntax() *source.Syntax
}

// A CheckPass is one analyzer's view of one scanned file in the model phase.
type CheckPass struct {
	Analyzer *Analyzer
	// Path is the file's path, relative to the repository root.
	Path string
	// Outline is what the driver keeps of the file: its bytes, lines,
	// statements and definitions, and the prefilter literals it holds.
	Outline *source.Outline
	// Syntax is the file's snapshot when a model's part keeps it (a
	// SyntaxPart), else nil: the driver does not keep a snapshot no model
	// needs.
	Syntax   *source.Syntax
	Settings Settings
	// Model returns the built model m (one of Analyzer.Uses), nil when it
	// could not be built; it waits while m is being built.
	Model func(m *Model) any
	// Report records a finding in this file; the driver completes it as
	// it does Run's findings.
	Report func(Finding)
}

// Location returns the location of n, a node of the file's snapshot.
func (p *CheckPass) Location(n syntax.Node, msg string) Location {
	if n.IsNull() {
		return Location{Path: p.Path, Message: msg}
	}
	return Location{Path: p.Path, Range: p.Outline.Lines().Range(int(n.StartByte()), int(n.EndByte())), Message: msg}
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
	// Model returns the built model m (one of Analyzer.Uses), nil when it
	// could not be built or the run has no model phase.
	Model func(m *Model) any
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

// FingerprintKey names residue's fingerprint of a finding in a SARIF
// result's partialFingerprints.
const FingerprintKey = "residue/v1"

// A Suppression records the in-source comment that suppressed a finding.
type Suppression struct {
	Location      Location `json:"location"`
	Justification string   `json:"justification"`
}

// Incomplete is the error an analyzer's Run returns when a limit stopped
// part of its work on the file (a step budget, say): the findings it
// reported stand, and the driver reports Reason as a warning about the
// file instead of a failure of the analyzer.
type Incomplete struct {
	Reason string
}

func (e *Incomplete) Error() string { return e.Reason }

// A Notification is a problem with the run rather than with the code: a file
// that was skipped or failed to parse, an analyzer that panicked.
type Notification struct {
	// Level is "warning" or "error" (SARIF notification levels).
	Level string `json:"level"`
	// Path is the file concerned, relative to the repository root, or "".
	Path string `json:"path,omitempty"`
	// Line is the line of Path concerned (1-based), 0 for the whole file.
	Line int `json:"line,omitempty"`
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

// SortFindings orders findings the way every report lists them: by path,
// line, column, rule and message.
func SortFindings(fds []Finding) {
	sort.SliceStable(fds, func(i, j int) bool { return CompareFindings(&fds[i], &fds[j]) < 0 })
}

// CompareFindings orders two findings as SortFindings does: by path, line,
// column, rule and message.
func CompareFindings(a, b *Finding) int {
	return cmp.Or(strings.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine),
		cmp.Compare(a.Location.StartColumn, b.Location.StartColumn), strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.Message, b.Message))
}

// SortNotifications orders notifications by path, keeping the order of
// those of one path (the run's own, with no path, first).
func SortNotifications(ns []Notification) {
	sort.SliceStable(ns, func(i, j int) bool { return ns[i].Path < ns[j].Path })
}
