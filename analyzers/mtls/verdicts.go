package mtls

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// The repository weighs a module's findings: a helper's findings stand
// only if another module calls it without checking first; a function
// every caller of which checks first, a middleware listed after one that
// checks every request, and views behind such a middleware are lowered
// one level, and say so (the check still belongs where the finding is).

// satisfies reports whether facts f give what n asks for: a sound
// verification (or one of a header from the trusted proxy), a proxy
// check.
func satisfies(f facts, n need) bool {
	if n == 0 {
		return false
	}
	verified := f.verified != nil && (!f.verified.spoofable || f.guarded != nil)
	return (n&needVerify == 0 || verified) && (n&needGuard == 0 || f.guarded != nil)
}

// verdicts returns the module's findings as the repository weighs them.
func (c *checker) verdicts() []analyzers.Finding {
	var out []analyzers.Finding
	for _, f := range c.out {
		fd, keep := c.weigh(f)
		if keep {
			out = append(out, fd)
		}
	}
	return out
}

// weigh returns whether a finding stands, and as what.
func (c *checker) weigh(f found) (analyzers.Finding, bool) {
	fd := f.fd
	if h := f.own.onlyIfCalled; h != nil {
		call, ok := c.uncheckedCall(h, f.need)
		if !ok {
			return fd, false
		}
		fd.Message += "; it is reached from a call in another module that does not check first"
		fd.Related = append(fd.Related, c.rp.location(call, "a call that does not check first"))
	}
	if f.need == 0 {
		return fd, true
	}
	if e := f.own.entry; e != nil {
		c.callersCheck(&fd, e, f.need)
	}
	if f.own.mwName != "" {
		c.afterValidating(&fd, f.own, f.need)
		c.notInstalled(&fd, f.own)
	} else {
		c.behindValidating(&fd, f.need)
	}
	return fd, true
}

// callsFrom returns the calls of fn from other modules, each with what
// holds there (the meet of every walk that reaches it).
func (c *checker) callsFrom(fn *pysrc.FuncDef) []callState {
	var out []callState
	for _, ref := range c.rp.prog.Callers(last(fn.Name)) {
		site, ok := ref.Site()
		if !ok || ref.Fn.Module() == fn.Module() || !c.calls(ref, site, fn) {
			continue
		}
		states := c.rp.callStates(ref.Fn)
		if states == nil {
			// Code that takes no request is not walked on its own.
			continue
		}
		st := callState{at: ref.Fn.Module().At(site.Span)}
		if f := states[ref]; f != nil {
			st.f, st.walked = *f, true
		}
		out = append(out, st)
	}
	return out
}

// A callState is a call and what holds at it; walked is false when no
// walk of its function reached it.
type callState struct {
	at     pysrc.Loc
	f      facts
	walked bool
}

// calls reports whether the call ref, at call, may call fn.
func (c *checker) calls(ref pysrc.CallRef, call *pysrc.Call, fn *pysrc.FuncDef) bool {
	var ds []pysrc.Datum
	if call.Method != "" {
		ds = c.rp.attr(ref.Fn, c.rp.r.Resolve(ref.Fn, call.Recv), call.Method)
	} else {
		ds = c.rp.r.Resolve(ref.Fn, call.Func)
	}
	for _, d := range ds {
		if d.Tag == pysrc.TagFunc && d.Fn == fn {
			return true
		}
	}
	return false
}

// uncheckedCall returns a call of the helper h from another module that
// does not have what n needs.
func (c *checker) uncheckedCall(h *pysrc.FuncDef, n need) (pysrc.Loc, bool) {
	for _, st := range c.callsFrom(h) {
		if n == 0 || !st.walked || !satisfies(st.f, n) {
			return st.at, true
		}
	}
	return pysrc.Loc{}, false
}

// callersCheck lowers fd, a finding in the module-level function entry,
// when other modules call entry and every call has what n needs, and
// says so. The function still trusts its callers, and calls the
// analysis cannot see (a URL route to it) are not weighed: lowered, not
// dropped.
func (c *checker) callersCheck(fd *analyzers.Finding, entry *pysrc.FuncDef, n need) {
	calls := c.callsFrom(entry)
	if len(calls) == 0 {
		return
	}
	for _, st := range calls {
		if !st.walked || !satisfies(st.f, n) {
			return
		}
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: every call of %s() found in the repository checks first, "+
		"but the function trusts its callers (a new caller, or a route to it, reopens the hole)", last(entry.Name))
	fd.Related = append(fd.Related, c.rp.location(calls[0].at, "a call that checks first"))
}

// A middlewareList is one MIDDLEWARE (or MIDDLEWARE_CLASSES) setting of
// a settings module: its entries in order, the += included.
type middlewareList struct {
	name    string
	at      pysrc.Loc
	entries []string
}

// middlewareLists returns the repository's MIDDLEWARE lists.
func (rp *repo) middlewareLists() []middlewareList {
	var out []middlewareList
	for _, name := range []string{"MIDDLEWARE", "MIDDLEWARE_CLASSES"} {
		for _, s := range rp.prog.Settings(name) {
			if s.Value.Kind != pysrc.LitList {
				continue
			}
			if n := len(out); n > 0 && out[n-1].name == name && out[n-1].at.Mod == s.Loc.Mod {
				out[n-1].entries = append(out[n-1].entries, s.Value.Strings()...)
				continue
			}
			out = append(out, middlewareList{name: name, at: s.Loc, entries: s.Value.Strings()})
		}
	}
	return out
}

// isEntry reports whether a MIDDLEWARE entry names the middleware own.
func (c *checker) isEntry(e string, own owner) bool {
	for _, d := range c.rp.r.Lookup(e) {
		if d.Tag == pysrc.TagClass && d.Class == own.mw.Class && own.mw.Class != nil || d.Tag == pysrc.TagFunc && d.Fn == own.mw.Fn && own.mw.Fn != nil {
			return true
		}
	}
	return e == own.mwName || strings.HasSuffix(own.mwName, "."+e)
}

// notInstalled lowers fd, a middleware's finding, when the repository's
// settings list MIDDLEWARE and no list names the middleware or a subclass
// of it: it runs only where another project's settings install it (a
// class left unused, or a library's).
func (c *checker) notInstalled(fd *analyzers.Finding, own owner) {
	lists := c.rp.middlewareLists()
	if len(lists) == 0 {
		return
	}
	if c.namedElsewhere(own) {
		// Some module names it in a string (MIDDLEWARE.append(...) under
		// a condition, another settings module's insert, a constant
		// added to the list).
		return
	}
	for _, list := range lists {
		for _, e := range list.entries {
			if c.isEntry(e, own) {
				return
			}
			for _, d := range c.rp.r.Lookup(e) {
				if d.Inherits(own.mw) {
					return
				}
			}
		}
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: no %s list of the repository names it, so it runs only where other settings install it", lists[0].name)
	fd.Related = append(fd.Related, c.rp.location(lists[0].at, "the "+lists[0].name+" setting"))
}

// namedElsewhere reports whether a module other than the middleware's
// own names it at the end of a string, reading each module's text once
// per middleware and run (Program.Memo), whichever file's check asks.
func (c *checker) namedElsewhere(own owner) bool {
	name, home := last(own.mwName), own.mw.Origin.Path()
	return c.rp.prog.Memo("mtls/named:"+home+":"+name, func() any {
		for _, m := range c.rp.prog.Modules() {
			if m.File != home && namesInString(m.Source(), name) {
				return true
			}
		}
		return false
	}).(bool)
}

// namesInString reports whether src holds name at the end of a string
// literal ("app.auth.HeaderUser", 'HeaderUser').
func namesInString(src []byte, name string) bool {
	return name != "" && (bytes.Contains(src, []byte(name+`"`)) || bytes.Contains(src, []byte(name+`'`)))
}

// afterValidating lowers fd when every MIDDLEWARE list that names its
// middleware lists before it one that checks what n needs of every
// request, and says so.
func (c *checker) afterValidating(fd *analyzers.Finding, own owner, n need) {
	var guard pysrc.Loc
	var where *middlewareList
	var name string
	lists := c.rp.middlewareLists()
	for li := range lists {
		list := &lists[li]
		pos := -1
		for i, e := range list.entries {
			if c.isEntry(e, own) {
				pos = i
				break
			}
		}
		if pos < 0 {
			continue
		}
		g, e, ok := c.validatorIn(list.entries[:pos], n)
		if !ok {
			return
		}
		if where == nil {
			guard, where, name = g, list, e
		}
	}
	if where == nil {
		return
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: it is listed in %s after %s, which checks every request first, "+
		"but the check belongs here too (reordering the list reopens the hole)", where.name, name)
	fd.Related = append(fd.Related, c.rp.location(guard, "the check "+last(name)+" makes of every request"),
		c.rp.location(where.at, "the "+where.name+" setting"))
}

// behindValidating lowers fd, a finding in a view or in code views call,
// when every MIDDLEWARE list holds a middleware that checks what n needs
// of every request: views run after every middleware's request phase.
func (c *checker) behindValidating(fd *analyzers.Finding, n need) {
	lists := c.rp.middlewareLists()
	if len(lists) == 0 {
		return
	}
	var guard pysrc.Loc
	var name string
	for i, list := range lists {
		g, e, ok := c.validatorIn(list.entries, n)
		if !ok {
			return
		}
		if i == 0 {
			guard, name = g, e
		}
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: every request passes %s first, which checks it, "+
		"but the check belongs here too (a change of MIDDLEWARE reopens the hole)", name)
	fd.Related = append(fd.Related, c.rp.location(guard, "the check "+last(name)+" makes of every request"))
}

// validatorIn returns the first of the MIDDLEWARE entries that checks
// what n needs of every request it hands on, and where it checks.
func (c *checker) validatorIn(entries []string, n need) (pysrc.Loc, string, bool) {
	for _, e := range entries {
		for _, d := range c.rp.r.Lookup(e) {
			if d.Tag != pysrc.TagClass && d.Tag != pysrc.TagFunc {
				continue
			}
			for _, g := range c.rp.guarantee(d) {
				if satisfies(g, n) {
					at := g.guarded
					if satisfies(g, needVerify) {
						at = g.verified
					}
					return at.at, e, true
				}
			}
		}
	}
	return pysrc.Loc{}, "", false
}

// lowerOnce marks fd to be lowered one level, however many reasons there
// are: the first reason is marked in its message.
func lowerOnce(fd *analyzers.Finding) {
	if fd.Data == nil {
		fd.Data = map[string]string{}
	}
	fd.Data[dataLower] = "1"
}
