package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// analysis is the state of one Python file's pass.
type analysis struct {
	pass   *analyzers.Pass
	f      *source.File
	module string // dotted module path: app/native.py → app.native
	// imports maps local names to the dotted path they import
	// ("ct" → "ctypes", "lib" → "app.native.lib").
	imports map[string]string
	star    bool // from ctypes import *
	top     *scope
	scopes  []*scope // every function and class body, then the module
	funcs   map[string]*source.Node
	classes map[string]*classInfo
	// loaders are the user's extra library-loading functions.
	loaders map[string]bool
	// factories memoizes the library a module function returns ("" none).
	factories map[string]string
}

// A classInfo is a class and its attributes: assignments in its body and
// to self.X in its methods.
type classInfo struct {
	node  *source.Node
	body  *scope
	attrs map[string][]binding
}

func newAnalysis(pass *analyzers.Pass) *analysis {
	a := &analysis{pass: pass, f: pass.File, module: modulePath(pass.File.Path), imports: map[string]string{},
		funcs: map[string]*source.Node{}, classes: map[string]*classInfo{}, loaders: map[string]bool{},
		factories: map[string]string{}}
	for _, l := range pass.Settings["loaders"] {
		a.loaders[l] = true
	}
	root := a.f.Root()
	a.readImports(root)
	a.top = a.newScope(root, root, nil)
	var fns []*source.Node
	for _, m := range pass.Matches {
		if c := m.Node("class"); c != nil {
			a.addClass(c)
		}
		if fn := m.Node("function"); fn != nil {
			fns = append(fns, fn)
		}
	}
	for _, fn := range fns {
		a.addFunction(fn)
	}
	a.scopes = append(a.scopes, a.top)
	return a
}

func (a *analysis) text(n *source.Node) string { return a.f.Text(n) }

// modulePath turns a file path into its dotted module path.
func modulePath(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p, ".py"), ".pyi"), "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}

// readImports records the file's imports, wherever they are.
func (a *analysis) readImports(root *source.Node) {
	source.Walk(root, func(n *source.Node) bool {
		switch n.Type() {
		case "import_statement":
			for i := 0; i < int(n.NamedChildCount()); i++ {
				a.importName(n.NamedChild(i), "")
			}
			return false
		case "import_from_statement":
			modNode := n.ChildByFieldName("module_name")
			if modNode == nil {
				return false
			}
			mod := a.fromModule(modNode)
			for i := 0; i < int(n.NamedChildCount()); i++ {
				c := n.NamedChild(i)
				switch {
				case c.Type() == "wildcard_import":
					a.star = a.star || mod == "ctypes"
				case c.StartByte() >= modNode.EndByte():
					a.importName(c, mod)
				}
			}
			return false
		}
		return true
	})
}

// importName records one imported name (dotted_name or aliased_import),
// from module mod ("" for `import x`).
func (a *analysis) importName(n *source.Node, mod string) {
	var name, alias string
	switch n.Type() {
	case "dotted_name":
		name = a.text(n)
	case "aliased_import":
		name, alias = a.text(n.ChildByFieldName("name")), a.text(n.ChildByFieldName("alias"))
	default:
		return
	}
	path := name
	if mod != "" {
		path = mod + "." + name
	}
	switch {
	case alias != "":
		a.imports[alias] = path
	case mod != "":
		a.imports[name] = path
	default:
		// import a.b binds a
		first, _, _ := strings.Cut(name, ".")
		a.imports[first] = first
	}
}

// fromModule resolves the module of a from-import, relative ones against
// the file's own package.
func (a *analysis) fromModule(n *source.Node) string {
	if n == nil {
		return ""
	}
	if n.Type() != "relative_import" {
		return a.text(n)
	}
	text := a.text(n)
	dots := len(text) - len(strings.TrimLeft(text, "."))
	pkg := a.module
	if !strings.HasSuffix(a.f.Path, "__init__.py") {
		pkg = parentModule(pkg)
	}
	for i := 1; i < dots; i++ {
		pkg = parentModule(pkg)
	}
	rest := strings.TrimLeft(text, ".")
	switch {
	case rest == "":
		return pkg
	case pkg == "":
		return rest
	}
	return pkg + "." + rest
}

func parentModule(m string) string {
	if i := strings.LastIndexByte(m, '.'); i >= 0 {
		return m[:i]
	}
	return ""
}

// addClass indexes a class body and remembers it by name.
func (a *analysis) addClass(c *source.Node) {
	body := c.ChildByFieldName("body")
	if body == nil {
		return
	}
	ci := &classInfo{node: c, attrs: map[string][]binding{}}
	ci.body = a.newScope(c, body, a.top)
	for name, bs := range ci.body.assigns {
		ci.attrs[name] = append(ci.attrs[name], bs...)
	}
	a.classes[a.text(c.ChildByFieldName("name"))] = ci
	a.scopes = append(a.scopes, ci.body)
}

// addFunction indexes a function body; a method's self.X assignments
// become attributes of its class.
func (a *analysis) addFunction(fn *source.Node) {
	body := fn.ChildByFieldName("body")
	if body == nil {
		return
	}
	s := a.newScope(fn, body, a.top)
	s.class = a.enclosingClass(fn)
	if params := fn.ChildByFieldName("parameters"); params != nil {
		for i := 0; i < int(params.NamedChildCount()); i++ {
			if name := paramName(a, params.NamedChild(i)); name != "" {
				s.params[name] = true
			}
		}
	}
	if isModuleLevel(fn) {
		a.funcs[a.text(fn.ChildByFieldName("name"))] = fn
	}
	if s.class != nil {
		for _, set := range s.attrSets {
			left := set.ChildByFieldName("left")
			if obj := left.ChildByFieldName("object"); obj != nil && isSelf(a.text(obj)) {
				attr := a.text(left.ChildByFieldName("attribute"))
				s.class.attrs[attr] = append(s.class.attrs[attr], binding{stmt: set, value: set.ChildByFieldName("right"), sc: s})
			}
		}
	}
	a.scopes = append(a.scopes, s)
}

// scopeOf returns the scope of a function, class or the module node.
func (a *analysis) scopeOf(n *source.Node) *scope {
	for _, s := range a.scopes {
		if s.node == n {
			return s
		}
	}
	return nil
}

// enclosingClass returns the class a method is defined in directly.
func (a *analysis) enclosingClass(fn *source.Node) *classInfo {
	p := fn.Parent()
	if p != nil && p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	if p == nil || p.Type() != "block" || p.Parent() == nil || p.Parent().Type() != "class_definition" {
		return nil
	}
	return a.classes[a.text(p.Parent().ChildByFieldName("name"))]
}

// isModuleLevel reports whether a definition is at the module's top level.
func isModuleLevel(def *source.Node) bool {
	p := def.Parent()
	if p != nil && p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	return p != nil && p.Type() == "module"
}

func isSelf(s string) bool { return s == "self" || s == "cls" }

func paramName(a *analysis, p *source.Node) string {
	switch p.Type() {
	case "identifier":
		return a.text(p)
	case "default_parameter", "typed_parameter", "typed_default_parameter", "list_splat_pattern", "dictionary_splat_pattern":
		if n := p.ChildByFieldName("name"); n != nil {
			return a.text(n)
		}
		if p.NamedChildCount() > 0 && p.NamedChild(0).Type() == "identifier" {
			return a.text(p.NamedChild(0))
		}
	}
	return ""
}

// dotted returns the dotted name of an identifier or attribute chain, or "".
func (a *analysis) dotted(n *source.Node) string { return pysrc.Dotted(a.pass.File, n) }

// ctypesName returns X when n names ctypes.X (through any import form:
// `import ctypes as ct; ct.X`, `from ctypes import X`, `from ctypes import
// *`), also for ctypes.wintypes and ctypes.util; "" otherwise.
func (a *analysis) ctypesName(n *source.Node) string {
	d := a.dotted(n)
	if d == "" {
		return ""
	}
	first, rest, dotted := strings.Cut(d, ".")
	if path, ok := a.imports[first]; ok {
		d = path
		if dotted {
			d += "." + rest
		}
	} else if !dotted && a.star {
		return d
	}
	for _, prefix := range []string{"ctypes.wintypes.", "ctypes.util.", "ctypes."} {
		if name, ok := strings.CutPrefix(d, prefix); ok && !strings.Contains(name, ".") {
			return name
		}
	}
	return ""
}

// calleeName returns the last component of a call's function name
// ("ctypes.sizeof" → "sizeof") when it is a ctypes function, or the bare
// name of a builtin call; "" otherwise.
func (a *analysis) calleeName(call *source.Node) string {
	fn := call.ChildByFieldName("function")
	if name := a.ctypesName(fn); name != "" {
		return name
	}
	if fn != nil && fn.Type() == "identifier" {
		return a.text(fn)
	}
	return ""
}

// stringValue returns the content of a plain string literal, and whether
// n is one (no interpolation, no concatenation).
func (a *analysis) stringValue(n *source.Node) (string, bool) {
	if n == nil || n.Type() != "string" {
		return "", false
	}
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if n.NamedChild(i).Type() == "interpolation" {
			return "", false
		}
	}
	t := a.text(n)
	i := strings.IndexAny(t, `"'`)
	if i < 0 {
		return "", false
	}
	prefix, body := strings.ToLower(t[:i]), t[i:]
	q := body[:1]
	if strings.HasPrefix(body, q+q+q) && len(body) >= 6 {
		body = body[3 : len(body)-3]
	} else if len(body) >= 2 {
		body = body[1 : len(body)-1]
	}
	if strings.Contains(prefix, "r") {
		return body, true
	}
	if s, err := strconv.Unquote(`"` + strings.ReplaceAll(body, `"`, `\"`) + `"`); err == nil {
		return s, true
	}
	return body, true
}
