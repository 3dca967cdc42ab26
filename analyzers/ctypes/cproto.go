package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
)

// A proto is a C prototype of the repository's C model.
type proto struct {
	name     string
	loc      analyzers.Location
	ret      cparam
	params   []cparam
	variadic bool
}

// A cparam is a prototype's parameter (or return type): its name, base
// type and pointer depth.
type cparam struct {
	name, base string
	stars      int
}

// protoOf converts a prototype of the C model.
func protoOf(c csrc.Prototype) *proto {
	p := &proto{name: c.Name, loc: c.Location, ret: cparam{c.Ret.Name, c.Ret.Base, c.Ret.Stars}, variadic: c.Variadic}
	for _, q := range c.Params {
		p.params = append(p.params, cparam{q.Name, q.Base, q.Stars})
	}
	return p
}

// signature renders the prototype for messages: "f(const char *, size_t)".
func (p *proto) signature() string {
	var ps []string
	for _, c := range p.params {
		s := c.base + " " + strings.Repeat("*", c.stars) + c.name
		ps = append(ps, strings.TrimSpace(s))
	}
	if p.variadic {
		ps = append(ps, "...")
	}
	return p.name + "(" + strings.Join(ps, ", ") + ")"
}

// ctypeOf classifies a prototype's type through the repository's typedefs.
func (ix *index) ctypeOf(p cparam) ctype {
	base, stars := strings.TrimPrefix(p.base, "const "), p.stars
	text := strings.TrimSpace(p.base + " " + strings.Repeat("*", p.stars))
	for range 8 {
		if _, ok := cScalars[base]; ok {
			break
		}
		if ix.repo == nil {
			break
		}
		tdBase, tdStars, ok := ix.repo.TypedefShape(base)
		if !ok {
			break
		}
		base, stars = strings.TrimPrefix(tdBase, "const "), stars+tdStars
	}
	switch {
	case stars > 0:
		return ctype{kind: kindPtr, pointee: cPointees[base], text: text}
	case base == "void":
		return ctype{kind: kindVoid, text: text}
	case base == "struct":
		return ctype{kind: kindStruct, text: text}
	case base == "enum":
		return ctype{kind: kindInt, width: 4, text: text}
	}
	if t, ok := cScalars[base]; ok {
		t.text = text
		return t
	}
	return ctype{text: text}
}

// lengthParam returns the index of the parameter that is the length of
// parameter i: one named after it (out → outlen, out_size, n_out), else
// the next one when its name says it is a length; -1 when none is.
func lengthParam(p *proto, i int) int {
	name := strings.ToLower(p.params[i].name)
	stems := []string{name}
	for _, suffix := range []string{"_buffer", "buffer", "_buf", "buf", "_ptr", "ptr", "_p"} {
		if stem, ok := strings.CutSuffix(name, suffix); ok && stem != "" {
			stems = append(stems, stem)
		}
	}
	for k, q := range p.params {
		if k == i || q.stars != 0 || name == "" {
			continue
		}
		qn := strings.ToLower(q.name)
		for _, stem := range stems {
			for _, s := range lengthSuffixes {
				if qn == stem+s {
					return k
				}
			}
			for _, pre := range lengthPrefixes {
				if qn == pre+stem {
					return k
				}
			}
		}
	}
	if i+1 < len(p.params) && p.params[i+1].stars == 0 && lengthNames[strings.ToLower(p.params[i+1].name)] {
		return i + 1
	}
	return -1
}
