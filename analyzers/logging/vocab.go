package logging

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What logging tells the Python model: loggers (the logging module's,
// LoggerAdapter, structlog's and loguru's, bound loggers carrying their
// fields), the calls that write to them or to stdout, and the names that
// sanitize.

// objLogger is the kind of logger objects; a logger's Key is its logging
// name, when Named.
const objLogger = "logging.logger"

// sinkLog and sinkPrint are the kinds of this family's sinks.
const (
	sinkLog   = "log"
	sinkPrint = "print"
)

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name:        "logging",
		Prefilter:   prefilter,
		Settings:    []string{"sanitizers", "loggers"},
		ConfigCalls: []string{"dictConfig"},
		Objects:     []*pysrc.ObjectKind{{Name: objLogger}},
		Globals:     map[string]string{"loguru.logger": objLogger},
		Class:       loggerClass,
		Call:        loggerCall,
		Sink:        sink,
		Candidate:   candidate,
		Clean:       sanitizer,
	})
}

// prefilter lists what a module worth modelling for logging contains: a
// call that may write a record, a request, an HTTP client, a logging
// configuration or a logging filter's method.
var prefilter = []string{
	".debug(", ".info(", ".warning(", ".warn(", ".error(", ".exception(", ".critical(", ".fatal(",
	".log(", ".msg(", ".success(", ".trace(", "print(", "sys.std",
	"request", "httpx", "urllib3", "LOGGING", "dictConfig", "def filter(",
}

// loggerClass makes the repository's subclasses of logging's loggers loggers.
func loggerClass(name string) string {
	switch name {
	case "logging.Logger", "logging.LoggerAdapter":
		return objLogger
	}
	return ""
}

// loggerCall knows the calls that return loggers: factories, adapters,
// and a logger's bind (whose fields it carries to every record).
func loggerCall(c *pysrc.CallSite) ([]pysrc.Datum, bool) {
	if r, ok := c.RecvKind(objLogger); ok {
		switch c.Method() {
		case "bind", "new", "opt", "getChild", "patch", "contextualize":
			out := r
			out.Carried = append([]pysrc.Datum(nil), r.Carried...)
			for i := range c.NumArgs() {
				if c.Arg(i).Keyword != "" {
					out.Carried = append(out.Carried, c.ArgData(i)...)
				}
			}
			if c.Method() == "getChild" && r.Named {
				if i := c.Positional(0); i >= 0 && c.Arg(i).Literal {
					out.Key = r.Key + "." + c.Arg(i).Lit
				}
			}
			return []pysrc.Datum{out}, true
		}
		return nil, false
	}
	for _, name := range c.Callees() {
		switch name {
		case "logging.getLogger", "getLogger", "logging.root":
			d := pysrc.Datum{Tag: pysrc.TagObject, Kind: objLogger}
			d.Key, d.Named = loggingName(c)
			return []pysrc.Datum{d}, true
		case "logging.LoggerAdapter", "LoggerAdapter":
			d := pysrc.Datum{Tag: pysrc.TagObject, Kind: objLogger}
			if i := c.Positional(0); i >= 0 {
				for _, w := range c.ArgData(i) {
					if w.Kind == objLogger && w.Named {
						d.Key, d.Named = w.Key, true
					}
				}
			}
			return []pysrc.Datum{d}, true
		case "structlog.get_logger", "structlog.getLogger", "structlog.wrap_logger", "get_logger":
			return []pysrc.Datum{{Tag: pysrc.TagObject, Kind: objLogger}}, true
		}
	}
	return nil, false
}

// loggingName returns the logging name a getLogger call creates: its
// string argument, the module's name for __name__, the root for none.
func loggingName(c *pysrc.CallSite) (string, bool) {
	i := c.Positional(0)
	if i < 0 {
		return "", c.NumArgs() == 0
	}
	switch a := c.Arg(i); {
	case a.Name == "__name__":
		return c.Module(), true
	case a.Literal:
		return a.Lit, true
	}
	return "", false
}

// sink recognizes the calls that write a record: a log method of a
// logger (or of a name that is a logger by convention or setting), print,
// and writes to sys.stdout and sys.stderr.
func sink(c *pysrc.CallSite) (pysrc.Sink, bool) {
	for _, name := range c.Callees() {
		switch name {
		case "print":
			return pysrc.Sink{Family: "logging", Kind: sinkPrint, Uses: printUses(c)}, true
		case "sys.stdout.write", "sys.stderr.write", "sys.stdout.writelines", "sys.stderr.writelines":
			return pysrc.Sink{Family: "logging", Kind: sinkPrint, Uses: allUses(c)}, true
		}
	}
	method := c.Method()
	if !logMethods[method] {
		return pysrc.Sink{}, false
	}
	s := pysrc.Sink{Family: "logging", Kind: sinkLog}
	if r, ok := c.RecvKind(objLogger); ok {
		s.Target, s.Known, s.Carried = r.Key, r.Named, r.Carried
	} else if !loggerRecv(c) {
		return pysrc.Sink{}, false
	}
	s.Uses = logUses(c, method == "log")
	return s, true
}

// candidate reports whether a call may be a sink: a log method (not of
// the warnings module, nor Django's messages framework), print, a write
// to sys.stdout or sys.stderr.
func candidate(name, method string) bool {
	switch recv := strings.TrimSuffix(name, "."+method); {
	case name == "print":
		return true
	case method == "write" || method == "writelines":
		return strings.HasSuffix(recv, "stdout") || strings.HasSuffix(recv, "stderr")
	case recv == "warnings" || recv == "messages":
		return false
	}
	return logMethods[method]
}

// loggerRecv reports whether the receiver of a log method is a logger
// though it did not resolve to one: the logging or structlog module, or a
// name that says logger (log, logger, audit_log…) or that the loggers
// setting lists, unless it is an object of the repository that defines
// the method.
func loggerRecv(c *pysrc.CallSite) bool {
	for _, d := range c.Recv {
		switch {
		case d.Tag == pysrc.TagExt && (d.Name == "logging" || d.Name == "structlog"):
			return true
		case d.Tag == pysrc.TagObject && d.Class != nil || d.Tag == pysrc.TagModule || d.Tag == pysrc.TagClass:
			return false
		}
	}
	recv := strings.TrimSuffix(c.Name(), "."+c.Method())
	if recv == "" {
		return false
	}
	last := recv[strings.LastIndexByte(recv, '.')+1:]
	loggers := c.Settings()["loggers"]
	for _, l := range loggers {
		if l == recv || l == last {
			return true
		}
	}
	return loggerName(last)
}

// logUses says which arguments of a log call write data: not logger.log's
// level, not exc_info and the like; arguments formatted with %r (or %d)
// by a literal format string are escaped.
func logUses(c *pysrc.CallSite, level bool) []pysrc.Use {
	uses := make([]pysrc.Use, c.NumArgs())
	skip := 0
	if level {
		skip = 1
	}
	var convs []byte
	pos := 0
	for i := range uses {
		a := c.Arg(i)
		if a.Keyword != "" {
			if !nonSinkKeywords[a.Keyword] {
				uses[i] = pysrc.UseData
			}
			continue
		}
		pos++
		switch n := pos - skip - 2; {
		case pos <= skip:
			continue
		case pos == skip+1 && a.Literal:
			convs = conversions(a.Lit)
		case n >= 0 && n < len(convs) && convs[n] != 's':
			uses[i] = pysrc.UseEscaped
			continue
		}
		uses[i] = pysrc.UseData
	}
	return uses
}

// printUses: print writes its positional arguments.
func printUses(c *pysrc.CallSite) []pysrc.Use {
	uses := make([]pysrc.Use, c.NumArgs())
	for i := range uses {
		if c.Arg(i).Keyword == "" || c.Arg(i).Keyword == "*" {
			uses[i] = pysrc.UseData
		}
	}
	return uses
}

func allUses(c *pysrc.CallSite) []pysrc.Use {
	uses := make([]pysrc.Use, c.NumArgs())
	for i := range uses {
		uses[i] = pysrc.UseData
	}
	return uses
}

// sanitizer reports whether a callee redacts: its name says so, or the
// sanitizers setting lists it.
func sanitizer(name string, settings analyzers.Settings) bool {
	if sanitizerName(lastName(name)) {
		return true
	}
	for _, s := range settings["sanitizers"] {
		if s == name {
			return true
		}
	}
	return false
}

// lastName returns the last component of a dotted name.
func lastName(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }

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
