package driver

import (
	"reflect"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

func TestDisable(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": "leak(1)\n", "b.c": "void f(void) { leak(1); }\n"})
	run := func(disable ...string) ([]string, []string, int) {
		res, err := Run(Config{Analyzers: testanalyzers.All, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Disable: disable})
		if err != nil {
			t.Fatal(err)
		}
		findings, _ := summary(res)
		var rules []string
		for _, r := range res.Rules {
			rules = append(rules, r.ID)
		}
		return findings, rules, res.FilesParsed
	}
	findings, rules, parsed := run("test/cleak")
	if !reflect.DeepEqual(findings, []string{"a.py:1:1 test/leak"}) || parsed != 1 {
		t.Errorf("test/cleak disabled: findings %q, %d files parsed (the C analyzer must not run)", findings, parsed)
	}
	if !reflect.DeepEqual(rules, []string{"test/declared", "test/leak", "test/panic"}) {
		t.Errorf("test/cleak disabled: rules %q", rules)
	}
	if findings, rules, parsed := run("test"); len(findings)+len(rules)+parsed != 0 {
		t.Errorf("family disabled: findings %q, rules %q, %d files parsed", findings, rules, parsed)
	}
	if findings, _, _ := run(); len(findings) != 2 {
		t.Errorf("nothing disabled: findings %q", findings)
	}
}

func TestDisabled(t *testing.T) {
	for _, tc := range []struct {
		list []string
		id   string
		want bool
	}{
		{[]string{"test/leak"}, "test/leak", true},
		{[]string{"test"}, "test/leak", true},
		{[]string{"test/leak"}, "test/leaky", false},
		{[]string{"tes"}, "test/leak", false},
		{nil, "test/leak", false},
	} {
		if got := Disabled(tc.list, tc.id); got != tc.want {
			t.Errorf("Disabled(%q, %s) = %v", tc.list, tc.id, got)
		}
	}
}
