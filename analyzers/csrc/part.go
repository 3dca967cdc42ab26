package csrc

import (
	"encoding/gob"
	"sort"
	"sync"

	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
)

func init() { gob.Register(&Part{}) }

// A Part is one C file's part of the model: its snapshot, the
// configuration it is read in, and the headers it includes. Everything
// else (macros, records, functions) is read from the snapshot on first use.
type Part struct {
	// File is the file's path, relative to the repository root.
	File string
	// Snapshot is the file as parsed.
	Snapshot *source.Syntax
	// Configured is the file parsed again with the branches outside its
	// configuration blanked, when a function of the original parse had
	// errors around a conditional; nil otherwise.
	Configured *source.Syntax
	// Inactive are the byte ranges of branches of #if, #ifdef and #elif
	// groups that the configuration excludes.
	Inactive []Span
	// Undecided are the branches after the first of groups whose
	// condition the configuration does not decide; the first branch
	// stands for the group where one configuration must be chosen.
	Undecided []Span
	// Decided are the offsets of the #if lines of the groups the
	// configuration decides: one of their branches is compiled, the
	// others (Inactive) are not.
	Decided []uint32
	// Includes are the file's active #include directives, resolved.
	Includes []Include
	// Defines are the macros the command line defines for the file
	// (compile_commands.json, the defines setting).
	Defines []Define

	once  sync.Once
	decls *decls
}

// A Span is the byte range [Start, End) of a file.
type Span struct{ Start, End uint32 }

// An Include is an #include directive: the name as written, whether it
// was in angle brackets, and the repository file it resolves to ("" when
// none: a system header).
type Include struct {
	Name  string
	Angle bool
	Path  string
}

// A Define is a macro defined on the command line.
type Define struct{ Name, Value string }

// Syntax returns the file's snapshot: the part keeps it, so residue's
// cache stores it once.
func (p *Part) Syntax() *source.Syntax { return p.Snapshot }

// Path returns the file's path.
func (p *Part) Path() string { return p.File }

// Needs returns the headers the file includes that the repository holds.
func (p *Part) Needs() []string {
	var out []string
	for _, inc := range p.Includes {
		if inc.Path != "" {
			out = append(out, inc.Path)
		}
	}
	return out
}

// FirstBroken returns the offset of the first function of the tree the
// model reads (parsed again in its configuration with the macros that
// broke it repaired, when the first parse had errors) that has a syntax
// error, or of a top-level node with one that holds a body (a function
// the errors swallowed); -1 for none (analyzers.ReparsedPart). Errors in
// a struct's members or a static initializer (`PyVarObject_HEAD_INIT(NULL,
// 0) "name",`) hide no function.
func (p *Part) FirstBroken() int {
	for c := p.tree().Root().FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.HasError() && (c.Type() == "function_definition" || c.Holds("compound_statement")) {
			return int(c.StartByte())
		}
	}
	return -1
}

// tree returns the snapshot the model reads: the configured one if any.
func (p *Part) tree() *syntax.Tree {
	if p.Configured != nil {
		return p.Configured.Tree
	}
	return p.Snapshot.Tree
}

// inactive reports whether byte offset off lies in a branch outside the
// configuration.
func (p *Part) inactive(off uint32) bool { return inSpans(p.Inactive, off) }

// decided reports whether the #if group at offset off is decided.
func (p *Part) decided(off uint32) bool {
	i := sort.Search(len(p.Decided), func(i int) bool { return p.Decided[i] >= off })
	return i < len(p.Decided) && p.Decided[i] == off
}

// inSpans reports whether off lies in one of the sorted spans s.
func inSpans(s []Span, off uint32) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].End > off })
	return i < len(s) && s[i].Start <= off
}

// declarations returns the file's declarations, read on first use.
func (p *Part) declarations() *decls {
	p.once.Do(func() { p.decls = readDecls(p) })
	return p.decls
}
