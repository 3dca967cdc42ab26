package pysrc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/residue-sec/residue/analyzers/source"
)

// The cache stores a Module in a binary form of its own rather than as
// gob's reflection walks it: a warm run decodes every module of the
// repository, and gob spent most of that run allocating the model's
// small slices one by one.
//
// The form is a version byte, a string table (how many strings, their
// lengths, their bytes), how many elements of each list type the module
// holds, then the module's fields in the order of their declarations but
// its source, each element of a list in its place, its fields in their
// order, and last the source's size (a uvarint) and CRC-32C (4 bytes,
// little-endian): the cache leaves sources out, the files being on disk
// (module.Source reads them):
//
//   - unsigned numbers, spans' starts and lengths are uvarints; signed
//     numbers and a span's end (as its distance from the start) varints;
//     kinds are one byte, booleans one byte 0 or 1;
//   - a string is its number in the table (0 for ""), each string of the
//     module stored once;
//   - a slice or map is its length plus one, 0 for nil, then its elements
//     (a map's in the order of its keys);
//   - a Func's code (FuncCode) follows its other fields: a module or
//     class body's Env first, then, for every Func, the names its calls
//     call (Call.called), a boolean that says whether one of them is a
//     candidate sink (Func.callsCandidate), then the rest of the code as a
//     form of its own: its length, how many elements of each list type it
//     holds, its fields, with the module's strings.
//
// A decoder allocates the elements of each list type once, the module's
// string table once, and hands out capped slices of them. It keeps each
// Func's code but a body's Env in its form until Func.Code asks for it
// (Build links every module by its bodies' Env, and evaluates a tenth of
// the bodies), so a module keeps the form it was decoded from (a copy of
// gob's), which its strings alias. Every module extracted is sealed
// (Module.compact), then decoded the same way (Module.open).

// codecVersion is the first byte of a module's binary form.
const codecVersion = 12

// maxLiteralDepth bounds the nesting of a Literal's items the codec
// accepts (Python's own parser nests no deeper than 200 brackets).
const maxLiteralDepth = 1000

// errTooDeep is what encoding a module returns when a literal nests
// deeper than maxLiteralDepth.
var errTooDeep = fmt.Errorf("pysrc: literal nested deeper than %d", maxLiteralDepth)

// errCodec is what a module's binary form that does not decode returns.
var errCodec = errors.New("pysrc: corrupt module encoding")

// The list types of a module, which a decoder allocates once each.
const (
	listImport = iota
	listFunc
	listClass
	listSetting
	listLiteral
	listString
	listInt32
	listSpan
	listParam
	listCall
	listArg
	listStore
	listBinding
	listStmt
	listRun
	listTarget
	listCond
	listOperand
	listSeq
	listExpr
	listSet
	listLoop
	listTest
	listCapture
	listValue
	listAtom
	listOp
	listRef
	numLists
)

// minBytes is the size of the smallest element of each list type, its
// zero value's: every field takes one byte at least.
var minBytes [numLists]uint64

func init() {
	minBytes = [numLists]uint64{
		listImport:  minSize((*encoder).imp),
		listFunc:    minSize((*encoder).fn),
		listClass:   minSize((*encoder).class),
		listSetting: minSize((*encoder).setting),
		listLiteral: minSize((*encoder).literal),
		listString:  minSize((*encoder).stringElem),
		listInt32:   minSize((*encoder).int32Elem),
		listSpan:    minSize((*encoder).spanElem),
		listParam:   minSize((*encoder).param),
		listCall:    minSize((*encoder).call),
		listArg:     minSize((*encoder).arg),
		listStore:   minSize((*encoder).store),
		listBinding: minSize((*encoder).binding),
		listStmt:    minSize((*encoder).stmt),
		listRun:     minSize((*encoder).run),
		listTarget:  minSize((*encoder).target),
		listCond:    minSize((*encoder).cond),
		listOperand: minSize((*encoder).operand),
		listSeq:     minSize((*encoder).seq),
		listExpr:    minSize((*encoder).expr),
		listSet:     minSize((*encoder).set),
		listLoop:    minSize((*encoder).loop),
		listTest:    minSize((*encoder).test),
		listCapture: minSize((*encoder).capture),
		listValue:   minSize((*encoder).valueElem),
		listAtom:    minSize((*encoder).atom),
		listOp:      minSize((*encoder).op),
		listRef:     minSize((*encoder).stringElem),
	}
}

// minSize returns the size of the encoding of a zero T.
func minSize[T any](elem func(*encoder, *T)) uint64 {
	var zero T
	e := &encoder{strings: map[string]uint64{}, sub: &encoder{}}
	elem(e, &zero)
	return uint64(len(e.body))
}

// GobEncode encodes the module in its binary form, for the cache: a
// decoded module's as it is.
func (m *Module) GobEncode() ([]byte, error) {
	if m.wire != nil {
		return m.wire, nil
	}
	head, err := m.encodeHead()
	if err != nil {
		return nil, err
	}
	return m.withStamp(head), nil
}

// withStamp appends to head, in the room encodeHead leaves, the size and
// checksum of the module's source: of the source it holds, else those
// the cache stored.
func (m *Module) withStamp(head []byte) []byte {
	stamp := m.stamp
	if m.src != nil {
		stamp = source.StampOf(m.src)
	}
	out := binary.AppendUvarint(head, uint64(stamp.Size))
	return binary.LittleEndian.AppendUint32(out, stamp.Sum)
}

// encodeHead encodes all of the module but its source, in an array of
// its exact size with room for the source's size and checksum after it.
func (m *Module) encodeHead() ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer e.release()
	e.module(m)
	if e.err != nil {
		return nil, e.err
	}
	size := 1 + uvarintLen(uint64(len(e.table))) + len(e.body)
	for _, s := range e.table {
		size += uvarintLen(uint64(len(s))) + len(s)
	}
	for _, n := range e.count {
		size += uvarintLen(n)
	}
	out := make([]byte, 1, size+binary.MaxVarintLen64+4)
	out[0] = codecVersion
	out = binary.AppendUvarint(out, uint64(len(e.table)))
	for _, s := range e.table {
		out = binary.AppendUvarint(out, uint64(len(s)))
	}
	for _, s := range e.table {
		out = append(out, s...)
	}
	for _, n := range e.count {
		out = binary.AppendUvarint(out, n)
	}
	return append(out, e.body...), nil
}

// uvarintLen returns the length of x's varint.
func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// encoders are encoders emptied, whose buffers the next module reuses:
// every Python file's extraction encodes its module.
var encoders = sync.Pool{New: func() any {
	return &encoder{strings: map[string]uint64{}, sub: &encoder{}}
}}

// release empties the encoder and returns it to encoders.
func (e *encoder) release() {
	clear(e.strings)
	clear(e.table)
	e.body, e.table, e.count, e.depth, e.err = e.body[:0], e.table[:0], [numLists]uint64{}, 0, nil
	e.sub.body, e.sub.table, e.sub.err = e.sub.body[:0], nil, nil
	encoders.Put(e)
}

// GobDecode decodes a module's binary form. A form that is truncated or
// corrupt returns an error, having allocated a few dozen times its length
// at most.
func (m *Module) GobDecode(data []byte) error {
	// The functions' code and the strings stay in the form, which gob
	// lends.
	out, err := decodeWire(bytes.Clone(data))
	if err != nil {
		return err
	}
	*m = out
	return nil
}

// decodeWire decodes a module's whole binary form, which it keeps: the
// head, then the source's size and checksum.
func decodeWire(data []byte) (Module, error) {
	out, d, err := decodeHead(data)
	if err != nil {
		return Module{}, err
	}
	size := d.uint()
	if d.err != nil || d.left() != 4 || size > math.MaxInt32 {
		return Module{}, errCodec
	}
	out.stamp = source.Stamp{Size: int(size), Sum: binary.LittleEndian.Uint32(data[d.off:])}
	out.wire = data
	return out, nil
}

// compact returns the module sealed: its binary form, with its source's
// stamp but not the source, which is read again from the file when
// locations need its text (module.Source), and the fields the run reads
// before Build (File, Package, Config, Need). It costs a fraction of the
// memory of the lowered module, and of the decoded one (see open).
func (m *Module) compact() (*Module, error) {
	head, err := m.encodeHead()
	if err != nil {
		return nil, err
	}
	return &Module{File: m.File, Package: m.Package, Config: m.Config, Need: m.Need, stamp: source.StampOf(m.src),
		wire: m.withStamp(head), sealed: true}, nil
}

// open returns the module decoded, a sealed one's as a copy (the cache
// may be writing the sealed part meanwhile): it holds its functions' code
// encoded until Build evaluates them, as a module the cache stored does.
func (m *Module) open() (*Module, error) {
	if !m.sealed {
		return m, nil
	}
	out, err := decodeWire(m.wire)
	if err != nil {
		return nil, err
	}
	out.src = m.src
	return &out, nil
}

// decodeHead decodes the module, but its source, from the start of data,
// which the module keeps (Module.form) up to where the decoder stopped.
func decodeHead(data []byte) (Module, *decoder, error) {
	if len(data) == 0 || data[0] != codecVersion {
		return Module{}, nil, errors.New("pysrc: module encoding of another version")
	}
	d := &decoder{data: data, off: 1}
	d.readTable()
	if !d.allocLists() {
		return Module{}, nil, errCodec
	}
	// Each Func takes one lazyCode.
	d.lazies.alloc(uint64(len(d.funcs.elems)))
	var out Module
	d.module(&out)
	if d.err != nil || !d.used() {
		return Module{}, nil, errCodec
	}
	out.form = data[:d.off:d.off]
	return out, d, nil
}

// allocLists reads how many elements of each list type the form holds and
// allocates them, or reports a count the bytes left cannot hold.
func (d *decoder) allocLists() bool {
	var count [numLists]uint64
	total := uint64(0)
	for i := range count {
		count[i] = d.uint()
		total += min(count[i], uint64(len(d.data))) * minBytes[i] // cannot overflow
	}
	// The elements' own bytes are distinct bytes of the rest.
	if d.err != nil || total > uint64(d.left()) {
		return false
	}
	d.imports.alloc(count[listImport])
	d.funcs.alloc(count[listFunc])
	d.classes.alloc(count[listClass])
	d.settings.alloc(count[listSetting])
	d.literals.alloc(count[listLiteral])
	d.strs.alloc(count[listString])
	d.int32s.alloc(count[listInt32])
	d.spans.alloc(count[listSpan])
	d.params.alloc(count[listParam])
	d.calls.alloc(count[listCall])
	d.args.alloc(count[listArg])
	d.stores.alloc(count[listStore])
	d.bindings.alloc(count[listBinding])
	d.stmts.alloc(count[listStmt])
	d.runs.alloc(count[listRun])
	d.targets.alloc(count[listTarget])
	d.conds.alloc(count[listCond])
	d.operands.alloc(count[listOperand])
	d.seqs.alloc(count[listSeq])
	d.exprs.alloc(count[listExpr])
	d.sets.alloc(count[listSet])
	d.loops.alloc(count[listLoop])
	d.tests.alloc(count[listTest])
	d.captures.alloc(count[listCapture])
	d.values.alloc(count[listValue])
	d.atoms.alloc(count[listAtom])
	d.ops.alloc(count[listOp])
	d.refs.alloc(count[listRef])
	return true
}

// An encoder writes a module's fields into body, its strings into table;
// sub writes each function's code (lazyCode), with the same strings.
type encoder struct {
	body    []byte
	strings map[string]uint64 // a string's number in table, from 1
	table   []string
	count   [numLists]uint64
	depth   int // of the Literal being written
	err     error
	sub     *encoder
}

func (e *encoder) uint(v uint64) { e.body = binary.AppendUvarint(e.body, v) }
func (e *encoder) int(v int32)   { e.body = binary.AppendVarint(e.body, int64(v)) }
func (e *encoder) byte(b uint8)  { e.body = append(e.body, b) }

func (e *encoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) string(s string) {
	if s == "" {
		e.uint(0)
		return
	}
	n, ok := e.strings[s]
	if !ok {
		e.table = append(e.table, s)
		n = uint64(len(e.table))
		e.strings[s] = n
	}
	e.uint(n)
}

func (e *encoder) span(s Span) {
	e.uint(uint64(s.Start))
	e.body = binary.AppendVarint(e.body, int64(s.End)-int64(s.Start))
}

func (e *encoder) run(r *Run) {
	e.int(r.Start)
	e.int(r.Len)
}

// encodeList writes list s of list type kind, each element with elem.
func encodeList[T any](e *encoder, kind int, s []T, elem func(*encoder, *T)) {
	if s == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(s)) + 1)
	e.count[kind] += uint64(len(s))
	for i := range s {
		elem(e, &s[i])
	}
}

func (e *encoder) stringElem(s *string)  { e.string(*s) }
func (e *encoder) int32Elem(v *int32)    { e.int(*v) }
func (e *encoder) spanElem(s *Span)      { e.span(*s) }
func (e *encoder) stringList(s []string) { encodeList(e, listString, s, (*encoder).stringElem) }
func (e *encoder) refList(s []string)    { encodeList(e, listRef, s, (*encoder).stringElem) }
func (e *encoder) value(v Value)         { encodeList(e, listAtom, v, (*encoder).atom) }
func (e *encoder) valueElem(v *Value)    { e.value(*v) }
func (e *encoder) valueList(v []Value)   { encodeList(e, listValue, v, (*encoder).valueElem) }

func (e *encoder) module(m *Module) {
	e.string(m.File)
	e.bool(m.Package)
	encodeList(e, listImport, m.Imports, (*encoder).imp)
	encodeList(e, listFunc, m.Funcs, (*encoder).fn)
	encodeList(e, listClass, m.Classes, (*encoder).class)
	encodeList(e, listSetting, m.Settings, (*encoder).setting)
	if m.Config == nil {
		e.uint(0)
	} else {
		e.uint(uint64(len(m.Config)) + 1)
		keys := make([]string, 0, len(m.Config))
		for k := range m.Config {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e.string(k)
			e.stringList(m.Config[k])
		}
	}
	e.stringList(m.Need)
}

func (e *encoder) imp(im *Import) {
	e.string(im.Local)
	e.string(im.Module)
	e.string(im.Full)
	e.bool(im.Relative)
	e.string(im.Name)
	e.bool(im.Star)
	e.int(im.Func)
}

func (e *encoder) fn(f *Func) {
	e.byte(uint8(f.Kind))
	e.string(f.Name)
	e.int(f.Class)
	e.int(f.Parent)
	encodeList(e, listParam, f.Params, (*encoder).param)
	e.stringList(f.Decorators)
	encodeList(e, listInt32, f.DecoratorCalls, (*encoder).int32Elem)
	encodeList(e, listSpan, f.DecoratorSpans, (*encoder).spanElem)
	e.bool(f.Async)
	encodeList(e, listStore, f.Stores, (*encoder).store)
	encodeList(e, listStore, f.RequestStores, (*encoder).store)
	encodeList(e, listStore, f.Globals, (*encoder).store)
	e.span(f.Span)
	e.span(f.NameSpan)
	code := f.Code()
	if code == nil {
		code = &FuncCode{} // a Func made by hand; decoded, it has code
	}
	if f.Kind != KindDef {
		encodeList(e, listBinding, code.Env, (*encoder).binding)
		rest := *code
		rest.Env = nil
		code = &rest
	}
	e.refList(f.calledNames())
	e.bool(f.callsCandidate())
	e.lazyCode(code)
}

// lazyCode writes a function's code as a form of its own, which a
// decoder keeps until the code is asked for: its length, then how many
// elements of each list type it holds, then its fields. Its strings are
// the module's.
func (e *encoder) lazyCode(c *FuncCode) {
	sub := e.sub
	sub.strings, sub.table, sub.body, sub.count = e.strings, e.table, sub.body[:0], [numLists]uint64{}
	sub.code(c)
	e.table = sub.table
	if sub.err != nil {
		e.err = sub.err
	}
	var counts [numLists * binary.MaxVarintLen64]byte
	k := 0
	for _, n := range sub.count {
		k += binary.PutUvarint(counts[k:], n)
	}
	e.uint(uint64(k + len(sub.body)))
	e.body = append(append(e.body, counts[:k]...), sub.body...)
}

func (e *encoder) code(c *FuncCode) {
	encodeList(e, listCall, c.Calls, (*encoder).call)
	e.value(c.Returns)
	encodeList(e, listBinding, c.Env, (*encoder).binding)
	e.run(&c.Body)
	encodeList(e, listStmt, c.Stmts, (*encoder).stmt)
	encodeList(e, listRun, c.Handlers, (*encoder).run)
	encodeList(e, listTarget, c.Targets, (*encoder).target)
	encodeList(e, listCond, c.Conds, (*encoder).cond)
	e.valueList(c.Keys)
	encodeList(e, listSeq, c.Seqs, (*encoder).seq)
	encodeList(e, listExpr, c.Exprs, (*encoder).expr)
	encodeList(e, listSet, c.Sets, (*encoder).set)
	encodeList(e, listLoop, c.Loops, (*encoder).loop)
	encodeList(e, listTest, c.Tests, (*encoder).test)
	encodeList(e, listCapture, c.Captures, (*encoder).capture)
}

func (e *encoder) param(p *Param) {
	e.string(p.Name)
	e.byte(uint8(p.Kind))
	e.span(p.Span)
}

func (e *encoder) call(c *Call) {
	e.value(c.Func)
	e.value(c.Recv)
	e.string(c.Method)
	e.string(c.Name)
	encodeList(e, listArg, c.Args, (*encoder).arg)
	e.bool(c.Dropped)
	e.span(c.Span)
	e.span(c.FuncSpan)
}

func (e *encoder) arg(a *Arg) {
	e.string(a.Keyword)
	e.value(a.Value)
	e.string(a.Lit)
	e.bool(a.Literal)
	e.string(a.Name)
	e.string(a.Prefix)
	e.span(a.Span)
}

func (e *encoder) store(s *Store) {
	e.string(s.Attr)
	e.value(s.Value)
	e.span(s.Span)
}

func (e *encoder) binding(b *Binding) {
	e.string(b.Name)
	e.value(b.Value)
}

func (e *encoder) class(c *Class) {
	e.string(c.Name)
	e.valueList(c.Bases)
	e.int(c.Scope)
	e.int(c.Body)
	e.stringList(c.Decorators)
	encodeList(e, listInt32, c.DecoratorCalls, (*encoder).int32Elem)
	encodeList(e, listSpan, c.DecoratorSpans, (*encoder).spanElem)
	encodeList(e, listSetting, c.Consts, (*encoder).setting)
	e.stringList(c.Fields)
	e.span(c.Span)
	e.span(c.NameSpan)
}

func (e *encoder) setting(s *Setting) {
	e.string(s.Name)
	e.literal(&s.Value)
}

func (e *encoder) literal(l *Literal) {
	if e.depth++; e.depth > maxLiteralDepth {
		e.err = errTooDeep
		return
	}
	e.byte(uint8(l.Kind))
	e.string(l.Text)
	e.stringList(l.Keys)
	encodeList(e, listLiteral, l.Items, (*encoder).literal)
	e.span(l.Span)
	e.depth--
}

func (e *encoder) atom(a *Atom) {
	e.byte(uint8(a.Root))
	e.int(a.Index)
	e.string(a.Name)
	encodeList(e, listOp, a.Ops, (*encoder).op)
}

func (e *encoder) op(o *Op) {
	e.byte(uint8(o.Kind))
	e.int(o.Key)
	e.string(o.Name)
	e.span(o.Span)
}

func (e *encoder) stmt(s *Stmt) {
	e.byte(uint8(s.Kind))
	e.byte(uint8(s.Const))
	e.bool(s.Elif)
	e.int(s.From)
	e.int(s.To)
	e.int(s.Cond)
	e.run(&s.Body)
	e.run(&s.Else)
	e.run(&s.Finally)
	e.run(&s.Handlers)
	e.run(&s.Targets)
	e.value(s.Value)
	e.span(s.Span)
}

func (e *encoder) target(t *Target) {
	e.byte(uint8(t.Kind))
	e.value(t.Obj)
	e.string(t.Name)
	e.value(t.Key)
	e.span(t.Span)
}

func (e *encoder) cond(c *Cond) {
	e.byte(uint8(c.Kind))
	e.string(c.Op)
	encodeList(e, listInt32, c.Kids, (*encoder).int32Elem)
	encodeList(e, listOperand, c.Operands, (*encoder).operand)
	e.span(c.Span)
}

func (e *encoder) operand(o *Operand) {
	e.value(o.Value)
	e.stringList(o.Lits)
	e.bool(o.Literal)
	e.byte(uint8(o.Const))
	e.span(o.Span)
}

func (e *encoder) seq(s *Seq) {
	e.valueList(s.Items)
	e.span(s.Span)
	e.bool(s.Each)
}

func (e *encoder) expr(x *Expr) {
	e.string(x.Op)
	e.valueList(x.Args)
	e.span(x.Span)
}

func (e *encoder) set(s *Set) {
	e.value(s.Obj)
	e.string(s.Attr)
	e.value(s.Value)
	e.span(s.Span)
	e.int(s.At)
}

func (e *encoder) loop(l *Loop) {
	e.span(l.Span)
	e.bool(l.For)
	e.value(l.Iter)
	e.int(l.First)
	e.int(l.End)
	e.int(l.SetFirst)
	e.int(l.SetEnd)
}

func (e *encoder) test(t *Test) {
	e.value(t.Cond)
	e.span(t.Span)
	e.span(t.Block)
	e.span(t.Body)
	e.bool(t.Exits)
	e.bool(t.Assert)
}

func (e *encoder) capture(c *Capture) {
	e.value(c.Value)
	e.span(c.Span)
}

// A list holds the elements of one list type a decoder hands out.
type list[T any] struct{ elems []T }

func (l *list[T]) alloc(n uint64) {
	if n > 0 {
		l.elems = make([]T, n)
	}
}

// next hands out the list's next element, a new one past its end.
func (l *list[T]) next() *T {
	if len(l.elems) == 0 {
		return new(T)
	}
	e := &l.elems[0]
	l.elems = l.elems[1:]
	return e
}

// A decoder reads a module's binary form from data, at off. (It keeps
// an offset rather than slicing data: writing a pointer to the heap costs
// a write barrier while the collector runs.)
type decoder struct {
	data  []byte
	off   int
	table *stringTable
	depth int // of the Literal being read
	err   error

	// lazies hold the Funcs' lazyCode, allocated once for the module.
	lazies list[lazyCode]

	imports  list[Import]
	funcs    list[Func]
	classes  list[Class]
	settings list[Setting]
	literals list[Literal]
	strs     list[string]
	int32s   list[int32]
	spans    list[Span]
	params   list[Param]
	calls    list[Call]
	args     list[Arg]
	stores   list[Store]
	bindings list[Binding]
	stmts    list[Stmt]
	runs     list[Run]
	targets  list[Target]
	conds    list[Cond]
	operands list[Operand]
	seqs     list[Seq]
	exprs    list[Expr]
	sets     list[Set]
	loops    list[Loop]
	tests    list[Test]
	captures list[Capture]
	values   list[Value]
	atoms    list[Atom]
	ops      list[Op]
	refs     list[uint32]
}

// fail marks the form corrupt: every read after returns zero.
func (d *decoder) fail() {
	d.err, d.off = errCodec, len(d.data)
}

// left returns how many bytes are left to read.
func (d *decoder) left() int { return len(d.data) - d.off }

// used reports whether every element the header announced was read.
func (d *decoder) used() bool {
	return len(d.imports.elems)+len(d.funcs.elems)+len(d.classes.elems)+len(d.settings.elems)+
		len(d.literals.elems)+len(d.strs.elems)+len(d.int32s.elems)+len(d.spans.elems)+
		len(d.params.elems)+len(d.calls.elems)+len(d.args.elems)+len(d.stores.elems)+
		len(d.bindings.elems)+len(d.stmts.elems)+len(d.runs.elems)+len(d.targets.elems)+
		len(d.conds.elems)+len(d.operands.elems)+len(d.seqs.elems)+len(d.exprs.elems)+
		len(d.sets.elems)+len(d.loops.elems)+len(d.tests.elems)+len(d.captures.elems)+
		len(d.values.elems)+len(d.atoms.elems)+len(d.ops.elems)+len(d.refs.elems) == 0
}

func (d *decoder) uint() uint64 {
	v, k := binary.Uvarint(d.data[d.off:])
	if k <= 0 {
		d.fail()
		return 0
	}
	d.off += k
	return v
}

func (d *decoder) int() int32 {
	v, k := binary.Varint(d.data[d.off:])
	if k <= 0 || int64(int32(v)) != v {
		d.fail()
		return 0
	}
	d.off += k
	return int32(v)
}

func (d *decoder) byte() uint8 {
	if d.off >= len(d.data) {
		d.fail()
		return 0
	}
	b := d.data[d.off]
	d.off++
	return b
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

// length reads a slice's or map's length, and whether it is nil; a
// length must not exceed the bytes left, of which an element takes one
// at least.
func (d *decoder) length() (int, bool) {
	n := d.uint()
	if n == 0 {
		return 0, true
	}
	if n-1 > uint64(d.left()) {
		d.fail()
		return 0, true
	}
	return int(n - 1), false
}

// readTable reads the string table: its strings' lengths, then their
// bytes, which become one string that every string of the table is a
// substring of: the form's own bytes, which GobDecode copied and nothing
// writes.
func (d *decoder) readTable() {
	n := d.uint()
	if n > uint64(d.left()) {
		d.fail()
		return
	}
	lengths := d.data[d.off:]
	total := uint64(0)
	for range n {
		total += min(d.uint(), uint64(len(d.data))) // cannot overflow
	}
	if d.err != nil || total > uint64(d.left()) {
		d.fail()
		return
	}
	if total > math.MaxUint32 {
		d.fail()
		return
	}
	t := &stringTable{ends: make([]uint32, n)}
	if total > 0 {
		t.all = unsafe.String(&d.data[d.off], int(total))
	}
	d.off += int(total)
	end := uint64(0)
	for i := range t.ends {
		size, k := binary.Uvarint(lengths)
		lengths = lengths[k:]
		end += size
		t.ends[i] = uint32(end)
	}
	d.table = t
}

// A stringTable is a module's strings, each stored once in its binary
// form: all of them in a row, and where each ends (4 bytes a string, where
// a string's header takes 16).
type stringTable struct {
	all  string
	ends []uint32
}

// ref returns the string a form numbers n (decoder.stringNumber): 0 for
// "", else the table's n-th.
func (t *stringTable) ref(n uint32) string {
	if n == 0 {
		return ""
	}
	start := uint32(0)
	if n > 1 {
		start = t.ends[n-2]
	}
	return t.all[start:t.ends[n-1]]
}

func (d *decoder) string() string { return d.table.ref(d.stringNumber()) }

// stringNumber reads a string as its number in the table (0 for ""),
// which stringTable.ref turns into the string.
func (d *decoder) stringNumber() uint32 {
	n := d.uint()
	if n > 0 && (d.table == nil || n > uint64(len(d.table.ends))) {
		d.fail()
		return 0
	}
	return uint32(n)
}

func (d *decoder) span() Span {
	start := d.uint()
	v, k := binary.Varint(d.data[d.off:])
	if k <= 0 {
		d.fail()
		return Span{}
	}
	d.off += k
	if start > math.MaxUint32 || v < -int64(start) || v > math.MaxUint32-int64(start) {
		d.fail()
		return Span{}
	}
	return Span{uint32(start), uint32(int64(start) + v)}
}

func (d *decoder) run(r *Run) {
	r.Start = d.int()
	r.Len = d.int()
}

// decodeList reads a list of l's type, each element with elem, into the
// next elements of l; the slice is capped, so that appending to it
// cannot overwrite its neighbour.
func decodeList[T any](d *decoder, l *list[T], elem func(*decoder, *T)) []T {
	n, isNil := d.length()
	switch {
	case isNil:
		return nil
	case n > len(l.elems):
		d.fail()
		return nil
	case n == 0:
		return []T{}
	}
	s := l.elems[:n:n]
	l.elems = l.elems[n:]
	for i := range s {
		elem(d, &s[i])
	}
	return s
}

func (d *decoder) stringElem(s *string) { *s = d.string() }
func (d *decoder) int32Elem(v *int32)   { *v = d.int() }
func (d *decoder) spanElem(s *Span)     { *s = d.span() }
func (d *decoder) stringList() []string { return decodeList(d, &d.strs, (*decoder).stringElem) }
func (d *decoder) refList() []uint32    { return decodeList(d, &d.refs, (*decoder).refElem) }
func (d *decoder) refElem(r *uint32)    { *r = d.stringNumber() }
func (d *decoder) value() Value         { return decodeList(d, &d.atoms, (*decoder).atom) }
func (d *decoder) valueElem(v *Value)   { *v = d.value() }
func (d *decoder) valueList() []Value   { return decodeList(d, &d.values, (*decoder).valueElem) }

func (d *decoder) module(m *Module) {
	m.File = d.string()
	m.Package = d.bool()
	m.Imports = decodeList(d, &d.imports, (*decoder).imp)
	m.Funcs = decodeList(d, &d.funcs, (*decoder).fn)
	m.Classes = decodeList(d, &d.classes, (*decoder).class)
	m.Settings = decodeList(d, &d.settings, (*decoder).setting)
	if n, isNil := d.length(); !isNil {
		m.Config = make(map[string][]string, n)
		for range n {
			k := d.string()
			m.Config[k] = d.stringList()
		}
		if len(m.Config) != n {
			d.fail() // a key twice
		}
	}
	m.Need = d.stringList()
}

func (d *decoder) imp(im *Import) {
	im.Local = d.string()
	im.Module = d.string()
	im.Full = d.string()
	im.Relative = d.bool()
	im.Name = d.string()
	im.Star = d.bool()
	im.Func = d.int()
}

func (d *decoder) fn(f *Func) {
	f.Kind = FuncKind(d.byte())
	f.Name = d.string()
	f.Class = d.int()
	f.Parent = d.int()
	f.Params = decodeList(d, &d.params, (*decoder).param)
	f.Decorators = d.stringList()
	f.DecoratorCalls = decodeList(d, &d.int32s, (*decoder).int32Elem)
	f.DecoratorSpans = decodeList(d, &d.spans, (*decoder).spanElem)
	f.Async = d.bool()
	f.Stores = decodeList(d, &d.stores, (*decoder).store)
	f.RequestStores = decodeList(d, &d.stores, (*decoder).store)
	f.Globals = decodeList(d, &d.stores, (*decoder).store)
	f.Span = d.span()
	f.NameSpan = d.span()
	var env []Binding
	if f.Kind != KindDef {
		env = decodeList(d, &d.bindings, (*decoder).binding)
		// Searched by name (env.lookup): sorted, each name once.
		for i := 1; i < len(env); i++ {
			if env[i-1].Name >= env[i].Name {
				d.fail()
			}
		}
	}
	called := d.refList()
	candidate := d.bool()
	n := d.uint()
	if n > uint64(d.left()) {
		d.fail()
		return
	}
	end := d.off + int(n)
	f.lazy = d.lazies.next()
	f.lazy.raw, f.lazy.table, f.lazy.called, f.lazy.candidate, f.lazy.env = d.data[d.off:end:end], d.table, called, candidate, env
	f.lazy.body = f.Kind != KindDef
	d.off = end
}

func (d *decoder) code(c *FuncCode) {
	c.Calls = decodeList(d, &d.calls, (*decoder).call)
	c.Returns = d.value()
	c.Env = decodeList(d, &d.bindings, (*decoder).binding)
	d.run(&c.Body)
	c.Stmts = decodeList(d, &d.stmts, (*decoder).stmt)
	c.Handlers = decodeList(d, &d.runs, (*decoder).run)
	c.Targets = decodeList(d, &d.targets, (*decoder).target)
	c.Conds = decodeList(d, &d.conds, (*decoder).cond)
	c.Keys = d.valueList()
	c.Seqs = decodeList(d, &d.seqs, (*decoder).seq)
	c.Exprs = decodeList(d, &d.exprs, (*decoder).expr)
	c.Sets = decodeList(d, &d.sets, (*decoder).set)
	c.Loops = decodeList(d, &d.loops, (*decoder).loop)
	c.Tests = decodeList(d, &d.tests, (*decoder).test)
	c.Captures = decodeList(d, &d.captures, (*decoder).capture)
}

// A lazyCode is a Func's code in its binary form (lazyCode), with the
// module's strings, a body's Env (decoded with the module), the names its
// calls call (Func.called) and whether one of them is a candidate sink
// (Func.callsCandidate), and the code get decoded from it until release
// lets go of it. It is shared by every copy of its Func.
type lazyCode struct {
	raw       []byte
	table     *stringTable
	env       []Binding
	body      bool // a module or class body's, whose Env is env
	called    []uint32
	candidate bool
	code      atomic.Pointer[FuncCode]
}

// get returns the code, decoded on first use and on the first use after
// a release. It is safe for concurrent use with get and release.
func (l *lazyCode) get() *FuncCode {
	if c := l.code.Load(); c != nil {
		return c
	}
	c := l.decode()
	if !l.code.CompareAndSwap(nil, c) {
		if other := l.code.Load(); other != nil {
			return other // another goroutine's, decoded at once
		}
	}
	return c
}

// release lets go of the decoded code, which a reader that still holds it
// keeps: Build evaluates each function once (its component a few times),
// and the code of every function evaluated costs as much memory as the
// rest of the program.
func (l *lazyCode) release() { l.code.Store(nil) }

// decode decodes the code, which the module's form held whole. A form
// that does not decode, or whose calls are not those its names say, gives
// code that does nothing: the module's form was checked as a whole, not
// each function's (a pack's checksum guards them).
func (l *lazyCode) decode() *FuncCode {
	d := &decoder{data: l.raw, table: l.table}
	if !d.allocLists() {
		return &FuncCode{Env: l.env}
	}
	var c FuncCode
	d.code(&c)
	if d.err != nil || d.left() != 0 || !d.used() || len(c.Calls) != len(l.called) || l.body && c.Env != nil {
		return &FuncCode{Env: l.env}
	}
	if l.body {
		c.Env = l.env
	}
	for i := range c.Calls {
		if c.Calls[i].called() != l.table.ref(l.called[i]) {
			return &FuncCode{Env: l.env}
		}
	}
	return &c
}

func (d *decoder) param(p *Param) {
	p.Name = d.string()
	p.Kind = ParamKind(d.byte())
	p.Span = d.span()
}

func (d *decoder) call(c *Call) {
	c.Func = d.value()
	c.Recv = d.value()
	c.Method = d.string()
	c.Name = d.string()
	c.Args = decodeList(d, &d.args, (*decoder).arg)
	c.Dropped = d.bool()
	c.Span = d.span()
	c.FuncSpan = d.span()
}

func (d *decoder) arg(a *Arg) {
	a.Keyword = d.string()
	a.Value = d.value()
	a.Lit = d.string()
	a.Literal = d.bool()
	a.Name = d.string()
	a.Prefix = d.string()
	a.Span = d.span()
}

func (d *decoder) store(s *Store) {
	s.Attr = d.string()
	s.Value = d.value()
	s.Span = d.span()
}

func (d *decoder) binding(b *Binding) {
	b.Name = d.string()
	b.Value = d.value()
}

func (d *decoder) class(c *Class) {
	c.Name = d.string()
	c.Bases = d.valueList()
	c.Scope = d.int()
	c.Body = d.int()
	c.Decorators = d.stringList()
	c.DecoratorCalls = decodeList(d, &d.int32s, (*decoder).int32Elem)
	c.DecoratorSpans = decodeList(d, &d.spans, (*decoder).spanElem)
	c.Consts = decodeList(d, &d.settings, (*decoder).setting)
	c.Fields = d.stringList()
	c.Span = d.span()
	c.NameSpan = d.span()
}

func (d *decoder) setting(s *Setting) {
	s.Name = d.string()
	d.literal(&s.Value)
}

func (d *decoder) literal(l *Literal) {
	if d.depth++; d.depth > maxLiteralDepth {
		d.fail()
		return
	}
	l.Kind = LiteralKind(d.byte())
	l.Text = d.string()
	l.Keys = d.stringList()
	l.Items = decodeList(d, &d.literals, (*decoder).literal)
	l.Span = d.span()
	d.depth--
}

func (d *decoder) atom(a *Atom) {
	a.Root = RootKind(d.byte())
	a.Index = d.int()
	a.Name = d.string()
	a.Ops = decodeList(d, &d.ops, (*decoder).op)
}

func (d *decoder) op(o *Op) {
	o.Kind = OpKind(d.byte())
	o.Key = d.int()
	o.Name = d.string()
	o.Span = d.span()
}

func (d *decoder) stmt(s *Stmt) {
	s.Kind = StmtKind(d.byte())
	s.Const = Singleton(d.byte())
	s.Elif = d.bool()
	s.From = d.int()
	s.To = d.int()
	s.Cond = d.int()
	d.run(&s.Body)
	d.run(&s.Else)
	d.run(&s.Finally)
	d.run(&s.Handlers)
	d.run(&s.Targets)
	s.Value = d.value()
	s.Span = d.span()
}

func (d *decoder) target(t *Target) {
	t.Kind = TargetKind(d.byte())
	t.Obj = d.value()
	t.Name = d.string()
	t.Key = d.value()
	t.Span = d.span()
}

func (d *decoder) cond(c *Cond) {
	c.Kind = CondKind(d.byte())
	c.Op = d.string()
	c.Kids = decodeList(d, &d.int32s, (*decoder).int32Elem)
	c.Operands = decodeList(d, &d.operands, (*decoder).operand)
	c.Span = d.span()
}

func (d *decoder) operand(o *Operand) {
	o.Value = d.value()
	o.Lits = d.stringList()
	o.Literal = d.bool()
	o.Const = Singleton(d.byte())
	o.Span = d.span()
}

func (d *decoder) seq(s *Seq) {
	s.Items = d.valueList()
	s.Span = d.span()
	s.Each = d.bool()
}

func (d *decoder) expr(x *Expr) {
	x.Op = d.string()
	x.Args = d.valueList()
	x.Span = d.span()
}

func (d *decoder) set(s *Set) {
	s.Obj = d.value()
	s.Attr = d.string()
	s.Value = d.value()
	s.Span = d.span()
	s.At = d.int()
}

func (d *decoder) loop(l *Loop) {
	l.Span = d.span()
	l.For = d.bool()
	l.Iter = d.value()
	l.First = d.int()
	l.End = d.int()
	l.SetFirst = d.int()
	l.SetEnd = d.int()
}

func (d *decoder) test(t *Test) {
	t.Cond = d.value()
	t.Span = d.span()
	t.Block = d.span()
	t.Body = d.span()
	t.Exits = d.bool()
	t.Assert = d.bool()
}

func (d *decoder) capture(c *Capture) {
	c.Value = d.value()
	c.Span = d.span()
}
