package driver

import (
	"errors"
	"fmt"
	"sort"

	"github.com/residue-sec/residue/analyzers"
)

// checkSettings checks every setting value with its analyzer's
// ValidateSetting, so that a bad value stops the run before any file is
// read instead of failing the analyzer on every file.
func checkSettings(as []*analyzers.Analyzer, settings map[string]analyzers.Settings) error {
	var errs []error
	for _, a := range as {
		if a.ValidateSetting == nil {
			continue
		}
		keys := make([]string, 0, len(settings[a.Name]))
		for k := range settings[a.Name] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range settings[a.Name][k] {
				if err := a.ValidateSetting(k, v); err != nil {
					errs = append(errs, fmt.Errorf("analyzer %s: setting %s: %v", a.Name, k, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}
