package mtls

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"

	"github.com/residue-sec/residue/analyzers/source"
)

// A role says what a function is for, which decides its sinks.
type role struct {
	// name is the shape, for messages: "middleware", "view decorator", ...
	name string
	// passesOn: the function hands the request on to views (middleware,
	// a view decorator's wrapper), so data it attaches reaches them.
	passesOn bool
	// returnsIdentity: what the function returns is the authenticated
	// user (a backend's or a DRF class's authenticate).
	returnsIdentity bool
	// returnsDecision: what it returns grants access (has_permission).
	returnsDecision bool
	// wrapped is the parameter holding the view a decorator wraps:
	// calling it grants access.
	wrapped string
}

// entry analyzes fn on its own if it receives a request or a WSGI environ.
// Helpers called in the file are analyzed at their call sites instead,
// unless standalone is set (no call site followed them).
func (a *analysis) entry(fn *source.Node, standalone bool) {
	class := enclosingClass(fn)
	fr := &frame{a: a, env: map[string]value{}, class: class, fn: fn, method: class != nil}
	fr.role = a.roleOf(fn, class)
	bound := a.bindParameters(fn, class, fr.env)
	if !bound && !(class != nil && strings.Contains(a.text(fn.ChildByFieldName("body")), "self.request")) {
		return
	}
	if fr.role.name == "" && !standalone && a.calledInFile(a.text(fn.ChildByFieldName("name")), class != nil) {
		a.helpers = append(a.helpers, fn)
		return
	}
	fr.mw = a.middlewareName(fn, class, fr.role)
	if fr.role.name == "" && class == nil && enclosingFunction(fn) == nil {
		fr.entryName = a.module + "." + a.text(fn.ChildByFieldName("name"))
		a.exportFunction(fr.entryName, fn)
	}
	a.deferred, a.passOn, a.granted, a.dispatched = nil, nil, nil, nil
	fr.facts = a.decoratedBy(fn).with(a.dispatchedBy(fn, class))
	name := a.text(fn.ChildByFieldName("name"))
	if name == "process_view" && class != nil {
		fr.facts = fr.facts.with(a.requestPhase[class])
	}
	before := a.headerFindings
	if !fr.block(fn.ChildByFieldName("body")) && isHook(name) {
		a.passesOn(fr.facts)
	}
	if name == "process_request" && class != nil && a.passOn != nil {
		a.requestPhase[class] = *a.passOn
	}
	if a.headerFindings == before {
		for _, report := range a.deferred {
			report()
		}
	}
	if name != "process_view" {
		// Django runs every process_view after all the middleware's
		// request phases: a check there protects views, not the
		// middleware listed after it.
		a.exportMiddleware(fr.mw, fn)
	}
	if fr.role.wrapped != "" {
		a.exportDecorator(fn)
	}
	if name == "dispatch" && class != nil && a.dispatched != nil {
		a.exportDispatch(class)
	}
	a.flush()
}

// decoratedBy returns what a function's decorators establish before its
// body runs: each decorator of the repository (of this file or imported,
// or passed to Django's method_decorator) is an ext whose summary says
// what holds when it calls the view. For a handler of a class view, the
// class's method_decorator(..., name="dispatch") decorators count too.
func (a *analysis) decoratedBy(fn *source.Node) facts {
	var f facts
	for _, d := range decorators(fn) {
		f = f.with(a.decorator(d, ""))
	}
	if class := enclosingClass(fn); class != nil && viewHandlers[a.text(fn.ChildByFieldName("name"))] {
		for _, d := range decorators(class) {
			f = f.with(a.decorator(d, "dispatch"))
		}
	}
	return f
}

// decorators returns the decorators of a function or class definition.
func decorators(def *source.Node) []*source.Node {
	p := def.Parent()
	if p == nil || p.Type() != "decorated_definition" {
		return nil
	}
	var out []*source.Node
	for i := 0; i < int(p.NamedChildCount()); i++ {
		if d := p.NamedChild(i); d.Type() == "decorator" && d.NamedChildCount() > 0 {
			out = append(out, d)
		}
	}
	return out
}

// decorator returns the ext of one decorator of the repository; method,
// when set, is the method a class decorator must name (method_decorator's
// name="dispatch").
func (a *analysis) decorator(d *source.Node, method string) facts {
	e := d.NamedChild(0)
	var args *source.Node
	if e.Type() == "call" {
		e, args = e.ChildByFieldName("function"), e.ChildByFieldName("arguments")
	}
	name := a.dotted(e)
	if last(name) == "method_decorator" && args != nil && args.NamedChildCount() > 0 {
		if method != "" && !a.namesMethod(args, method) {
			return facts{}
		}
		e = args.NamedChild(0)
		if e.Type() == "call" {
			e = e.ChildByFieldName("function")
		}
		name = a.dotted(e)
	} else if method != "" {
		return facts{}
	}
	q := a.resolve(name)
	if q == "" && a.funcs[name] != nil {
		q = a.module + "." + name
	}
	if q == "" {
		return facts{}
	}
	return facts{exts: []*ext{{node: d, name: q, written: name, use: 'x'}}}
}

// namesMethod reports whether a method_decorator call's name= argument
// is method.
func (a *analysis) namesMethod(args *source.Node, method string) bool {
	for i := 0; i < int(args.NamedChildCount()); i++ {
		c := args.NamedChild(i)
		if c.Type() == "keyword_argument" && a.text(c.ChildByFieldName("name")) == "name" {
			v, _ := a.stringValue(c.ChildByFieldName("value"), nil)
			return v == method
		}
	}
	return false
}

// viewHandlers are the methods of class views and viewsets that run after
// the view's dispatch.
var viewHandlers = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
	"list": true, "retrieve": true, "create": true, "update": true, "partial_update": true, "destroy": true,
	"get_queryset": true, "get_object": true, "get_context_data": true, "form_valid": true, "perform_create": true,
}

// dispatchedBy returns what a class view's dispatch establishes before a
// handler runs: the class's own dispatch and its bases' (a mixin's, of
// this file or imported) are exts whose summaries say what holds where
// they hand the request on.
func (a *analysis) dispatchedBy(fn, class *source.Node) facts {
	var f facts
	if class == nil || !viewHandlers[a.text(fn.ChildByFieldName("name"))] {
		return f
	}
	add := func(q, written string, at *source.Node) {
		f = f.with(facts{exts: []*ext{{node: at, name: q + ".dispatch", written: written + ".dispatch", use: 'x'}}})
	}
	cname := a.text(class.ChildByFieldName("name"))
	if enclosingClass(class) == nil && enclosingFunction(class) == nil && a.method(class, "dispatch") != nil {
		add(a.module+"."+cname, cname, class.ChildByFieldName("name"))
	}
	bases := class.ChildByFieldName("superclasses")
	for i := 0; bases != nil && i < int(bases.NamedChildCount()); i++ {
		b := bases.NamedChild(i)
		name := a.dotted(b)
		switch {
		case name == "":
		case a.classes[name] != nil:
			add(a.module+"."+name, name, b)
		case a.resolve(name) != "":
			add(a.resolve(name), name, b)
		}
	}
	return f
}

// exportDispatch exports the summary of a class view's dispatch: what
// holds wherever it hands the request on to the handler.
func (a *analysis) exportDispatch(class *source.Node) {
	if enclosingClass(class) != nil || enclosingFunction(class) != nil {
		return
	}
	name := a.text(class.ChildByFieldName("name"))
	a.exportHandOn(name+".dispatch", class.ChildByFieldName("name"), a.dispatched)
}

// exportDecorator exports the summary of the module-level decorator whose
// wrapper fn was analyzed: what holds wherever the wrapper calls the view
// is what a view it decorates may count on (see decoratedBy).
func (a *analysis) exportDecorator(fn *source.Node) {
	outer := enclosingFunction(fn)
	if outer == nil || enclosingFunction(outer) != nil || enclosingClass(outer) != nil {
		return
	}
	name := a.text(outer.ChildByFieldName("name"))
	a.decorators[name] = true
	a.exportHandOn(name, outer.ChildByFieldName("name"), a.granted)
}

// exportHandOn exports the summary of the function name (dotted within
// the module) that hands the request on where f holds (nil: nowhere):
// what its callers may count on once it returns.
func (a *analysis) exportHandOn(name string, at *source.Node, f *facts) {
	var held facts
	if f != nil {
		held = *f
	}
	values := append([]string{"0", strconv.Itoa(int(stateOf(held))), "0"}, deps(held)...)
	a.pass.Export(analyzers.Fact{Kind: factSummary, Key: a.module + "." + name, Values: values,
		Location: a.pass.Location(at, name+"() is defined here")})
}

// isHook reports whether a middleware method hands the request on by
// returning None (Django's process_request and process_view).
func isHook(name string) bool { return name == "process_request" || name == "process_view" }

// middlewareName returns the dotted name MIDDLEWARE would list fn's
// middleware under: its class, or the factory a function middleware is
// nested in; "" when fn is no Django middleware.
func (a *analysis) middlewareName(fn, class *source.Node, r role) string {
	if r.name != "middleware" {
		return ""
	}
	if class != nil {
		return a.module + "." + a.text(class.ChildByFieldName("name"))
	}
	if outer := enclosingFunction(fn); outer != nil && enclosingClass(outer) == nil {
		return a.module + "." + a.text(outer.ChildByFieldName("name"))
	}
	return ""
}

// passesOn records the facts at a point where middleware hands the
// request on: what holds at every such point is what it guarantees.
func (a *analysis) passesOn(f facts) {
	a.passOn = meetInto(a.passOn, f)
}

// parameters returns fn's parameter names, without self or cls for a method.
func (a *analysis) parameters(fn *source.Node, method bool) []string {
	params := fn.ChildByFieldName("parameters")
	var out []string
	for i := 0; params != nil && i < int(params.NamedChildCount()); i++ {
		p := params.NamedChild(i)
		name := ""
		switch p.Type() {
		case "identifier":
			name = a.text(p)
		case "default_parameter", "typed_parameter", "typed_default_parameter":
			if n := p.ChildByFieldName("name"); n != nil {
				name = a.text(n)
			} else if p.NamedChildCount() > 0 && p.NamedChild(0).Type() == "identifier" {
				name = a.text(p.NamedChild(0))
			}
		default:
			continue // *args, **kwargs, separators
		}
		if method && len(out) == 0 && i == 0 && (name == "self" || name == "cls") {
			continue
		}
		out = append(out, name)
	}
	return out
}

// isWSGI reports whether params are a WSGI callable's (environ, start_response).
func isWSGI(params []string) bool {
	return len(params) == 2 && params[1] == "start_response"
}

// bindParameters binds fn's request and environ parameters in env; false
// when it has none.
func (a *analysis) bindParameters(fn, class *source.Node, env map[string]value) bool {
	params := a.parameters(fn, class != nil)
	name := a.text(fn.ChildByFieldName("name"))
	found := false
	for i, p := range params {
		switch {
		case isWSGI(params) && i == 0, p == "environ":
			env[p] = value{kind: metaKind}
		case requestParamNames[p], class != nil && i == 0 && requestMethods[name]:
			env[p] = value{kind: requestKind}
		default:
			continue
		}
		found = true
	}
	return found
}

// roleOf classifies fn by its shape.
func (a *analysis) roleOf(fn, class *source.Node) role {
	name := a.text(fn.ChildByFieldName("name"))
	body := a.text(fn.ChildByFieldName("body"))
	params := a.parameters(fn, class != nil)
	if class != nil {
		switch name {
		case "authenticate":
			return role{name: "authentication class", returnsIdentity: true}
		case "has_permission", "has_object_permission":
			return role{name: "permission class", returnsDecision: true}
		case "process_request", "process_view":
			return role{name: "middleware", passesOn: true}
		case "__call__":
			if isWSGI(params) {
				return role{name: "WSGI middleware", passesOn: true}
			}
			if strings.Contains(a.text(class), "get_response") {
				return role{name: "middleware", passesOn: true}
			}
		}
		return role{}
	}
	if isWSGI(params) && strings.Contains(body, "start_response)") {
		return role{name: "WSGI middleware", passesOn: true}
	}
	outer := enclosingFunction(fn)
	if outer == nil {
		return role{}
	}
	for _, p := range a.parameters(outer, enclosingClass(outer) != nil) {
		switch {
		case p == "get_response":
			return role{name: "middleware", passesOn: true}
		case len(params) > 0 && calls([]byte(body), p, false):
			return role{name: "view decorator", passesOn: true, wrapped: p}
		}
	}
	return role{}
}
