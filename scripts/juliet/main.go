// Command juliet scores residue's cmem rules on the NIST Juliet C suite's
// CWE-457 cases (use of uninitialized variables): it scans a checkout of
// the suite with residue, as a new user would (no configuration), and
// prints, per data type and per flow variant, how many cases were found
// and how many have a good function flagged.
//
// A case is the files of one test (CWE457_..._int_63a.c and _63b.c). It is
// found when a cmem finding lies in one of its bad functions (bad,
// badSink); a good function (good1, goodG2B, goodB2GSink, …) with a
// finding is a false positive. C++ cases are not counted.
//
//	go run ./scripts/juliet [-residue bin/residue] [-paths 457|all] SUITE
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
)

const cwe = "CWE457_Use_of_Uninitialized_Variable"

// caseName splits a test file's name into its data type and flow variant.
var caseName = regexp.MustCompile(`^` + cwe + `__(.+)_(\d\d)[a-e]?\.c$`)

type result struct {
	found bool
	goods map[string]bool
}

func main() {
	residue := flag.String("residue", "bin/residue", "the residue binary")
	paths := flag.String("paths", "457", "what to scan: 457 (the CWE-457 cases and testcasesupport) or all (the whole suite)")
	findings := flag.String("findings", "", "also write the cmem findings on CWE-457 cases to this file, one per line")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: juliet [-residue bin/residue] [-paths 457|all] SUITE")
		os.Exit(2)
	}
	suite := flag.Arg(0)
	cases, err := listCases(suite)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	args := []string{"scan", "--format", "json", "--exit-zero", "--quiet", "--no-cache", suite}
	if *paths != "all" {
		// the suite is the repository; the other CWEs are left out of it
		dirs, err := os.ReadDir(filepath.Join(suite, "testcases"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for _, d := range dirs {
			if d.IsDir() && d.Name() != cwe {
				args = append(args, "--exclude", "testcases/"+d.Name()+"/**")
			}
		}
	}
	cmd := exec.Command(*residue, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "residue:", err)
		os.Exit(2)
	}
	var report struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Message  string `json:"message"`
			Function string `json:"function"`
			Location struct {
				Path      string `json:"path"`
				StartLine int    `json:"startLine"`
			} `json:"location"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		fmt.Fprintln(os.Stderr, "residue output:", err)
		os.Exit(2)
	}
	var lines []string
	for _, f := range report.Findings {
		if !strings.HasPrefix(f.Rule, "cmem/") {
			continue
		}
		m := caseName.FindStringSubmatch(filepath.Base(f.Location.Path))
		if m == nil {
			continue
		}
		r := cases[m[1]+"_"+m[2]]
		if r == nil {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s:%d: %s [%s] %s", f.Location.Path, f.Location.StartLine, f.Rule, f.Function, f.Message))
		fn := f.Function
		if i := strings.LastIndex(fn, "_"); i >= 0 && strings.HasPrefix(fn, cwe) {
			fn = fn[i+1:]
		}
		switch {
		case strings.HasPrefix(fn, "bad"):
			r.found = true
		case strings.HasPrefix(fn, "good"):
			r.goods[f.Function] = true
		}
	}
	if *findings != "" {
		if err := os.WriteFile(*findings, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	printTable(cases)
}

// listCases finds the C cases of CWE-457 in the suite, by type_variant.
func listCases(suite string) (map[string]*result, error) {
	cases := map[string]*result{}
	err := filepath.WalkDir(filepath.Join(suite, "testcases", cwe), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if m := caseName.FindStringSubmatch(d.Name()); m != nil {
			cases[m[1]+"_"+m[2]] = &result{goods: map[string]bool{}}
		}
		return nil
	})
	if len(cases) == 0 && err == nil {
		err = fmt.Errorf("no CWE-457 C cases under %s", suite)
	}
	return cases, err
}

// A tally counts cases, found cases, cases with a good function flagged
// and the good functions flagged.
type tally struct{ cases, found, falsePos, goodFns int }

func (t *tally) add(r *result) {
	t.cases++
	if r.found {
		t.found++
	}
	if len(r.goods) > 0 {
		t.falsePos++
	}
	t.goodFns += len(r.goods)
}

func printTable(cases map[string]*result) {
	byType, byVariant := map[string]*tally{}, map[string]*tally{}
	var total, partial tally
	for key, r := range cases {
		i := strings.LastIndex(key, "_")
		typ, variant := key[:i], key[i+1:]
		for _, m := range []struct {
			tab map[string]*tally
			k   string
		}{{byType, typ}, {byVariant, variant}} {
			if m.tab[m.k] == nil {
				m.tab[m.k] = &tally{}
			}
			m.tab[m.k].add(r)
		}
		total.add(r)
		if strings.Contains(typ, "partial_init") {
			partial.add(r)
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	section := func(title string, tab map[string]*tally) {
		fmt.Fprintf(w, "%s\tcases\tfound\tgood flagged (cases)\tgood functions flagged\t\n", title)
		keys := make([]string, 0, len(tab))
		for k := range tab {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t := tab[k]
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t\n", k, t.cases, t.found, t.falsePos, t.goodFns)
		}
		fmt.Fprintf(w, "\t\t\t\t\t\n")
	}
	section("data type", byType)
	section("flow variant", byVariant)
	fmt.Fprintf(w, "partial_init\t%d\t%d\t%d\t%d\t\n", partial.cases, partial.found, partial.falsePos, partial.goodFns)
	fmt.Fprintf(w, "total\t%d\t%d\t%d\t%d\t\n", total.cases, total.found, total.falsePos, total.goodFns)
	w.Flush()
}
