// Package logging finds request and response data written to logs
// unsanitized (CWE-532, CWE-117). It checks each file against the Python
// model (package pysrc): data read from a request, a response or an HTTP
// client's response, followed through assignments, containers, helpers
// and methods of any module, to a logger call, print, sys.stdout and
// sys.stderr writes, or a function of the repository that hands its
// argument on to one.
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
	ruleClient    = "logging/client-response"
	ruleInjection = "logging/log-injection"
	rulePrint     = "logging/print-request-data"
)

// Analyzer is the logging analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "logging",
	Doc:       "request and response data written to logs unsanitized (CWE-532, CWE-117)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleSecrets, ruleBody, ruleResponse, ruleClient, ruleInjection, rulePrint},
	SettingKeys: map[string]string{
		"sanitizers": "extra function names (or dotted names) that redact data before it is logged",
		"loggers":    "extra variable or attribute names that hold loggers",
	},
	ValidateSetting: func(_, value string) error { return pysrc.ValidateDottedName(value) },
	Uses:            []*analyzers.Model{pysrc.Model},
	Check:           check,
	Finish:          finish,
}
