package mtls

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/literal"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// A checker judges one scanned module: it walks each function that
// receives a request or a WSGI environ, and the RemoteUserMiddleware
// classes, and weighs the findings against the rest of the repository.
type checker struct {
	rp  *repo
	mod *pysrc.ModuleDef
	// followed are the functions walked at a call of the module, helpers
	// the functions left to their calls.
	followed map[*pysrc.FuncDef]bool
	helpers  []*pysrc.FuncDef
	// seen deduplicates findings by rule and location; at is the index
	// in out of each finding by its key.
	seen map[string]bool
	at   map[string]int
	out  []found
	// onceKey is the key of the origin the next finding is the first
	// for (see once).
	onceKey string
	// headerFindings counts the findings about missing proxy checks;
	// deferred are reports made only if an entry point has none.
	headerFindings int
	deferred       []func()
	// requestPhase is what each middleware class's process_request
	// guarantees of the requests it hands on.
	requestPhase map[*pysrc.ClassDef]facts
}

func newChecker(rp *repo, m *pysrc.ModuleDef) *checker {
	return &checker{rp: rp, mod: m, followed: map[*pysrc.FuncDef]bool{}, seen: map[string]bool{}, at: map[string]int{},
		requestPhase: map[*pysrc.ClassDef]facts{}}
}

// relevant reports whether the module names a certificate or user key,
// or reads a key a setting or a constant names, or the settings add keys.
// literals are those the driver found in the file when it read it (the
// Python model's prefilter, which the mtls vocabulary registers, and the
// analyzer's markers), nil when it did not look; src gives the file's
// bytes, read only when the literals do not decide.
func (c *checker) relevant(literals []string, src func() []byte) bool {
	if c.rp.keys.configured() {
		return true
	}
	if literals == nil {
		text := src()
		return relevantSet.Any(text) || readsNamedKey(text)
	}
	switch {
	case slices.ContainsFunc(literals, func(lit string) bool { return slices.Contains(relevantLiterals, lit) }):
		return true
	case !slices.ContainsFunc(literals, func(lit string) bool { return slices.Contains(keyReadWords, lit) }):
		return false
	}
	return readsNamedKey(src())
}

// relevantLiterals are the key literals and RemoteUser; relevantSet finds
// them in one read.
var (
	relevantLiterals = append(slices.Clone(keyLiterals), "RemoteUser")
	relevantSet      = literal.NewSet(relevantLiterals)
)

// run walks the module's entry points and returns its findings.
func (c *checker) run() []analyzers.Finding {
	fns := c.mod.Code()
	for _, f := range fns {
		if f.Kind == pysrc.KindClass && f.Owner() != nil {
			c.remoteUserHeader(f.Owner())
		}
	}
	// process_request first: process_view of the same middleware runs
	// after it, with what it checked.
	for _, first := range []bool{true, false} {
		for _, f := range fns {
			if f.Kind == pysrc.KindDef && (last(f.Name) == "process_request") == first {
				c.entry(f, owner{}, false)
			}
		}
	}
	// Helpers no call site followed (too deep, or past the budget) are
	// walked on their own.
	for _, f := range c.helpers {
		if !c.followed[f] {
			c.entry(f, owner{}, true)
		}
	}
	// Module-level helpers the module's callers check may be called
	// unchecked from other modules: walked on their own, their findings
	// stand only if such a call exists.
	for _, f := range c.helpers {
		if c.followed[f] && moduleLevel(f) {
			c.entry(f, owner{onlyIfCalled: f}, true)
		}
	}
	return c.verdicts()
}

// entry walks fn on its own if it receives a request or a WSGI environ.
// Helpers called in the module are walked at their calls instead, unless
// standalone is set (no call followed them).
func (c *checker) entry(fn *pysrc.FuncDef, own owner, standalone bool) {
	params, bound := bindParameters(fn)
	if !bound && !(fn.IsMethod() && strings.Contains(c.mod.Text(fn.Span), "self.request")) {
		return
	}
	r := roleOf(c.rp, fn)
	if r.name == "" && !standalone && calledIn(c.mod, fn) {
		c.helpers = append(c.helpers, fn)
		return
	}
	own.mw, own.mwName, _ = middlewareName(fn, r)
	if r.name == "" && moduleLevel(fn) {
		own.entry = fn
	}
	fr := newFrame(c, c.rp, fn, r, params)
	fr.own = own
	c.deferred = nil
	name := last(fn.Name)
	fr.facts = c.rp.before(fn)
	if name == "process_view" && fr.class != nil {
		fr.facts = fr.facts.with(c.requestPhase[fr.class])
	}
	before := c.headerFindings
	if !fr.block(fn.Block(fn.Code().Body)) && isHook(name) {
		fr.passesOn(fr.facts)
	}
	if name == "process_request" && fr.class != nil && fr.hand.passOn != nil {
		c.requestPhase[fr.class] = *fr.hand.passOn
	}
	if c.headerFindings == before {
		for _, report := range c.deferred {
			report()
		}
	}
}

// newFrame returns the frame of a walk of fn on its own, with its role
// and parameters; c is nil for a quiet walk.
func newFrame(c *checker, rp *repo, fn *pysrc.FuncDef, r role, params []value) *frame {
	fr := &frame{c: c, rp: rp, fn: fn, method: fn.IsMethod(), role: r, hand: &handOn{}}
	if fr.method {
		fr.class = fn.Owner()
	}
	fr.vals = newValues(fr, params)
	return fr
}

// calledIn reports whether module m calls fn: a function by its name, a
// method through self or cls.
func calledIn(m *pysrc.ModuleDef, fn *pysrc.FuncDef) bool {
	name := last(fn.Name)
	for _, g := range m.Code() {
		for i := range g.Code().Calls {
			call := &g.Code().Calls[i]
			if fn.IsMethod() {
				if call.Method == name && (call.Name == "self."+name || call.Name == "cls."+name) {
					return true
				}
			} else if call.Method == "" && call.Name == name {
				return true
			}
		}
	}
	return false
}

// namedKeyReads are, for each word that starts it, what follows in a read
// of META or headers at a key a setting or a constant names, or in a
// RemoteUserMiddleware header taken from one.
var namedKeyReads = []struct {
	word  string
	after *regexp.Regexp
}{
	{"META", namedKeyRead}, {"headers", namedKeyRead}, {"environ", namedKeyRead},
	{"header", regexp.MustCompile(`^\s*=\s*(?:settings\.|(?:\w+\.)?[A-Z][A-Z0-9_]*\b)`)},
}

var namedKeyRead = regexp.MustCompile(`^\s*(?:\.get\s*\(|\[)\s*(?:getattr\(\s*settings\b|settings\.|(?:\w+\.)?[A-Z][A-Z0-9_]*\b)`)

// readsNamedKey reports whether src reads a key a setting or a constant
// names: the regexps only look at the text after each word.
func readsNamedKey(src []byte) bool {
	const window = 64
	for _, r := range namedKeyReads {
		for off := 0; ; {
			i := bytes.Index(src[off:], []byte(r.word))
			if i < 0 {
				break
			}
			start := i + off
			i = start + len(r.word)
			if (start == 0 || !isIdentByte(src[start-1])) && r.after.Match(src[i:min(i+window, len(src))]) {
				return true
			}
			off = i
		}
	}
	return false
}

// keyReadWords are the words namedKeyReads start with, but those that hold
// another ("headers" holds "header"): the driver finds the shorter one in
// a file that has either, with one literal less to look for.
var keyReadWords = func() []string {
	var all, words []string
	for _, r := range namedKeyReads {
		all = append(all, r.word)
	}
	for _, w := range all {
		if !slices.ContainsFunc(all, func(o string) bool { return o != w && strings.Contains(w, o) }) {
			words = append(words, w)
		}
	}
	return words
}()

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
