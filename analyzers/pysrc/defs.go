package pysrc

import "strings"

// Families sometimes read a definition beyond what the model lowers:
// how a view is decorated (@cache_page, a certificate check), what a
// middleware's code compares. A Def gives them its place, its text and
// its decorators as written.

// A Def is a function or a class of the program.
type Def struct {
	// Name is the qualified dotted name ("accounts.middleware.Gate",
	// "signing.views.KeyView.get").
	Name string
	// Loc is the definition, decorators aside.
	Loc Loc
	// Decorators are the decorators' expressions as written, without @.
	Decorators []string
	// Class is the class of a method, nil for a function or a class.
	Class *Def
}

// FuncAt returns the innermost function whose definition holds l.
func (p *Program) FuncAt(l Loc) (Def, bool) {
	m := l.Mod
	if m == nil || m.prog != p {
		return Def{}, false
	}
	var best *fn
	for _, f := range m.fns {
		if f.Kind == KindDef && f.Span.Start <= l.Span.Start && l.Span.End <= f.Span.End &&
			(best == nil || f.Span.Start >= best.Span.Start) {
			best = f
		}
	}
	if best == nil {
		return Def{}, false
	}
	return p.funcDef(best), true
}

// Lookup returns the class or function of the program with qualified
// dotted name name.
func (p *Program) Lookup(name string) (Def, bool) {
	for _, m := range p.modules {
		rest, ok := strings.CutPrefix(name, m.name+".")
		if !ok || m.name == "" {
			continue
		}
		for _, c := range m.classes {
			if c != nil && c.Name == rest {
				return classDef(m, c.Class), true
			}
		}
		for _, f := range m.fns {
			if f.Kind == KindDef && f.Name == rest {
				return p.funcDef(f), true
			}
		}
	}
	return Def{}, false
}

// funcDef describes function f.
func (p *Program) funcDef(f *fn) Def {
	d := Def{Name: f.mod.qualified(f.Name), Loc: Loc{f.mod, f.Span}, Decorators: decorators(f.mod.Source(), f.Span.Start)}
	if f.class != nil && f.Parent == f.class.Body {
		c := classDef(f.mod, f.class.Class)
		d.Class = &c
	}
	return d
}

func classDef(m *module, c *Class) Def {
	return Def{Name: m.qualified(c.Name), Loc: Loc{m, c.Span}, Decorators: decorators(m.Source(), c.Span.Start)}
}

// decorators returns the decorators written above the definition that
// starts at offset start: the lines above it at its indentation that
// start with @, with the lines they continue on.
func decorators(src []byte, start uint32) []string {
	if int(start) > len(src) {
		return nil
	}
	lineStart := strings.LastIndexAny(string(src[:start]), "\r\n") + 1 // a lone \r ends a line too
	indent := int(start) - lineStart
	var out []string
	cur := ""
	for end := lineStart - 1; end > 0; {
		begin := strings.LastIndexAny(string(src[:end]), "\r\n") + 1
		line := string(src[begin:end])
		end = begin - 1
		text := strings.TrimLeft(line, " \t")
		depth := len(line) - len(text)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case depth == indent && strings.HasPrefix(text, "@"):
			out = append([]string{strings.TrimSpace(text[1:] + cur)}, out...)
			cur = ""
		case depth > indent || depth == indent && strings.IndexByte(")]}", text[0]) >= 0:
			cur = " " + strings.TrimSpace(text) + cur // a decorator's argument lines
		default:
			return out
		}
	}
	return out
}

// Events calls visit with each event of a sink of family in the code of
// every module, in path order and the order of the code.
func (p *Program) Events(family string, visit func(*Event)) {
	for _, m := range p.modules {
		p.Check(m.File, family, visit)
	}
}

// Defs calls visit with each class and function of the program, in the
// order of modules and code.
func (p *Program) Defs(visit func(Def)) {
	for _, m := range p.modules {
		for _, c := range m.classes {
			if c != nil {
				visit(classDef(m, c.Class))
			}
		}
		for _, f := range m.fns {
			if f.Kind == KindDef {
				visit(p.funcDef(f))
			}
		}
	}
}
