package pysrc

import (
	"strconv"
	"strings"
	"sync"
)

// Native code hands Python bytes: a C extension module's function
// returns an object, a ctypes foreign function fills a buffer or returns
// a pointer. The model follows them as data of kind DataNative, whose
// Key names the function (a NativeRef), so that a family can ask the C
// model what they hold once they reach a sink.

// DataNative is bytes a native function returned to Python; its Key is
// a NativeRef.
const DataNative = "native.bytes"

// NativeWay says how bytes cross from native code to Python.
type NativeWay string

// The ways across.
const (
	// ViaExtension is the result of a C extension module's function.
	ViaExtension NativeWay = "ext"
	// ViaBuffer is a ctypes buffer (an array, a structure) that Python
	// passed to a foreign function and then read.
	ViaBuffer NativeWay = "ctbuf"
	// ViaPointer is memory a ctypes foreign function returned a pointer
	// to, read by Python (string_at(ptr, n), cast(ptr, …).contents).
	ViaPointer NativeWay = "ctptr"
)

// What of the memory Python reads, besides a count of bytes from its
// start (NativeRef.Read).
const (
	// ReadAll is every byte.
	ReadAll int64 = -1
	// ReadCounted is the bytes the foreign call said it wrote: the count
	// it returned, or the one it wrote back through an out-parameter.
	ReadCounted int64 = -2
)

// A NativeRef names the native function bytes come from, and how.
type NativeRef struct {
	Way NativeWay
	// Name is the function as Python calls it: the dotted name of an
	// extension's function ("signing._fastcodec.unhex"), the symbol of a
	// ctypes foreign function ("pack_record").
	Name string
	// Param is, for a ctypes buffer, the foreign function's parameter
	// (from 0) the buffer was passed as.
	Param int
	// Read is, for the ctypes ways, how much of the memory Python read:
	// ReadAll, ReadCounted, or a count of bytes from its start.
	Read int64
	// Lib is, for the ctypes ways, the id of the library the function
	// was read from (NativeBinding.Lib).
	Lib string
}

// Key returns the ref as a datum's Key.
func (r NativeRef) Key() string {
	if r.Way == ViaExtension {
		return string(r.Way) + ":" + r.Name
	}
	return string(r.Way) + ":" + r.Name + ":" + strconv.Itoa(r.Param) + ":" + strconv.FormatInt(r.Read, 10) + ":" + r.Lib
}

// ParseNativeRef reads a DataNative datum's Key.
func ParseNativeRef(key string) (NativeRef, bool) {
	way, rest, ok := strings.Cut(key, ":")
	if !ok || rest == "" {
		return NativeRef{}, false
	}
	switch NativeWay(way) {
	case ViaExtension:
		return NativeRef{Way: ViaExtension, Name: rest}, true
	case ViaBuffer, ViaPointer:
		f := strings.SplitN(rest, ":", 4)
		if len(f) != 4 || f[0] == "" {
			return NativeRef{}, false
		}
		param, err1 := strconv.Atoi(f[1])
		read, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || param < 0 || read < ReadCounted {
			return NativeRef{}, false
		}
		return NativeRef{Way: NativeWay(way), Name: f[0], Param: param, Read: read, Lib: f[3]}, true
	}
	return NativeRef{}, false
}

// Ctypes reports whether the bytes cross through ctypes.
func (r NativeRef) Ctypes() bool { return r.Way == ViaBuffer || r.Way == ViaPointer }

// NativeFamily names the notes (Eval.Note, Program.Notes) that say where
// Python binds native functions: *NativeBinding values.
const NativeFamily = "native"

// A NativeBinding is where Python declares how it calls a native
// function: a ctypes library's load (Name and Attr empty), or an
// assignment of a foreign function's argtypes or restype (Attr).
type NativeBinding struct {
	// Lib is the library's id, as the ctypes vocabulary names it (the
	// site of the loader's call); Name the function's symbol.
	Lib, Name, Attr string
	At              Loc
}

// Module returns the last component of the module of an extension's
// function ("_fastcodec"), and the function's name ("unhex").
func (r NativeRef) Module() (module, name string) {
	mod, fn, _ := cutLast(r.Name)
	_, last, _ := cutLast(mod)
	return last, fn
}

func init() {
	Register(&Vocabulary{Name: "native", Call: nativeCall})
}

// nativeCall gives a call of a compiled extension's function (a name in
// a package of the repository that no Python module defines) its
// result: native bytes.
func nativeCall(c *CallSite) ([]Datum, bool) {
	var names []string
	for _, d := range c.Func {
		if d.Tag == TagExt {
			names = append(names, d.Name)
		}
	}
	for _, d := range c.Recv {
		if d.Tag == TagExt {
			names = append(names, d.Name+"."+c.Method())
		}
	}
	for _, name := range names {
		if c.Unmodelled(name) {
			ref := NativeRef{Way: ViaExtension, Name: name}
			return []Datum{{Tag: TagData, Kind: DataNative, Key: ref.Key(), Origin: c.Loc()}}, true
		}
	}
	return nil, false
}

// A NativeEvent is an event of some sink that writes native bytes.
type NativeEvent struct {
	Event *Event
	// Data are the native datums it writes.
	Data []Datum
}

// nativeIndex holds the events of every module that write native bytes.
type nativeIndex struct {
	once   sync.Once
	events []NativeEvent
}

// NativeEvents returns the events of every module whose sinks send
// native bytes out of the service (OutputSinks, LogSinks), in path order
// and the order of the code. The first call reads them; later calls
// share the result.
func (p *Program) NativeEvents() []NativeEvent {
	p.natives.once.Do(func() {
		for _, m := range p.modules {
			for _, f := range m.fns {
				if f.res == nil {
					continue
				}
				for _, ev := range f.res.events {
					if ev.Sink.Family != OutputSinks && ev.Sink.Family != LogSinks {
						continue
					}
					var data []Datum
					for _, a := range ev.Args {
						for _, d := range a.Data {
							if d.Tag == TagData && d.Kind == DataNative {
								data = append(data, d)
							}
						}
					}
					if len(data) > 0 {
						p.natives.events = append(p.natives.events, NativeEvent{Event: ev, Data: data})
					}
				}
			}
		}
	})
	return p.natives.events
}
