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
	if at == nil || a.summarizing {
		return
	}
	base := fmt.Sprintf("%s@%d-%d", rule, at.StartByte(), at.EndByte())
	key := base + worldSuffix(a.world)
	if a.seen[base] || a.seen[key] {
		return
	}
	a.seen[key] = true
	if rule == ruleSpoofable || rule == ruleUnguarded {
		a.headerFindings++
	}
	p := a.pass
	fd := analyzers.Finding{RuleID: rule, Message: msg, Location: p.Location(at, "")}
	if owner := fr.ownerData(rule, o); owner != nil || data != nil {
		fd.Data = withData(withData(nil, owner), data)
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
		sk := stashKey(w, base, msg)
		st := a.stash[sk]
		if st == nil {
			if a.stash == nil {
				a.stash = map[string]*stashed{}
			}
			st = &stashed{base: base, world: w, fd: fd}
			a.stash[sk] = st
			a.stashOrder = append(a.stashOrder, sk)
		}
		st.mask |= 1 << uint(w.index)
		return
	}
	p.Report(fd)
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
