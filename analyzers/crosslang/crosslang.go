// Package crosslang finds uninitialized C memory that crosses into
// Python and leaves a Django service: a C extension module's function
// returns a bytes object built from a partly written buffer (or a ctypes
// foreign function hands back such bytes), and the Python side sends
// them in an HTTP response, keeps them in Django's cache, where the next
// requests read them, or writes them to a log.
//
// It reads both repository models. The C model (csrc) says what each
// function Python calls hands back unwritten (its export summary, from
// the same analysis cmem reports from); the Python model (pysrc)
// follows the bytes from the call through assignments and the
// project's helpers to a sink. One finding is reported at the Python
// sink, with a code flow from the C declaration through the partial
// write and the return to Python.
package crosslang

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// The rule ids this analyzer reports.
const (
	// ruleResponse: the bytes are sent to the client in an HTTP response.
	ruleResponse = "crosslang/uninitialized-response"
	// ruleCache: the bytes are kept in Django's cache (cache.set, or the
	// view's response under @cache_page): later requests, other
	// clients' among them, read them.
	ruleCache = "crosslang/uninitialized-cache"
	// ruleLog: the bytes are written to a log.
	ruleLog = "crosslang/uninitialized-log"
)

// Analyzer is the crosslang analyzer.
var Analyzer = &analyzers.Analyzer{
	Name: "crosslang",
	Doc: "uninitialized C memory that native code hands to Python and Python sends in an HTTP response, " +
		"keeps in Django's cache or writes to a log (CWE-908, CWE-200, CWE-532)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleResponse, ruleCache, ruleLog},
	Uses:      []*analyzers.Model{csrc.Model, pysrc.Model},
	Check:     check,
}
