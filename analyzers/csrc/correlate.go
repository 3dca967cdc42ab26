package csrc

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Correlated conditions. Juliet's good functions initialize under one
// condition the analysis cannot evaluate (an extern global, a function of
// another file) and use under the same condition:
//
//	if (globalTrue) { memset(buf, 0, sizeof buf); }
//	...
//	if (globalTrue) { send(s, buf, sizeof buf, 0); }
//
// Joining the first if forgets that the memset happened exactly when the
// second branch runs. So a join on such a condition remembers both sides
// per buffer, and a later branch on the same condition text, with no write
// to the buffer in between, takes the matching side.

// condKey returns the text a condition is correlated by, "" when it is
// not a simple test: a variable (a local as #id, invalidated when it is
// assigned), a parameterless call, and their comparisons with constants.
// A negation is a leading !.
func (w *walker) condKey(cond syntax.Node) string {
	c := stripParens(cond)
	if c.IsNull() {
		return ""
	}
	switch c.Type() {
	case "identifier":
		if l := w.lookup(c.Text()); l != nil {
			return localKey(l)
		}
		return c.Text()
	case "call_expression":
		if len(namedChildren(c.ChildByFieldName("arguments"))) > 0 {
			return ""
		}
		return w.f.normalize(c)
	case "unary_expression":
		if k := w.condKey(c.ChildByFieldName("argument")); k != "" && c.ChildByFieldName("operator").Text() == "!" {
			return negated(k)
		}
	case "binary_expression":
		op := c.ChildByFieldName("operator").Text()
		k := w.condKey(c.ChildByFieldName("left"))
		v, known := w.f.constOf(c.ChildByFieldName("right"), env{w, nil})
		switch {
		case k == "" || !known || op != "==" && op != "!=":
		case v == 0 && op == "!=":
			return k
		case v == 0:
			return negated(k)
		case op == "!=":
			return negated(k + "==" + strconv.FormatInt(v, 10))
		default:
			return k + "==" + strconv.FormatInt(v, 10)
		}
	}
	return ""
}

func localKey(l *local) string { return "#" + strconv.Itoa(l.id) }

// negated returns the key of the opposite condition.
func negated(key string) string {
	if len(key) > 1 && key[0] == '!' {
		return key[1:]
	}
	return "!" + key
}

// takeSide replaces, in a branch on the condition key, the extent of each
// buffer remembered from an earlier join on the same condition.
func (w *walker) takeSide(st *state, key string, then bool) {
	if key == "" {
		return
	}
	for i := range st.ext {
		for _, sp := range st.ext[i].splits {
			if sp.cond == key || sp.cond == negated(key) {
				if then == (sp.cond == key) {
					*st.extentOf(i) = sp.then
				} else {
					*st.extentOf(i) = sp.other
				}
				break
			}
		}
	}
}

// splitOn records in the joined state out the two sides of each buffer
// the branches wrote differently, under the condition key. A local flag
// set to zero on one side and not on the other (`have = 1;` next to the
// write) becomes a key of its own.
func (w *walker) splitOn(out *state, key string, thenSt, elseSt *state) {
	if thenSt.dead || elseSt.dead {
		return
	}
	keys := map[string][2]*state{}
	if key != "" {
		keys[key] = [2]*state{thenSt, elseSt}
	}
	for id, v := range thenSt.consts {
		if v2, ok := elseSt.consts[id]; ok && (v != 0) != (v2 != 0) {
			if v != 0 {
				keys[localKey(w.locals[id])] = [2]*state{thenSt, elseSt}
			} else {
				keys[localKey(w.locals[id])] = [2]*state{elseSt, thenSt}
			}
		}
	}
	for k, sides := range keys {
		for i := range out.ext {
			a, b := sides[0].peek(i), sides[1].peek(i)
			a.splits, b.splits = nil, nil // one level: nested splits would grow exponentially
			if !sameExtent(a, b) && (a.live || b.live) {
				e := out.extentOf(i)
				e.splits = append(e.splits[:len(e.splits):len(e.splits)], condSplit{cond: k, then: a, other: b})
			}
		}
	}
}

// forget drops the splits on conditions that test a variable that was
// just assigned.
func (w *walker) forget(st *state, name string) {
	tests := func(cond string) bool { return mentionsName(cond, name) }
	if l := w.lookup(name); l != nil {
		k := localKey(l)
		tests = func(cond string) bool {
			c := strings.TrimPrefix(cond, "!")
			return c == k || strings.HasPrefix(c, k+"==")
		}
	}
	for i := range st.ext {
		for _, sp := range st.ext[i].splits {
			if tests(sp.cond) {
				st.extentOf(i).splits = nil
				break
			}
		}
	}
}
