package mtls

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// Two things a file cannot decide on its own are left to the Finish step,
// which sees the whole repository: what a function of another module
// checks (an ext), and which header a setting names (settings.X as a META
// key). At a decision that depends on such unknowns, the analysis judges
// every combination of their possible states (a world) and tags each
// finding with the worlds it holds in; Finish keeps the findings whose
// worlds contain the repository's actual states.

// A checkState is what a function establishes where it returns: a
// verification (none, weak, of a status the client can send, sound), and
// whether it checked that the request came from the trusted proxy.
type checkState uint8

const (
	noCheck          checkState = 0
	weakCheck        checkState = 1
	spoofableVerify  checkState = 2
	soundVerify      checkState = 3
	verifyMask       checkState = 3
	guardCheck       checkState = 4
	extStates                   = 8 // the number of checkStates
	settingStates               = 4 // the number of settingStates
	maxWorlds                   = 2048
	maxWorldsPerFile            = 1 << 20
	extDimSeparator             = "/"
	// callRefPrefix marks, in place of a setting, the result of a call
	// of another module's function: what it returns is known to Finish.
	callRefPrefix    = "call:"
	settingDimPrefix = "setting:"
)

// stateOf summarizes facts.
func stateOf(f facts) checkState {
	var s checkState
	switch {
	case f.verified != nil && f.verified.spoofable:
		s = spoofableVerify
	case f.verified != nil:
		s = soundVerify
	case f.weak != nil:
		s = weakCheck
	}
	if f.guarded != nil {
		s |= guardCheck
	}
	return s
}

// facts returns what the call of e establishes in state s.
func (s checkState) facts(e *ext) facts {
	var f facts
	switch s & verifyMask {
	case weakCheck:
		f.weak = &check{node: e.node, spoofable: e.spoofable, ext: e}
	case spoofableVerify:
		f.verified = &check{node: e.node, spoofable: true, ext: e}
	case soundVerify:
		f.verified = &check{node: e.node, spoofable: e.spoofable, ext: e}
	}
	if s&guardCheck != 0 {
		f.guarded = &check{node: e.node, ext: e}
	}
	return f
}

// join is what holds where both s and t do, on one path: the stronger
// verification, and a proxy check if either made one.
func (s checkState) join(t checkState) checkState {
	v := max(s&verifyMask, t&verifyMask)
	return v | (s|t)&guardCheck
}

// A need is what clears a finding: a verification, a proxy check.
type need uint8

const (
	needVerify need = 1 << iota
	needGuard
)

// satisfies reports whether state s gives what n asks for.
func (s checkState) satisfies(n need) bool {
	if n == 0 {
		return false
	}
	verified := s&verifyMask == soundVerify || s&verifyMask == spoofableVerify && s&guardCheck != 0
	return (n&needVerify == 0 || verified) && (n&needGuard == 0 || s&guardCheck != 0)
}

// needs says what would clear a finding of rule about origin o.
func needs(rule string, o *origin) need {
	switch rule {
	case ruleSpoofable, ruleUnguarded:
		return needGuard
	case ruleUnverified, ruleWeakVerify:
		return needVerify
	case rulePassthrough:
		if o != nil && o.key.spoofable {
			return needGuard
		}
		return needVerify
	}
	return 0
}

// An ext is a call of another module's function of the repository with
// the request or certificate data: what it checks is its summary's.
type ext struct {
	node *source.Node
	// name is the function's dotted name through the imports
	// (app.certs.verify_client_cert), written as called.
	name, written string
	// use is 't' where the call's result tested true, 'f' where false,
	// 'x' where the call returning at all counts (a check that raises).
	use byte
	// spoofable: the arguments carry headers the client can send.
	spoofable bool
}

// id names the ext's dimension: its function, use and spoofability.
func (e *ext) id() string {
	sp := "0"
	if e.spoofable {
		sp = "1"
	}
	return e.name + extDimSeparator + string(e.use) + extDimSeparator + sp
}

// A dim is one unknown of a decision: an ext, or a setting naming a key.
type dim struct {
	id      string
	states  int
	ext     *ext
	setting string
}

// A world is one combination of the unknowns' states.
type world struct {
	dims  []dim
	sig   string // the dims' ids, comma-separated
	size  int    // the number of worlds
	index int
}

// next advances states, the states of the dims' unknowns, to the next
// world: the last dimension varies fastest, as Finish decodes an index
// (index = index*states + state, the first dimension first).
func next(states []int, dims []dim) {
	for i := len(states) - 1; i >= 0; i-- {
		if states[i]++; states[i] < dims[i].states {
			return
		}
		states[i] = 0
	}
}

// judge calls decide once per world of the unknowns the facts f and the
// origin o (nil for none) depend on, with f completed by the exts' states
// and o classified when a setting or a constant names its key (decide is
// not called in a world where it names no certificate key). Without
// unknowns it is one plain call. Exts beyond maxWorlds are decided as a
// lone file would, by their function's name.
func (fr *frame) judge(f facts, o *origin, decide func(facts, *origin)) {
	if stateOf(f) == soundVerify|guardCheck && (o == nil || o.key.setting == "") {
		// Verified and from the proxy: no call can change the decision.
		decide(f, o)
		return
	}
	var dims []dim
	n := 1
	tested := map[*source.Node]bool{}
	for _, e := range f.exts {
		if e.use != 'x' {
			tested[e.node] = true
		}
	}
	seen := map[string]bool{}
	// The calls nearest the decision first: the check is usually the
	// last call before the sink, and calls past the budget go by name.
	for i := len(f.exts) - 1; i >= 0; i-- {
		e := f.exts[i]
		id := e.id()
		if seen[id] || e.use == 'x' && tested[e.node] {
			// A call whose result was tested establishes at least what
			// it does by returning.
			continue
		}
		seen[id] = true
		if n*extStates > maxWorlds/settingStates {
			f = f.with(fr.nameState(e).facts(e))
			continue
		}
		n *= extStates
		dims = append(dims, dim{id: id, states: extStates, ext: e})
	}
	if o != nil && o.key.setting != "" {
		n *= settingStates
		dims = append(dims, dim{id: settingDimPrefix + o.key.setting, states: settingStates, setting: o.key.setting})
	}
	if len(dims) == 0 {
		decide(f, o)
		return
	}
	ids := make([]string, len(dims))
	for i, d := range dims {
		ids[i] = d.id
	}
	a := fr.a
	if a.worldBudget+n > maxWorldsPerFile {
		// Past the file's budget, decide as a lone file would.
		for _, dm := range dims {
			if dm.ext != nil {
				f = f.with(fr.nameState(dm.ext).facts(dm.ext))
			}
		}
		if o != nil && o.key.setting != "" {
			return
		}
		decide(f, o)
		return
	}
	a.worldBudget += n
	w := &world{dims: dims, sig: strings.Join(ids, ","), size: n}
	saved := a.world
	a.world = w
	defer func() { a.world = saved }()
	// Each ext's facts in each state, the same checks for every world.
	pre := make([][]facts, len(dims))
	for i, dm := range dims {
		if dm.ext != nil {
			pre[i] = make([]facts, extStates)
			for s := range extStates {
				pre[i][s] = checkState(s).facts(dm.ext)
			}
		}
	}
	// Worlds whose facts are the same checks decide the same: the first
	// decides, the others add their index to what it reported.
	type decision struct {
		setting                 int
		verified, guarded, weak *check
	}
	memo := map[decision][]string{}
	states := make([]int, len(dims)) // the world's states, the last varying fastest
	for w.index = 0; w.index < n; w.index++ {
		if w.index > 0 {
			next(states, dims)
		}
		d := decision{setting: -1, verified: f.verified, guarded: f.guarded, weak: f.weak}
		for i, dm := range dims {
			if dm.ext == nil {
				d.setting = states[i]
				continue
			}
			// What facts.with would make of it, without building facts.
			fe := pre[i][states[i]]
			if fe.verified != nil && (d.verified == nil || d.verified.spoofable && !fe.verified.spoofable) {
				d.verified = fe.verified
			}
			if d.guarded == nil {
				d.guarded = fe.guarded
			}
			if d.weak == nil {
				d.weak = fe.weak
			}
		}
		if d.setting == settingOther {
			continue
		}
		if keys, ok := memo[d]; ok {
			for _, sk := range keys {
				a.stash[sk].worlds.add(w.index)
			}
			continue
		}
		fw, ow := f, o
		fw.verified, fw.guarded, fw.weak = d.verified, d.guarded, d.weak
		if d.setting >= 0 {
			ow = &origin{node: o.node, key: settingKey(o.key.setting, d.setting)}
		}
		a.touched = a.touched[:0]
		deferred := len(a.deferred)
		decide(fw, ow)
		if len(a.deferred) == deferred {
			memo[d] = append([]string(nil), a.touched...)
		}
	}
}

// nameState is what a lone file assumes of an ext: a validator or a
// proxy guard by its name (or the user's settings), else nothing.
func (fr *frame) nameState(e *ext) checkState {
	if e.use == 'f' {
		return noCheck
	}
	return nameState(e.name, e.spoofable, fr.a.validators, fr.a.guards)
}

// nameState is what a call of the function name is taken for when the
// repository does not define it: validators and guards are the user's.
func nameState(name string, spoofable bool, validators, guards map[string]bool) checkState {
	switch {
	case named(name, validators, validatorName):
		if spoofable {
			return spoofableVerify
		}
		return soundVerify
	case named(name, guards, proxyGuardName):
		return guardCheck
	}
	return noCheck
}

// The states of a setting naming a key.
const (
	settingOther = iota
	settingIdentityHeader
	settingCertHeader
	settingCertVariable
)

// settingKey is what a key named by setting is in state s.
func settingKey(setting string, s int) keyInfo {
	k := keyInfo{name: refName(strings.TrimSuffix(setting, headerSettingSuffix)), setting: setting}
	if fn, ok := strings.CutPrefix(setting, callRefPrefix); ok {
		k.name = last(fn) + "()"
	}
	switch s {
	case settingIdentityHeader:
		k.class, k.spoofable = identityKey, true
	case settingCertHeader:
		k.class, k.spoofable = certKey, true
	case settingCertVariable:
		k.class = certKey
	}
	return k
}

// settingState classifies a setting's value as the key it names: a
// header name (header) or a META key.
func (k keySet) settingState(value string, header bool) int {
	info := k.classify(value, header)
	switch {
	case info.class == identityKey:
		return settingIdentityHeader
	case info.class == certKey && info.spoofable:
		return settingCertHeader
	case info.class == certKey:
		return settingCertVariable
	}
	return settingOther
}

// A stashed finding is one reported in some worlds of a decision; flush
// reports it once, tagged with those worlds.
type stashed struct {
	base   string // the finding's dedup key outside worlds
	world  *world
	worlds worldSet
	fd     analyzers.Finding
}

// stashKey identifies a finding across the worlds of one decision.
func stashKey(w *world, base, msg string) string {
	return w.sig + "\x00" + base + "\x00" + msg
}

// flush reports the stashed findings: those found in every world of
// their decision plainly, the others with the worlds they hold in.
func (a *analysis) flush() {
	for _, key := range a.stashOrder {
		s := a.stash[key]
		fd := s.fd
		if s.worlds.full(s.world.size) {
			if a.seen[s.base] {
				a.shareOwner(s.base, fd.Data)
				continue
			}
			a.seen[s.base] = true
			a.keep(s.base, fd)
			continue
		}
		fd.Data = withData(fd.Data, map[string]string{
			dataDims:   s.world.sig,
			dataWorlds: s.worlds.String(),
		})
		a.out = append(a.out, fd)
	}
	a.stash, a.stashOrder = nil, nil
}

// A worldSet is a set of world indexes, a bit per world.
type worldSet []uint64

func (s *worldSet) add(i int) {
	for len(*s) <= i/64 {
		*s = append(*s, 0)
	}
	(*s)[i/64] |= 1 << uint(i%64)
}

func (s worldSet) has(i int) bool { return i >= 0 && i/64 < len(s) && s[i/64]&(1<<uint(i%64)) != 0 }

// full reports whether the set holds every world of n.
func (s worldSet) full(n int) bool {
	for i := 0; i < n; i++ {
		if !s.has(i) {
			return false
		}
	}
	return true
}

// String writes the set as hexadecimal words, the first first, joined by ".".
func (s worldSet) String() string {
	words := make([]string, len(s))
	for i, w := range s {
		words[i] = strconv.FormatUint(w, 16)
	}
	return strings.Join(words, ".")
}

// parseWorldSet reads what String wrote.
func parseWorldSet(text string) (worldSet, error) {
	var s worldSet
	for _, w := range strings.Split(text, ".") {
		v, err := strconv.ParseUint(w, 16, 64)
		if err != nil {
			return nil, err
		}
		s = append(s, v)
	}
	return s, nil
}

// withData returns d with the entries of add.
func withData(d, add map[string]string) map[string]string {
	if d == nil {
		d = map[string]string{}
	}
	for k, v := range add {
		d[k] = v
	}
	return d
}

// worldSuffix distinguishes a dedup key per world.
func worldSuffix(w *world) string {
	if w == nil {
		return ""
	}
	return fmt.Sprintf("#%s#%d", w.sig, w.index)
}
