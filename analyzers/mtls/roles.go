package mtls

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/pysrc"
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

// roleOf classifies fn by its shape.
func roleOf(rp *repo, fn *pysrc.FuncDef) role {
	name := last(fn.Name)
	params := parameters(fn)
	if fn.IsMethod() {
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
			if c := fn.Owner(); strings.Contains(c.Module().Text(c.Span), "get_response") {
				return role{name: "middleware", passesOn: true}
			}
		}
		return role{}
	}
	if isWSGI(params) && strings.Contains(fn.Module().Text(fn.Span), "start_response)") {
		return role{name: "WSGI middleware", passesOn: true}
	}
	outer := fn.Enclosing()
	if outer == nil || outer.Kind != pysrc.KindDef {
		return role{}
	}
	for _, p := range parameters(outer) {
		switch {
		case p == "get_response":
			return role{name: "middleware", passesOn: true}
		case len(params) > 0 && callsName(fn, p):
			return role{name: "view decorator", passesOn: true, wrapped: p}
		}
	}
	return role{}
}

// callsName reports whether fn calls the name p (a parameter of the
// function it is nested in).
func callsName(fn *pysrc.FuncDef, p string) bool {
	for i := range fn.Code().Calls {
		if c := &fn.Code().Calls[i]; c.Method == "" && c.Name == p {
			return true
		}
	}
	return false
}

// parameters returns fn's plain parameter names, without self or cls for
// a method.
func parameters(fn *pysrc.FuncDef) []string {
	var out []string
	for i, p := range fn.Params {
		if p.Kind != pysrc.ParamPlain && p.Kind != pysrc.ParamKwOnly {
			continue
		}
		if i == 0 && fn.IsMethod() && (p.Name == "self" || p.Name == "cls") {
			continue
		}
		out = append(out, p.Name)
	}
	return out
}

// isWSGI reports whether params are a WSGI callable's (environ, start_response).
func isWSGI(params []string) bool {
	return len(params) == 2 && params[1] == "start_response"
}

// bindParameters returns what fn's parameters hold when it is walked on
// its own: a request or a WSGI environ by name (or by position in a
// request method), self for a method; found is false when it takes no
// request nor environ.
func bindParameters(fn *pysrc.FuncDef) (params []value, found bool) {
	params = make([]value, len(fn.Params))
	names := parameters(fn)
	name := last(fn.Name)
	j := 0
	for i, p := range fn.Params {
		if i == 0 && fn.IsMethod() && (p.Name == "self" || p.Name == "cls") {
			params[i] = value{kind: selfKind}
			continue
		}
		if p.Kind != pysrc.ParamPlain && p.Kind != pysrc.ParamKwOnly {
			continue
		}
		switch {
		case isWSGI(names) && j == 0, p.Name == "environ":
			params[i] = value{kind: metaKind}
			found = true
		case requestParamNames[p.Name], fn.IsMethod() && j == 0 && requestMethods[name]:
			params[i] = value{kind: requestKind}
			found = true
		}
		j++
	}
	return params, found
}

// middlewareName returns the middleware MIDDLEWARE would list fn's code
// under, with its dotted name: its class, or the factory a function
// middleware is nested in; ok is false when fn is no Django middleware.
func middlewareName(fn *pysrc.FuncDef, r role) (pysrc.Datum, string, bool) {
	if r.name != "middleware" {
		return pysrc.Datum{}, "", false
	}
	if fn.IsMethod() {
		return pysrc.Datum{Tag: pysrc.TagClass, Class: fn.Owner()}, fn.Owner().Qualified(), true
	}
	if outer := fn.Enclosing(); outer != nil && outer.Kind == pysrc.KindDef && !outer.IsMethod() {
		return pysrc.Datum{Tag: pysrc.TagFunc, Fn: outer}, outer.Qualified(), true
	}
	return pysrc.Datum{}, "", false
}

// isHook reports whether a middleware method hands the request on by
// returning None (Django's process_request and process_view).
func isHook(name string) bool { return name == "process_request" || name == "process_view" }

// viewHandlers are the methods of class views and viewsets that run after
// the view's dispatch.
var viewHandlers = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
	"list": true, "retrieve": true, "create": true, "update": true, "partial_update": true, "destroy": true,
	"get_queryset": true, "get_object": true, "get_context_data": true, "form_valid": true, "perform_create": true,
}
