package source

import (
	"os"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// An Outline is what is kept of a file once its snapshot is gone: the
// spans of its statements and definitions, so that findings reported in
// the model phase are completed (enclosing function, snippets) and
// suppressed as they are from a tree, and its bytes, or once released
// (Release) only their stamp, the file being read again when they are
// needed. It costs a small fraction of a snapshot, and is stored with
// encoding/gob (without its bytes). An outline is read by one goroutine
// at a time but for its exported fields, which do not change.
type Outline struct {
	Path string
	Lang Language
	// Stmts are the file's statements (and clauses, and decorators), in
	// document order, flattened into one slice: of each, its start and
	// end bytes, the count of its breaks, then the breaks, where its
	// header may end: the start of each child that is a body or a
	// statement, shifted left once, the low bit set for a
	// compound_statement.
	Stmts []uint32
	Defs  []OutlineDef
	// Literals are the prefilter literals (and markers) of the language's
	// analyzers and models that the file holds, as the driver found them
	// when it read the file; nil when it did not look.
	Literals []string
	// src is the file's bytes, nil once released; file (set only then) and
	// stamp are where to read them again and what they must match.
	src   []byte
	file  string
	stamp Stamp
	lines *Lines
	// changed is set once a read of the file found it changed.
	changed bool
}

// An OutlineDef is a function or class definition (a C function): its
// span and name.
type OutlineDef struct {
	Start, End uint32
	Name       string
}

// NewOutline returns the outline of a snapshot.
func NewOutline(s *Syntax) *Outline {
	o := &Outline{Path: s.Path, Lang: s.Lang, src: s.Src(), lines: s.Lines}
	src := s.Src()
	var stmts []uint32
	s.Tree.Root().Walk(func(n syntax.Node) bool {
		if !n.IsNamed() {
			return true
		}
		switch n.Type() {
		case "function_definition", "class_definition":
			if name := definitionName(n, src); name != "" {
				o.Defs = append(o.Defs, OutlineDef{Start: n.StartByte(), End: n.EndByte(), Name: name})
			}
		}
		if isStatement(n) {
			at := len(stmts)
			stmts = append(stmts, n.StartByte(), n.EndByte(), 0)
			for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
				if (bodies[c.Type()] || isStatement(c)) && c.StartByte() < 1<<31 { // shifted below
					b := c.StartByte() << 1
					if c.Type() == "compound_statement" {
						b |= 1
					}
					stmts = append(stmts, b)
					stmts[at+2]++
				}
			}
		}
		return true
	})
	// Exact, as they are kept to the end of the scan.
	o.Stmts, o.Defs = slices.Clone(stmts), slices.Clone(o.Defs)
	return o
}

// Release drops the outline's bytes and line table, which a scan would
// otherwise keep for every file until its end: Src reads them again from
// file, the file's path on disk, and gives them only if they still have
// the size and checksum of those dropped.
func (o *Outline) Release(file string) {
	if o.file == "" {
		o.stamp = StampOf(o.src)
	}
	o.src, o.lines, o.file = nil, nil, file
}

// Released returns the outline of a file whose bytes are in file on disk,
// with the given stamp: an outline the cache stored without them.
func (o *Outline) Released(file string, stamp Stamp) *Outline {
	o.src, o.lines, o.file, o.stamp = nil, nil, file, stamp
	return o
}

// Stamp returns the size and checksum of the file's bytes.
func (o *Outline) Stamp() Stamp {
	if o.file == "" {
		return StampOf(o.src)
	}
	return o.stamp
}

// Src returns the file's bytes: those kept or, for a released outline,
// the file read again (not kept: a caller that needs them twice keeps
// them), nil when it no longer matches the stamp.
func (o *Outline) Src() []byte {
	if o.file == "" {
		return o.src
	}
	src, err := os.ReadFile(o.file)
	if err != nil || !o.stamp.Matches(src) {
		o.changed = true
		return nil
	}
	return src
}

// Changed reports whether Src found the file of a released outline
// edited or removed since.
func (o *Outline) Changed() bool { return o.changed }

// Lines returns the file's line table, made on first use from Src (and
// then keeping the bytes: a released outline whose lines are needed is
// one with findings).
func (o *Outline) Lines() *Lines {
	if o.lines == nil {
		o.lines = NewLines(o.Src())
	}
	return o.lines
}

// EnclosingFunction is File.EnclosingFunction on the outline: the names of
// the definitions that hold off, outermost first.
func (o *Outline) EnclosingFunction(off int) string {
	var parts []string
	for _, d := range o.Defs {
		if int(d.Start) <= off && off <= int(d.End) && d.Start != d.End {
			parts = append(parts, d.Name)
		}
	}
	return strings.Join(parts, ".")
}

// StatementLines is File.StatementLines on the outline.
func (o *Outline) StatementLines(start, end int) (first, last int) {
	lines := o.Lines()
	first, last = lines.Line(start), lines.Line(end)
	// The innermost statement holding the range is the last one, in
	// document order, that starts before it and ends after.
	st := -1
	for k := 0; k+2 < len(o.Stmts); k += 3 + int(o.Stmts[k+2]) {
		if int(o.Stmts[k]) <= start && end <= int(o.Stmts[k+1]) {
			st = k
		}
	}
	if st < 0 {
		return first, last
	}
	sFirst, sLast := lines.Line(int(o.Stmts[st])), lines.Line(int(o.Stmts[st+1]))
	for _, b := range o.Stmts[st+3 : min(st+3+int(o.Stmts[st+2]), len(o.Stmts))] {
		if int(b>>1) < end {
			continue
		}
		sLast = lines.Line(int(b >> 1))
		if b&1 == 0 && sLast > sFirst {
			sLast--
		}
		break
	}
	return min(first, sFirst), max(last, sLast)
}
