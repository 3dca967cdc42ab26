package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/glob"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/spell"
	"github.com/residue-sec/residue/analyzers/yamlerr"
)

// topKeys are the keys a configuration file may have, in the order of the
// starter file.
var topKeys = []string{"include", "exclude", "rules", "rules-dirs", "analyzers", "max-file-size", "cache-dir"}

// ruleKeys are the keys of the `rules:` mapping.
var ruleKeys = []string{"disable", "severity"}

// Parse parses and validates a configuration file's content; file names it
// in errors. An empty file (or one of comments only) is the zero Config.
func Parse(file string, data []byte, known Known) (*Config, error) {
	p := &parser{file: file, known: known}
	c := &Config{}
	doc, err := p.document(data)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return c, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, p.at(top, "the configuration must be a mapping of keys ("+strings.Join(topKeys, ", ")+")")
	}
	p.each(top, topKeys, func(key string, v *yaml.Node) {
		switch key {
		case "include":
			c.Include = p.globs(key, v)
		case "exclude":
			c.Exclude = p.globs(key, v)
		case "rules":
			p.rules(c, v)
		case "rules-dirs":
			c.RulesDirs = values(p.list(key, v, "directory"))
		case "analyzers":
			c.Settings = p.settings(v)
		case "cache-dir":
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || strings.TrimSpace(v.Value) == "" {
				// ~ and null are YAML's null, not folders named so.
				if v.Tag == "!!null" && v.Value == "~" {
					p.fail(v, "cache-dir must be a directory path: ~ alone is YAML's null, not your home folder (a folder in it is ~/.cache/residue)")
				} else {
					p.fail(v, "cache-dir must be a directory path")
				}
			} else {
				c.CacheDir = v.Value
			}
		case "max-file-size":
			c.MaxFileSize, err = ParseSize(v.Value)
			switch {
			case v.Kind == yaml.ScalarNode && errors.Is(err, ErrSizeTooLarge):
				p.fail(v, "max-file-size: %v", err)
			case v.Kind != yaml.ScalarNode || err != nil:
				p.fail(v, "max-file-size must be a positive number of bytes, optionally with a unit (512KiB, 5MiB, 10MB)")
			}
		}
	})
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// document decodes data, which must hold at most one YAML document: a
// second one (after a "---") would be silently ignored otherwise.
func (p *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, p.yamlError(data, err)
	}
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, p.yamlError(data, err)
	}
	return nil, p.at(&next, "a configuration file holds one YAML document; a second one starts here")
}

// parser collects the problems of one file.
type parser struct {
	file  string
	known Known
	errs  []error
}

func (p *parser) at(n *yaml.Node, msg string) *Error {
	return &Error{File: p.file, Line: n.Line, Col: n.Column, Msg: msg}
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, p.at(n, fmt.Sprintf(format, args...)))
}

// pairs calls f for every key and value of mapping n, reporting a key
// given twice instead.
func (p *parser) pairs(n *yaml.Node, f func(k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if line, dup := seen[k.Value]; dup {
			p.fail(k, "key %q is already set at line %d", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		f(k, deref(v))
	}
}

// deref returns the node an alias (*name) stands for, n itself when it is
// no alias: the value is read, and its problems located, where the anchor
// (&name) set it.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// each calls f for every key of mapping n, reporting keys not in known.
func (p *parser) each(n *yaml.Node, known []string, f func(key string, v *yaml.Node)) {
	p.pairs(n, func(k, v *yaml.Node) {
		if !contains(known, k.Value) {
			p.fail(k, "%s", yamlerr.UnknownKey(k.Value, known))
			return
		}
		f(k.Value, v)
	})
}

// mapping reports whether n is a mapping, failing with what key should hold.
func (p *parser) mapping(key string, n *yaml.Node, what string) bool {
	if n.Kind == yaml.MappingNode {
		return true
	}
	if n.Tag != "!!null" {
		p.fail(n, "%s must be a mapping of %s", key, what)
	}
	return false
}

// list returns the items of the list n, failing for each item that is not
// a non-empty string.
func (p *parser) list(key string, n *yaml.Node, what string) []*yaml.Node {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s must be a list of %s, e.g. [a, b]", key, what)
		return nil
	}
	var out []*yaml.Node
	for _, item := range n.Content {
		if item = deref(item); item.Kind != yaml.ScalarNode || item.Tag == "!!null" || strings.TrimSpace(item.Value) == "" {
			p.fail(item, "%s must be a list of %s; this item is not one", key, what)
			continue
		}
		out = append(out, item)
	}
	return out
}

// values returns the values of scalar nodes.
func values(nodes []*yaml.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Value)
	}
	return out
}

// globs returns the list of doublestar globs n.
func (p *parser) globs(key string, n *yaml.Node) []string {
	items := p.list(key, n, "globs")
	for _, item := range items {
		if err := glob.Check(glob.Clean(item.Value)); err != nil {
			p.fail(item, "invalid glob %q: %v", item.Value, err)
		}
	}
	return values(items)
}

// rules reads the `rules:` mapping into c.
func (p *parser) rules(c *Config, n *yaml.Node) {
	if !p.mapping("rules", n, "disable and severity") {
		return
	}
	p.each(n, ruleKeys, func(key string, v *yaml.Node) {
		switch key {
		case "disable":
			items := p.list("rules.disable", v, "rule ids or family names")
			for _, item := range items {
				p.checkRule(item, item.Value)
			}
			c.Disable = values(items)
		case "severity":
			if !p.mapping("rules.severity", v, "rule ids or family names to error, warning or note") {
				return
			}
			c.Severity = map[string]string{}
			p.pairs(v, func(k, level *yaml.Node) {
				p.checkRule(k, k.Value)
				if level.Kind != yaml.ScalarNode || rule.SeverityRank(level.Value) == 0 {
					p.fail(level, "severity of %s must be error, warning or note", k.Value)
					return
				}
				c.Severity[k.Value] = level.Value
			})
		}
	})
}

// checkRule fails unless id is a known rule id or the family of one.
func (p *parser) checkRule(n *yaml.Node, id string) {
	if p.known.Rules != nil && rule.Names(p.known.Rules.All(), id) {
		return
	}
	if p.known.Rules != nil {
		if near := rule.Closest(p.known.Rules.All(), id); near != "" {
			p.fail(n, "no rule or rule family %q: did you mean %q?", id, near)
			return
		}
	}
	p.fail(n, "no rule or rule family %q ('residue rules' lists them)", id)
}

// settings reads the `analyzers:` mapping, checking every analyzer name
// and setting key against the registered analyzers.
func (p *parser) settings(n *yaml.Node) map[string]analyzers.Settings {
	if !p.mapping("analyzers", n, "analyzer names to their settings") {
		return nil
	}
	byName := map[string]*analyzers.Analyzer{}
	var names []string
	for _, a := range p.known.Analyzers {
		byName[a.Name] = a
		names = append(names, a.Name)
	}
	sort.Strings(names)
	out := map[string]analyzers.Settings{}
	p.pairs(n, func(k, v *yaml.Node) {
		a := byName[k.Value]
		if a == nil {
			if near := spell.Closest(k.Value, names); near != "" {
				p.fail(k, "unknown analyzer %q: did you mean %q?", k.Value, near)
				return
			}
			p.fail(k, "unknown analyzer %q (analyzers: %s)", k.Value, strings.Join(names, ", "))
			return
		}
		keys := settingKeys(a)
		if len(keys) == 0 {
			p.fail(k, "analyzer %s has no settings", a.Name)
			return
		}
		if !p.mapping("analyzers."+a.Name, v, "setting names to lists") {
			return
		}
		settings := analyzers.Settings{}
		p.each(v, keys, func(key string, list *yaml.Node) {
			items := p.list("analyzers."+a.Name+"."+key, list, "names")
			for _, item := range items {
				if a.ValidateSetting == nil {
					break
				}
				if err := a.ValidateSetting(key, item.Value); err != nil {
					p.fail(item, "analyzers.%s.%s: %v", a.Name, key, err)
				}
			}
			settings[key] = values(items)
		})
		out[a.Name] = settings
	})
	return out
}

// settingKeys returns a's setting keys, sorted.
func settingKeys(a *analyzers.Analyzer) []string {
	keys := make([]string, 0, len(a.SettingKeys))
	for k := range a.SettingKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// yamlError locates a yaml.v3 error of decoding data.
func (p *parser) yamlError(data []byte, err error) error {
	line, col, msg := yamlerr.Locate(data, err)
	return &Error{File: p.file, Line: line, Col: col, Msg: msg}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// PeekRulesDirs reads only the `rules-dirs:` list of a configuration file:
// the rule set a full Parse validates against depends on it. An entry
// that is no directory (relative to the file's) is an error at its line.
func PeekRulesDirs(file string, data []byte) ([]string, error) {
	p := &parser{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlError(data, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	var dirs []string
	p.pairs(doc.Content[0], func(k, v *yaml.Node) {
		if k.Value == "rules-dirs" {
			for _, item := range p.list(k.Value, v, "directory") {
				dir := relativeTo(file, []string{item.Value})[0]
				if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
					p.fail(item, "rules-dirs: %s is not a directory", item.Value)
				}
				dirs = append(dirs, item.Value)
			}
		}
	})
	return dirs, errors.Join(p.errs...)
}
