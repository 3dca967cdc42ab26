package cmem

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A C output that Python receives (a C extension's function returns it,
// a ctypes foreign function leaves it in a buffer Python reads or
// returns a pointer to it) is reported here and again where Python sends
// it out, by crosslang.
// The finding here names the method table's entry that exports the
// function and, when the Python model hears the bytes reach a response,
// the cache or a log, points at that place.

// A python is what the models say of the Python side of one C file's
// outputs: the C functions Python calls, and the native bytes the
// Python model hears reach a sink, each with what its function hands
// back. It is read on first use: the check of a file without outputs
// does not ask for the Python model, and so need not wait for its Build.
type python struct {
	repo  *csrc.Repo
	an    *csrc.Analysis
	model func(*analyzers.Model) any
	prog  *pysrc.Program
	read  bool
	// methods are the method tables' entries whose functions hand back
	// unwritten bytes; sinks the events that send such bytes out.
	methods []method
	sinks   []pySink
}

type method struct {
	m csrc.PyMethod
	x *csrc.Export
}

type pySink struct {
	ev *pysrc.Event
	d  pysrc.Datum
	// carries says whether the bytes are those of an output.
	carries func(o csrc.Output) bool
}

// load reads the exports and the Python sinks once.
func (p *python) load() {
	if p.read {
		return
	}
	p.read = true
	byName := map[string]*csrc.Export{}
	for _, m := range p.repo.PyMethods() {
		if x, ok := p.an.Method(m); ok && len(x.Returned) > 0 {
			p.methods = append(p.methods, method{m, x})
			byName[m.Module+"."+m.Name] = x
		}
	}
	if p.prog, _ = p.model(pysrc.Model).(*pysrc.Program); p.prog == nil {
		return
	}
	for _, ne := range p.prog.NativeEvents() {
		for _, d := range ne.Data {
			ref, ok := pysrc.ParseNativeRef(d.Key)
			switch {
			case !ok:
			case ref.Way == pysrc.ViaExtension:
				mod, name := ref.Module()
				if x := byName[mod+"."+name]; x != nil {
					p.sinks = append(p.sinks, pySink{ne.Event, d, x.Carries})
				}
			case ref.Ctypes():
				if carries := p.ctypesRead(ref); carries != nil {
					p.sinks = append(p.sinks, pySink{ne.Event, d, carries})
				}
			}
		}
	}
}

// ctypesRead returns, for bytes Python reads through ctypes, whether
// they are those of an output: the residue the foreign function leaves
// in the part of the buffer Python reads, or the partly written block it
// returns when Python reads unwritten bytes of it; nil when they hold
// none.
func (p *python) ctypesRead(ref pysrc.NativeRef) func(o csrc.Output) bool {
	x, ok := p.an.Symbol(ref.Name)
	if !ok {
		return nil
	}
	n := max(ref.Read, -1)
	if ref.Way == pysrc.ViaPointer {
		r, ok := x.BlockRead(n)
		if !ok || ref.Read == pysrc.ReadCounted {
			return nil
		}
		return func(o csrc.Output) bool { return r.Output.At == o.At }
	}
	r, ok := x.ParamRead(ref.Param, n, ref.Read == pysrc.ReadCounted)
	if !ok {
		return nil
	}
	return func(o csrc.Output) bool {
		for _, s := range r.Sources {
			if s.At == o.At {
				return true
			}
		}
		return false
	}
}

// annotate adds to the finding of output o the entries that export it
// to Python, and the first place Python sends it out.
func (p *python) annotate(fd *analyzers.Finding, o csrc.Output) {
	p.load()
	for _, m := range p.methods {
		if m.x.Carries(o) {
			fd.Related = append(fd.Related, p.repo.Location(m.m.Entry, fmt.Sprintf("Python calls %s as %s.%s", m.m.Func, m.m.Module, m.m.Name)))
		}
	}
	var found []pySink
	for _, s := range p.sinks {
		if s.carries(o) {
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		return
	}
	s := found[0]
	where := s.ev.Call.Path() + ":" + fmt.Sprint(s.ev.Call.Line())
	more := ""
	if len(found) > 1 {
		more = " (and 1 more place)"
		if len(found) > 2 {
			more = fmt.Sprintf(" (and %d more places)", len(found)-1)
		}
	}
	fd.Message += fmt.Sprintf("; Python receives them from %s and %s at %s%s: see the crosslang finding there",
		pysrc.Short(p.prog.Text(s.d.Origin)), sends(s.ev), where, more)
	fd.Related = append(fd.Related, p.prog.Location(s.ev.Call, "Python "+sends(s.ev)+" here (crosslang)"))
}

// sends says what a sink does with the bytes.
func sends(ev *pysrc.Event) string {
	switch {
	case ev.Sink.Family == pysrc.LogSinks:
		return "writes them to a log"
	case ev.Sink.Kind == pysrc.SinkCache:
		return "keeps them in Django's cache"
	}
	return "sends them to a client"
}
