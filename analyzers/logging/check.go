package logging

import (
	"fmt"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// check reports, in one scanned file, each sink the Python model hears
// data reach: a logger call, print, or a call of a function that passes
// its argument on to one.
func check(pass *analyzers.CheckPass) error {
	prog, _ := pass.Model(pysrc.Model).(*pysrc.Program)
	if prog == nil {
		return nil
	}
	var found []sinkFinding
	prog.Check(pass.Path, pysrc.LogSinks, func(ev *pysrc.Event) {
		if f, ok := report(prog, ev); ok {
			found = append(found, f)
		}
	})
	for _, f := range oncePerCall(found) {
		pass.Report(f.Finding)
	}
	return nil
}

// A sinkFinding is a finding with what it writes and where, before it is
// written with the sink it goes through: what makes two findings of one
// call through a helper the same.
type sinkFinding struct {
	analyzers.Finding
	what, through string
	// logger names the logger it is written to: its logging name when
	// known, else the text of the object the sink is called on.
	logger string
	// sink is where it is written.
	sinkPath string
	sinkLine int
}

// before reports whether f's sink comes before g's in the repository.
func (f *sinkFinding) before(g *sinkFinding) bool {
	return f.sinkPath < g.sinkPath || f.sinkPath == g.sinkPath && f.sinkLine < g.sinkLine
}

// oncePerCall keeps, of the findings of one call that writes one datum
// through a helper with several sinks of one logger (logger.info in one
// branch, logger.debug in another, which a constant argument may never
// run), the one through the first sink; its message counts the others.
// Findings keep their order.
func oncePerCall(found []sinkFinding) []sinkFinding {
	type key struct {
		at               analyzers.Location
		rule, what, dest string
	}
	first := map[key]int{}
	others := map[int]int{}
	var out []sinkFinding
	for _, f := range found {
		if f.through == "" {
			out = append(out, f)
			continue
		}
		k := key{f.Location, f.RuleID, f.what, f.logger + "\x00" + f.Data[dataExtraOnly]}
		if i, ok := first[k]; ok {
			others[i]++
			if f.before(&out[i]) {
				out[i] = f
			}
			continue
		}
		first[k] = len(out)
		out = append(out, f)
	}
	for i, n := range others {
		f := &out[i]
		more := fmt.Sprintf("%s and %d other sink", f.through, n)
		if n > 1 {
			more += "s"
		}
		f.Message = strings.Replace(f.Message, f.through, more, 1)
	}
	return out
}

// classify returns what d is to this family.
func classify(d *pysrc.Datum) label {
	l := noLabel
	switch d.Kind {
	case pysrc.DataBody:
		l = bodyData
		if d.Typed() {
			// A value a test showed to be a number or a literal.
			l = noLabel
		}
	case pysrc.DataField:
		switch {
		case secretKey(d.Key):
			l = secretData
		case d.Validated():
			// A field a serializer or a form validated is a typed or
			// checked value (a key, a number, a pattern's match).
		default:
			l = rawHeader
		}
	case pysrc.DataHeader:
		l = headerLabel(d.Key)
		if d.Key == "" || d.Key == pysrc.AnyKey {
			l = rawHeader // a header named by a setting or a variable
		}
	case pysrc.DataSession:
		// The whole session holds the login (its keys, the password
		// hash's HMAC); a value at a key the server chose is what it
		// stored there, a secret when the key says so.
		if d.Key == "" || d.Key == pysrc.AnyKey || secretKey(d.Key) || slices.Contains(pysrc.KeyNames(d.Key), "_auth_user_hash") {
			l = secretData
		}
	case pysrc.DataHeaders, pysrc.DataCookies, pysrc.DataAuth:
		l = secretData
	case pysrc.DataCookie:
		// One cookie is a credential when its name says so; another
		// is a value the client chose (Django unquotes \012 in it).
		l = rawHeader
		if secretCookie(d.Key) {
			l = secretData
		}
	case pysrc.DataResponse:
		l = responseData
	case pysrc.DataClient:
		// One field of another service's answer is a value of its
		// own: a token (access_token) is written out, a code or an id
		// is not.
		if d.Key == "" || d.Key == pysrc.AnyKey || secretKey(d.Key) {
			l = clientData
		}
	}
	switch {
	case l == rawHeader && d.Escaped():
		return noLabel
	case d.Filtered() && (d.Kind == pysrc.DataHeaders || d.Kind == pysrc.DataHeader || d.Kind == pysrc.DataCookies):
		// A filtered copy of the headers: an allow- or deny-list.
		return noLabel
	}
	return l
}

// headerLabel classifies one header or META key: server-set keys are not
// the client's, secrets are secrets, any other header may carry CR/LF. A
// key read in a loop over literals is what the worst of its names is.
func headerLabel(key string) label {
	l := noLabel
	for _, name := range pysrc.KeyNames(key) {
		norm := strings.ReplaceAll(name, "-", "_")
		switch {
		case serverKeys[name]:
		case secretKey(name):
			l = max(l, secretData)
		case strings.HasPrefix(strings.ToUpper(norm), "HTTP_") || name != strings.ToUpper(name):
			l = max(l, rawHeader)
		}
	}
	return l
}

// ruleFor returns the rule a label written by a sink of kind reports.
func ruleFor(kind string, l label) string {
	if kind == pysrc.SinkPrint {
		if l >= responseData {
			return rulePrint
		}
		return ""
	}
	switch l {
	case secretData:
		return ruleSecrets
	case bodyData:
		return ruleBody
	case responseData:
		return ruleResponse
	case clientData:
		return ruleClient
	case rawHeader:
		return ruleInjection
	}
	return ""
}

// why explains each rule's risk in a finding's message.
var why = map[string]string{
	ruleSecrets:   "headers, cookies, the session, META and fields named like secrets carry credentials and client certificates",
	ruleBody:      "request content can carry passwords, tokens and personal data",
	ruleResponse:  "response content can carry user data and secrets",
	ruleClient:    "another service's response can carry tokens and personal data",
	ruleInjection: "a client-controlled value can forge log lines with CR/LF",
	rulePrint:     "print output reaches the log pipeline like a logger's",
}

// report turns an event into a finding: the worst data it writes names
// the rule, and the argument that carries it the message.
func report(prog *pysrc.Program, ev *pysrc.Event) (sinkFinding, bool) {
	var worst *pysrc.Datum
	var worstArg pysrc.Loc
	rank := noLabel
	extraOnly := ev.At == ev.Call // the sink's own arguments
	for _, a := range ev.Args {
		for i := range a.Data {
			l := classify(&a.Data[i])
			if l > rank {
				rank, worst, worstArg = l, &a.Data[i], a.Loc
			}
			if l > noLabel && a.Keyword != "extra" {
				extraOnly = false
			}
		}
	}
	id := ruleFor(ev.Sink.Kind, rank)
	if id == "" {
		return sinkFinding{}, false
	}
	callee := pysrc.Short(ev.Callee)
	origin := prog.Text(worst.Origin)
	what := origin
	if arg := prog.Text(worstArg); worst.Origin.Valid() && !contains(worstArg, worst.Origin) && arg != "" {
		what = fmt.Sprintf("%s (from %s)", pysrc.Short(arg), pysrc.Short(origin))
	}
	through := ""
	if len(ev.Through) > 0 || ev.At != ev.Call {
		through = fmt.Sprintf("through %s at %s:%d", pysrc.Short(ev.AtName), ev.At.Path(), ev.At.Line())
	}
	fd := analyzers.Finding{
		RuleID:   id,
		Message:  fmt.Sprintf("%s writes %s unsanitized%s: %s", callee, pysrc.Short(what), parenthesized(through), why[id]),
		Location: prog.Location(ev.Call, ""),
	}
	if ev.Sink.Known && ev.Sink.Kind == pysrc.SinkLog {
		fd.Data = map[string]string{dataLogger: ev.Sink.Target}
		if extraOnly {
			fd.Data[dataExtraOnly] = "true"
		}
	}
	if worst.Origin.Valid() {
		fd.Related = []analyzers.Location{prog.Location(worst.Origin, "the data comes from here")}
		fd.Flow = append(fd.Flow, analyzers.Step{Location: prog.Location(worst.Origin, "source: "+pysrc.Short(origin))})
		for _, s := range worst.Steps {
			if s == ev.Call {
				continue
			}
			fd.Flow = append(fd.Flow, analyzers.Step{Location: prog.Location(s, "flows through "+pysrc.Short(prog.Text(s)))})
		}
	}
	if ev.At != ev.Call {
		fd.Flow = append(fd.Flow, analyzers.Step{Location: prog.Location(ev.Call, "passed to "+callee)})
		for _, v := range ev.Through {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: prog.Location(v, "passed to "+pysrc.Short(prog.Text(v)))})
		}
	}
	fd.Flow = append(fd.Flow, analyzers.Step{Location: prog.Location(ev.At, "written by "+pysrc.Short(ev.AtName))})
	logger := ev.Sink.Target
	if !ev.Sink.Known {
		logger = "?" + ev.AtName[:max(strings.LastIndexByte(ev.AtName, '.'), 0)]
	}
	return sinkFinding{Finding: fd, what: what, through: through, logger: logger, sinkPath: ev.At.Path(), sinkLine: ev.At.Line()}, true
}

// parenthesized returns " (s)", "" for an empty s.
func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// contains reports whether location outer spans inner.
func contains(outer, inner pysrc.Loc) bool {
	return outer.Path() == inner.Path() && outer.Span.Start <= inner.Span.Start && inner.Span.End <= outer.Span.End
}
