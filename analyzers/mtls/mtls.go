package mtls

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// The rule ids this analyzer reports.
const (
	ruleSpoofable   = "mtls/spoofable-header-identity"
	ruleUnguarded   = "mtls/unguarded-checked-header"
	ruleUnverified  = "mtls/unverified-identity"
	ruleWeakVerify  = "mtls/weak-verify-check"
	ruleDNParsing   = "mtls/dn-string-parsing"
	rulePassthrough = "mtls/middleware-passthrough"
)

// Analyzer is the mtls analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "mtls",
	Doc:       "client-certificate data from a TLS-terminating proxy trusted without verification (CWE-290, CWE-295)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleSpoofable, ruleUnguarded, ruleUnverified, ruleWeakVerify, ruleDNParsing, rulePassthrough},
	SettingKeys: map[string]string{
		"cert-headers":           "extra META keys or header names (a trailing * matches a prefix) that carry client-certificate data",
		"verify-headers":         "extra META keys or header names that carry the certificate verification status",
		"trusted-proxy-settings": "names of settings or constants that list the trusted proxies REMOTE_ADDR is checked against",
		"cert-validators":        "function names (or dotted names) that verify a client certificate or its verification status",
		"proxy-guards":           "function names (or dotted names) that check that a request came from a trusted proxy",
	},
	ValidateSetting: validateSetting,
	Uses:            []*analyzers.Model{pysrc.Model},
	// The words that start a read at a key a setting or a constant
	// names (readsNamedKey): a file without one is not read again.
	Markers: keyReadWords,
	Check:   checkFile,
	Finish:  finish,
}

// settingKeys are the analyzer's settings the model keeps for it.
var settingKeys = []string{"cert-headers", "verify-headers", "trusted-proxy-settings", "cert-validators", "proxy-guards"}

func init() {
	pysrc.Register(&pysrc.Vocabulary{
		Name: "mtls",
		// A module is modelled for mtls when it names a certificate,
		// status or user key, or lists MIDDLEWARE; the modules its
		// code calls with the request are read through the model's
		// Needs, and keys configured with settings are read wherever
		// the model reads requests.
		Prefilter: append(append([]string(nil), keyLiterals...), "MIDDLEWARE", "RemoteUser"),
		Settings:  settingKeys,
	})
}

// checkFile judges one scanned file against the Python model.
func checkFile(pass *analyzers.CheckPass) error {
	prog, _ := pass.Model(pysrc.Model).(*pysrc.Program)
	if prog == nil {
		return nil
	}
	m := prog.Module(pass.Path)
	if m == nil {
		return nil
	}
	c := newChecker(newRepo(prog, pass.Settings), m)
	// The outline holds the literals the driver found in the file, and
	// reads the file's bytes again only when they are needed.
	if !c.relevant(pass.Outline.Literals, pass.Outline.Src) {
		return nil
	}
	for _, fd := range c.run() {
		pass.Report(fd)
	}
	return nil
}

// dataLower is the Finding.Data key Check sets on a finding whose level
// Finish lowers one step (a validating middleware runs first, or every
// caller checks first): only Finish may change a level.
const dataLower = "lower"

// finish lowers the findings Check marked.
func finish(sum *analyzers.Summary) error {
	for i, fd := range sum.Findings {
		if fd.Data[dataLower] != "" {
			fd.Level = rule.Lower(fd.Level)
			sum.Update(i, fd)
		}
	}
	return nil
}
