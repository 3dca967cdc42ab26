package pysrc

import "strings"

// A SinkFlow is a parameter of a function that reaches a sink: directly,
// or through the functions it calls (Via).
type SinkFlow struct {
	// Param is the parameter's index; Ops what is done to it on the way.
	Param int
	Ops   []DOp
	Sink  Sink
	// At is the sink's call, Callee its callee's text.
	At     Loc
	Callee string
	// Via are the calls from the function to the sink, outermost first.
	Via []Loc
}

// An Event is data reaching a sink, heard while a function was evaluated.
type Event struct {
	Sink Sink
	// Call is the call in the checked file that writes the data: the
	// sink itself, or a call of a function that passes it on to one
	// (Through, outermost first, up to the sink's call At).
	Call    Loc
	Callee  string
	At      Loc
	AtName  string
	Through []Loc
	// Args are the call's arguments that carry data, each with it.
	Args []EventArg
}

// An EventArg is an argument of an Event's call and the data it carries
// to the sink; data the callee's object carries (a bound logger's
// fields) has no location. Keyword names the sink's own keyword argument
// (extra=), "" for a positional one and for an argument of a call that
// passes data on to a sink.
type EventArg struct {
	Loc     Loc
	Keyword string
	Data    []Datum
}

// maxFlows bounds the sink flows of one function.
const maxFlows = 16

// sink handles data reaching a sink of the function: its parameters
// become the function's flows, other data an event.
func (fr *frame) sink(cs *CallSite, s Sink) {
	loc := cs.Loc()
	ev := &Event{Sink: s, Call: loc, At: loc}
	// The callee's text is read from the module's source, which is then
	// kept: only for a call that makes a flow or an event.
	callee := func() string {
		if ev.AtName == "" {
			ev.Callee = cs.CalleeText()
			ev.AtName = ev.Callee
		}
		return ev.Callee
	}
	for i, a := range cs.c.Args {
		if i >= len(s.Uses) || s.Uses[i] == UseNone {
			continue
		}
		var data []Datum
		for _, arg := range cs.args[i] {
			written := []Datum{arg}
			switch s.Uses[i] {
			case UseText:
				written = fr.text(arg, Loc{loc.Mod, a.Span})
			case UseKeys:
				written = nil
				values := []Datum{arg}
				if arg.Under != "" {
					values = arg.reread(arg.Under) // the value at its key
				}
				for _, v := range values {
					written = append(written, fr.text(v, Loc{loc.Mod, a.Span})...)
				}
			}
			for _, d := range written {
				for _, w := range fr.whole(d) {
					if s.Uses[i] == UseEscaped {
						w = escape(w, loc)
					}
					if w.Tag == TagSym {
						fr.flow(SinkFlow{Param: w.Param, Ops: w.Ops, Sink: s, At: loc, Callee: callee()})
						continue
					}
					data = union(data, w)
				}
			}
		}
		if len(data) > 0 {
			ev.Args = append(ev.Args, EventArg{Loc: Loc{loc.Mod, a.Span}, Keyword: a.Keyword, Data: data})
		}
	}
	var carried []Datum
	for _, d := range s.Carried {
		if d.Tag != TagSym {
			carried = union(carried, fr.whole(d)...)
		}
	}
	if len(carried) > 0 {
		ev.Args = append(ev.Args, EventArg{Data: carried})
	}
	if len(ev.Args) > 0 {
		callee()
		fr.events = append(fr.events, ev)
	}
}

// through handles the arguments of a call of g that reach the sinks of
// g's flows: an argument that is a parameter of the caller becomes the
// caller's flow, other data an event at the call.
func (fr *frame) through(g *fn, cs *CallSite, flows []SinkFlow, bound [][]Datum, first int) {
	loc := cs.Loc()
	events := map[Loc]*Event{}
	var order []Loc
	for _, fl := range flows {
		if fl.Param >= len(bound) {
			continue
		}
		var data []Datum
		for _, a := range bound[fl.Param] {
			for _, d := range fr.subst(a, fl.Ops) {
				for _, w := range fr.whole(d) {
					if w.Tag == TagSym {
						via := append([]Loc{loc}, fl.Via...)
						fr.flow(SinkFlow{Param: w.Param, Ops: w.Ops, Sink: fl.Sink, At: fl.At, Callee: fl.Callee, Via: via})
						continue
					}
					data = union(data, w.step(loc))
				}
			}
		}
		if len(data) == 0 {
			continue
		}
		ev := events[fl.At]
		if ev == nil {
			ev = &Event{Sink: fl.Sink, Call: loc, Callee: cs.CalleeText(), At: fl.At, AtName: fl.Callee, Through: fl.Via}
			events[fl.At] = ev
			order = append(order, fl.At)
		}
		ev.Args = append(ev.Args, EventArg{Loc: argLoc(cs, g, fl.Param, first), Data: data})
	}
	for _, at := range order {
		fr.events = append(fr.events, events[at])
	}
}

// argLoc returns the location of the argument of cs that binds parameter
// param of g (first is the index of g's first parameter the call's
// arguments bind): by position, else by keyword; the call's when none
// does (a splat).
func argLoc(cs *CallSite, g *fn, param, first int) Loc {
	loc := cs.Loc()
	if n := param - first; n >= 0 {
		if i := cs.Positional(n); i >= 0 {
			return Loc{loc.Mod, cs.c.Args[i].Span}
		}
	}
	if param >= 0 && param < len(g.Params) {
		for _, a := range cs.c.Args {
			if a.Keyword == g.Params[param].Name {
				return Loc{loc.Mod, a.Span}
			}
		}
	}
	return loc
}

// escape marks data escaped; for a parameter, the escape is deferred.
func escape(d Datum, loc Loc) Datum {
	if d.Tag == TagSym {
		return d.deferred(DOp{Op: Op{Kind: OpEscape, Span: loc.Span}, Mod: loc.Mod})
	}
	d.Flags |= FlagEscaped
	return d
}

// flow records a flow of the function being summarized.
func (fr *frame) flow(fl SinkFlow) {
	if len(fr.sinks) >= maxFlows {
		return
	}
	for _, g := range fr.sinks {
		if g.Param == fl.Param && g.At == fl.At && len(g.Via) == len(fl.Via) && keysRead(g.Ops) == keysRead(fl.Ops) {
			return
		}
	}
	fr.sinks = append(fr.sinks, fl)
}

// keysRead returns the literal keys, positions and attributes ops read,
// in order: two flows of one parameter to one sink are one unless they
// read it at other keys, positions or attributes (**creds gives username
// and password each their own; for k, v in d.items() unpacks two; a
// helper that logs response.status_code and response.content writes the
// content too).
func keysRead(ops []DOp) string {
	var b strings.Builder
	for _, o := range ops {
		switch o.Kind {
		case OpIndex, OpItem, OpUnpack, OpAttr:
			if o.Name != "" {
				b.WriteString(o.Name)
				b.WriteByte(0)
			}
		}
	}
	return b.String()
}
