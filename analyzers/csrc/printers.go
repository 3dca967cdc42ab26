package csrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Functions that print: the printf family, whose format says how each
// argument is read, and those that print one string or character.

// An argKind says how a printing function reads an argument.
type argKind uint8

const (
	valueArg  argKind = iota + 1 // a number, a character or a pointer, by value
	stringArg                    // a NUL-terminated string it points to
	skipArg                      // an argument it writes (%n) or does not read
	bufferArg                    // a buffer it copies, the next argument its length (Py_BuildValue's y#)
)

// A printer is a function that prints its arguments.
type printer struct {
	// format is the position of the format argument, -1 for none.
	format int
	// args are, without a format, how each argument is read.
	args []argKind
	// verb says what happens to them ("printed by printf()" if empty).
	verb string
	// units says the format is Py_BuildValue's, of format units.
	units bool
}

// printers are the printing functions of the C library and of POSIX.
var printers = map[string]printer{
	"printf": {format: 0}, "fprintf": {format: 1}, "dprintf": {format: 1}, "wprintf": {format: 0},
	"fwprintf": {format: 1}, "syslog": {format: 1}, "warn": {format: 0}, "warnx": {format: 0},
	"err": {format: 1}, "errx": {format: 1}, "printk": {format: 0}, "PySys_WriteStdout": {format: 0},
	"PySys_WriteStderr": {format: 0},
	"puts":              {format: -1, args: []argKind{stringArg}}, "fputs": {format: -1, args: []argKind{stringArg}},
	"fputws": {format: -1, args: []argKind{stringArg}}, "perror": {format: -1, args: []argKind{stringArg}},
	"putchar": {format: -1, args: []argKind{valueArg}}, "putc": {format: -1, args: []argKind{valueArg}},
	"fputc": {format: -1, args: []argKind{valueArg}}, "putwchar": {format: -1, args: []argKind{valueArg}},
	"putwc": {format: -1, args: []argKind{valueArg}}, "fputwc": {format: -1, args: []argKind{valueArg}},
}

// pythonObject is what happens to the arguments of CPython's
// constructors.
const pythonObject = "turned into a Python object by "

func init() {
	// CPython's constructors of Python objects from C values and strings:
	// what they read reaches Python.
	for _, name := range []string{"PyLong_FromLong", "PyLong_FromUnsignedLong", "PyLong_FromLongLong",
		"PyLong_FromUnsignedLongLong", "PyLong_FromSsize_t", "PyLong_FromSize_t", "PyLong_FromDouble",
		"PyFloat_FromDouble", "PyBool_FromLong", "PyInt_FromLong", "PyInt_FromSsize_t", "PyInt_FromSize_t"} {
		printers[name] = printer{format: -1, args: []argKind{valueArg}, verb: pythonObject + name + "()"}
	}
	for _, name := range []string{"PyUnicode_FromString", "PyBytes_FromString", "PyString_FromString"} {
		printers[name] = printer{format: -1, args: []argKind{stringArg}, verb: pythonObject + name + "()"}
	}
	for _, name := range []string{"PyUnicode_FromFormat", "PyBytes_FromFormat", "PyString_FromFormat", "PyErr_Format"} {
		at := 0
		if name == "PyErr_Format" {
			at = 1
		}
		printers[name] = printer{format: at, verb: pythonObject + name + "()"}
	}
	printers[buildValue] = printer{format: 0, units: true, verb: pythonObject + buildValue + "()"}
}

// printerTable returns the printing functions with the configured sinks
// of values and strings.
func printerTable(extra []Sink) map[string]printer {
	out := make(map[string]printer, len(printers)+len(extra))
	for name, p := range printers {
		out[name] = p
	}
	for _, s := range extra {
		kind := valueArg
		switch s.Kind {
		case BytesSink:
			continue
		case StringSink:
			kind = stringArg
		}
		args := make([]argKind, s.Arg+1)
		args[s.Arg] = kind
		out[s.Name] = printer{format: -1, args: args, verb: "passed to " + s.Name + "()"}
	}
	return out
}

// printedArgs returns how a printing call reads each of its arguments
// (0 for those it does not print); nil when the call prints nothing the
// analysis can tell (a format that is not a literal).
func printedArgs(p printer, args []syntax.Node) []argKind {
	out := make([]argKind, len(args))
	if p.format < 0 {
		copy(out, p.args)
		return out
	}
	if p.format >= len(args) {
		return nil
	}
	format, ok := formatText(args[p.format])
	if !ok {
		return nil
	}
	i := p.format + 1
	read := conversions
	if p.units {
		read = unitArgs
	}
	for _, k := range read(format) {
		if i >= len(args) {
			break
		}
		out[i] = k
		i++
	}
	return out
}

// formatText returns the text of a format argument: a string literal, or
// literals concatenated with inttypes.h macros (PRId64 reads as "d").
func formatText(n syntax.Node) (string, bool) {
	n = stripParens(n)
	switch n.Type() {
	case "string_literal":
		return stringContent(n), true
	case "concatenated_string":
		var b strings.Builder
		for _, c := range n.NamedChildren() {
			switch c.Type() {
			case "string_literal":
				b.WriteString(stringContent(c))
			case "identifier":
				name := c.Text()
				if !strings.HasPrefix(name, "PRI") || len(name) < 4 {
					return "", false
				}
				b.WriteString(name[3:4])
			default:
				return "", false
			}
		}
		return b.String(), true
	}
	return "", false
}

// conversions reads a printf format: how each argument after it is read
// (a `*` width or precision reads an int).
func conversions(format string) []argKind {
	var out []argKind
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("-+ #0'", format[i]) >= 0 {
			i++
		}
		for i < len(format) {
			c := format[i]
			switch {
			case c == '*':
				out = append(out, valueArg)
			case c >= '0' && c <= '9' || c == '.' || c == '$' || strings.IndexByte("hljztqL", c) >= 0:
			default:
				goto conv
			}
			i++
		}
	conv:
		if i >= len(format) {
			break
		}
		switch c := format[i]; {
		case c == '%' || c == 'm':
		case c == 's' || c == 'S':
			out = append(out, stringArg)
		case c == 'n':
			out = append(out, skipArg)
		case strings.IndexByte("diouxXeEfFgGaAcCp", c) >= 0:
			out = append(out, valueArg)
		default:
			return out // a conversion it does not know: stop
		}
	}
	return out
}

// printCall checks what a printing call reads: the values of its
// arguments, the strings they point to, and the pointers it reads
// through.
func (w *walker) printCall(n syntax.Node, name string, args []syntax.Node, refs []*ref, st *state) {
	p, ok := w.an.printers[name]
	if !ok {
		return
	}
	verb := p.verb
	if verb == "" {
		verb = "printed by " + name + "()"
	}
	for i, k := range printedArgs(p, args) {
		switch k {
		case valueArg:
			for _, rd := range w.valueReads(args[i], st) {
				w.checkRead(n, rd, verb, st)
			}
		case stringArg:
			for _, rd := range w.throughReads(args[i], st) {
				w.checkRead(n, rd, verb, st)
			}
			if refs[i] != nil {
				w.checkString(n, *refs[i], verb, name+"()", st)
			}
		}
	}
}
