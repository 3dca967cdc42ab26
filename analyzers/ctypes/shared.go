package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// checkShared reports module- and class-level buffers that a function
// hands to a call (its output buffer) and then returns or sends whole
// (.raw, bytes(buf)): the bytes past what this call wrote are whatever an
// earlier call, for an earlier client, left there. A memset of the whole
// buffer before the call, or reading only a prefix (raw[:n]), is fine.
func (ix *index) checkShared(f *function) {
	if f.note == nil || f.note.kind != pysrc.KindDef {
		return
	}
	done := map[pysrc.Loc]bool{}
	for _, u := range f.uses {
		a := ix.allocs[u.buf.Origin]
		if a == nil || a.level == pysrc.KindDef || done[u.buf.Origin] || !zeroed(a) {
			continue
		}
		done[u.buf.Origin] = true
		ix.sharedBuffer(f, a)
	}
}

// sharedBuffer checks one shared buffer's uses in f: its first handing
// to a foreign function (or memmove) is the output call.
func (ix *index) sharedBuffer(f *function, a *allocNote) {
	var output *callNote
	escaping := f.escaping()
	for _, u := range f.usesOf(a.buf) {
		switch {
		case u.kind == useHanded && output == nil:
			c := f.callAt(u.loc)
			if c == nil {
				continue
			}
			if ix.clears(c, a.buf) {
				return
			}
			if len(c.fps) > 0 || c.builtin == "memmove" {
				output = c
			}
		case u.kind == useWhole && output != nil && (escaping[escape{dataContent, u.loc}] || escaping[escape{dataContent, a.buf.Origin}]):
			ix.reportShared(a, output, u)
			return
		}
	}
}

// An escape is data a function returns or sends: its kind and origin.
type escape struct {
	kind   string
	origin pysrc.Loc
}

// escaping returns what f returns or sends, written out whole.
func (f *function) escaping() map[escape]bool {
	out := map[escape]bool{}
	add := func(d pysrc.Datum) {
		switch d.Kind {
		case dataContent, dataPartial, dataText, dataReturned:
			out[escape{d.Kind, d.Origin}] = true
		case objRaw, objBuffer, objStruct:
			out[escape{dataContent, d.Origin}] = true
		case objResult:
			out[escape{dataReturned, d.Origin}] = true
		}
	}
	if f.note != nil {
		for _, d := range f.note.escapes {
			add(d)
		}
	}
	for _, c := range f.calls {
		if c.sends {
			for _, a := range c.args {
				for _, d := range a.data {
					add(d)
				}
			}
		}
	}
	return out
}

// callAt returns the call of f one of whose arguments is at l.
func (f *function) callAt(l pysrc.Loc) *callNote {
	for _, c := range f.calls {
		for _, a := range c.args {
			if a.loc == l {
				return c
			}
		}
	}
	return nil
}

// clears reports whether call c is memset(buf, 0, size) over all of b.
func (ix *index) clears(c *callNote, b pysrc.Datum) bool {
	if c.builtin != "memset" || len(c.args) != 3 {
		return false
	}
	z := ix.newSizer()
	return z.compare(z.bytes(b, 0), z.eval(c.args[2].data, 0)).kind == 'w'
}

func (ix *index) reportShared(a *allocNote, output *callNote, u *useNote) {
	z := ix.newSizer()
	callee := ix.text(output.loc)
	if i := strings.IndexByte(callee, '('); i >= 0 {
		callee = callee[:i]
	}
	level := "module-level"
	if a.level == pysrc.KindClass {
		level = "class-level"
	}
	name := u.name
	msg := fmt.Sprintf("%s is a %s buffer of %s shared by every request; %s writes into it and then the whole buffer (%s) is returned or sent, so the bytes past what this call wrote are left over from earlier calls; send only the written prefix (%s.raw[:n]) or allocate the buffer per call",
		name, level, ix.describeSize(z, a.buf), callee, ix.text(u.loc), name)
	ix.report(analyzers.Finding{RuleID: ruleShared, Message: msg,
		Related: []analyzers.Location{
			ix.loc(a.buf.Origin, "the shared buffer is allocated once, here"),
			ix.loc(output.loc, callee+" writes into it"),
		},
		Flow: []analyzers.Step{
			{Location: ix.loc(a.buf.Origin, name+" is allocated once")},
			{Location: ix.loc(output.loc, callee+" writes a prefix of it")},
			{Location: ix.loc(u.loc, "all of it is read")},
		}}, u.loc)
}
