package analyzers_test

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

const module = "github.com/residue-sec/residue"

// notFamilies are the packages the registry imports that are no family.
var notFamilies = map[string]bool{"analyzers": true, "rule": true}

// familiesOf returns the analyzer packages, by name under analyzers/: what
// the registry, analyzers/all, imports besides the contract and the rule
// model. Only the registry may import them.
func familiesOf(pkgs []*packages.Package) map[string]bool {
	families := map[string]bool{}
	for _, p := range pkgs {
		if p.PkgPath != module+"/analyzers/all" {
			continue
		}
		for imp := range p.Imports {
			if name, ok := strings.CutPrefix(imp, module+"/analyzers/"); ok && !notFamilies[name] {
				families[name] = true
			}
		}
	}
	return families
}

// TestLayering keeps the import arrows pointing one way: families never
// import families, only the registry imports a family, only source and
// tsquery import the tree-sitter binding, only report imports go-sarif.
func TestLayering(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedImports, Dir: ".."}, "./...")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("loaded only %d packages", len(pkgs))
	}
	families := familiesOf(pkgs)
	for _, want := range []string{"cmem", "crosslang", "ctypes", "logging", "mtls", "query"} {
		if !families[want] {
			t.Fatalf("the registry does not import %s: families %v", want, families)
		}
	}
	for _, p := range pkgs {
		for imp := range p.Imports {
			if msg := violation(p.PkgPath, imp, families); msg != "" {
				t.Errorf("%s imports %s: %s", p.PkgPath, imp, msg)
			}
		}
	}
}

func violation(pkg, imp string, families map[string]bool) string {
	rel := strings.TrimPrefix(pkg, module+"/")
	switch {
	case strings.HasPrefix(imp, "github.com/smacker/go-tree-sitter") &&
		rel != "analyzers/source" && rel != "analyzers/tsquery":
		return "only analyzers/source and analyzers/tsquery may use the binding"
	case strings.HasPrefix(imp, "github.com/owenrumney/go-sarif") && rel != "analyzers/report":
		return "only analyzers/report may import go-sarif"
	case rel == "analyzers/filter" && imp == module+"/analyzers/report":
		return "filter decides which findings are reported; it does not read or write reports"
	case isFamily(imp, families) && rel != "analyzers/all" && !strings.HasPrefix(pkg, imp):
		return "only the registry (analyzers/all) imports analyzer families"
	}
	return ""
}

func isFamily(imp string, families map[string]bool) bool {
	rest, ok := strings.CutPrefix(imp, module+"/analyzers/")
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(rest, "/")
	return families[name]
}

func TestViolation(t *testing.T) {
	cases := map[[2]string]bool{
		{module + "/analyzers/ctypes", module + "/analyzers/cmem"}:             true,
		{module + "/analyzers/all", module + "/analyzers/cmem"}:                false,
		{module + "/cmd/residue", module + "/analyzers/logging"}:               true,
		{module + "/analyzers/driver", "github.com/smacker/go-tree-sitter"}:    true,
		{module + "/analyzers/source", "github.com/smacker/go-tree-sitter/c"}:  false,
		{module + "/analyzers/driver", "github.com/owenrumney/go-sarif/v2/sa"}: true,
	}
	families := map[string]bool{"cmem": true, "ctypes": true, "logging": true}
	for c, bad := range cases {
		if got := violation(c[0], c[1], families) != ""; got != bad {
			t.Errorf("violation(%s, %s) = %v, want %v", c[0], c[1], got, bad)
		}
	}
}
