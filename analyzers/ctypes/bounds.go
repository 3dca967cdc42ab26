package ctypes

// A lin is a linear combination of atoms plus a constant. Atoms are the
// expressions the analysis does not reduce: len(data), a parameter. All
// of them are sizes, so none is negative.
type lin struct {
	c     int64
	terms map[string]int64
}

func constant(c int64) lin { return lin{c: c} }

func atom(name string) lin { return lin{terms: map[string]int64{name: 1}} }

func (l lin) add(m lin, sign int64) lin {
	out := lin{c: l.c + sign*m.c, terms: map[string]int64{}}
	for k, v := range l.terms {
		out.terms[k] += v
	}
	for k, v := range m.terms {
		out.terms[k] += sign * v
		if out.terms[k] == 0 {
			delete(out.terms, k)
		}
	}
	return out
}

func (l lin) scale(k int64) lin {
	out := lin{c: l.c * k, terms: map[string]int64{}}
	for a, v := range l.terms {
		if v*k != 0 {
			out.terms[a] = v * k
		}
	}
	return out
}

func (l lin) isConst() bool { return len(l.terms) == 0 }

// A bound is a size: a lin, or the min or max of several bounds.
type bound struct {
	op   byte // 0 lin, 'm' min, 'M' max
	lin  lin
	alts []bound
}

func linear(l lin) bound { return bound{lin: l} }

// A verdict compares a length with a buffer's size.
type verdict struct {
	kind  byte   // 0 unknown, 'w' within the size, 'x' exceeds it
	over  int64  // by how many bytes, when constant
	input string // the input length not bounded by the size
}

// compare says whether length l is within size s.
func (z *sizer) compare(l, s bound) verdict {
	switch {
	case l.op == 'm' || s.op == 'M':
		return z.combine(l, s, true)
	case l.op == 'M' || s.op == 'm':
		return z.combine(l, s, false)
	}
	ll := z.substitute(l.lin)
	d := s.lin.add(ll, -1)
	var negInput string
	negOpaque, posTerms := false, false
	for name, v := range d.terms {
		switch {
		case v > 0:
			posTerms = true
		case z.inputs[name]:
			if negInput == "" || name < negInput {
				negInput = name
			}
		default:
			negOpaque = true
		}
	}
	switch {
	case negInput != "":
		return verdict{kind: 'x', input: negInput}
	case negOpaque:
		return verdict{}
	case d.c >= 0:
		return verdict{kind: 'w'}
	case !posTerms:
		return verdict{kind: 'x', over: -d.c}
	}
	return verdict{}
}

// combine compares when one side is a min or max: any alternative is
// enough (l = min(...), s = max(...)) or every one is needed.
func (z *sizer) combine(l, s bound, anyEnough bool) verdict {
	var alts []verdict
	switch {
	case l.op != 0 && (l.op == 'm') == anyEnough:
		for _, alt := range l.alts {
			alts = append(alts, z.compare(alt, s))
		}
	default:
		for _, alt := range s.alts {
			alts = append(alts, z.compare(l, alt))
		}
	}
	within, exceeds := 0, 0
	var first verdict
	for _, v := range alts {
		switch v.kind {
		case 'w':
			within++
		case 'x':
			if exceeds == 0 {
				first = v
			}
			exceeds++
		}
	}
	switch {
	case anyEnough && within > 0, !anyEnough && within == len(alts):
		return verdict{kind: 'w'}
	case anyEnough && exceeds == len(alts), !anyEnough && exceeds > 0:
		return first
	}
	return verdict{}
}

// substitute replaces the input atoms of l that a guard bounds by their
// bound (only linear bounds; a coefficient must be positive).
func (z *sizer) substitute(l lin) lin {
	out := l
	for name, v := range l.terms {
		g, ok := z.guards[name]
		if !ok || v <= 0 || g.op != 0 {
			continue
		}
		out = out.add(atom(name).scale(v), -1).add(g.lin.scale(v), 1)
	}
	return out
}
