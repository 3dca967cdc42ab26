package logging

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// analysis is the state of one file's pass.
type analysis struct {
	pass       *analyzers.Pass
	sanitizers map[string]bool
	// loggers are names bound to logger objects anywhere in the file
	// (module, class or function level), from logger factories.
	loggers map[string]bool
	// loggerNames maps those names to the logging name they were created
	// with (getLogger("x"), getLogger(__name__), "" for the root), when known.
	loggerNames map[string]string
	// module is the file's dotted module path (app/views.py: app.views).
	module string
}

func newAnalysis(pass *analyzers.Pass) *analysis {
	a := &analysis{pass: pass, sanitizers: map[string]bool{}, loggers: map[string]bool{},
		loggerNames: map[string]string{}, module: modulePath(pass.File.Path)}
	for _, s := range pass.Settings["sanitizers"] {
		a.sanitizers[s] = true
	}
	for _, s := range pass.Settings["loggers"] {
		a.loggers[s] = true
	}
	for _, m := range pass.Matches {
		if f := m.Node("factory"); f != nil && loggerFactories[a.dotted(f.ChildByFieldName("function"))] {
			name := a.text(m.Node("target"))
			a.loggers[name] = true
			a.loggers[strings.TrimPrefix(name, "self.")] = true
			if ln, ok := a.loggingName(f); ok {
				a.loggerNames[name] = ln
			}
		}
	}
	return a
}

func (a *analysis) text(n *source.Node) string { return a.pass.File.Text(n) }

// dotted returns the dotted name of an identifier or attribute chain
// ("logging.getLogger"), or "" for anything else.
func (a *analysis) dotted(n *source.Node) string { return pysrc.Dotted(a.pass.File, n) }

// targets returns the names an assignment or loop target binds: plain
// names, names inside tuple/list patterns, and self.attr as "self.attr".
func (a *analysis) targets(n *source.Node) []string {
	if n == nil {
		return nil
	}
	switch n.Type() {
	case "identifier":
		return []string{a.text(n)}
	case "attribute":
		if d := a.dotted(n); strings.HasPrefix(d, "self.") {
			return []string{d}
		}
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "parenthesized_expression", "list_splat_pattern":
		var out []string
		for i := 0; i < int(n.NamedChildCount()); i++ {
			out = append(out, a.targets(n.NamedChild(i))...)
		}
		return out
	}
	return nil
}

// function analyzes one function definition whose parameters include a
// request (or a response, in process_response).
func (a *analysis) function(fn *source.Node) {
	ev := &evaluator{a: a, env: env{}}
	if !a.bindParameters(fn, ev.env) {
		return
	}
	a.block(fn.ChildByFieldName("body"), ev)
}

// bindParameters marks the parameters that are requests and responses;
// false when the function has neither, so there is nothing to track.
func (a *analysis) bindParameters(fn *source.Node, e env) bool {
	params := fn.ChildByFieldName("parameters")
	if params == nil {
		return false
	}
	name := a.text(fn.ChildByFieldName("name"))
	method := a.isMethod(fn)
	byPosition := method && requestMethods[name] && (name != "__call__" || a.classMentions(fn, "get_response"))
	found := false
	pos := 0
	var responses []string
	for i := 0; i < int(params.NamedChildCount()); i++ {
		p := params.NamedChild(i)
		pname := a.paramName(p)
		if pname == "" {
			continue
		}
		switch {
		case requestParamNames[pname] || byPosition && pos == 1:
			e[pname] = value{kind: requestObj}
			found = true
		case byPosition && responseMethods[name] && pos == 2 || pname == "response":
			responses = append(responses, pname)
		}
		pos++
	}
	// A response parameter is a Django response only next to a request
	// (process_response, finalize_response); elsewhere it is as likely an
	// HTTP client's response.
	if found {
		for _, r := range responses {
			e[r] = value{kind: responseObj}
		}
	}
	return found || a.mentionsGetResponse(fn)
}

func (a *analysis) paramName(p *source.Node) string {
	switch p.Type() {
	case "identifier":
		return a.text(p)
	case "default_parameter", "typed_parameter", "typed_default_parameter":
		if n := p.ChildByFieldName("name"); n != nil {
			return a.text(n)
		}
		if p.NamedChildCount() > 0 && p.NamedChild(0).Type() == "identifier" {
			return a.text(p.NamedChild(0))
		}
	}
	return ""
}

// isMethod reports whether fn is defined directly in a class body.
func (a *analysis) isMethod(fn *source.Node) bool {
	p := fn.Parent()
	if p != nil && p.Type() == "decorated_definition" {
		p = p.Parent()
	}
	return p != nil && p.Type() == "block" && p.Parent() != nil && p.Parent().Type() == "class_definition"
}

// classMentions reports whether the class around method fn contains text.
func (a *analysis) classMentions(fn *source.Node, text string) bool {
	for p := fn.Parent(); p != nil; p = p.Parent() {
		if p.Type() == "class_definition" {
			return strings.Contains(a.text(p), text)
		}
	}
	return false
}

// mentionsGetResponse reports whether fn's body calls get_response (a
// middleware that never names its request parameter conventionally).
func (a *analysis) mentionsGetResponse(fn *source.Node) bool {
	return strings.Contains(a.text(fn.ChildByFieldName("body")), "get_response(")
}
