package pysrc

import (
	"slices"
	"strings"
)

// Check evaluates each function on its own, with what Django passes to
// its parameters where that is known: the request to a view, a
// middleware's hooks, a DRF method; the response next to it in
// process_response. Build evaluates functions with the same bindings,
// and its other parameters symbolic (TagSym): a helper whose parameter
// is named request reports its own leak, and its callers see the data it
// returns.

// requestParamNames are parameter names that are a request whatever the
// function.
var requestParamNames = map[string]bool{"request": true, "req": true, "http_request": true}

// requestMethods are methods (of class-based views, middleware, DRF views,
// permissions and authentication classes) whose first parameter after self
// is the request, whatever it is named.
var requestMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
	"dispatch": true, "list": true, "create": true, "retrieve": true, "update": true,
	"partial_update": true, "destroy": true, "process_request": true, "process_view": true,
	"process_response": true, "process_exception": true, "process_template_response": true,
	"__call__": true, "authenticate": true, "has_permission": true, "has_object_permission": true,
	"initial": true, "finalize_response": true, "handle_exception": true, "setup": true,
}

// boundHooks are the methods of Django's form views and DRF's generic
// views whose parameter after self is a form or a serializer that holds
// the request's data, by the kind of object it is: in a view (class.view).
var boundHooks = map[string]string{
	"form_valid": ObjDjangoForm, "form_invalid": ObjDjangoForm,
	"perform_create": ObjSerializer, "perform_update": ObjSerializer,
}

// view reports whether the class is a view: it or a class of its order is
// named as a view or a mixin is, or one of its external bases is Django's
// or DRF's or so named.
func (c *class) view() bool {
	for _, k := range c.mro {
		if strings.Contains(k.Name, "View") || strings.HasSuffix(k.Name, "Mixin") {
			return true
		}
	}
	return slices.ContainsFunc(c.ext, func(name string) bool {
		last := lastName(name)
		return strings.HasPrefix(name, "django.") || strings.HasPrefix(name, "rest_framework.") ||
			strings.Contains(last, "View") || strings.HasSuffix(last, "Mixin")
	})
}

// responseMethods are the request methods whose parameter after the
// request is the response.
var responseMethods = map[string]bool{"process_response": true, "process_template_response": true, "finalize_response": true}

// requestPosition reports whether parameter i of f, named as a request
// is, is a request Django passes: anywhere in a module's function or a
// method (formfield_for_foreignkey(self, db_field, request),
// paginate_queryset(self, queryset, request), a signal's receiver), but
// in a function nested in another only first, after the view in a
// method decorator's wrapper (@functools.wraps(view) _wrapped(self,
// request, …), or a wrapper the decorator of one function defines:
// wrapper(view, request, …)) or as a keyword. A plain later one there is
// a local helper's or a test's stub (def _urlopen(opener, request)
// replacing urllib's opener); a caller that passes a request still sees
// what it does with it.
func requestPosition(f *fn, start, i int) bool {
	parent := int(f.Parent)
	if i == start || parent <= 0 || parent >= len(f.mod.fns) || f.mod.fns[parent].Kind != KindDef {
		return true
	}
	if i == 1 && viewNames[f.Params[0].Name] &&
		(slices.ContainsFunc(f.Decorators, func(d string) bool { return lastName(d) == "wraps" }) || wrapperOf(f, f.mod.fns[parent])) {
		return true // a method decorator's wrapper
	}
	p := f.Params[i]
	return p.Kind == ParamKwOnly || int(p.Span.End)-int(p.Span.Start) > len(p.Name) // a default or an annotation
}

// wrapperOf reports whether f is what decorator d returns: d takes one
// parameter (the function it decorates) and returns f.
func wrapperOf(f, d *fn) bool {
	if len(d.Params) != 1 || d.Params[0].Kind != ParamPlain || requestParamNames[d.Params[0].Name] {
		return false
	}
	return slices.ContainsFunc(d.Code().Returns, func(a Atom) bool { return a.Root == RootFunc && a.Index == f.idx && len(a.Ops) == 0 })
}

// viewNames are the names a method decorator's wrapper gives the view
// whose method it wraps, before the request.
var viewNames = map[string]bool{"self": true, "view": true, "viewset": true, "instance": true, "this": true}

// entry returns what f's parameters hold when it is evaluated on its own.
func (p *Program) entry(f *fn) [][]Datum {
	params := make([][]Datum, len(f.Params))
	method := f.class != nil && f.Kind == KindDef && f.Parent == f.class.Body
	start := 0
	if method && !f.isStatic() && len(params) > 0 {
		if f.isClassMethod() {
			params[0] = []Datum{{Tag: TagClass, Class: f.class}}
		} else {
			params[0] = []Datum{{Tag: TagObject, Class: f.class, Kind: f.class.kind}}
		}
		start = 1
		switch f.class.kind {
		case ObjSerializer:
			return serializerEntry(f, params)
		case ObjDjangoForm:
			// A form's own methods: what it was bound to is the
			// request's data (self.data, self.cleaned_data).
			params[0][0].Carried = []Datum{{Tag: TagObject, Kind: ObjForm}}
		}
	}
	name := lastName(f.Name)
	if method && boundHooks[name] != "" && len(params) == 2 && f.Params[1].Kind == ParamPlain && f.class.view() {
		// form_valid(self, form): a form Django bound to the request's data.
		at := Loc{f.mod, f.Params[1].Span}
		params[1] = []Datum{{Tag: TagObject, Kind: boundHooks[name], Origin: at, Carried: []Datum{{Tag: TagObject, Kind: ObjForm, Origin: at}}}}
		return params
	}
	byPosition := method && requestMethods[name] && (name != "__call__" || f.class.middleware)
	found := false
	var responses []int
	for i := start; i < len(f.Params); i++ {
		prm := f.Params[i]
		switch {
		case prm.Kind == ParamStar || prm.Kind == ParamKwargs:
		case requestParamNames[prm.Name] && requestPosition(f, start, i) || byPosition && i == 1:
			params[i] = []Datum{{Tag: TagObject, Kind: ObjRequest}}
			found = true
			continue
		case byPosition && responseMethods[name] && i == 2 || prm.Name == "response":
			responses = append(responses, i)
		}
		params[i] = []Datum{{Tag: TagSym, Param: i}}
	}
	// A response parameter is a Django response only next to a request
	// (process_response, finalize_response); elsewhere it is as likely an
	// HTTP client's response.
	if found {
		for _, i := range responses {
			params[i] = []Datum{{Tag: TagObject, Kind: ObjResponse}}
		}
	}
	return params
}

// serializerEntry binds a DRF serializer's methods: the serializer holds
// the request's data (initial_data), and DRF passes what it validated to
// validate(attrs), validate_<field>(value), create(validated_data) and
// update(instance, validated_data).
func serializerEntry(f *fn, params [][]Datum) [][]Datum {
	form := Datum{Tag: TagObject, Kind: ObjForm}
	params[0][0].Carried = []Datum{form}
	validated := form
	validated.Flags |= FlagValidated
	name := lastName(f.Name)
	for i := 1; i < len(params); i++ {
		at := Loc{f.mod, f.Params[i].Span}
		switch {
		case name == "validate" && i == 1, name == "create" && i == 1, name == "update" && i == 2:
			v := validated
			v.Origin = at
			params[i] = []Datum{v}
		case strings.HasPrefix(name, "validate_") && i == 1:
			params[i] = []Datum{{Tag: TagData, Kind: DataField, Key: strings.TrimPrefix(name, "validate_"), Flags: FlagValidated, Origin: at}}
		default:
			params[i] = []Datum{{Tag: TagSym, Param: i}}
		}
	}
	return params
}
