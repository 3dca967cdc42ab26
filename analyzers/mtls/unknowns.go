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
	maxWorlds                   = 64
	extDimSeparator             = "/"
	settingDimPrefix            = "setting:"
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
	// use is 't' when the call's result was tested, 'x' when the call
	// returning at all counts (a check that raises).
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
	index int
}

// state returns dimension i's state in the world.
func (w *world) state(i int) int {
	idx := w.index
	for j := len(w.dims) - 1; j > i; j-- {
		idx /= w.dims[j].states
	}
	return idx % w.dims[i].states
}

// A keyFn maps an origin to what it is in a world; false when it is no
// certificate data there (a setting naming another header).
type keyFn func(*origin) (*origin, bool)

func sameKey(o *origin) (*origin, bool) { return o, true }

// judge calls decide once per world of the unknowns the facts f and the
// origins depend on, with f completed by the exts' states and the origins
// of settings keys classified. Without unknowns it is one plain call.
// Unknowns beyond maxWorlds are decided as a lone file would: an ext by
// its function's name, a setting as no certificate key.
func (fr *frame) judge(f facts, origins []*origin, decide func(facts, keyFn)) {
	var dims []dim
	n := 1
	seen := map[string]bool{}
	for _, e := range f.exts {
		id := e.id()
		if seen[id] {
			continue
		}
		seen[id] = true
		if n*extStates > maxWorlds {
			f = f.with(fr.nameState(e).facts(e))
			continue
		}
		n *= extStates
		dims = append(dims, dim{id: id, states: extStates, ext: e})
	}
	for _, o := range origins {
		if o.key.setting == "" || seen[settingDimPrefix+o.key.setting] || n*settingStates > maxWorlds {
			continue
		}
		seen[settingDimPrefix+o.key.setting] = true
		n *= settingStates
		dims = append(dims, dim{id: settingDimPrefix + o.key.setting, states: settingStates, setting: o.key.setting})
	}
	if len(dims) == 0 {
		decide(f, func(o *origin) (*origin, bool) { return o, o.key.setting == "" })
		return
	}
	ids := make([]string, len(dims))
	for i, d := range dims {
		ids[i] = d.id
	}
	w := &world{dims: dims, sig: strings.Join(ids, ",")}
	saved := fr.a.world
	fr.a.world = w
	defer func() { fr.a.world = saved }()
	for w.index = 0; w.index < n; w.index++ {
		fw := f
		keys := map[string]keyInfo{}
		for i, d := range dims {
			if d.ext != nil {
				fw = fw.with(checkState(w.state(i)).facts(d.ext))
			} else {
				keys[d.setting] = settingKey(d.setting, w.state(i))
			}
		}
		decide(fw, func(o *origin) (*origin, bool) {
			if o.key.setting == "" {
				return o, true
			}
			k, ok := keys[o.key.setting]
			if !ok || k.class == otherKey {
				return nil, false
			}
			return &origin{node: o.node, key: k}, true
		})
	}
}

// nameState is what a lone file assumes of an ext: a validator or a
// proxy guard by its name (or the user's settings), else nothing.
func (fr *frame) nameState(e *ext) checkState {
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
	k := keyInfo{name: strings.TrimSuffix(setting, headerSettingSuffix), setting: setting}
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
	base  string // the finding's dedup key outside worlds
	world *world
	mask  uint64
	fd    analyzers.Finding
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
		n := 1
		for _, d := range s.world.dims {
			n *= d.states
		}
		fd := s.fd
		if s.mask == uint64(1)<<uint(n)-1 {
			if a.seen[s.base] {
				continue
			}
			a.seen[s.base] = true
		} else {
			fd.Data = withData(fd.Data, map[string]string{
				dataDims:   s.world.sig,
				dataWorlds: strconv.FormatUint(s.mask, 16),
			})
		}
		a.pass.Report(fd)
	}
	a.stash, a.stashOrder = nil, nil
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
