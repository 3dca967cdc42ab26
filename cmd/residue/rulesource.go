package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/all"
	"github.com/residue-sec/residue/analyzers/config"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/rule"
)

// ruleSource is where a command's rules come from: the built-in rules
// (unless --no-builtin) and each --rules directory.
type ruleSource struct {
	dirs      listFlag
	noBuiltin bool
}

// register adds --rules and --no-builtin to a command.
func (rs *ruleSource) register(c *command) {
	c.Var(&rs.dirs, "rules", "also load the rules (*.yml, *.yaml) under `DIR` (repeatable)")
	c.BoolVar(&rs.noBuiltin, "no-builtin", false, "load only the --rules directories' rules")
}

// withConfig returns the rule set as a scan with the configuration file
// cfgPath ("" for none) uses it: with the configuration's rules-dirs
// before the --rules directories, and its severities; and the
// configuration, and every rules directory read.
func (rs ruleSource) withConfig(cfgPath string) (*rule.Set, *config.Config, []string, error) {
	var file *config.File
	if cfgPath != "" {
		var err error
		if file, err = config.Read(cfgPath); err != nil {
			return nil, nil, nil, fmt.Errorf("invalid configuration:\n%w", err)
		}
		dirs, err := file.RulesDirs()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("invalid configuration:\n%w", err)
		}
		rs.dirs = append(append(listFlag{}, dirs...), rs.dirs...)
	}
	set, err := rs.load()
	if err != nil {
		return nil, nil, nil, err
	}
	cfg := &config.Config{}
	if file != nil {
		if cfg, err = file.Load(config.Known{Rules: set, Analyzers: registry()}); err != nil {
			return nil, nil, nil, fmt.Errorf("invalid configuration:\n%w", err)
		}
	}
	if set, err = cfg.ApplySeverity(set); err != nil {
		return nil, nil, nil, err
	}
	return set, cfg, rs.dirs, nil
}

// forRepository returns the rule set as a scan of the current directory
// uses it, with the nearest configuration file at or above it (rules and
// explain list what a scan reports), and the rules and families the
// configuration disables. A configuration that does not load
// is a warning on stderr, and the rules are listed without it: reading a
// rule's documentation does not need it.
func (rs ruleSource) forRepository(stderr io.Writer) (set *rule.Set, disabled []string, err error) {
	cfgPath := ""
	if root, err := driver.FindRoot("."); err == nil {
		cfgPath, _ = config.Find(".", root)
	}
	if cfgPath == "" {
		set, err = rs.load()
		return set, nil, err
	}
	set, cfg, _, err := rs.withConfig(cfgPath)
	if err != nil {
		if plain, perr := rs.load(); perr == nil {
			fmt.Fprintf(stderr, "residue: warning: %s left out: %v\n", cfgPath, err)
			return plain, nil, nil
		}
		return nil, nil, err
	}
	return set, cfg.Disable, nil
}

// load returns the rule set; every malformed rule file is an error naming
// its file, line and column.
func (rs *ruleSource) load() (*rule.Set, error) {
	var lists [][]*rule.Rule
	if !rs.noBuiltin {
		builtin, err := loadRules()
		if err != nil {
			return nil, err
		}
		lists = append(lists, builtin.All())
	} else if len(rs.dirs) == 0 {
		return nil, &usageError{"--no-builtin needs at least one --rules DIR"}
	}
	seen := map[string]bool{}
	for _, dir := range rs.dirs {
		// The same folder twice (rules-dirs and --rules, a/ and a) is
		// read once.
		abs := absResolved(dir)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		user, err := loadRuleDir(dir)
		if err != nil {
			return nil, err
		}
		lists = append(lists, user)
	}
	set, err := rule.NewSet(lists...)
	if err != nil {
		return nil, fmt.Errorf("invalid rule file:\n%w", err)
	}
	return set, nil
}

// loadRuleDir loads the rules of a user's directory, named by their path
// as given (dir/sub/x.yml) in errors and listings.
func loadRuleDir(dir string) ([]*rule.Rule, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, &usageError{"--rules " + pathError(dir, err).Error()}
	}
	if !fi.IsDir() {
		return nil, &usageError{fmt.Sprintf("--rules %s: not a directory", dir)}
	}
	rules, err := rule.LoadFS(os.DirFS(dir), ".", filepath.ToSlash(filepath.Clean(dir)))
	if err != nil {
		return nil, fmt.Errorf("invalid rule file:\n%w", err)
	}
	var errs []error
	for _, r := range rules {
		if r.Analyzer != "" {
			errs = append(errs, fmt.Errorf("%s:%d: analyzer: names a built-in analyzer, which runs only the rules it implements; a rule of yours matches with query: or pattern:", r.File, r.Line))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid rule file:\n%w", errors.Join(errs...))
	}
	return rules, nil
}

// analyzersFor returns the analyzers of a scan with set: the registered
// ones whose rules set has (all of them, unless --no-builtin), plus the
// declarative-rule runner when set has query or pattern rules.
func analyzersFor(set *rule.Set) ([]*analyzers.Analyzer, error) {
	var as []*analyzers.Analyzer
	for _, a := range registry() {
		if len(a.Rules) > 0 && set.Get(a.Rules[0]) != nil {
			as = append(as, a)
		}
	}
	decl, err := all.Declarative(set.All())
	if err != nil {
		return nil, fmt.Errorf("invalid rule file:\n%w", err)
	}
	if decl != nil {
		as = append(as, decl)
	}
	return as, nil
}
