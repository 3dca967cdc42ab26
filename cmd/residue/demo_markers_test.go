package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// marker is a `BUG(family)` or `OK(family)` comment of the demo project; it
// describes the line below it.
var marker = regexp.MustCompile(`(?:#|/\*)\s*(BUG|OK|SUPPRESSED)\((\w+)\)`)

// TestDemoMarkers checks the demo project against its own annotations, for
// every family that has an analyzer: each BUG line has a finding of that
// family, and no OK or SUPPRESSED line has one.
func TestDemoMarkers(t *testing.T) {
	families := map[string]bool{}
	for _, a := range registry() {
		families[a.Name] = true
	}
	code, out, errs := residue("scan", "--format", "json", "../../testdata/demo")
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct{ Findings []analyzers.Finding }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{} // "path:line:family"
	for _, f := range doc.Findings {
		family, _, _ := strings.Cut(f.RuleID, "/")
		found[f.Location.Path+":"+strconv.Itoa(f.Location.StartLine)+":"+family] = true
	}
	checked := 0
	err := filepath.WalkDir("../../testdata/demo", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel := "testdata/demo/" + filepath.ToSlash(strings.TrimPrefix(path, "../../testdata/demo/"))
		for i, line := range strings.Split(string(data), "\n") {
			m := marker.FindStringSubmatch(line)
			if m == nil || !families[m[2]] {
				continue
			}
			checked++
			key := rel + ":" + strconv.Itoa(i+2) + ":" + m[2]
			switch {
			case m[1] == "BUG" && !found[key]:
				t.Errorf("%s:%d: BUG(%s) not found", rel, i+2, m[2])
			case m[1] != "BUG" && found[key]:
				t.Errorf("%s:%d: %s(%s) line has a finding", rel, i+2, m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(families) > 0 && checked == 0 {
		t.Error("no demo markers for the registered families")
	}
}
