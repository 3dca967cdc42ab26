package mtls

import (
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What the repository's code guarantees where it hands the request on:
// a view decorator's wrapper to the view, a view's dispatch to its
// handler, middleware to the next; and what holds at each call a
// function makes. Each is learned by walking the code quietly, once per
// program (Program.Memo), whatever module asked first.

// A memoKey names one summary of the program.
type memoKey struct {
	what string
	fn   *pysrc.FuncDef
	cls  *pysrc.ClassDef
}

// memo returns the summary key makes: once per program, or, within the
// making of another (nested), made again, so that no making waits on
// another.
func (rp *repo) memo(key memoKey, make func(*repo) any) any {
	if rp.nested {
		if rp.depth >= maxMemoDepth {
			return nil
		}
		rp.depth++
		defer func() { rp.depth-- }()
		return make(rp)
	}
	memos := rp.prog.Memo("mtls", func() any { return &summaryMemos{} }).(*summaryMemos)
	e, _ := memos.m.LoadOrStore(key, &summaryMemo{})
	m := e.(*summaryMemo)
	m.once.Do(func() {
		fresh := rp.fresh()
		fresh.nested = true
		m.v = make(fresh)
	})
	return m.v
}

// summaryMemos are the program's summaries, by key.
type summaryMemos struct{ m sync.Map }

// A summaryMemo is one summary, made once.
type summaryMemo struct {
	once sync.Once
	v    any
}

// maxMemoDepth bounds the summaries made within the making of another.
const maxMemoDepth = 4

// quiet walks fn on its own, reporting nothing, and returns what it
// learned where the request is handed on.
func (rp *repo) quiet(fn *pysrc.FuncDef, at map[pysrc.CallRef]*facts) *handOn {
	params, _ := bindParameters(fn)
	r := roleOf(rp, fn)
	fr := newFrame(nil, rp, fn, r, params)
	if mw, name, ok := middlewareName(fn, r); ok {
		fr.own.mw, fr.own.mwName = mw, name
	}
	fr.hand.at = at
	fr.facts = rp.before(fn)
	if !fr.block(fn.Block(fn.Code().Body)) && isHook(last(fn.Name)) {
		fr.passesOn(fr.facts)
	}
	return fr.hand
}

// before returns what holds when fn's body starts: what its decorators
// establish before they call it, and, for a handler of a class view,
// what the class's dispatch (its own or a base's) establishes before
// handing the request on.
func (rp *repo) before(fn *pysrc.FuncDef) facts {
	var f facts
	enclosing := fn.Enclosing()
	for i := range fn.Decorators {
		f = f.with(rp.decorator(enclosing, fn.Decorators[i], fn.DecoratorCalls[i], fn.DecoratorSpans[i], ""))
	}
	if !fn.IsMethod() || !viewHandlers[last(fn.Name)] {
		return f
	}
	class := fn.Owner()
	for i := range class.Decorators {
		f = f.with(rp.decorator(class.Module().Code()[class.Scope], class.Decorators[i], class.DecoratorCalls[i], class.DecoratorSpans[i], "dispatch"))
	}
	f = f.with(rp.permissions(class))
	for _, k := range class.Order() {
		d := k.Method("dispatch")
		if d == nil || d.Owner() != k {
			continue
		}
		rr := &reroot{at: class.Module().At(class.NameSpan), via: k.Name + ".dispatch", here: class.Module()}
		if s, ok := rp.memo(memoKey{what: "dispatch", fn: d}, func(rp *repo) any { return rp.quiet(d, nil).dispatched }).(*facts); ok && s != nil {
			f = f.with(rr.facts(*s))
		}
	}
	return f
}

// permissions returns what the DRF permission classes of a view
// (permission_classes) establish before its handlers run: what holds
// where each has_permission grants.
func (rp *repo) permissions(view *pysrc.ClassDef) facts {
	v, owner := view.Binding("permission_classes")
	if owner == nil {
		return facts{}
	}
	var f facts
	for _, d := range rp.r.Resolve(owner.BodyDef(), v) {
		if d.Tag != pysrc.TagClass {
			continue
		}
		m := d.Class.Method("has_permission")
		if m == nil {
			continue
		}
		rr := &reroot{at: view.Module().At(view.NameSpan), via: d.Class.Name + ".has_permission", here: view.Module()}
		if g, ok := rp.memo(memoKey{what: "permission", fn: m}, func(rp *repo) any { return rp.grantedBy(m) }).(*facts); ok && g != nil {
			f = f.with(rr.facts(*g))
		}
	}
	return f
}

// grantedBy returns what holds where the permission method m returns a
// true value.
func (rp *repo) grantedBy(m *pysrc.FuncDef) *facts {
	params, _ := bindParameters(m)
	fr := newFrame(nil, rp, m, role{}, params)
	fr.helper = true
	return fr.outcome(!fr.block(m.Block(m.Code().Body))).truthy
}

// decorator returns what one decorator of a function or class (of the
// code scope: name, its call when it is one, its span) establishes
// before the view runs; method, when set, is the method a class
// decorator must name (method_decorator's name="dispatch").
func (rp *repo) decorator(scope *pysrc.FuncDef, name string, call int32, at pysrc.Span, method string) facts {
	var target pysrc.Value
	written := name
	if call >= 0 && int(call) < len(scope.Code().Calls) {
		c := &scope.Code().Calls[call]
		target = c.Func
		if last(name) == "method_decorator" && len(c.Args) > 0 {
			if method != "" && !namesMethod(c.Args, method) {
				return facts{}
			}
			target = c.Args[0].Value
			written = scope.Module().Text(c.Args[0].Span)
			if len(target) == 1 && target[0].Root == pysrc.RootCall {
				if inner := &scope.Code().Calls[target[0].Index]; inner.Method == "" {
					target, written = inner.Func, inner.Name
				}
			}
		} else if method != "" {
			return facts{}
		}
	} else if method != "" {
		return facts{}
	} else {
		target = dottedValue(name)
	}
	var f facts
	for _, d := range rp.r.Resolve(scope, target) {
		if d.Tag != pysrc.TagFunc {
			continue
		}
		dec := d.Fn
		g, _ := rp.memo(memoKey{what: "decorator", fn: dec}, func(rp *repo) any { return rp.granted(dec) }).(*facts)
		if g != nil {
			rr := &reroot{at: scope.Module().At(at), via: written, here: scope.Module()}
			f = f.with(rr.facts(*g))
		}
	}
	return f
}

// granted returns what holds wherever the wrappers of decorator dec call
// the view they wrap (nil where none does).
func (rp *repo) granted(dec *pysrc.FuncDef) *facts {
	var out *facts
	for _, g := range dec.Module().Code() {
		if g.Enclosing() != dec || g.Kind != pysrc.KindDef {
			continue
		}
		if r := roleOf(rp, g); r.wrapped != "" {
			if h := rp.quiet(g, nil); h.granted != nil {
				out = meetInto(out, *h.granted)
			} else {
				out = meetInto(out, facts{})
			}
		}
	}
	return out
}

// namesMethod reports whether a method_decorator call's name= argument
// is method.
func namesMethod(as []pysrc.Arg, method string) bool {
	for _, a := range as {
		if a.Keyword == "name" {
			return a.Literal && a.Lit == method
		}
	}
	return false
}

// dottedValue returns the value of a dotted name as written in code.
func dottedValue(name string) pysrc.Value {
	parts := splitDots(name)
	if len(parts) == 0 || parts[0] == "" {
		return nil
	}
	a := pysrc.Atom{Root: pysrc.RootName, Name: parts[0]}
	for _, p := range parts[1:] {
		a.Ops = append(a.Ops, pysrc.Op{Kind: pysrc.OpAttr, Name: p})
	}
	return pysrc.Value{a}
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// guarantee returns what the middleware mw (a class or a factory)
// guarantees of the requests it hands on, per hook that hands them on:
// the facts where each process_request, __call__ or factory's inner
// function does.
func (rp *repo) guarantee(mw pysrc.Datum) []facts {
	key := memoKey{what: "middleware", fn: mw.Fn, cls: mw.Class}
	out, _ := rp.memo(key, func(rp *repo) any {
		var hooks []*pysrc.FuncDef
		switch {
		case mw.Class != nil:
			for _, name := range []string{"process_request", "__call__"} {
				if h := mw.Class.Method(name); h != nil {
					hooks = append(hooks, h)
				}
			}
		case mw.Fn != nil:
			for _, g := range mw.Fn.Module().Code() {
				if g.Enclosing() == mw.Fn && g.Kind == pysrc.KindDef {
					hooks = append(hooks, g)
				}
			}
		}
		var out []facts
		for _, h := range hooks {
			if r := roleOf(rp, h); r.name != "middleware" {
				continue
			}
			if p := rp.quiet(h, nil).passOn; p != nil {
				out = append(out, *p)
			} else {
				out = append(out, facts{})
			}
		}
		return out
	}).([]facts)
	return out
}

// callStates returns what holds at each call caller makes when it is
// walked on its own; nil when it takes no request (nor environ, nor
// reads self.request).
func (rp *repo) callStates(caller *pysrc.FuncDef) map[pysrc.CallRef]*facts {
	out, _ := rp.memo(memoKey{what: "calls", fn: caller}, func(rp *repo) any {
		if _, bound := bindParameters(caller); !bound && !(caller.IsMethod() && strings.Contains(caller.Module().Text(caller.Span), "self.request")) {
			return map[pysrc.CallRef]*facts(nil)
		}
		at := map[pysrc.CallRef]*facts{}
		rp.quiet(caller, at)
		return at
	}).(map[pysrc.CallRef]*facts)
	return out
}
