package pysrc

import (
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// Check calls report with each event of a sink of family in the code of
// the module at path, in the order of the code. Each function's events
// are those of its last evaluation in Build, which saw the final
// summaries of everything it needs (the functions it calls were done
// before it, or were evaluated again with it until their component was
// stable). Check only reads the program: it may run on any goroutine.
func (p *Program) Check(path, family string, report func(*Event)) {
	m := p.byPath[path]
	if m == nil {
		return
	}
	for _, f := range m.fns {
		if f.res == nil {
			continue
		}
		for _, ev := range f.res.events {
			if ev.Sink.Family == family {
				report(ev)
			}
		}
	}
}

// Location returns l as a finding's location, with msg.
func (p *Program) Location(l Loc, msg string) analyzers.Location {
	if l.Mod == nil {
		return analyzers.Location{Message: msg}
	}
	lines := l.Mod.Lines()
	loc := analyzers.Location{Path: l.Mod.File, Range: lines.Range(int(l.Span.Start), int(l.Span.End)), Message: msg}
	loc.Snippet = lines.Text(loc.StartLine)
	return loc
}

// Inherits reports whether d, a class of the repository, is base or one
// of its subclasses.
func (d Datum) Inherits(base Datum) bool {
	if d.Tag != TagClass || base.Tag != TagClass || d.Class == nil || base.Class == nil {
		return false
	}
	return d.Class == base.Class || slices.Contains(d.Class.mro, base.Class)
}

// ExpectsRaise reports whether l is in the body of a with statement
// whose item is a test's expectation of an exception (pytest.raises,
// self.assertRaises, assertRaisesRegex): code there is meant to fail.
func (p *Program) ExpectsRaise(l Loc) bool {
	if l.Mod == nil {
		return false
	}
	m := l.Mod
	blocks := p.Memo("pysrc/raises:"+m.File, func() any { return raisesBlocks(m) }).([]Span)
	for _, b := range blocks {
		if b.Start <= l.Span.Start && l.Span.End <= b.End {
			return true
		}
	}
	return false
}

// raisesBlocks returns the with statements of m whose item expects an
// exception, read once per module and run.
func raisesBlocks(m *module) []Span {
	var out []Span
	for _, f := range m.fns {
		code := f.Code()
		for _, st := range code.Stmts {
			if st.Kind != StmtWith || st.From < 0 || st.To > int32(len(code.Calls)) || st.From > st.To {
				continue
			}
			for _, c := range code.Calls[st.From:st.To] {
				if raisesContexts[c.Method] || raisesContexts[lastName(c.Name)] {
					out = append(out, st.Span)
					break
				}
			}
		}
	}
	return out
}

// raisesContexts are the context managers of tests that expect the code
// they hold to raise.
var raisesContexts = map[string]bool{
	"raises": true, "assertRaises": true, "assertRaisesRegex": true, "assertRaisesRegexp": true,
}

// Text returns the source text at l.
func (p *Program) Text(l Loc) string { return p.text(l) }

func (p *Program) text(l Loc) string {
	if l.Mod == nil {
		return ""
	}
	return textAt(l.Mod.Source(), l.Span)
}

// Path returns the path of the file l is in.
func (l Loc) Path() string {
	if l.Mod == nil {
		return ""
	}
	return l.Mod.File
}

// Line returns the 1-based line l starts on.
func (l Loc) Line() int {
	if l.Mod == nil {
		return 0
	}
	return l.Mod.Lines().Line(int(l.Span.Start))
}

// A SettingAt is a module-level setting of some module.
type SettingAt struct {
	Setting
	Path string
	Loc  Loc
}

// Settings returns the settings named name of every module, by path, but
// those of an example's module (configuration_example.py,
// settings_sample.py) after the others; a module under a tests folder is
// left out. The index is made on first use (every file's Check reads the
// MIDDLEWARE lists).
func (p *Program) Settings(name string) []SettingAt {
	p.settingsOnce.Do(func() {
		p.settingsByName = map[string][]SettingAt{}
		for _, examples := range []bool{false, true} {
			for _, m := range p.modules {
				if isTestPath(m.File) || exampleModule(m.File) != examples {
					continue
				}
				for _, s := range m.Settings {
					p.settingsByName[s.Name] = append(p.settingsByName[s.Name], SettingAt{Setting: s, Path: m.File, Loc: Loc{m, s.Value.Span}})
				}
			}
		}
	})
	return p.settingsByName[name]
}

// exampleModule reports whether a module is an example of a
// configuration, to be copied and edited: a word of its name is example,
// sample or template.
func exampleModule(path string) bool {
	base := strings.TrimSuffix(path[strings.LastIndexByte(path, '/')+1:], ".py")
	for _, w := range strings.FieldsFunc(base, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		switch strings.ToLower(w) {
		case "example", "sample", "template", "dist":
			return true
		}
	}
	return false
}

// testModule reports whether a module is a test's: under a tests folder
// (isTestPath), or a test file by name (test_*.py, *_test.py, tests.py,
// conftest.py).
func testModule(path string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	return isTestPath(path) || strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "tests.py" || base == "conftest.py"
}

func isTestPath(path string) bool {
	for part := range strings.SplitSeq(path, "/") {
		if part == "tests" || part == "test" {
			return true
		}
	}
	return false
}

// A ClassInfo describes a class of the program.
type ClassInfo struct {
	// Name is the qualified dotted name ("app.logfilters.RedactSecrets").
	Name  string
	Loc   Loc
	class *class
}

// Calls returns the dotted names of the calls that method name, defined
// in the class body, makes (the method's name for a method of a call's
// result, "format" of super().format); false when the body defines no such
// method.
func (ci ClassInfo) Calls(name string) ([]string, bool) {
	f, ok := ci.class.methods[name]
	if !ok {
		return nil, false
	}
	var calls []string
	code := f.Code()
	for i := range code.Calls {
		name := code.Calls[i].Name
		if name == "" {
			name = code.Calls[i].Method // a method of a call's result: super().format
		}
		calls = append(calls, name)
	}
	return calls, true
}

// Classes calls visit with each class of the program, in order.
func (p *Program) Classes(visit func(ClassInfo)) {
	for _, m := range p.modules {
		for _, c := range m.classes {
			if c != nil {
				visit(ClassInfo{Name: m.qualified(c.Name), Loc: Loc{m, c.NameSpan}, class: c})
			}
		}
	}
}

// A Summary is what a function does, as its callers see it.
type Summary struct {
	// Returns is what the function may return: data (a request's body),
	// objects (a response, a logger), and its parameters (TagSym) with
	// what is done to them on the way (Ops).
	Returns []Datum
	// Sinks are the parameters that reach a sink of some family.
	Sinks []SinkFlow
}

// Summary returns the summary of the function qualified name ("view",
// "View.get") of the module at path; ok is false when the program has
// no such function or did not need to evaluate it.
func (p *Program) Summary(path, name string) (s Summary, ok bool) {
	m := p.byPath[path]
	if m == nil {
		return s, false
	}
	for _, f := range m.fns {
		if f.Kind == KindDef && f.Name == name && f.res != nil {
			return Summary{Returns: f.res.returns, Sinks: f.res.sinks}, true
		}
	}
	return s, false
}
