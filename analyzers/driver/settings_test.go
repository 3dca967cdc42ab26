package driver

import (
	"errors"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

// TestSettingsAreValidated stops a run whose settings an analyzer's
// ValidateSetting rejects, before any file is read.
func TestSettingsAreValidated(t *testing.T) {
	checked := *testanalyzers.Leak
	checked.SettingKeys = map[string]string{"names": "names"}
	checked.ValidateSetting = func(key, value string) error {
		if strings.Contains(value, " ") {
			return errors.New("a name has no blanks")
		}
		return nil
	}
	dir := writeTree(t, map[string]string{"a.py": "leak(1)\n"})
	cfg := Config{Analyzers: []*analyzers.Analyzer{&checked}, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir,
		Settings: map[string]analyzers.Settings{"testleak": {"names": {"ok", "not ok"}}}}
	if _, err := Run(cfg); err == nil || err.Error() != "analyzer testleak: setting names: a name has no blanks" {
		t.Errorf("err = %v", err)
	}
	cfg.Settings["testleak"]["names"] = []string{"ok"}
	if res, err := Run(cfg); err != nil || len(res.Findings) != 1 {
		t.Errorf("good settings: %v %v", res, err)
	}
}
