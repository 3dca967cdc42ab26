package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// sinkCall checks a call that sends a buffer out of the process.
func (w *walker) sinkCall(n syntax.Node, name string, args []syntax.Node, refs []*ref, st *state) {
	if name == "" {
		return
	}
	if name == buildValue {
		w.buildValueSink(n, args, refs, st)
		return
	}
	spec, ok := w.an.sinks[name]
	if !ok || spec.buf >= len(args) || spec.n >= len(args) || refs[spec.buf] == nil {
		return
	}
	if spec.outParam && (refs[0] != nil || !w.isOutside(w.baseName(args[0]))) {
		return
	}
	leaving := w.eval(args[spec.n], st)
	if spec.factor >= 0 && spec.factor < len(args) {
		leaving = w.product(leaving, w.eval(args[spec.factor], st))
	}
	w.checkSink(sink{at: n, r: *refs[spec.buf], leaving: leaving, lenArg: args[spec.n], verb: spec.verb, python: spec.python}, st)
}

// buildValueSink checks the y#, s# and z# units of Py_BuildValue, which
// copy a buffer and a length into the result.
func (w *walker) buildValueSink(n syntax.Node, args []syntax.Node, refs []*ref, st *state) {
	if len(args) == 0 {
		return
	}
	format, ok := formatText(args[0])
	if !ok {
		return
	}
	for i, kind := range unitArgs(format) {
		k := i + 1 // args[0] is the format
		if kind == bufferArg && k+1 < len(args) && refs[k] != nil {
			w.checkSink(sink{at: n, r: *refs[k], leaving: w.eval(args[k+1], st), lenArg: args[k+1], verb: "copied into the result of Py_BuildValue()", python: true}, st)
		}
	}
}

// unitArgs returns how Py_BuildValue reads the arguments of its format's
// units: a number, a character or an object by value, a string through
// its pointer; a y#, s# or z# unit copies a buffer its length counts
// (buildValueSink's); O& passes its argument to a converter. It stops at
// a unit it does not know.
func unitArgs(format string) []argKind {
	var out []argKind
	for i := 0; i < len(format); i++ {
		switch c := format[i]; c {
		case ' ', '\t', ':', ',', '(', ')', '[', ']', '{', '}':
		case 's', 'z', 'y', 'u', 'U':
			if i+1 < len(format) && format[i+1] == '#' {
				buf := bufferArg
				if c == 'u' || c == 'U' {
					buf = skipArg // Py_UNICODE, or a str object's
				}
				out = append(out, buf, valueArg)
				i++
				continue
			}
			if c == 'u' {
				out = append(out, skipArg) // a Py_UNICODE string
				continue
			}
			out = append(out, stringArg)
		case 'i', 'b', 'h', 'l', 'B', 'H', 'I', 'k', 'L', 'K', 'n', 'c', 'C', 'd', 'f', 'D', 'p', 'S', 'N':
			out = append(out, valueArg)
		case 'O':
			if i+1 < len(format) && format[i+1] == '&' {
				out = append(out, skipArg, skipArg)
				i++
				continue
			}
			out = append(out, valueArg)
		default:
			return out
		}
	}
	return out
}

// assignSink checks `*out = rec;` and `out->member = rec;` with out a
// parameter or global: the record's members are copied out (its padding
// may or may not be; only unwritten members are reported).
func (w *walker) assignSink(at, left syntax.Node, src *local, st *state) {
	if w.report == nil || !w.isOutside(w.baseName(left)) {
		return
	}
	b := w.bufs[src.buf]
	w.checkSink(sink{at: at, r: ref{buf: b.id, off: constant(0)}, leaving: b.size, verb: "copied out by the assignment", membersOnly: true}, st)
}

// returnSink checks what a return hands back: a bytes object (any
// function), and, from a function visible outside its file, a record
// returned by value or a heap block returned as bytes (char *, uint8_t *)
// after something was written to it. A block nothing wrote is an
// allocation wrapper's, and a void or struct pointer is a handle whose
// object other functions fill: neither is output. It reports whether v was
// handled.
func (w *walker) returnSink(at, v syntax.Node, st *state) bool {
	l := w.lookupIdent(stripParens(v))
	if w.report == nil || l == nil {
		return false
	}
	if r, ok := st.alias[l.id]; ok {
		b := w.bufs[r.buf]
		switch {
		case r.obj && b.kind == bytesBuf:
			w.bytesReturn(at, b, st)
			return true
		case !r.obj && b.kind == heapBuf && w.exported && r.off.known && r.off.val == 0 && w.returnsBytes():
			// a block written with a string is returned as a string:
			// its readers stop at the NUL
			if e := st.extentOf(b.id); (len(e.steps) > 0 || e.elsewhere) && (e.dep == nil || e.dep.kind != stringWriter) && !e.terminated {
				w.checkSink(sink{at: at, r: r, leaving: b.size, verb: "returned"}, st)
			}
			return true
		}
		return false
	}
	if l.buf >= 0 && w.bufs[l.buf].kind == recordBuf && w.exported && w.f.returnsRecordType(w.fn) {
		b := w.bufs[l.buf]
		w.checkSink(sink{at: at, r: ref{buf: b.id, off: constant(0)}, leaving: b.size, verb: "returned", membersOnly: true}, st)
		return true
	}
	return false
}

// returnsBytes reports whether the function returns a pointer to bytes:
// char, signed or unsigned char, int8_t, uint8_t and the like.
func (w *walker) returnsBytes() bool {
	d := w.fn.ChildByFieldName("declarator")
	if d.IsNull() || d.Type() != "pointer_declarator" {
		return false
	}
	if inner := d.ChildByFieldName("declarator"); inner.IsNull() || inner.Type() != "function_declarator" {
		return false
	}
	t := w.f.baseType(w.fn.ChildByFieldName("type"))
	return t != nil && t.kind == scalarT && t.size == 1
}

// sinkTable returns the built-in sinks plus the configured ones.
func sinkTable(extra []Sink) map[string]sinkSpec {
	out := make(map[string]sinkSpec, len(sinks)+len(extra))
	for name, s := range sinks {
		out[name] = s
	}
	for _, s := range extra {
		if s.Kind == BytesSink {
			out[s.Name] = sinkSpec{buf: s.Arg, n: s.Len, factor: -1, verb: "passed to " + s.Name + "()"}
		}
	}
	return out
}
