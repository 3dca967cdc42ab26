package crosslang

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// maxCSteps caps the C writes in a finding's code flow.
const maxCSteps = 12

// finding turns native bytes that reach a sink into a finding at the
// sink: the rule of the sink, a message that says what the C side left
// unwritten and who receives it, related locations at the C function's
// export and the certificate check, and a code flow from the C
// declaration to the sink.
func (c *checker) finding(ev *pysrc.Event, arg pysrc.EventArg, x *crossing) analyzers.Finding {
	view, inView := c.prog.FuncAt(ev.Call)
	rule, verb := ruleResponse, "sends"
	where := " to the client"
	page := ""
	switch {
	case ev.Sink.Family == pysrc.LogSinks:
		rule, verb, where = ruleLog, "writes", " to the log"
	case ev.Sink.Kind == pysrc.SinkCache:
		rule, verb, where = ruleCache, "stores", " in Django's cache, where later requests read them"
	case inView:
		if page = cachePage(view); page != "" {
			rule = ruleCache
			where = fmt.Sprintf(" to the client, and @%s keeps the response for later requests", page)
		}
	}
	callee := pysrc.Short(ev.Callee)
	call := pysrc.Short(c.prog.Text(x.datum.Origin))
	bytes := fmt.Sprintf("the bytes %s returns", call)
	if x.ref.Ctypes() && len(x.datum.Steps) > 0 {
		read := pysrc.Short(c.prog.Text(x.datum.Steps[0]))
		bytes = fmt.Sprintf("the bytes %s reads after %s", read, call)
		if x.ref.Way == pysrc.ViaPointer {
			bytes = fmt.Sprintf("the bytes %s reads where %s points", read, call)
		}
		call = read
	}
	what := bytes
	if argText := pysrc.Short(argValue(c.prog.Text(arg.Loc))); arg.Loc.Valid() && argText != call && argText != "" {
		what = fmt.Sprintf("%s (%s)", argText, bytes)
	}
	msg := fmt.Sprintf("%s %s %s%s; they hold uninitialized C memory: %s", callee, verb, what, where, c.cSide(x))
	var related []analyzers.Location
	if x.method != nil {
		related = append(related, c.repo.Location(x.method.Entry,
			fmt.Sprintf("Python calls %s as %s.%s", x.method.Func, x.method.Module, x.method.Name)))
	}
	if b := x.binding; b != nil {
		how := "Python loads the library of " + x.export.Name + " through ctypes"
		if b.Attr != "" {
			how = fmt.Sprintf("Python binds %s through ctypes (%s)", x.export.Name, b.Attr)
		}
		related = append(related, c.prog.Location(b.At, how))
	}
	if ev.Sink.Family == pysrc.OutputSinks {
		if g, ok := c.gate(view, inView); ok {
			msg += fmt.Sprintf("; the view is behind %s, which validates client certificates: authenticated mTLS clients receive these bytes", g.Name)
			related = append(related, c.prog.Location(g.Loc, g.Name+" validates client certificates"))
		}
	}
	return analyzers.Finding{
		RuleID:   rule,
		Message:  msg,
		Location: c.prog.Location(ev.Call, ""),
		Related:  related,
		Flow:     append(c.cFlow(x), c.pyFlow(ev, x, rule)...),
	}
}

// cSide says what the C function left unwritten in what it hands back.
func (c *checker) cSide(x *crossing) string {
	if r := x.residue; r != nil {
		return c.residueSide(x, r)
	}
	o := x.returned.Output
	b := o.Buffer
	loc := c.repo.Location(o.At, "")
	in := fmt.Sprintf("in %s (%s:%d), ", x.export.Name, loc.Path, loc.StartLine)
	if len(x.returned.Via) > 0 {
		in = fmt.Sprintf("in %s (%s:%d), whose result %s returns, ", enclosing(o), loc.Path, loc.StartLine, x.export.Name)
	}
	if !o.Definite {
		in += "on some path, "
	}
	switch o.Kind {
	case csrc.BytesObjectOut:
		return fmt.Sprintf("%s%s the %s bytes of %s's buffer, and the object is returned to Python without %s", in, o.Written, b.Size, b.Name, b.Resizer)
	case csrc.PaddingOut:
		return fmt.Sprintf("%severy member of %s (%s) is written but its padding (bytes %s) is not, and %s", in, b.Name, b.Type, csrc.RangeList(o.Gaps), o.Leaves())
	}
	return fmt.Sprintf("%s%s the %s bytes of %s%s, and %s", in, o.Written, b.Size, b.Name, members(o), o.Leaves())
}

// residueSide says what a foreign function copied from memory nothing
// wrote into the buffer Python passed it.
func (c *checker) residueSide(x *crossing, r *csrc.ParamResidue) string {
	param := x.export.ParamName(x.ref.Param)
	if param == "" {
		param = fmt.Sprintf("parameter %d", x.ref.Param+1)
	}
	src := r.Sources[0]
	loc := c.repo.Location(src.At, "")
	in := fmt.Sprintf("in %s (%s:%d), ", x.export.Name, loc.Path, loc.StartLine)
	if len(src.Via) > 0 {
		in = fmt.Sprintf("in %s (%s:%d), which %s calls, ", enclosing(csrc.Output{At: src.At}), loc.Path, loc.StartLine, x.export.Name)
	}
	if !src.Definite {
		in += "on some path, "
	}
	what := src.Buffer.Name
	if src.Buffer.Type != "" {
		what += " (" + src.Buffer.Type + ")"
	}
	msg := fmt.Sprintf("%s%s %s into the buffer Python passes as %s, and bytes %s of it were never written",
		in, strings.TrimSuffix(src.Verb, " it"), what, param, csrc.RangeList(r.Spans))
	if x.ref.Read == pysrc.ReadCounted {
		msg += "; the count of bytes the call reports includes them"
	}
	return msg
}

// argValue returns an argument's text without its keyword.
func argValue(text string) string {
	if i := strings.IndexByte(text, '='); i > 0 && isName(text[:i]) {
		return strings.TrimSpace(text[i+1:])
	}
	return text
}

// isName reports whether s is a Python identifier.
func isName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// cFlow is the C half of a finding's code flow: the buffer's
// declaration, its writes, the output, and the calls that return it.
func (c *checker) cFlow(x *crossing) []analyzers.Step {
	if r := x.residue; r != nil {
		return c.residueFlow(x, r)
	}
	o := x.returned.Output
	flow := c.writes(o.Buffer, o.Steps)
	out := o.Leaves()
	if o.Kind == csrc.BytesObjectOut {
		out = "the object is returned to Python with bytes nothing wrote"
	}
	flow = append(flow, analyzers.Step{Location: c.repo.Location(o.At, out)})
	for i := len(x.returned.Via) - 1; i >= 0; i-- {
		flow = append(flow, analyzers.Step{Location: c.repo.Location(x.returned.Via[i], "its result is returned")})
	}
	return flow
}

// residueFlow is the C half of the flow of a ctypes buffer's residue:
// the memory nothing wrote, its writes, the copy into the parameter, the
// calls up to the foreign function, and its return to Python.
func (c *checker) residueFlow(x *crossing, r *csrc.ParamResidue) []analyzers.Step {
	src := r.Sources[0]
	flow := c.writes(src.Buffer, src.Steps)
	flow = append(flow, analyzers.Step{Location: c.repo.Location(src.At,
		fmt.Sprintf("%s into the caller's buffer: bytes %s nothing wrote", strings.TrimSuffix(src.Verb, " it"), csrc.RangeList(r.Spans)))})
	for i := len(src.Via) - 1; i >= 0; i-- {
		flow = append(flow, analyzers.Step{Location: c.repo.Location(src.Via[i], "its caller's buffer is passed on here")})
	}
	return append(flow, analyzers.Step{Location: c.repo.Location(x.export.Decl, x.export.Name+" returns to Python with them in its caller's buffer")})
}

// pyFlow is the Python half: the native call, the steps of the bytes,
// the calls to the sink, the sink.
func (c *checker) pyFlow(ev *pysrc.Event, x *crossing, rule string) []analyzers.Step {
	d := x.datum
	call := pysrc.Short(c.prog.Text(d.Origin))
	first := call + " hands them to Python"
	switch x.ref.Way {
	case pysrc.ViaBuffer:
		first = call + " leaves them in the buffer Python passed"
	case pysrc.ViaPointer:
		first = call + " returns a pointer to them"
	}
	flow := []analyzers.Step{{Location: c.prog.Location(d.Origin, first)}}
	for i, s := range d.Steps {
		if s == ev.Call {
			continue
		}
		msg := "flows through " + pysrc.Short(c.prog.Text(s))
		if i == 0 && x.ref.Ctypes() {
			msg = "Python reads them: " + pysrc.Short(c.prog.Text(s))
		}
		flow = append(flow, analyzers.Step{Location: c.prog.Location(s, msg)})
	}
	if ev.At != ev.Call {
		flow = append(flow, analyzers.Step{Location: c.prog.Location(ev.Call, "passed to "+pysrc.Short(ev.Callee))})
		for _, v := range ev.Through {
			flow = append(flow, analyzers.Step{Location: c.prog.Location(v, "passed to "+pysrc.Short(c.prog.Text(v)))})
		}
	}
	last := map[string]string{ruleResponse: "sent to the client by ", ruleCache: "kept in the cache by ", ruleLog: "written to the log by "}[rule]
	return append(flow, analyzers.Step{Location: c.prog.Location(ev.At, last+pysrc.Short(ev.AtName))})
}

// enclosing names the C function an output is in.
func enclosing(o csrc.Output) string {
	for n := o.At; !n.IsNull(); n = n.Parent() {
		if n.Type() == "function_definition" {
			if d := n.ChildByFieldName("declarator"); !d.IsNull() {
				for !d.IsNull() && d.Type() != "function_declarator" {
					d = d.ChildByFieldName("declarator")
				}
				if !d.IsNull() {
					return d.ChildByFieldName("declarator").Text()
				}
			}
		}
	}
	return "a helper"
}

// members notes the record members the unwritten bytes cover.
func members(o csrc.Output) string {
	switch {
	case len(o.Members) == 1:
		return " (member " + o.Members[0] + " is never written)"
	case len(o.Members) > 1:
		return " (members " + strings.Join(o.Members, ", ") + " are never written)"
	}
	return ""
}

// writes starts a C flow: the buffer's declaration, then its last
// maxCSteps writes.
func (c *checker) writes(buf csrc.BufferInfo, steps []csrc.Step) []analyzers.Step {
	flow := []analyzers.Step{{Location: c.repo.Location(buf.Decl, buf.Declared())}}
	if len(steps) > maxCSteps {
		steps = steps[len(steps)-maxCSteps:]
	}
	for _, st := range steps {
		flow = append(flow, analyzers.Step{Location: c.repo.Location(st.At, st.Message)})
	}
	return flow
}
