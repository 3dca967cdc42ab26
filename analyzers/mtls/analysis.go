package mtls

import (
	"bytes"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// maxInlines caps the same-file calls followed in one file.
const maxInlines = 1000

// analysis is the state of one file's pass.
type analysis struct {
	pass *analyzers.Pass
	keys keySet
	// proxySettings, validators and guards are the user's extra names.
	proxySettings, validators, guards map[string]bool
	// constants are the module's top-level string (and string tuple)
	// constants, by name.
	constants map[string]*source.Node
	// funcs are the module-level functions, classes the classes, by name.
	funcs, classes map[string]*source.Node
	// inlines counts the same-file calls followed so far; followed are
	// the functions analyzed at a call site, helpers the functions left
	// to their call sites.
	inlines  int
	followed map[*source.Node]bool
	helpers  []*source.Node
	// seen deduplicates findings by rule and location.
	seen map[string]bool
	// headerFindings counts the findings about missing proxy checks;
	// deferred are reports made only if an entry point has none.
	headerFindings int
	deferred       []func()

	// module is the file's dotted module name; importsByName what its
	// imports bind (see imports), read at the first resolve.
	module        string
	importsByName map[string]string
	// world is the combination of unknowns being judged, nil outside
	// judge; stash holds the findings made in worlds until flush.
	world      *world
	stash      map[string]*stashed
	stashOrder []string
	// touched are the stash keys the decision being judged reported to;
	// worldBudget counts the worlds judged in the file.
	touched     []string
	worldBudget int
	// summarizing: functions are being evaluated for their summaries;
	// callsOnly: for the calls of other modules' functions they make (a
	// file with no certificate key). Either way nothing is reported.
	summarizing, callsOnly bool
	// passOn is what holds wherever the middleware being analyzed hands
	// the request on (nil: nowhere yet); granted where the decorator's
	// wrapper being analyzed calls the view.
	passOn, granted *facts
	// dispatched is what holds where the class view's dispatch being
	// analyzed hands the request on (super().dispatch).
	dispatched *facts
	// onlyIfCalled names the helper analyzed on its own for callers in
	// other modules (see run).
	onlyIfCalled string
	// requestPhase is what each middleware class's process_request
	// guarantees of the requests it hands on.
	requestPhase map[*source.Node]facts
	// decorators are the module's decorators whose summary the wrapper's
	// analysis exported (summarize leaves them).
	decorators map[string]bool
	// out are the file's findings in order, at the index of each plain
	// one by its dedup key (see keep).
	out []analyzers.Finding
	at  map[string]int
}

func newAnalysis(pass *analyzers.Pass) *analysis {
	a := &analysis{
		pass:          pass,
		keys:          newKeySet(pass.Settings),
		proxySettings: set(pass.Settings["trusted-proxy-settings"]),
		validators:    set(pass.Settings["cert-validators"]),
		guards:        set(pass.Settings["proxy-guards"]),
		constants:     map[string]*source.Node{},
		funcs:         map[string]*source.Node{},
		classes:       map[string]*source.Node{},
		seen:          map[string]bool{},
		followed:      map[*source.Node]bool{},
		decorators:    map[string]bool{},
		requestPhase:  map[*source.Node]facts{},
	}
	a.module = modulePath(pass.File.Path)
	root := pass.File.Root()
	if root == nil {
		return a
	}
	for i := 0; i < int(root.NamedChildCount()); i++ {
		s := pysrc.Unwrap(root.NamedChild(i))
		switch s.Type() {
		case "function_definition":
			a.funcs[a.text(s.ChildByFieldName("name"))] = s
		case "class_definition":
			a.classes[a.text(s.ChildByFieldName("name"))] = s
		case "expression_statement":
			if as := s.NamedChild(0); as != nil && as.Type() == "assignment" {
				left, right := as.ChildByFieldName("left"), as.ChildByFieldName("right")
				if left != nil && left.Type() == "identifier" && right != nil {
					a.constants[a.text(left)] = right
				}
			}
		}
	}
	return a
}

// quiet reports whether findings are not to be reported (see summarizing).
func (a *analysis) quiet() bool { return a.summarizing || a.callsOnly }

func set(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}

func (a *analysis) text(n *source.Node) string { return a.pass.File.Text(n) }

// dotted returns the dotted name of an identifier or attribute chain, or "".
func (a *analysis) dotted(n *source.Node) string { return pysrc.Dotted(a.pass.File, n) }

// last returns the last component of a dotted name.
func last(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// stringValue returns the value of a plain string literal, or of a module
// constant or class attribute holding one; ok is false for anything else.
func (a *analysis) stringValue(n *source.Node, class *source.Node) (string, bool) {
	for range 3 { // constants of constants, a few levels
		if n == nil {
			return "", false
		}
		switch n.Type() {
		case "string":
			for i := 0; i < int(n.NamedChildCount()); i++ {
				if n.NamedChild(i).Type() == "interpolation" {
					return "", false
				}
			}
			t := a.text(n)
			t = strings.TrimLeft(t, "rRbBuU")
			for _, q := range []string{`"""`, `'''`, `"`, `'`} {
				if len(t) >= 2*len(q) && strings.HasPrefix(t, q) && strings.HasSuffix(t, q) {
					return t[len(q) : len(t)-len(q)], true
				}
			}
			return "", false
		case "identifier":
			n = a.constants[a.text(n)]
		case "attribute":
			obj := a.dotted(n.ChildByFieldName("object"))
			if (obj == "self" || obj == "cls") && class != nil {
				n = a.classAttr(class, a.text(n.ChildByFieldName("attribute")))
			} else {
				return "", false
			}
		case "call":
			// getattr(settings, "NAME", "default") reads a setting with a
			// literal default: the default is what the code was written for.
			if a.dotted(n.ChildByFieldName("function")) != "getattr" {
				return "", false
			}
			args := n.ChildByFieldName("arguments")
			if args == nil || args.NamedChildCount() != 3 {
				return "", false
			}
			n = args.NamedChild(2)
		default:
			return "", false
		}
	}
	return "", false
}

// strings returns the values of a literal string, or of a tuple, list or
// set of literal strings (directly or through a module constant).
func (a *analysis) strings(n *source.Node, class *source.Node) []string {
	if n != nil && n.Type() == "identifier" {
		if c := a.constants[a.text(n)]; c != nil {
			n = c
		}
	}
	if s, ok := a.stringValue(n, class); ok {
		return []string{s}
	}
	if n == nil {
		return nil
	}
	switch n.Type() {
	case "tuple", "list", "set", "parenthesized_expression":
		var out []string
		for i := 0; i < int(n.NamedChildCount()); i++ {
			s, ok := a.stringValue(n.NamedChild(i), class)
			if !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// classAttr returns the value assigned to name in class's body, following
// same-file base classes.
func (a *analysis) classAttr(class *source.Node, name string) *source.Node {
	for depth := 0; class != nil && depth < 4; depth++ {
		body := class.ChildByFieldName("body")
		for i := 0; body != nil && i < int(body.NamedChildCount()); i++ {
			s := body.NamedChild(i)
			if s.Type() != "expression_statement" || s.NamedChildCount() == 0 {
				continue
			}
			as := s.NamedChild(0)
			if as.Type() == "assignment" && a.text(as.ChildByFieldName("left")) == name {
				return as.ChildByFieldName("right")
			}
		}
		class = a.baseClass(class)
	}
	return nil
}

// baseClass returns the first base of class defined in this file.
func (a *analysis) baseClass(class *source.Node) *source.Node {
	bases := class.ChildByFieldName("superclasses")
	for i := 0; bases != nil && i < int(bases.NamedChildCount()); i++ {
		if b := a.classes[a.text(bases.NamedChild(i))]; b != nil && b != class {
			return b
		}
	}
	return nil
}

// method returns the method name of class or of its same-file bases.
func (a *analysis) method(class *source.Node, name string) *source.Node {
	for depth := 0; class != nil && depth < 4; depth++ {
		body := class.ChildByFieldName("body")
		for i := 0; body != nil && i < int(body.NamedChildCount()); i++ {
			if d := pysrc.Unwrap(body.NamedChild(i)); d.Type() == "function_definition" && a.text(d.ChildByFieldName("name")) == name {
				return d
			}
		}
		class = a.baseClass(class)
	}
	return nil
}

// enclosingClass returns the class fn is a method of, or nil.
func enclosingClass(fn *source.Node) *source.Node {
	p := fn.Parent()
	if p != nil && p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	if p != nil && p.Type() == "block" && p.Parent() != nil && p.Parent().Type() == "class_definition" {
		return p.Parent()
	}
	return nil
}

// enclosingFunction returns the function fn is nested in, or nil.
func enclosingFunction(fn *source.Node) *source.Node {
	for p := fn.Parent(); p != nil; p = p.Parent() {
		switch p.Type() {
		case "function_definition":
			return p
		case "class_definition":
			return nil
		}
	}
	return nil
}

// calledInFile reports whether the function or method named name is
// called in the file (name(...) for a function, self.name(...) or
// cls.name(...) for a method): it is then analyzed at its call sites,
// with what the callers checked.
func (a *analysis) calledInFile(name string, method bool) bool {
	return calls(a.pass.File.Src, name, method)
}

// calls reports whether src calls name: as a function, or with method as
// a method of self or cls.
func calls(src []byte, name string, method bool) bool {
	if name == "" {
		return false
	}
	pat := []byte(name + "(")
	for off := 0; off < len(src); {
		i := bytes.Index(src[off:], pat)
		if i < 0 {
			return false
		}
		i += off
		off = i + len(pat)
		before := src[:i]
		if len(before) > 0 && isIdentByte(before[len(before)-1]) {
			continue
		}
		if method {
			if bytes.HasSuffix(before, []byte("self.")) || bytes.HasSuffix(before, []byte("cls.")) {
				return true
			}
			continue
		}
		if len(before) > 0 && before[len(before)-1] == '.' {
			continue
		}
		if t := bytes.TrimRight(before, " \t"); bytes.HasSuffix(t, []byte("def")) || bytes.HasSuffix(t, []byte("class")) {
			continue
		}
		return true
	}
	return false
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// isProxyList reports whether n names the list of trusted proxies.
func (a *analysis) isProxyList(n *source.Node) bool {
	name := a.dotted(n)
	if name == "" && n != nil && n.Type() == "call" {
		// getattr(settings, "TRUSTED_PROXIES", ...)
		name = a.text(n)
	}
	if name == "" {
		return false
	}
	return a.proxySettings[name] || a.proxySettings[last(name)] || trustedProxyName.MatchString(name)
}
