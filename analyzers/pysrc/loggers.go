package pysrc

import "strings"

// Loggers are a vocabulary of the model, shared by the families that
// judge what reaches a log (logging: request data; crosslang: native
// memory): loggers (the logging module's, LoggerAdapter, structlog's and
// loguru's, bound loggers carrying their fields), and the calls that
// write a record to them or to stdout. Their sinks are heard as LogSinks
// events.

// ObjLogger is the kind of logger objects; a logger's Key is its logging
// name, when Named.
const ObjLogger = "logging.logger"

// LogSinks is the Family of the sinks that write a log record: Check
// hands their events to any family that asks for it.
const LogSinks = "logging"

// SinkLog and SinkPrint are the kinds of log sinks: a logger's method,
// and print or a write to sys.stdout or sys.stderr.
const (
	SinkLog   = "log"
	SinkPrint = "print"
)

func init() {
	Register(&Vocabulary{
		Name:      "loggers",
		Prefilter: logPrefilter,
		Settings:  []string{"loggers"},
		Objects:   []*ObjectKind{{Name: ObjLogger}},
		Globals:   map[string]string{"loguru.logger": ObjLogger},
		Class:     loggerClass,
		Call:      loggerCall,
		Sink:      logSink,
		Candidate: logCandidate,
	})
}

// logPrefilter lists what a module that may write a record contains.
var logPrefilter = []string{
	".debug(", ".info(", ".warning(", ".warn(", ".error(", ".exception(", ".critical(", ".fatal(",
	".log(", ".msg(", ".success(", ".trace(", "print(", "sys.std", "bind_contextvars(", "bound_contextvars(",
}

// loggerClass makes the repository's subclasses of logging's loggers loggers.
func loggerClass(name string) string {
	switch name {
	case "logging.Logger", "logging.LoggerAdapter":
		return ObjLogger
	}
	return ""
}

// loggerCall knows the calls that return loggers: factories, adapters,
// and a logger's bind (whose fields it carries to every record).
func loggerCall(c *CallSite) ([]Datum, bool) {
	if r, ok := c.RecvKind(ObjLogger); ok {
		switch c.Method() {
		case "bind", "new", "opt", "getChild", "patch", "contextualize":
			out := r
			out.Carried = append([]Datum(nil), r.Carried...)
			for i := range c.NumArgs() {
				if c.Arg(i).Keyword != "" {
					out.Carried = append(out.Carried, c.ArgData(i)...)
				}
			}
			if c.Method() == "getChild" && r.Named {
				if i := c.Positional(0); i >= 0 && c.Arg(i).Literal {
					out.Key = r.Key + "." + c.Arg(i).Lit
				} else if i >= 0 {
					out.Key = r.Key + "." + ChildOfAny // a child not named here
				}
			}
			return []Datum{out}, true
		}
		return nil, false
	}
	for _, name := range c.Callees() {
		switch name {
		case "logging.getLogger", "getLogger", "logging.root":
			d := Datum{Tag: TagObject, Kind: ObjLogger}
			d.Key, d.Named = loggingName(c)
			return []Datum{d}, true
		case "logging.LoggerAdapter", "LoggerAdapter":
			d := Datum{Tag: TagObject, Kind: ObjLogger}
			if i := c.Positional(0); i >= 0 {
				for _, w := range c.ArgData(i) {
					if w.Kind == ObjLogger && w.Named {
						d.Key, d.Named = w.Key, true
					}
				}
			}
			return []Datum{d}, true
		case "structlog.get_logger", "structlog.getLogger", "structlog.wrap_logger", "get_logger":
			return []Datum{{Tag: TagObject, Kind: ObjLogger}}, true
		}
	}
	return nil, false
}

// loggingName returns the logging name a getLogger call creates: its
// string argument, the module's name for __name__, the root for none; for
// a concatenation that starts with a literal ending in a dot ("app." +
// name), the literal and "*", a child of "app" not named here
// (ChildOfAny).
func loggingName(c *CallSite) (string, bool) {
	i := c.Positional(0)
	if i < 0 {
		return "", c.NumArgs() == 0
	}
	switch a := c.Arg(i); {
	case a.Name == "__name__":
		return c.Module(), true
	case a.Literal:
		return a.Lit, true
	case len(a.Prefix) > 1 && strings.HasSuffix(a.Prefix, "."):
		return a.Prefix + ChildOfAny, true
	}
	return "", false
}

// ChildOfAny stands for the unknown rest of a logging name that only
// starts with a known one ("app.*" for "app." + name, for
// getLogger("app").getChild(name), "app.*.sub" for a child of it).
const ChildOfAny = "*"

// logSink recognizes the calls that write a record: a log method of a
// logger (or of a name that is a logger by convention or setting), print,
// and writes to sys.stdout and sys.stderr outside a test module.
func logSink(c *CallSite) (Sink, bool) {
	for _, name := range c.Callees() {
		switch name {
		case "print", "sys.stdout.write", "sys.stderr.write", "sys.stdout.writelines", "sys.stderr.writelines":
			if testModule(c.fr.f.mod.File) {
				// A test's output goes to the test runner, not to the
				// service's log pipeline.
				return Sink{}, false
			}
			if name == "print" {
				return Sink{Family: LogSinks, Kind: SinkPrint, Uses: printUses(c)}, true
			}
			return Sink{Family: LogSinks, Kind: SinkPrint, Uses: allUses(c)}, true
		case "structlog.contextvars.bind_contextvars", "structlog.contextvars.bound_contextvars":
			// Fields of every record the context logs after it.
			return Sink{Family: LogSinks, Kind: SinkLog, Uses: allUses(c)}, true
		}
	}
	method := c.Method()
	if !logMethods[method] {
		return Sink{}, false
	}
	s := Sink{Family: LogSinks, Kind: SinkLog}
	if r, ok := c.RecvKind(ObjLogger); ok {
		s.Target, s.Known, s.Carried = r.Key, r.Named, r.Carried
	} else if !loggerRecv(c) {
		return Sink{}, false
	}
	s.Uses = logUses(c, method == "log")
	return s, true
}

// logCandidate reports whether a call may be a log sink: a log method (not of
// the warnings module, nor Django's messages framework), print, a write
// to sys.stdout or sys.stderr.
func logCandidate(name, method string) bool {
	switch recv := strings.TrimSuffix(name, "."+method); {
	case name == "print", lastName(name) == "bind_contextvars", lastName(name) == "bound_contextvars":
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
func loggerRecv(c *CallSite) bool {
	for _, d := range c.Recv {
		switch {
		case d.Tag == TagExt && (d.Name == "logging" || d.Name == "structlog"):
			return true
		case d.Tag == TagObject && d.Class != nil || d.Tag == TagModule || d.Tag == TagClass:
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
// by a literal format string, and tuple and list displays, are escaped;
// those %s formats, and a message that is not a literal, are their str()
// (UseText).
func logUses(c *CallSite, level bool) []Use {
	uses := make([]Use, c.NumArgs())
	skip := 0
	if level {
		skip = 1
	}
	var convs []byte
	var named byte
	pos := 0
	for i := range uses {
		a := c.Arg(i)
		if a.Keyword != "" {
			if !nonSinkKeywords[a.Keyword] {
				uses[i] = UseData
			}
			continue
		}
		pos++
		switch n := pos - skip - 2; {
		case pos <= skip:
			continue
		case pos == skip+1 && a.Literal:
			convs = conversions(a.Lit)
			named = namedConversions(a.Lit)
		case n == 0 && named != 0 && c.NumArgs() == i+1:
			// logger.info("%(page)s", {"page": page}): the mapping's
			// values, each written as %r or by str().
			uses[i] = UseKeys
			if named == 'r' {
				uses[i] = UseEscaped
			}
			continue
		case n >= 0 && n < len(convs) && convs[n] != 's', seqDisplay(a.Value):
			// %r, %d; or a tuple or list display, which %s writes as the
			// repr of its items.
			uses[i] = UseEscaped
			continue
		case n >= 0 && n < len(convs), pos == skip+1:
			// %s, and a message that is not a literal: their str().
			uses[i] = UseText
			continue
		}
		uses[i] = UseData
	}
	return uses
}

// printUses: print writes the str() of its positional arguments.
func printUses(c *CallSite) []Use {
	uses := make([]Use, c.NumArgs())
	for i := range uses {
		switch c.Arg(i).Keyword {
		case "":
			uses[i] = UseText
		case "*":
			uses[i] = UseData
		}
	}
	return uses
}

func allUses(c *CallSite) []Use {
	uses := make([]Use, c.NumArgs())
	for i := range uses {
		uses[i] = UseData
	}
	return uses
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

// namedConversions reads the %(name)x conversions of a format: 0 for
// none, 'r' when every one is %r (or a number's), 's' otherwise.
func namedConversions(format string) byte {
	out := byte(0)
	for i := 0; i < len(format)-1; i++ {
		if format[i] != '%' {
			continue
		}
		if format[i+1] == '%' {
			i++
			continue
		}
		end := strings.IndexByte(format[i:], ')')
		if format[i+1] != '(' || end < 0 {
			return 0 // positional
		}
		j := i + end + 1
		for j < len(format) && strings.IndexByte("#0- +123456789.*hlL", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			return 0
		}
		switch format[j] {
		case 'r', 'a', 'd', 'i', 'u', 'f', 'F', 'e', 'E', 'g', 'G', 'x', 'X', 'o':
			out = max(out, 'r')
		default:
			out = 's'
		}
		i = j
	}
	return out
}

// logMethods are the calls on a logger that write a record.
var logMethods = map[string]bool{
	"debug": true, "info": true, "warning": true, "warn": true, "error": true, "exception": true,
	"critical": true, "fatal": true, "log": true, "msg": true, "success": true, "trace": true,
}

// loggerName reports whether a name is a logger's by convention: log,
// logger, audit_log, request_logger (leading underscores aside).
func loggerName(name string) bool {
	n := strings.ToLower(strings.TrimLeft(name, "_"))
	return n == "log" || strings.HasSuffix(n, "logger") || len(n) > 4 && strings.HasSuffix(n, "_log")
}

// nonSinkKeywords are logging keyword arguments that carry no message data.
var nonSinkKeywords = map[string]bool{"exc_info": true, "stack_info": true, "stacklevel": true}

// seqDisplay reports whether v is a tuple or list display.
func seqDisplay(v Value) bool {
	return len(v) == 1 && v[0].Root == RootSeq && len(v[0].Ops) == 0
}
