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
	// method is the method table's entry of an extension's function;
	// binding where Python binds a ctypes foreign function.
	method  *csrc.PyMethod
	binding *pysrc.NativeBinding
	// returned is the output the bytes come from: what an extension's
	// function returns, the heap block a foreign function returns a
	// pointer to.
	returned csrc.Returned
	// residue is, for a ctypes buffer, the residue the foreign function
	// leaves in the bytes of the buffer Python reads.
	residue *csrc.ParamResidue
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
	case pysrc.ViaBuffer, pysrc.ViaPointer:
		x, r, ok := ctypesResidue(c.an, ref)
		if !ok {
			return nil
		}
		cx := &crossing{datum: d, ref: ref, export: x, binding: c.binding(ref)}
		if ref.Way == pysrc.ViaBuffer {
			cx.residue = &r.param
		} else {
			cx.returned = r.block
		}
		return cx
	}
	return nil
}

// A ctypesRead is what a read of native memory through ctypes finds
// unwritten: residue in a buffer's bytes, or a partly written block.
type ctypesRead struct {
	param csrc.ParamResidue
	block csrc.Returned
}

// ctypesResidue returns the export summary of the foreign function of
// ref, and the unwritten bytes the read ref describes finds; false when
// it finds none.
func ctypesResidue(an *csrc.Analysis, ref pysrc.NativeRef) (*csrc.Export, ctypesRead, bool) {
	x, ok := an.Symbol(ref.Name)
	if !ok {
		return nil, ctypesRead{}, false
	}
	n := ref.Read
	if n < 0 {
		n = -1
	}
	var r ctypesRead
	switch ref.Way {
	case pysrc.ViaBuffer:
		r.param, ok = x.ParamRead(ref.Param, n, ref.Read == pysrc.ReadCounted)
	case pysrc.ViaPointer:
		if ref.Read == pysrc.ReadCounted {
			return nil, ctypesRead{}, false
		}
		r.block, ok = x.BlockRead(n)
	default:
		ok = false
	}
	return x, r, ok
}

// binding returns where Python binds the foreign function of ref: its
// argtypes (a buffer's) or restype (a pointer's) assignment, the other
// one, else its library's load; nil when the model saw none.
func (c *checker) binding(ref pysrc.NativeRef) *pysrc.NativeBinding {
	bs := c.prog.Memo("crosslang.bindings", func() any { return bindingsOf(c.prog) }).(map[bindingKey][]*pysrc.NativeBinding)
	order := []string{"argtypes", "restype"}
	if ref.Way == pysrc.ViaPointer {
		order = []string{"restype", "argtypes"}
	}
	for _, attr := range order {
		for _, b := range bs[bindingKey{ref.Lib, ref.Name}] {
			if b.Attr == attr {
				return b
			}
		}
	}
	if l := bs[bindingKey{ref.Lib, ""}]; len(l) > 0 {
		return l[0]
	}
	return nil
}

// A bindingKey names a foreign function (or, with no name, a library).
type bindingKey struct{ lib, name string }

// bindingsOf indexes the bindings the model noted, in the order of the
// modules and their code.
func bindingsOf(prog *pysrc.Program) map[bindingKey][]*pysrc.NativeBinding {
	out := map[bindingKey][]*pysrc.NativeBinding{}
	prog.Notes(pysrc.NativeFamily, func(v any) {
		if b, ok := v.(*pysrc.NativeBinding); ok {
			k := bindingKey{b.Lib, b.Name}
			out[k] = append(out[k], b)
		}
	})
	return out
}
