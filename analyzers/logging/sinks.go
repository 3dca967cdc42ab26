package logging

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// sinkKind says which rules a sink reports under.
type sinkKind uint8

const (
	notSink sinkKind = iota
	logSink
	printSink
)

// classify returns what kind of sink call c is and how many leading
// positional arguments carry no data (the level of logger.log).
func (a *analysis) classify(c *source.Node) (sinkKind, int) {
	fn := c.ChildByFieldName("function")
	switch fn.Type() {
	case "identifier":
		if a.text(fn) == "print" {
			return printSink, 0
		}
	case "attribute":
		method := a.text(fn.ChildByFieldName("attribute"))
		obj := fn.ChildByFieldName("object")
		switch d := a.dotted(obj); {
		case (d == "sys.stdout" || d == "sys.stderr") && (method == "write" || method == "writelines"):
			return printSink, 0
		case logMethods[method] && a.isLogger(obj):
			if method == "log" {
				return logSink, 1
			}
			return logSink, 0
		}
	}
	return notSink, 0
}

// isLogger reports whether n is a logger: the logging module, a name bound
// by a logger factory or named like a logger, self.logger, or a factory call.
func (a *analysis) isLogger(n *source.Node) bool {
	switch n.Type() {
	case "identifier":
		name := a.text(n)
		return name == "logging" || name == "structlog" || a.loggers[name] || loggerName.MatchString(name)
	case "attribute":
		attr := a.text(n.ChildByFieldName("attribute"))
		return a.loggers[a.dotted(n)] || a.loggers[attr] || loggerName.MatchString(attr)
	case "call":
		f := n.ChildByFieldName("function")
		if loggerFactories[a.dotted(f)] {
			return true
		}
		// logger.bind(...) / logger.opt(...) keep a logger (structlog, loguru).
		if f.Type() == "attribute" {
			m := a.text(f.ChildByFieldName("attribute"))
			return (m == "bind" || m == "opt" || m == "new") && a.isLogger(f.ChildByFieldName("object"))
		}
	}
	return false
}

// checkCall reports call c if it is a sink that receives request or
// response data.
func (a *analysis) checkCall(c *source.Node, ev *evaluator) {
	kind, skip := a.classify(c)
	if kind == notSink {
		return
	}
	args := c.ChildByFieldName("arguments")
	if args == nil {
		return
	}
	var worst value
	var worstArg *source.Node
	var convs []byte // %-conversions of a literal format string, by argument
	pos := 0
	for i := 0; i < int(args.NamedChildCount()); i++ {
		arg := args.NamedChild(i)
		if arg.Type() == "keyword_argument" {
			if nonSinkKeywords[a.text(arg.ChildByFieldName("name"))] {
				continue
			}
		} else {
			pos++
			if pos <= skip {
				continue
			}
		}
		v := ev.eval(arg)
		if pos == skip+1 && arg.Type() == "string" {
			convs = conversions(a.text(arg))
		} else if n := pos - skip - 2; arg.Type() != "keyword_argument" && n >= 0 && n < len(convs) && convs[n] != 's' {
			v = v.without(rawHeader) // %r escapes CR/LF; %d and the like print numbers
		}
		if rank(v.labels) > rank(worst.labels) {
			worst, worstArg = v, arg
		}
	}
	id := ruleFor(kind, worst.labels)
	if id == "" {
		return
	}
	var data map[string]string
	if fn := c.ChildByFieldName("function"); kind == logSink && fn.Type() == "attribute" {
		if name, ok := a.loggerOf(fn.ChildByFieldName("object")); ok {
			data = map[string]string{dataLogger: name}
		}
	}
	a.report(id, c, worstArg, worst, data)
}

// rank orders label sets by the rule they lead to.
func rank(l label) int {
	switch {
	case l&secretData != 0:
		return 4
	case l&bodyData != 0:
		return 3
	case l&responseData != 0:
		return 2
	case l&rawHeader != 0:
		return 1
	}
	return 0
}

func ruleFor(kind sinkKind, l label) string {
	if kind == printSink {
		if l&contentLabels != 0 {
			return rulePrint
		}
		return ""
	}
	switch rank(l) {
	case 4:
		return ruleSecrets
	case 3:
		return ruleBody
	case 2:
		return ruleResponse
	case 1:
		return ruleInjection
	}
	return ""
}

// why explains each rule's risk in a finding's message.
var why = map[string]string{
	ruleSecrets:   "headers, cookies, the session and META carry credentials and client certificates",
	ruleBody:      "request content can carry passwords, tokens and personal data",
	ruleResponse:  "response content can carry user data and secrets",
	ruleInjection: "a client-controlled value can forge log lines with CR/LF",
	rulePrint:     "print output reaches the log pipeline like a logger's",
}

// report records a finding at call c whose argument arg carries v.
func (a *analysis) report(id string, c, arg *source.Node, v value, data map[string]string) {
	p := a.pass
	callee := a.text(c.ChildByFieldName("function"))
	callee = short(callee)
	what := a.text(v.origin)
	if arg != nil && v.origin != nil && !contains(arg, v.origin) {
		what = fmt.Sprintf("%s (from %s)", short(a.text(arg)), what)
	}
	fd := analyzers.Finding{
		RuleID:   id,
		Message:  fmt.Sprintf("%s writes %s unsanitized: %s", callee, short(what), why[id]),
		Location: p.Location(c, ""),
		Data:     data,
	}
	if v.origin != nil {
		fd.Related = []analyzers.Location{p.Location(v.origin, "the data comes from here")}
		fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(v.origin, "source: "+short(a.text(v.origin)))})
		for _, s := range v.steps {
			fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(s, "flows through "+short(a.text(s)))})
		}
		fd.Flow = append(fd.Flow, analyzers.Step{Location: p.Location(c, "written by "+callee)})
	}
	p.Report(fd)
}

// contains reports whether node outer spans inner.
func contains(outer, inner *source.Node) bool {
	return outer.StartByte() <= inner.StartByte() && inner.EndByte() <= outer.EndByte()
}

// short keeps the first line of s, at most 60 characters.
func short(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

// conversions returns the conversion characters of the %-placeholders of a
// logging format string, in order ("%s %r" gives "sr"); %% is skipped.
func conversions(format string) []byte {
	var out []byte
	for i := 0; i < len(format)-1; i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		if format[j] == '%' {
			i++
			continue
		}
		if format[j] == '(' { // %(name)s: mapping keys, not positional
			return nil
		}
		for j < len(format) && strings.IndexByte("#0- +123456789.*hlL", format[j]) >= 0 {
			j++
		}
		if j < len(format) {
			out = append(out, format[j])
		}
		i = j
	}
	return out
}
