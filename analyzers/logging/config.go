package logging

import (
	"path"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// The kinds of facts the logging analyzer exports.
const (
	factFilterClass = "filter-class"   // Key: dotted path of a redacting logging.Filter
	factFilter      = "logging-filter" // Key: filter name; Values: its class path
	factHandler     = "logging-handler"
	factLogger      = "logging-logger" // Values: "handler:h", "filter:f", "propagate:false"
	dataLogger      = "logger"         // Finding.Data key: the logging name written to
)

// modulePath turns a file path into its dotted module path.
func modulePath(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".py"), "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}

// loggingName returns the logging name a logger factory call creates:
// its string argument, the module path for __name__, "" (the root) for
// none; ok is false when it cannot be known.
func (a *analysis) loggingName(call *source.Node) (string, bool) {
	fn := a.dotted(call.ChildByFieldName("function"))
	if fn != "logging.getLogger" && fn != "getLogger" {
		return "", false
	}
	arg := firstArg(call.ChildByFieldName("arguments"))
	switch {
	case arg == nil:
		return "", true
	case arg.Type() == "identifier" && a.text(arg) == "__name__":
		return a.module, true
	case arg.Type() == "string" && arg.NamedChildCount() <= 3:
		return strings.Trim(a.text(arg), `"'`), true
	}
	return "", false
}

// loggerOf returns the logging name a sink's logger object writes to.
func (a *analysis) loggerOf(obj *source.Node) (string, bool) {
	switch obj.Type() {
	case "identifier":
		if a.text(obj) == "logging" {
			return "", true
		}
		name, ok := a.loggerNames[a.text(obj)]
		return name, ok
	case "call":
		return a.loggingName(obj)
	}
	return "", false
}

// filterClass exports a class that is a logging filter which redacts:
// it has a filter(self, record) method, and its name or that method says
// redact, mask, scrub, sanitize or the like.
func (a *analysis) filterClass(class *source.Node) {
	body := class.ChildByFieldName("body")
	if body == nil {
		return
	}
	for i := 0; i < int(body.NamedChildCount()); i++ {
		fn := pysrc.Unwrap(body.NamedChild(i))
		if fn == nil || fn.Type() != "function_definition" || a.text(fn.ChildByFieldName("name")) != "filter" {
			continue
		}
		name := a.text(class.ChildByFieldName("name"))
		if sanitizerName.MatchString(name) || sanitizerName.MatchString(a.text(fn.ChildByFieldName("body"))) {
			a.pass.Export(analyzers.Fact{Kind: factFilterClass, Key: a.module + "." + name,
				Location: a.pass.Location(class.ChildByFieldName("name"), "redacting filter")})
		}
		return
	}
}

// loggingConfig exports the filters, handlers and loggers of a LOGGING
// setting (or a dictConfig argument) written as a dictionary literal.
func (a *analysis) loggingConfig(dict *source.Node) {
	cfg := a.literal(dict)
	export := func(kind, key string, values []string, at *source.Node) {
		a.pass.Export(analyzers.Fact{Kind: kind, Key: key, Values: values, Location: a.pass.Location(at, "LOGGING")})
	}
	filters := cfg.dict("filters").entries
	for _, name := range sortedKeys(filters) {
		if class := filters[name].str("()"); class != "" {
			export(factFilter, name, []string{class}, filters[name].node)
		}
	}
	handlers := cfg.dict("handlers").entries
	for _, name := range sortedKeys(handlers) {
		export(factHandler, name, handlers[name].strs("filters"), handlers[name].node)
	}
	loggers := cfg.dict("loggers").entries
	if root, ok := cfg.entries["root"]; ok {
		loggers = withEntry(loggers, "", root)
	}
	for _, name := range sortedKeys(loggers) {
		l := loggers[name]
		var values []string
		for _, h := range l.strs("handlers") {
			values = append(values, "handler:"+h)
		}
		for _, f := range l.strs("filters") {
			values = append(values, "filter:"+f)
		}
		if p, ok := l.entries["propagate"]; ok && p.scalar == "False" {
			values = append(values, "propagate:false")
		}
		export(factLogger, name, values, l.node)
	}
}

// finish drops the findings written to a logger whose every output passes
// a redacting filter, according to the repository's LOGGING setting.
func finish(sum *analyzers.Summary) error {
	cfg := newLogConfig(sum.Facts)
	for i, fd := range sum.Findings {
		if name, ok := fd.Data[dataLogger]; ok && cfg.redacted(name) {
			sum.Drop(i)
		}
	}
	return nil
}

// logConfig is the repository's logging configuration, from facts.
type logConfig struct {
	redacting map[string]bool     // class paths of redacting filters
	filters   map[string]string   // filter name → class path
	handlers  map[string][]string // handler name → filter names
	loggers   map[string][]string // logger name → values
}

func newLogConfig(facts []analyzers.Fact) *logConfig {
	c := &logConfig{redacting: map[string]bool{}, filters: map[string]string{},
		handlers: map[string][]string{}, loggers: map[string][]string{}}
	for _, f := range facts {
		switch f.Kind {
		case factFilterClass:
			c.redacting[f.Key] = true
		case factFilter:
			c.filters[f.Key] = f.Values[0]
		case factHandler:
			c.handlers[f.Key] = f.Values
		case factLogger:
			c.loggers[f.Key] = f.Values
		}
	}
	return c
}

// redacting reports whether the named filter redacts: its class is a
// redacting filter of the repository, or its name says so.
func (c *logConfig) redactingFilter(name string) bool {
	class, ok := c.filters[name]
	return ok && (c.redacting[class] || sanitizerName.MatchString(path.Ext(class)))
}

// redacted reports whether every record written to logger name is
// redacted: a redacting filter on the logger itself, or on every handler
// the record reaches (the logger's and its ancestors', while they
// propagate), of which there is at least one.
func (c *logConfig) redacted(name string) bool {
	for _, v := range c.loggers[name] {
		if f, ok := strings.CutPrefix(v, "filter:"); ok && c.redactingFilter(f) {
			return true
		}
	}
	reached := 0
	for n := name; ; n = parent(n) {
		values, configured := c.loggers[n]
		for _, v := range values {
			h, ok := strings.CutPrefix(v, "handler:")
			if !ok {
				continue
			}
			reached++
			if !c.handlerRedacts(h) {
				return false
			}
		}
		if n == "" || configured && hasValue(values, "propagate:false") {
			break
		}
	}
	return reached > 0
}

func (c *logConfig) handlerRedacts(h string) bool {
	for _, f := range c.handlers[h] {
		if c.redactingFilter(f) {
			return true
		}
	}
	return false
}

// parent returns a logging name's parent ("a.b" → "a", "a" → "" the root).
func parent(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}

func hasValue(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
