package crosslang

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A checker checks one Python file against both models.
type checker struct {
	pass *analyzers.CheckPass
	prog *pysrc.Program
	repo *csrc.Repo
	an   *csrc.Analysis
	// gates are the repository's checks of client certificates, read
	// on first use.
	gates *gates
}

// check reports, in one scanned file, each response, cache store and
// log record the Python model hears native bytes reach, whose native
// function the C model says hands back memory nothing wrote.
func check(pass *analyzers.CheckPass) error {
	prog, _ := pass.Model(pysrc.Model).(*pysrc.Program)
	repo, _ := pass.Model(csrc.Model).(*csrc.Repo)
	if prog == nil || repo == nil {
		return nil
	}
	c := &checker{pass: pass, prog: prog, repo: repo, an: repo.Analysis(csrc.Config{})}
	prog.Check(pass.Path, pysrc.OutputSinks, c.event)
	prog.Check(pass.Path, pysrc.LogSinks, c.event)
	return nil
}

// event reports the native bytes an event writes that hold residue: one
// finding per native function and sink.
func (c *checker) event(ev *pysrc.Event) {
	seen := map[string]bool{}
	for _, a := range ev.Args {
		for _, d := range a.Data {
			if d.Tag != pysrc.TagData || d.Kind != pysrc.DataNative || seen[d.Key] {
				continue
			}
			seen[d.Key] = true
			if x := c.crossing(d); x != nil {
				c.pass.Report(c.finding(ev, a, x))
			}
		}
	}
}

// A crossing is native bytes that hold residue: the datum that carries
// them in Python, and what the C side hands back.
type crossing struct {
	datum  pysrc.Datum
	ref    pysrc.NativeRef
	export *csrc.Export
	// method is the method table's entry of an extension's function.
	method *csrc.PyMethod
	// returned is the output the bytes come from.
	returned csrc.Returned
}

// crossing resolves native bytes against the C model: the function
// Python called, and what it hands back unwritten; nil when nothing.
func (c *checker) crossing(d pysrc.Datum) *crossing {
	ref, ok := pysrc.ParseNativeRef(d.Key)
	if !ok {
		return nil
	}
	switch ref.Way {
	case pysrc.ViaExtension:
		mod, name := ref.Module()
		m, ok := c.repo.PyMethod(mod, name)
		if !ok {
			return nil
		}
		x, ok := c.an.Method(m)
		if !ok || len(x.Returned) == 0 {
			return nil
		}
		return &crossing{datum: d, ref: ref, export: x, method: &m, returned: x.Returned[0]}
	}
	return nil
}
