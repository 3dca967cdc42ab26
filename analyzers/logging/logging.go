// Package logging finds request and response data written to logs
// unsanitized: an intra-procedural taint analysis of Django views,
// middleware and DRF methods, from request attributes (body, forms,
// headers, cookies, session, META) and responses to logger calls, print
// and sys.stdout/stderr writes.
package logging

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// The rule ids this analyzer reports.
const (
	ruleSecrets   = "logging/request-secrets"
	ruleBody      = "logging/request-body"
	ruleResponse  = "logging/response-body"
	ruleInjection = "logging/log-injection"
	rulePrint     = "logging/print-request-data"
)

// Analyzer is the logging analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "logging",
	Doc:       "request and response data written to logs unsanitized (CWE-532, CWE-117)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleSecrets, ruleBody, ruleResponse, ruleInjection, rulePrint},
	Prefilter: []string{"log", "LOG", "print", "stdout", "stderr", "Filter"},
	// Files outside the scanned paths are read for the LOGGING setting and
	// for redacting logging.Filter classes.
	FactPrefilter: []string{"LOGGING", "dictConfig", "Filter"},
	Queries: map[source.Language]string{
		source.Python: "(function_definition) @function\n" +
			"(expression_statement (assignment left: (_) @target right: (call) @factory))\n" +
			"(class_definition name: (identifier) @class) @classdef\n" +
			"(expression_statement (assignment left: (identifier) @setting right: (dictionary) @config) (#match? @setting \"^LOGGING\"))\n" +
			"(call function: [(identifier) (attribute)] @dictconfig arguments: (argument_list . (dictionary) @config) (#match? @dictconfig \"dictConfig$\"))",
	},
	SettingKeys: map[string]string{
		"sanitizers": "extra function names (or dotted names) that redact data before it is logged",
		"loggers":    "extra variable or attribute names that hold loggers",
	},
	ValidateSetting: func(_, value string) error { return pysrc.ValidateDottedName(value) },

	Run:    run,
	Finish: finish,
}

func run(pass *analyzers.Pass) error {
	a := newAnalysis(pass)
	for _, m := range pass.Matches {
		switch {
		case m.Node("function") != nil:
			a.function(m.Node("function"))
		case m.Node("classdef") != nil:
			a.filterClass(m.Node("classdef"))
		case m.Node("config") != nil:
			a.loggingConfig(m.Node("config"))
		}
	}
	return nil
}
