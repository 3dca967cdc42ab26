package mtls

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// report records a finding once per rule and location. The flow goes
// from the origin through the assignments the data went through to the
// sink; related marks the other end.
func (fr *frame) report(rule string, at *source.Node, msg string, o *origin, s site, steps []*source.Node, related analyzers.Location) {
	if at == nil {
		return
	}
	key := fmt.Sprintf("%s@%d-%d", rule, at.StartByte(), at.EndByte())
	if fr.a.seen[key] {
		return
	}
	fr.a.seen[key] = true
	if rule == ruleSpoofable || rule == ruleUnguarded {
		fr.a.headerFindings++
	}
	p := fr.a.pass
	fd := analyzers.Finding{RuleID: rule, Message: msg, Location: p.Location(at, "")}
	if related.Message != "" {
		fd.Related = []analyzers.Location{related}
	}
	if o != nil {
		fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(o.node, "source: "+short(fr.a.text(o.node)))})
		for _, st := range steps {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(st, "flows through "+short(fr.a.text(st)))})
		}
		if s.node != nil && s.node != o.node {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(s.node, "sink: "+s.what)})
		}
	}
	p.Report(fd)
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
