package mtls

import (
	"fmt"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// report records a finding once per rule and location. The flow goes
// from the origin through the assignments the data went through to the
// sink; related marks the other end. In a world (see judge) the finding
// is stashed with the worlds it holds in, and reported by flush.
func (fr *frame) report(rule string, at *source.Node, msg string, o *origin, s site, steps []*source.Node, related analyzers.Location) {
	fr.reportWith(nil, rule, at, msg, o, s, steps, related)
}

// reportWith is report with extra Finding.Data for Finish.
func (fr *frame) reportWith(data map[string]string, rule string, at *source.Node, msg string, o *origin, s site, steps []*source.Node, related analyzers.Location) {
	a := fr.a
	if at == nil || a.quiet() {
		return
	}
	base := fmt.Sprintf("%s@%d-%d", rule, at.StartByte(), at.EndByte())
	key := base + worldSuffix(a.world)
	if a.seen[base] || a.seen[key] {
		a.shareOwner(base, fr.ownerData(rule, o))
		return
	}
	a.seen[key] = true
	var sk string
	if w := a.world; w != nil {
		// The same finding in another world of the decision: one more bit.
		sk = stashKey(w, base, msg)
		if st := a.stash[sk]; st != nil {
			st.worlds.add(w.index)
			a.touched = append(a.touched, sk)
			return
		}
	}
	if a.world == nil && (rule == ruleSpoofable || rule == ruleUnguarded) {
		// Only a finding of every world stands for the function's
		// missing proxy check (see entry's deferred reports).
		a.headerFindings++
	}
	p := a.pass
	fd := analyzers.Finding{RuleID: rule, Message: msg, Location: p.Location(at, "")}
	if owner := fr.ownerData(rule, o); owner != nil || data != nil || a.onlyIfCalled != "" {
		fd.Data = withData(withData(nil, owner), data)
		if a.onlyIfCalled != "" {
			fd.Data[dataOnlyIfCalled] = a.onlyIfCalled
		}
	}
	if related.Message != "" {
		fd.Related = []analyzers.Location{related}
	}
	if o != nil {
		fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(o.node, "source: "+short(a.text(o.node)))})
		for _, st := range steps {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(st, "flows through "+short(a.text(st)))})
		}
		if s.node != nil && s.node != o.node {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(s.node, "sink: "+s.what)})
		}
	}
	if w := a.world; w != nil {
		if a.stash == nil {
			a.stash = map[string]*stashed{}
		}
		st := &stashed{base: base, world: w, fd: fd}
		st.worlds.add(w.index)
		a.stash[sk] = st
		a.stashOrder = append(a.stashOrder, sk)
		a.touched = append(a.touched, sk)
		return
	}
	a.keep(base, fd)
}

// keep records a finding of the file under its dedup key; run reports
// them once the file is done, so that a finding other entry points reach
// too can lose the owner it was first reported for.
func (a *analysis) keep(base string, fd analyzers.Finding) {
	if a.at == nil {
		a.at = map[string]int{}
	}
	a.at[base] = len(a.out)
	if first := fd.Data[dataOnce]; first != "" {
		a.at[first] = len(a.out)
	}
	a.out = append(a.out, fd)
}

// shareOwner notes that the finding kept under base is reached from code
// with owner data owner too: where the owners differ, no single
// middleware or function owns it, and Finish must not lower it for one.
func (a *analysis) shareOwner(base string, owner map[string]string) {
	i, ok := a.at[base]
	if !ok {
		return
	}
	d := a.out[i].Data
	for _, k := range []string{dataEntry, dataMiddleware} {
		if d[k] != "" && d[k] != owner[k] {
			delete(d, k)
		}
	}
}

// ownerData is what Finish needs to weigh a finding against the rest of
// the repository: what would clear it, the middleware it is in (for the
// MIDDLEWARE order) and the module-level function (for its callers).
func (fr *frame) ownerData(rule string, o *origin) map[string]string {
	n := needs(rule, o)
	if n == 0 || fr.mw == "" && fr.entryName == "" {
		return nil
	}
	d := map[string]string{dataNeeds: strconv.Itoa(int(n))}
	if fr.mw != "" {
		d[dataMiddleware] = fr.mw
	}
	if fr.entryName != "" {
		d[dataEntry] = fr.entryName
	}
	return d
}

// sourceLoc is the related location of an origin.
func (fr *frame) sourceLoc(o *origin) analyzers.Location {
	return fr.a.pass.Location(o.node, "the certificate value is read here")
}

// sinkLoc is the related location of a sink.
func (fr *frame) sinkLoc(s site) analyzers.Location {
	return fr.a.pass.Location(s.node, "the value "+s.what+" here")
}

// keyName is how a message names an origin's key.
func keyName(o *origin) string { return fmt.Sprintf("%q", o.key.name) }

// line returns the 1-based line of n, for messages.
func (fr *frame) line(n *source.Node) int {
	return fr.a.pass.File.Lines.Line(int(n.StartByte()))
}
