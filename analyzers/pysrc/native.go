package pysrc

import (
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
)

// A NativeRef names the native function bytes come from, and how.
type NativeRef struct {
	Way NativeWay
	// Name is the function as Python calls it: the dotted name of an
	// extension's function ("signing._fastcodec.unhex").
	Name string
}

// Key returns the ref as a datum's Key.
func (r NativeRef) Key() string { return string(r.Way) + ":" + r.Name }

// ParseNativeRef reads a DataNative datum's Key.
func ParseNativeRef(key string) (NativeRef, bool) {
	way, name, ok := strings.Cut(key, ":")
	if !ok || name == "" || NativeWay(way) != ViaExtension {
		return NativeRef{}, false
	}
	return NativeRef{Way: NativeWay(way), Name: name}, true
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
