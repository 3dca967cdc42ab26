package pysrc

import (
	"slices"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers"
)

// The model knows what the repository defines; what it does not define
// (Django's request, a library's logger) it learns from vocabularies. The
// model registers its own, of the frameworks every family shares
// (django.go); each family registers what it adds: its objects, the calls
// that are its sinks, the names that sanitize for it. Vocabularies are
// registered at init, before any run.

// A Vocabulary is what one family (or the model itself) knows of objects
// and names the repository does not define.
type Vocabulary struct {
	// Name names the vocabulary ("logging").
	Name string
	// Prefilter lists literals that make a file worth modelling for the
	// family; they are added to Model.Prefilter.
	Prefilter []string
	// NativeImports makes a module that may import a compiled extension
	// worth modelling for the family (admit).
	NativeImports bool
	// Settings lists the setting keys the vocabulary's functions read.
	Settings []string
	// ConfigCalls lists the last names of calls whose literal dictionary
	// argument is kept among a module's Settings ("dictConfig").
	ConfigCalls []string
	// Objects are the kinds of objects the vocabulary defines.
	Objects []*ObjectKind
	// Globals maps external dotted names to the kind of object they are
	// ("loguru.logger").
	Globals map[string]string
	// Class returns the kind of object the instances of the
	// repository's subclasses of an external class (by dotted name) are,
	// "" when the vocabulary does not know it (ModelSerializer: a
	// serializer).
	Class func(name string) string
	// Call gives the result of a call the vocabulary knows (an external
	// function, a method of one of its objects); ok false when it does not.
	Call func(c *CallSite) (result []Datum, ok bool)
	// Sink recognizes the family's sinks.
	Sink func(c *CallSite) (Sink, bool)
	// Candidate reports whether a call, by its dotted text and method
	// name, may be one of the family's sinks: only functions that make
	// such a call, what they need, and the callers of functions that pass
	// a parameter on to a sink are evaluated.
	Candidate func(name, method string) bool
	// Clean reports whether a callee, by its dotted or last name, keeps
	// nothing of its arguments (a sanitizer), with the run's settings.
	Clean func(name string, settings analyzers.Settings) bool

	// Families that follow objects (hooks.go):

	// Attr and Index give what an attribute or a key (literal, else "")
	// of an object of the vocabulary's kinds gives; ok false leaves it to
	// the model.
	Attr  func(e *Eval, d Datum, name string, loc Loc) ([]Datum, bool)
	Index func(e *Eval, d Datum, key string, loc Loc) ([]Datum, bool)
	// Method gives what calling method name of such an object gives
	// (also when a call applies a summary's operations to it).
	Method func(e *Eval, d Datum, name string, loc Loc) ([]Datum, bool)
	// Observe is told each call of evaluated code, with its result.
	Observe func(c *CallSite, result []Datum)
	// Store is told each assignment of an attribute, obj.attr = value
	// (and setattr), of evaluated code, at its statement; one through a
	// parameter when a call makes it.
	Store func(e *Eval, obj Datum, attr string, value []Datum, loc Loc)
	// Watch reports whether an assignment to attribute attr through a
	// parameter, or of a parameter, matters to Store: only those are
	// made again at the calls.
	Watch func(attr string) bool
	// Done is told each evaluation's end.
	Done func(e *Eval)
	// Module reports whether every function of a module is evaluated,
	// not only those that make a candidate call.
	Module func(m *Module) bool
}

// An ObjectKind is a kind of object: what its attributes, keys and
// methods give.
type ObjectKind struct {
	Name string
	// Whole is the kind of data the object is when it is written out
	// whole, "" when it carries none.
	Whole string
	// Keyed is the kind of data obj[key] and obj.get(key) give ("" for
	// Whole data); Item, instead, the kind of object obj[key] is (one of
	// Django's caches).
	Keyed, Item string
	// Attrs and Methods say what reading an attribute or calling a method
	// gives; Other is what any other method gives.
	Attrs   map[string]Result
	Methods map[string]Result
	Other   Result
	// Data names the keyword argument, and DataAt the position from 1,
	// of a constructor's call that the object carries (a serializer's
	// data=, a form's first argument).
	Data   string
	DataAt int
	// InstanceAt is the position from 1 of the argument a constructed
	// object renders (a serializer's instance), which it carries when
	// that is data: a serializer built from request.data re-renders it.
	InstanceAt int
	// AnyAttr makes getattr(obj, name) of a name the analysis does not
	// know the attribute AnyKey (a loaded library's function, whichever
	// it is), where other objects give nothing.
	AnyAttr bool
}

// A Result is what an attribute or a method of an object gives. The zero
// Result is nothing.
type Result struct {
	// Data is a kind of data read there; Object a kind of object.
	Data, Object string
	// Keyed is the object's Keyed data at the call's first argument,
	// Whole its Whole data, Same the object itself, Carried what it holds;
	// Pairs its (name, value) pairs, whose names are no data (items()).
	Keyed, Whole, Same, Carried, Pairs bool
	// Listed makes it a list of what it gives (getlist): its items each
	// that data, written whole the repr of them.
	Listed bool
	// Validated marks what it gives as validated (FlagValidated).
	Validated bool
	// Upload marks the object it gives as uploaded files (FlagUpload).
	Upload bool
	// Echoed gives of what it carries one field at most, at a key not
	// known: a form's errors are messages, some of which quote the value
	// a field was sent (an invalid choice); Held keeps those in a
	// dictionary, written whole as its repr (DRF's errors).
	Echoed, Held bool
}

// A Sink is a call that writes data somewhere a family cares about.
type Sink struct {
	Family string
	Kind   string
	// Target names where it writes (a logger's name), when Known.
	Target string
	Known  bool
	// Uses says, per argument of the call in order, what of it reaches the
	// sink.
	Uses []Use
	// Carried is data the callee's object holds that is written too (a
	// bound logger's fields).
	Carried []Datum
}

// A Use is what of an argument reaches a sink.
type Use uint8

// The uses of arguments.
const (
	UseNone    Use = iota // nothing (a log level, exc_info)
	UseData               // its content
	UseEscaped            // its content, with CR and LF escaped (%r)
	UseText               // its str() (%s, print): a container's items escaped (OpText)
	UseKeys               // the str() of its values at their keys (%(name)s of a mapping)
)

var (
	vocabMu sync.RWMutex
	vocabs  []*Vocabulary
	objects = map[string]*ObjectKind{}
	owners  = map[string]*Vocabulary{}
	configs = map[string]bool{}
)

// Register adds a vocabulary. It is called from init functions.
func Register(v *Vocabulary) {
	vocabMu.Lock()
	defer vocabMu.Unlock()
	vocabs = append(vocabs, v)
	for _, o := range v.Objects {
		objects[o.Name] = o
		owners[o.Name] = v
	}
	for _, c := range v.ConfigCalls {
		configs[c] = true
	}
	lits := v.Prefilter
	if v.NativeImports {
		lits = append(slices.Clip(lits), nativeImportLiterals...)
	}
	for _, lit := range lits {
		if !slices.Contains(Model.Prefilter, lit) {
			Model.Prefilter = append(Model.Prefilter, lit)
		}
	}
}

// vocabularies returns the registered vocabularies in order.
func vocabularies() []*Vocabulary {
	vocabMu.RLock()
	defer vocabMu.RUnlock()
	return vocabs
}

// objectKind returns the registered kind named name, nil for none.
func objectKind(name string) *ObjectKind {
	vocabMu.RLock()
	defer vocabMu.RUnlock()
	return objects[name]
}

// settingKeys lists the setting keys some vocabulary reads.
func settingKeys() []string {
	var out []string
	for _, v := range vocabularies() {
		out = append(out, v.Settings...)
	}
	return out
}

// watched reports whether a vocabulary watches assignments to attr.
func watched(attr string) bool {
	for _, v := range vocabularies() {
		if v.Watch != nil && v.Watch(attr) {
			return true
		}
	}
	return false
}

// configCall reports whether name is the last name of a configuration call.
func configCall(name string) bool {
	vocabMu.RLock()
	defer vocabMu.RUnlock()
	return configs[name]
}

// globalKind returns the kind of object an external name is, "".
func globalKind(name string) string {
	for _, v := range vocabularies() {
		if k, ok := v.Globals[name]; ok {
			return k
		}
	}
	return ""
}

// classKind returns the kind of the instances of subclasses of an
// external class, "".
func classKind(name string) string {
	for _, v := range vocabularies() {
		if v.Class == nil {
			continue
		}
		if k := v.Class(name); k != "" {
			return k
		}
	}
	return ""
}

// candidate reports whether a vocabulary says a call may be a sink.
func candidate(name, method string) bool {
	for _, v := range vocabularies() {
		if v.Candidate != nil && v.Candidate(name, method) {
			return true
		}
	}
	return false
}

// clean reports whether a vocabulary calls name a sanitizer.
func clean(name string, settings analyzers.Settings) bool {
	if name == "" {
		return false
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	for _, v := range vocabularies() {
		if v.Clean != nil && (v.Clean(name, settings) || last != name && v.Clean(last, settings)) {
			return true
		}
	}
	return false
}
