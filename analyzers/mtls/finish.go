package mtls

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
)

// Finding.Data keys of the findings Run reports for Finish.
const (
	// dataNeeds is the need (an integer) that would clear the finding.
	dataNeeds = "needs"
	// dataMiddleware is the dotted name of the middleware it is in.
	dataMiddleware = "middleware"
	// dataEntry is the dotted name of the module-level function it is in.
	dataEntry = "entry"
	// dataDims and dataWorlds tag a finding made in some worlds only:
	// the unknowns' ids and the worlds' bit mask (hexadecimal).
	dataDims   = "dims"
	dataWorlds = "worlds"
	// dataOnlyIfCalled names a helper the findings of which stand only if
	// a call of it in another module does not check first.
	dataOnlyIfCalled = "only-if-called"
	// dataOnce marks findings of which one per origin stands.
	dataOnce = "once"
	// dataUnlessParser names another module's function: the finding
	// stands if that function does not cut strings apart.
	dataUnlessParser = "unless-parser"
	// dataParser names another module's function a DN or PEM was passed
	// to: the finding stands if that function cuts strings apart.
	dataParser = "parser"
)

// index is the repository's facts, arranged for Finish.
type index struct {
	keys            keySet
	validators      map[string]bool
	guards          map[string]bool
	summaries       byName
	weakTests       byName
	calls           map[string][]analyzers.Fact
	settings        byName
	settingFacts    []analyzers.Fact // the settings' facts in order
	middleware      byName
	middlewareLists []analyzers.Fact
	// states are the exts resolved so far, by name, use and spoofability.
	states map[string]resolved
	// functions are the dotted names of the functions the facts and the
	// findings know, for ambiguity.
	functions []string
}

func newIndex(sum *analyzers.Summary) *index {
	ix := &index{
		keys:       newKeySet(sum.Settings),
		validators: set(sum.Settings["cert-validators"]),
		guards:     set(sum.Settings["proxy-guards"]),
		calls:      map[string][]analyzers.Fact{},
		states:     map[string]resolved{},
	}
	for _, f := range sum.Facts {
		switch f.Kind {
		case factSummary:
			ix.summaries.add(f)
			ix.functions = append(ix.functions, f.Key)
		case factFunction:
			ix.functions = append(ix.functions, f.Key)
		case factWeakTest:
			ix.weakTests.add(f)
		case factCall:
			ix.calls[f.Key] = append(ix.calls[f.Key], f)
		case factSetting:
			ix.settings.add(f)
			ix.settingFacts = append(ix.settingFacts, f)
		case factMiddleware:
			ix.middleware.add(f)
		case factMiddlewareList:
			ix.middlewareLists = append(ix.middlewareLists, f)
		}
	}
	return ix
}

// finish weighs each finding against the repository: findings made in
// worlds are kept only if the repository's actual states are among them
// (and say what the called functions and the settings are), findings of
// a function every caller of which checked first are dropped, and
// findings of middleware listed after a validating one are lowered.
func finish(sum *analyzers.Summary) error {
	ix := newIndex(sum)
	type verdict struct {
		out  *analyzers.Finding
		keep bool
	}
	verdicts := make([]verdict, len(sum.Findings))
	for i, fd := range sum.Findings {
		verdicts[i].out, verdicts[i].keep = ix.weigh(fd)
	}
	// One finding stands per rule and location (a plain one rather than
	// one of some worlds: the same finding made at two decisions), and
	// one per origin for the rules reported at its first sink (the
	// earliest, when one decision was in worlds and the next plain).
	better := func(i, j int) bool {
		a, b := sum.Findings[i], sum.Findings[j]
		if a.Location.StartByte != b.Location.StartByte {
			return a.Location.StartByte < b.Location.StartByte
		}
		if ta, tb := a.Data[dataDims] != "", b.Data[dataDims] != ""; ta != tb {
			return !ta
		}
		return i < j
	}
	stands := map[string]int{}
	for i, fd := range sum.Findings {
		if !verdicts[i].keep {
			continue
		}
		for _, k := range dedupKeys(fd) {
			if j, ok := stands[k]; !ok || better(i, j) {
				stands[k] = i
			}
		}
	}
	for i, fd := range sum.Findings {
		keep := verdicts[i].keep
		for _, k := range dedupKeys(fd) {
			keep = keep && stands[k] == i
		}
		switch {
		case !keep:
			sum.Drop(i)
		case verdicts[i].out != nil:
			sum.Update(i, *verdicts[i].out)
		}
	}
	return nil
}

// dedupKeys are the keys under which one finding stands for others.
func dedupKeys(fd analyzers.Finding) []string {
	keys := []string{sameFinding(fd)}
	if o := fd.Data[dataOnce]; o != "" {
		keys = append(keys, fd.Location.Path+"#"+o)
	}
	return keys
}

// sameFinding identifies a finding by rule and location.
func sameFinding(fd analyzers.Finding) string {
	return fmt.Sprintf("%s@%s:%d-%d", fd.RuleID, fd.Location.Path, fd.Location.StartByte, fd.Location.EndByte)
}

// weigh returns whether fd stays and, when it changes, its new version.
func (ix *index) weigh(fd analyzers.Finding) (*analyzers.Finding, bool) {
	changed := false
	if fd.Data[dataDims] != "" {
		states, ok := ix.actualWorld(fd)
		if !ok {
			return nil, false
		}
		ix.explainUnknowns(&fd, states)
		changed = true
	}
	if parser := fd.Data[dataUnlessParser]; parser != "" {
		if fs := ix.summaries.lookup(parser); len(fs) == 1 && slices.Contains(fs[0].Values, summaryParses) {
			return nil, false
		}
	}
	if parser := fd.Data[dataParser]; parser != "" {
		fs := ix.summaries.lookup(parser)
		if len(fs) != 1 || !slices.Contains(fs[0].Values, summaryParses) {
			return nil, false
		}
		loc := fs[0].Location
		loc.Message = last(parser) + "() is defined here: it cuts its argument apart as a string"
		fd.Related = append(fd.Related, loc)
		changed = true
	}
	n, _ := strconv.Atoi(fd.Data[dataNeeds])
	if helper := fd.Data[dataOnlyIfCalled]; helper != "" {
		call := ix.uncheckedCall(helper, need(n))
		if call == nil {
			return nil, false
		}
		fd.Message += "; it is reached from a call in another module that does not check first"
		loc := call.Location
		loc.Message = "a call that does not check first"
		fd.Related = append(fd.Related, loc)
		changed = true
	}
	if n == 0 {
		return ifChanged(fd, changed), true
	}
	if entry := fd.Data[dataEntry]; entry != "" && ix.callersCheck(&fd, entry, need(n)) {
		changed = true
	}
	switch mw := fd.Data[dataMiddleware]; {
	case mw != "" && ix.afterValidating(&fd, mw, need(n)):
		changed = true
	case mw == "" && ix.behindValidating(&fd, need(n)):
		changed = true
	}
	return ifChanged(fd, changed), true
}

func ifChanged(fd analyzers.Finding, changed bool) *analyzers.Finding {
	if changed {
		return &fd
	}
	return nil
}

// byName holds facts by their dotted key, and finds them by a dotted
// suffix of it too: the file app/certs.py is src.app.certs when the
// project lives in src/, while imports say app.certs.
type byName struct {
	keys     map[string][]analyzers.Fact
	suffixes map[string][]string // a suffix → the keys that end with it
}

func (b *byName) add(f analyzers.Fact) {
	if b.keys == nil {
		b.keys, b.suffixes = map[string][]analyzers.Fact{}, map[string][]string{}
	}
	if _, ok := b.keys[f.Key]; !ok {
		for i := 0; i < len(f.Key); i++ {
			if f.Key[i] == '.' && !testPrefix(f.Key[:i]) {
				suffix := f.Key[i+1:]
				b.suffixes[suffix] = append(b.suffixes[suffix], f.Key)
			}
		}
	}
	b.keys[f.Key] = append(b.keys[f.Key], f)
}

// lookup returns the facts under name: exactly, or under the one key that
// ends with it (none when several do, or when the key passes through a
// folder of tests).
func (b *byName) lookup(name string) []analyzers.Fact {
	if fs, ok := b.keys[name]; ok {
		return fs
	}
	if ks := b.suffixes[name]; len(ks) == 1 {
		return b.keys[ks[0]]
	}
	return nil
}

// returned returns what the function fn returns read from the request,
// by its summary, as settingStates.
func (ix *index) returned(fn string) []int {
	fs := ix.summaries.lookup(fn)
	if len(fs) != 1 {
		return nil
	}
	var out []int
	for _, v := range fs[0].Values[min(len(summaryUses), len(fs[0].Values)):] {
		if s, ok := strings.CutPrefix(v, summaryReturns); ok {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// definitions returns the module constants a key reference names: for
// settings.NAME, NAME in any module (settings modules are named freely);
// for an imported constant, the constant of that module.
func (ix *index) definitions(ref string) []analyzers.Fact {
	ref, escaped, hasDefault := strings.Cut(ref, settingDefaultSep)
	if fs := ix.definitionsOf(ref); len(fs) > 0 || !hasDefault {
		return fs
	}
	// getattr(settings, "NAME", "default") where nothing sets NAME.
	def, err := url.QueryUnescape(escaped)
	if err != nil {
		return nil
	}
	return []analyzers.Fact{{Kind: factSetting, Key: ref, Values: []string{def}}}
}

// definitionsOf is definitions without a default.
func (ix *index) definitionsOf(ref string) []analyzers.Fact {
	name, ok := strings.CutPrefix(ref, "settings.")
	if !ok {
		return ix.settings.lookup(ref)
	}
	var out []analyzers.Fact
	for _, f := range ix.settingFacts {
		if last(f.Key) == name && !testPrefix(strings.TrimSuffix(f.Key, "."+name)) {
			out = append(out, f)
		}
	}
	return out
}

// testDir matches the names of folders of tests, fakes and examples.
var testDir = regexp.MustCompile(`(?i)^(tests?|testing|fakes?|mocks?|stubs?|fixtures?|examples?|samples?|docs?)$|^tests?_|_tests?$`)

// testPrefix reports whether a module path prefix passes through a folder
// of tests or examples: a module there is not what an import of the bare
// name finds (tests/fakes/mtls_toolkit.py is no mtls_toolkit).
func testPrefix(prefix string) bool {
	for _, c := range strings.Split(prefix, ".") {
		if testDir.MatchString(c) {
			return true
		}
	}
	return false
}

// dimension is one unknown of a tagged finding with the states it has in
// the repository.
type dimension struct {
	id     string
	states int
	actual []int
}

// dimensions decodes a finding's unknowns and their actual states.
func (ix *index) dimensions(fd analyzers.Finding) []dimension {
	var out []dimension
	for _, id := range strings.Split(fd.Data[dataDims], ",") {
		if setting, ok := strings.CutPrefix(id, settingDimPrefix); ok {
			d := dimension{id: id, states: settingStates}
			ref, header := strings.CutSuffix(setting, headerSettingSuffix)
			if fn, ok := strings.CutPrefix(ref, callRefPrefix); ok {
				d.actual = ix.returned(fn)
			}
			for _, f := range ix.definitions(ref) {
				if len(f.Values) > 0 {
					d.actual = append(d.actual, ix.keys.settingState(f.Values[0], header))
				}
			}
			if len(d.actual) == 0 {
				d.actual = []int{settingOther}
			}
			out = append(out, d)
			continue
		}
		name, use, spoofable := splitExtID(id)
		st, _ := ix.extState(name, use, spoofable)
		out = append(out, dimension{id: id, states: extStates, actual: []int{int(st)}})
	}
	return out
}

// splitExtID splits an ext's id (see ext.id).
func splitExtID(id string) (name string, use byte, spoofable bool) {
	parts := strings.Split(id, extDimSeparator)
	if len(parts) != 3 || len(parts[1]) != 1 {
		return id, 't', false
	}
	return parts[0], parts[1][0], parts[2] == "1"
}

// extState returns what a call of the function name establishes (use 't'
// tested, 'x' returning), by its summary, or by its name when the
// repository does not define it; the summary is nil then.
func (ix *index) extState(name string, use byte, spoofable bool) (checkState, *analyzers.Fact) {
	return ix.resolve(name, use, spoofable, map[string]bool{})
}

// resolve is extState, remembered: each function is resolved once (a
// dependency cut short by a cycle stays so).
func (ix *index) resolve(name string, use byte, spoofable bool, seen map[string]bool) (checkState, *analyzers.Fact) {
	key := fmt.Sprintf("%s/%c/%t", name, use, spoofable)
	if r, ok := ix.states[key]; ok {
		return r.state, r.def
	}
	st, def := ix.extStateFrom(name, use, spoofable, seen)
	ix.states[key] = resolved{st, def}
	return st, def
}

// resolved is an ext's state as Finish resolved it, with its summary.
type resolved struct {
	state checkState
	def   *analyzers.Fact
}

// maxSummaryDepth caps how many summaries deep a check is followed.
const maxSummaryDepth = 4

// extStateFrom is extState, joining the states of the functions the
// summary depends on; seen holds the summaries on the way (cycles).
func (ix *index) extStateFrom(name string, use byte, spoofable bool, seen map[string]bool) (checkState, *analyzers.Fact) {
	fs := ix.summaries.lookup(name)
	at := strings.IndexByte(summaryUses, use)
	if len(fs) != 1 || len(fs[0].Values) < len(summaryUses) || seen[fs[0].Key] || len(seen) >= maxSummaryDepth {
		if use == 'f' {
			return noCheck, nil // a check returns true when it passes
		}
		return nameState(name, spoofable, ix.validators, ix.guards), nil
	}
	if at < 0 {
		return noCheck, &fs[0]
	}
	seen[fs[0].Key] = true
	defer delete(seen, fs[0].Key)
	n, _ := strconv.Atoi(fs[0].Values[at])
	st := checkState(n) & (verifyMask | guardCheck)
	for _, dep := range fs[0].Values[len(summaryUses):] {
		where, id, ok := strings.Cut(dep, summaryDep)
		if !ok || where != string(use) {
			continue
		}
		dn, du, ds := splitExtID(id)
		ds = ds || spoofable
		d, _ := ix.resolve(dn, du, ds, seen)
		if st.join(d) == soundVerify|guardCheck {
			st = st.join(d)
			break
		}
		st = st.join(d)
	}
	if spoofable && st&verifyMask == soundVerify {
		st = st&^verifyMask | spoofableVerify
	}
	return st, &fs[0]
}

// actualWorld returns the states of a tagged finding's unknowns in the
// first world of the repository's actual states it holds in; ok is false
// when it holds in none.
func (ix *index) actualWorld(fd analyzers.Finding) (states []int, ok bool) {
	worlds, err := parseWorldSet(fd.Data[dataWorlds])
	if err != nil {
		return nil, false
	}
	dims := ix.dimensions(fd)
	states = make([]int, len(dims))
	var walk func(i, index int) bool
	walk = func(i, index int) bool {
		if i == len(dims) {
			return worlds.has(index)
		}
		for _, s := range dims[i].actual {
			states[i] = s
			if walk(i+1, index*dims[i].states+s) {
				return true
			}
		}
		return false
	}
	return states, walk(0, 0)
}

// explainUnknowns says what the unknowns of a kept finding are: the key a
// setting names, and what a called function checks, with their locations.
func (ix *index) explainUnknowns(fd *analyzers.Finding, states []int) {
	for i, id := range strings.Split(fd.Data[dataDims], ",") {
		if setting, ok := strings.CutPrefix(id, settingDimPrefix); ok {
			ref, header := strings.CutSuffix(setting, headerSettingSuffix)
			if fn, ok := strings.CutPrefix(ref, callRefPrefix); ok {
				if fs := ix.summaries.lookup(fn); len(fs) == 1 {
					loc := fs[0].Location
					loc.Message = last(fn) + "() returns certificate data it reads from the request"
					fd.Related = append(fd.Related, loc)
				}
				continue
			}
			for _, f := range ix.definitions(ref) {
				if len(f.Values) == 0 || i >= len(states) || ix.keys.settingState(f.Values[0], header) != states[i] {
					continue
				}
				name := refName(ref)
				fd.Message = strings.ReplaceAll(fd.Message, strconv.Quote(name), fmt.Sprintf("%s (%q)", name, f.Values[0]))
				if f.Location.Path != "" {
					fd.Related = append(fd.Related, f.Location)
				}
				break
			}
			continue
		}
		name, use, spoofable := splitExtID(id)
		st, def := ix.extState(name, use, spoofable)
		if def == nil {
			continue
		}
		fn := last(name) + "()"
		if st&verifyMask == weakCheck {
			if wt := ix.weakTests.lookup(name); len(wt) == 1 && len(wt[0].Values) == 2 {
				loc := wt[0].Location
				loc.Message = fmt.Sprintf("%s relies on this test of %q, which %s", fn, wt[0].Values[1], wt[0].Values[0])
				fd.Related = append(fd.Related, loc)
				continue
			}
		}
		loc := def.Location
		loc.Message = fn + " is defined here: " + describe(st)
		fd.Related = append(fd.Related, loc)
	}
}

// describe says what a checkState checks.
func describe(s checkState) string {
	var what string
	switch s & verifyMask {
	case noCheck:
		what = "it does not verify the certificate or its status"
	case weakCheck:
		what = `it tests the verification status without requiring "SUCCESS"`
	case spoofableVerify:
		what = "it verifies with a status or certificate a client can send"
	case soundVerify:
		what = "it verifies the certificate"
	}
	if s&guardCheck != 0 {
		return what + ", and checks that the request came from the trusted proxy"
	}
	return what + ", and does not check that the request came from the trusted proxy"
}

// callersCheck lowers fd, a finding in the module-level function entry,
// when the repository calls entry and every call has what n needs, and
// says so. The function still trusts its callers, and calls the analysis
// cannot see (a URL route to it) are not weighed: lowered, not dropped.
// A call that could mean another function of the repository (the same
// module name in two places) does not count.
func (ix *index) callersCheck(fd *analyzers.Finding, entry string, n need) bool {
	calls, ambiguous := ix.callsOf(entry)
	if ambiguous || len(calls) == 0 {
		return false
	}
	for _, f := range calls {
		if !ix.factState(f).satisfies(n) {
			return false
		}
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: every call of %s() found in the repository checks first, "+
		"but the function trusts its callers (a new caller, or a route to it, reopens the hole)", last(entry))
	loc := calls[0].Location
	loc.Message = "a call that checks first"
	fd.Related = append(fd.Related, loc)
	return true
}

// uncheckedCall returns a call of the module-level function fn in the
// repository that does not have what n needs, or nil.
func (ix *index) uncheckedCall(fn string, n need) *analyzers.Fact {
	calls, _ := ix.callsOf(fn)
	for i, f := range calls {
		if n == 0 || !ix.factState(f).satisfies(n) {
			return &calls[i]
		}
	}
	return nil
}

// callsOf returns the calls of the module-level function fn the facts
// record, in order; ambiguous is set when a call's name could mean
// another function of the repository too (such calls are left out).
func (ix *index) callsOf(fn string) (calls []analyzers.Fact, ambiguous bool) {
	for _, k := range sortedKeys(ix.calls) {
		if k != fn && !strings.HasSuffix(fn, "."+k) {
			continue
		}
		if ix.ambiguous(k) {
			ambiguous = true
			continue
		}
		calls = append(calls, ix.calls[k]...)
	}
	return calls, ambiguous
}

// factState is what holds at a call or where a middleware hands the
// request on: the fact's own checks joined with its deps'.
func (ix *index) factState(f analyzers.Fact) checkState {
	st := noCheck
	if len(f.Values) > 0 {
		v, _ := strconv.Atoi(f.Values[0])
		st = checkState(v)
	}
	for _, dep := range f.Values[min(1, len(f.Values)):] {
		if _, id, ok := strings.Cut(dep, summaryDep); ok {
			name, use, spoofable := splitExtID(id)
			d, _ := ix.extState(name, use, spoofable)
			st = st.join(d)
		}
	}
	return st
}

// ambiguous reports whether a called dotted name could mean more than one
// function the repository defines (by its summaries and findings).
func (ix *index) ambiguous(name string) bool {
	match := ""
	for _, k := range ix.functions {
		if k == name || strings.HasSuffix(k, "."+name) {
			if match != "" && match != k {
				return true
			}
			match = k
		}
	}
	return false
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string][]analyzers.Fact) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// afterValidating lowers fd when every MIDDLEWARE list that names its
// middleware mw lists before it one that checks what n needs of every
// request, and says so.
func (ix *index) afterValidating(fd *analyzers.Finding, mw string, n need) bool {
	var guard, where *analyzers.Fact
	var name string
	for li, list := range ix.middlewareLists {
		pos := -1
		for i, e := range list.Values {
			if e == mw || strings.HasSuffix(mw, "."+e) {
				pos = i
				break
			}
		}
		if pos < 0 {
			continue
		}
		g, e := ix.validatorIn(list.Values[:pos], n)
		if g == nil {
			return false
		}
		if guard == nil {
			guard, where, name = g, &ix.middlewareLists[li], e
		}
	}
	if guard == nil {
		return false
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: it is listed in %s after %s, which checks every request first, "+
		"but the check belongs here too (reordering the list reopens the hole)", where.Key, name)
	fd.Related = append(fd.Related, guard.Location, where.Location)
	return true
}

// behindValidating lowers fd, a finding in a view or in code views call,
// when every MIDDLEWARE list holds a middleware that checks what n needs
// of every request: views run after every middleware's request phase.
func (ix *index) behindValidating(fd *analyzers.Finding, n need) bool {
	if len(ix.middlewareLists) == 0 {
		return false
	}
	var guard *analyzers.Fact
	var name string
	for _, list := range ix.middlewareLists {
		g, e := ix.validatorIn(list.Values, n)
		if g == nil {
			return false
		}
		if guard == nil {
			guard, name = g, e
		}
	}
	lowerOnce(fd)
	fd.Message += fmt.Sprintf("; lower severity: every request passes %s first, which checks it, "+
		"but the check belongs here too (a change of MIDDLEWARE reopens the hole)", name)
	fd.Related = append(fd.Related, guard.Location)
	return true
}

// validatorIn returns the fact of the first of the MIDDLEWARE entries that
// checks what n needs of every request it hands on, with the entry.
func (ix *index) validatorIn(entries []string, n need) (*analyzers.Fact, string) {
	for _, e := range entries {
		fs := ix.middleware.lookup(e)
		for i, f := range fs {
			if ix.factState(f).satisfies(n) {
				return &fs[i], e
			}
		}
	}
	return nil, ""
}

// lowerOnce lowers fd one level, however many reasons there are: the
// first lowering is marked in its message.
func lowerOnce(fd *analyzers.Finding) {
	if !strings.Contains(fd.Message, "; lower severity: ") {
		fd.Level = rule.Lower(fd.Level)
	}
}
