package logging

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// dataLogger is the Finding.Data key of the logging name a finding's
// record is written to; dataExtraOnly is set when the data is written
// only as extra= fields, which a formatter may not print.
const (
	dataLogger    = "logger"
	dataExtraOnly = "extra-only"
)

// finish drops the findings written to a logger whose every output passes
// a redacting filter, and the log-injection findings of one whose every
// output is formatted as JSON (which escapes CR and LF) or, for data
// written only as extra= fields, with a format string that names none,
// according to the repository's LOGGING setting (or a dictConfig call's
// literal).
func finish(sum *analyzers.Summary) error {
	prog, _ := sum.Model(pysrc.Model).(*pysrc.Program)
	if prog == nil {
		return nil
	}
	cfg := newLogConfig(prog)
	for i, fd := range sum.Findings {
		name, ok := fd.Data[dataLogger]
		switch {
		case !ok:
		case cfg.redacted(name), fd.RuleID == ruleInjection && cfg.escaped(name),
			fd.RuleID == ruleInjection && fd.Data[dataExtraOnly] != "" && cfg.extrasHidden(name):
			sum.Drop(i)
		}
	}
	return nil
}

// logConfig is the repository's logging configuration.
type logConfig struct {
	redacting map[string]bool         // class paths of redacting filters
	filters   map[string]string       // filter name → class path
	handlers  map[string][]string     // handler name → filter names
	loggers   map[string]loggerConfig // logger name → its configuration
	// jsonFormatting are the class paths of the repository's formatters
	// whose format method dumps JSON; formatters maps a formatter's name to
	// its class path, formatting a handler's name to its formatter's.
	jsonFormatting map[string]bool
	formatters     map[string]string
	formatting     map[string]string
	// plainFormats are the formatters whose format string names only a
	// record's own attributes (none an extra= field writes).
	plainFormats map[string]bool
}

type loggerConfig struct {
	handlers, filters []string
	noPropagate       bool
}

func newLogConfig(prog *pysrc.Program) *logConfig {
	c := &logConfig{redacting: map[string]bool{}, filters: map[string]string{},
		handlers: map[string][]string{}, loggers: map[string]loggerConfig{},
		jsonFormatting: map[string]bool{}, formatters: map[string]string{}, formatting: map[string]string{}, plainFormats: map[string]bool{}}
	prog.Classes(func(ci pysrc.ClassInfo) {
		if calls, ok := ci.Calls("filter"); ok && redacts(ci.Name, calls) {
			c.redacting[ci.Name] = true
		}
		// Its format dumps JSON, and does not format the record as text
		// too (super().format), which a JSON dump of extra fields may follow.
		if calls, ok := ci.Calls("format"); ok && slices.ContainsFunc(calls, func(c string) bool { return lastName(c) == "dumps" }) &&
			!slices.ContainsFunc(calls, func(c string) bool { return lastName(c) == "format" }) {
			c.jsonFormatting[ci.Name] = true
		}
	})
	for _, name := range []string{"LOGGING", "dictConfig"} {
		for _, s := range prog.Settings(name) {
			c.add(&s.Value)
		}
	}
	return c
}

// redacts reports whether a logging filter class redacts: its name, or a
// call its filter method makes, says redact, mask, scrub, sanitize or
// the like.
func redacts(class string, calls []string) bool {
	if sanitizerName(lastName(class)) {
		return true
	}
	for _, c := range calls {
		if sanitizerName(c) {
			return true
		}
	}
	return false
}

// add reads one LOGGING dictionary.
func (c *logConfig) add(cfg *pysrc.Literal) {
	entries := func(l *pysrc.Literal, key string) ([]string, []pysrc.Literal) {
		if d, ok := l.Get(key); ok && d.Kind == pysrc.LitDict {
			return d.Keys, d.Items
		}
		return nil, nil
	}
	strs := func(l *pysrc.Literal, key string) []string {
		if v, ok := l.Get(key); ok {
			return v.Strings()
		}
		return nil
	}
	names, items := entries(cfg, "filters")
	for i, name := range names {
		if class, ok := items[i].Get("()"); ok && class.Kind == pysrc.LitString {
			c.filters[name] = class.Text
		}
	}
	names, items = entries(cfg, "formatters")
	for i, name := range names {
		class := ""
		for _, key := range []string{"()", "class"} {
			if v, ok := items[i].Get(key); ok && v.Kind == pysrc.LitString {
				class = v.Text
			}
		}
		setOnce(c.formatters, name, class)
		if f, ok := items[i].Get("format"); ok && f.Kind == pysrc.LitString && (class == "" || class == "logging.Formatter") {
			c.plainFormats[name] = recordFieldsOnly(f.Text)
		}
	}
	names, items = entries(cfg, "handlers")
	for i, name := range names {
		c.handlers[name] = strs(&items[i], "filters")
		formatter := ""
		if v, ok := items[i].Get("formatter"); ok && v.Kind == pysrc.LitString {
			formatter = v.Text
		}
		setOnce(c.formatting, name, formatter)
	}
	names, items = entries(cfg, "loggers")
	if root, ok := cfg.Get("root"); ok {
		names, items = append([]string{""}, names...), append([]pysrc.Literal{*root}, items...)
	}
	for i, name := range names {
		l := &items[i]
		lc := loggerConfig{handlers: strs(l, "handlers"), filters: strs(l, "filters")}
		if p, ok := l.Get("propagate"); ok && p.Text == "False" {
			lc.noPropagate = true
		}
		c.loggers[name] = lc
	}
}

// setOnce sets m[key] to value, or to "" (unknown) when another LOGGING
// (another settings module) gave it another value.
func setOnce(m map[string]string, key, value string) {
	if prev, seen := m[key]; seen && prev != value {
		value = ""
	}
	m[key] = value
}

// redactingFilter reports whether the named filter redacts: its class is a
// redacting filter of the repository, or its name says so.
func (c *logConfig) redactingFilter(name string) bool {
	class, ok := c.filters[name]
	return ok && (c.redacting[class] || sanitizerName(path.Ext(class)))
}

// redacted reports whether every record written to logger name is
// redacted: a redacting filter on the logger itself, or on every handler
// the record reaches.
func (c *logConfig) redacted(name string) bool {
	for _, f := range c.loggers[name].filters {
		if c.redactingFilter(f) {
			return true
		}
	}
	return c.everyHandler(name, c.handlerRedacts)
}

// escaped reports whether every handler a record written to logger name
// reaches formats it as JSON, which escapes CR and LF: a formatter whose
// class is named so (pythonjsonlogger's JsonFormatter, a JSONFormatter)
// or the repository's class whose format method dumps JSON.
func (c *logConfig) escaped(name string) bool {
	return c.everyHandler(name, func(h string) bool {
		class := c.formatters[c.formatting[h]]
		return class != "" && (c.jsonFormatting[class] || strings.Contains(strings.ToLower(lastName(class)), "json"))
	})
}

// extrasHidden reports whether no handler a record written to logger name
// reaches writes its extra= fields: each formats it with the default
// format or a format string of the record's own attributes.
func (c *logConfig) extrasHidden(name string) bool {
	return c.everyHandler(name, func(h string) bool {
		f, ok := c.formatting[h]
		return ok && (f == "" && c.handlerKnown(h) || c.plainFormats[f])
	})
}

// handlerKnown reports whether the configuration defines handler h.
func (c *logConfig) handlerKnown(h string) bool {
	_, ok := c.handlers[h]
	return ok
}

// recordAttributes are the attributes of a logging.LogRecord a format
// string may name.
var recordAttributes = map[string]bool{
	"name": true, "msg": true, "args": true, "levelname": true, "levelno": true, "pathname": true,
	"filename": true, "module": true, "exc_info": true, "exc_text": true, "stack_info": true, "lineno": true,
	"funcName": true, "created": true, "msecs": true, "relativeCreated": true, "thread": true,
	"threadName": true, "processName": true, "process": true, "message": true, "asctime": true, "taskName": true,
}

// recordFieldsOnly reports whether a format string (%, { or $ style) names
// only recordAttributes.
func recordFieldsOnly(format string) bool {
	for _, m := range formatField.FindAllStringSubmatch(format, -1) {
		name := m[1] + m[2] + m[3] + m[4]
		if !recordAttributes[name] {
			return false
		}
	}
	return true
}

// formatField matches a field of a logging format string: %(name)s,
// {name} or {name:…}, $name or ${name}.
var formatField = regexp.MustCompile(`%\(([A-Za-z_]\w*)\)|\{([A-Za-z_]\w*)[^{}]*\}|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)`)

// everyHandler reports whether ok holds for every handler a record written
// to logger name reaches (the logger's and its ancestors', while they
// propagate), of which there is at least one. A name that only starts with
// a known one ("app.*") is a child of it that no configuration names,
// unless the configuration names a child of it, which it may be.
func (c *logConfig) everyHandler(name string, ok func(handler string) bool) bool {
	if i := strings.Index(name, "."+pysrc.ChildOfAny); i >= 0 {
		base := name[:i] // app of app.*, and of app.*.sub
		for configured := range c.loggers {
			if strings.HasPrefix(configured, base+".") {
				return false
			}
		}
		name = base
	}
	reached := 0
	for n := name; ; n = parent(n) {
		lc, configured := c.loggers[n]
		for _, h := range lc.handlers {
			reached++
			if !ok(h) {
				return false
			}
		}
		if n == "" || configured && lc.noPropagate {
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
