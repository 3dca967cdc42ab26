package mtls

import (
	"fmt"
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
	// dataParser names another module's function a DN or PEM was passed
	// to: the finding stands if that function cuts strings apart.
	dataParser = "parser"
)

// index is the repository's facts, arranged for Finish.
type index struct {
	keys            keySet
	validators      map[string]bool
	guards          map[string]bool
	summaries       map[string][]analyzers.Fact
	weakTests       map[string][]analyzers.Fact
	calls           map[string][]analyzers.Fact
	settings        map[string][]analyzers.Fact
	settingFacts    []analyzers.Fact // the settings' facts in order
	middleware      map[string][]analyzers.Fact
	middlewareLists []analyzers.Fact
}

func newIndex(sum *analyzers.Summary) *index {
	ix := &index{
		keys:       newKeySet(sum.Settings),
		validators: set(sum.Settings["cert-validators"]),
		guards:     set(sum.Settings["proxy-guards"]),
		summaries:  map[string][]analyzers.Fact{},
		weakTests:  map[string][]analyzers.Fact{},
		calls:      map[string][]analyzers.Fact{},
		settings:   map[string][]analyzers.Fact{},
		middleware: map[string][]analyzers.Fact{},
	}
	for _, f := range sum.Facts {
		switch f.Kind {
		case factSummary:
			ix.summaries[f.Key] = append(ix.summaries[f.Key], f)
		case factWeakTest:
			ix.weakTests[f.Key] = append(ix.weakTests[f.Key], f)
		case factCall:
			ix.calls[f.Key] = append(ix.calls[f.Key], f)
		case factSetting:
			ix.settings[f.Key] = append(ix.settings[f.Key], f)
			ix.settingFacts = append(ix.settingFacts, f)
		case factMiddleware:
			ix.middleware[f.Key] = append(ix.middleware[f.Key], f)
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
	plain := map[string]bool{}
	for _, fd := range sum.Findings {
		if fd.Data[dataDims] == "" {
			plain[sameFinding(fd)] = true
		}
	}
	kept := map[string]bool{}
	for i, fd := range sum.Findings {
		same := sameFinding(fd)
		tagged := fd.Data[dataDims] != ""
		if tagged && (plain[same] || kept[same]) {
			// Made in some worlds at one decision and in others (or in
			// every world) at another: one finding stands for both.
			sum.Drop(i)
			continue
		}
		out, keep := ix.weigh(fd)
		switch {
		case !keep:
			sum.Drop(i)
			continue
		case out != nil:
			sum.Update(i, *out)
		}
		kept[same] = true
	}
	return nil
}

// sameFinding identifies a finding by rule and location.
func sameFinding(fd analyzers.Finding) string {
	return fmt.Sprintf("%s@%s:%d-%d", fd.RuleID, fd.Location.Path, fd.Location.StartByte, fd.Location.EndByte)
}

// weigh returns whether fd stays and, when it changes, its new version.
func (ix *index) weigh(fd analyzers.Finding) (*analyzers.Finding, bool) {
	changed := false
	if fd.Data[dataDims] != "" {
		if !ix.inActualWorld(fd) {
			return nil, false
		}
		ix.explainUnknowns(&fd)
		changed = true
	}
	if parser := fd.Data[dataParser]; parser != "" {
		fs := lookup(ix.summaries, parser)
		if len(fs) != 1 || len(fs[0].Values) < 3 || fs[0].Values[2] != summaryParses {
			return nil, false
		}
		loc := fs[0].Location
		loc.Message = last(parser) + "() is defined here: it cuts its argument apart as a string"
		fd.Related = append(fd.Related, loc)
		changed = true
	}
	n, _ := strconv.Atoi(fd.Data[dataNeeds])
	if n == 0 {
		return ifChanged(fd, changed), true
	}
	if entry := fd.Data[dataEntry]; entry != "" && ix.callersCheck(entry, need(n)) {
		return nil, false
	}
	if mw := fd.Data[dataMiddleware]; mw != "" && ix.afterValidating(&fd, mw, need(n)) {
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

// lookup returns the facts of m under a dotted name: exactly, or under the
// one key that ends with it (the file app/certs.py is src.app.certs when
// the project lives in src/; imports say app.certs).
func lookup(m map[string][]analyzers.Fact, name string) []analyzers.Fact {
	if fs, ok := m[name]; ok {
		return fs
	}
	var found []analyzers.Fact
	foundKey := ""
	for k, fs := range m {
		if strings.HasSuffix(k, "."+name) {
			if foundKey != "" {
				return nil // ambiguous
			}
			found, foundKey = fs, k
		}
	}
	return found
}

// definitions returns the module constants a key reference names: for
// settings.NAME, NAME in any module (settings modules are named freely);
// for an imported constant, the constant of that module.
func (ix *index) definitions(ref string) []analyzers.Fact {
	name, ok := strings.CutPrefix(ref, "settings.")
	if !ok {
		return lookup(ix.settings, ref)
	}
	var out []analyzers.Fact
	for _, f := range ix.settingFacts {
		if last(f.Key) == name {
			out = append(out, f)
		}
	}
	return out
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
	fs := lookup(ix.summaries, name)
	if len(fs) != 1 || len(fs[0].Values) < 2 {
		return nameState(name, spoofable, ix.validators, ix.guards), nil
	}
	v := fs[0].Values[0]
	if use == 'x' {
		v = fs[0].Values[1]
	}
	n, _ := strconv.Atoi(v)
	st := checkState(n) & (verifyMask | guardCheck)
	if spoofable && st&verifyMask == soundVerify {
		st = st&^verifyMask | spoofableVerify
	}
	return st, &fs[0]
}

// inActualWorld reports whether a tagged finding holds in a world of the
// repository's actual states.
func (ix *index) inActualWorld(fd analyzers.Finding) bool {
	mask, err := strconv.ParseUint(fd.Data[dataWorlds], 16, 64)
	if err != nil {
		return true
	}
	dims := ix.dimensions(fd)
	var walk func(i, index int) bool
	walk = func(i, index int) bool {
		if i == len(dims) {
			return index < 64 && mask&(1<<uint(index)) != 0
		}
		for _, s := range dims[i].actual {
			if walk(i+1, index*dims[i].states+s) {
				return true
			}
		}
		return false
	}
	return walk(0, 0)
}

// explainUnknowns says what the unknowns of a kept finding are: the key a
// setting names, and what a called function checks, with their locations.
func (ix *index) explainUnknowns(fd *analyzers.Finding) {
	for _, id := range strings.Split(fd.Data[dataDims], ",") {
		if setting, ok := strings.CutPrefix(id, settingDimPrefix); ok {
			ref, header := strings.CutSuffix(setting, headerSettingSuffix)
			for _, f := range ix.definitions(ref) {
				if len(f.Values) == 0 || ix.keys.settingState(f.Values[0], header) == settingOther {
					continue
				}
				fd.Message = strings.ReplaceAll(fd.Message, strconv.Quote(ref), fmt.Sprintf("%s (%q)", ref, f.Values[0]))
				fd.Related = append(fd.Related, f.Location)
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
			if wt := lookup(ix.weakTests, name); len(wt) == 1 && len(wt[0].Values) == 2 {
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

// callersCheck reports whether the module-level function entry is called
// in the repository and every call has what n needs.
func (ix *index) callersCheck(entry string, n need) bool {
	found := false
	for k, fs := range ix.calls {
		if k != entry && !strings.HasSuffix(entry, "."+k) {
			continue
		}
		for _, f := range fs {
			st := noCheck
			if len(f.Values) > 0 {
				v, _ := strconv.Atoi(f.Values[0])
				st = checkState(v)
			}
			if !st.satisfies(n) {
				return false
			}
			found = true
		}
	}
	return found
}

// afterValidating lowers fd when MIDDLEWARE lists its middleware mw after
// one that checks what n needs of every request, and says so.
func (ix *index) afterValidating(fd *analyzers.Finding, mw string, n need) bool {
	for _, list := range ix.middlewareLists {
		pos := -1
		for i, e := range list.Values {
			if e == mw || strings.HasSuffix(mw, "."+e) {
				pos = i
				break
			}
		}
		for _, e := range list.Values[:max(pos, 0)] {
			for _, f := range lookup(ix.middleware, e) {
				if len(f.Values) == 0 {
					continue
				}
				v, _ := strconv.Atoi(f.Values[0])
				if !checkState(v).satisfies(n) {
					continue
				}
				fd.Level = lower(fd.Level)
				fd.Message += fmt.Sprintf("; lower severity: it is listed in %s after %s, which checks every request first, "+
					"but the check belongs here too (reordering the list reopens the hole)", list.Key, e)
				fd.Related = append(fd.Related, f.Location, list.Location)
				return true
			}
		}
	}
	return false
}

// lower returns the severity below level.
func lower(level string) string {
	for i, s := range rule.Severities {
		if s == level && i+1 < len(rule.Severities) {
			return rule.Severities[i+1]
		}
	}
	return level
}
