package logging

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// What logging tells the Python model besides its loggers (which the
// model knows, pysrc.LogSinks): what makes a module worth modelling for
// this family (a request, an HTTP client, a logging configuration or a
// logging filter's method), LOGGING literals, and the names that
// sanitize.

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name:        "logging",
		Prefilter:   prefilter,
		Settings:    []string{"sanitizers"},
		ConfigCalls: []string{"dictConfig"},
		Clean:       sanitizer,
	})
}

// prefilter lists what a module worth modelling for logging contains
// besides a log call: a request, an HTTP client, a logging configuration
// or a logging filter's method. Not a formatter's: "def format(" let in
// modules (date and number formats) whose imports cost Django 7% more
// parsing; a formatter is known by its name, or by its format method when
// the model reads its module for another reason.
var prefilter = []string{"request", "httpx", "urllib3", "LOGGING", "dictConfig", "def filter("}

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
