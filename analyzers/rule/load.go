package rule

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/residue-sec/residue/analyzers/yamlerr"
	"io"
	"io/fs"
	"path"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers/glob"
)

// An Error is a problem in a rule file, located at File:Line:Col.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// holdsRuleFiles reports whether the folder dir of fsys holds a rule file
// (*.yml, *.yaml), testdata left out.
func holdsRuleFiles(fsys fs.FS, dir string) bool {
	found := false
	fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || found:
			return fs.SkipAll
		case d.IsDir() && d.Name() == "testdata" && p != dir:
			return fs.SkipDir
		}
		found = !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml"))
		return nil
	})
	return found
}

// LoadFS loads every rule file (*.yml, *.yaml) under dir in fsys, skipping
// testdata folders. Rule files are named display+"/"+their path below dir in
// errors and in Rule.File. All problems are returned, joined.
func LoadFS(fsys fs.FS, dir, display string) ([]*Rule, error) {
	var names []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return fs.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 && d.Name() != "testdata" {
			// A walk does not follow a link to a folder, whose rules
			// would be left out without a word: say so, when it holds
			// rule files.
			if fi, err := fs.Stat(fsys, p); err == nil && fi.IsDir() && holdsRuleFiles(fsys, p) {
				return &Error{File: path.Join(display, strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")),
					Msg: "a symlink to a folder of rules, which are not read: give the folder as a rules directory of its own"}
			}
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var rules []*Rule
	var errs []error
	for _, name := range names {
		shown := path.Join(display, strings.TrimPrefix(strings.TrimPrefix(name, dir), "/"))
		if fi, err := fs.Stat(fsys, name); err == nil && !fi.Mode().IsRegular() {
			// A FIFO would block the read for good.
			errs = append(errs, &Error{File: shown, Msg: "not a regular file"})
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &Error{File: shown, Msg: err.Error()})
			continue
		}
		rs, err := Parse(shown, data)
		errs = append(errs, err)
		rules = append(rules, rs...)
	}
	return rules, errors.Join(errs...)
}

// emptyDocument reports whether a YAML document holds nothing: a "---"
// with nothing after it.
func emptyDocument(doc *yaml.Node) bool {
	return len(doc.Content) == 0 || len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null"
}

// Parse parses one rule file: a single rule mapping, or a mapping whose only
// key is `rules:` holding a list of rule mappings. Every rule is validated.
func Parse(file string, data []byte) ([]*Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(file, data, err)
	}
	// A second document (after "---") would be silently ignored.
	switch err := dec.Decode(&next); {
	case err == nil && !emptyDocument(&next):
		return nil, at(file, &next, "a rule file holds one YAML document; a second one starts here: list the rules under rules:")
	case err != nil && !errors.Is(err, io.EOF):
		return nil, yamlError(file, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Msg: "empty rule file"}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, at(file, top, "a rule file must be a mapping")
	}
	items := []*yaml.Node{top}
	if v := mappingValue(top, "rules"); v != nil {
		if len(top.Content) != 2 || v.Kind != yaml.SequenceNode {
			return nil, at(file, top, "`rules:` must be the only key and hold a list of rules")
		}
		items = v.Content
	}
	var rules []*Rule
	var errs []error
	for _, item := range items {
		r, err := parseRule(file, data, item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

func parseRule(file string, data []byte, n *yaml.Node) (*Rule, error) {
	if n.Kind != yaml.MappingNode {
		return nil, at(file, n, "a rule must be a mapping")
	}
	if err := checkKeys(file, n, reflect.TypeOf(Rule{})); err != nil {
		return nil, err
	}
	r := &Rule{File: file, Line: n.Line}
	if err := n.Decode(r); err != nil {
		return nil, yamlError(file, data, err)
	}
	r.Positions = map[string]Position{}
	for _, key := range []string{"query", "pattern", "pattern-not", "inside", "not-inside", "message"} {
		if v := mappingValue(n, key); v != nil {
			line, col := blockStart(data, v)
			r.Positions[key] = Position{line, col}
		}
	}
	if id := mappingValue(n, "id"); id != nil {
		r.Line = id.Line
	}
	for _, globs := range [][]string{r.Paths.Include, r.Paths.Exclude} {
		for i, g := range globs {
			globs[i] = glob.Clean(g)
		}
	}
	return r, validate(file, n, r)
}

// checkKeys reports the first key of mapping n (or of a nested mapping
// decoded into a struct) that t has no yaml field for.
func checkKeys(file string, n *yaml.Node, t reflect.Type) error {
	known := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			known[tag] = t.Field(i).Type
			names = append(names, tag)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := known[k.Value]
		if !ok {
			return at(file, k, yamlerr.UnknownKey(k.Value, names))
		}
		if ft.Kind() == reflect.Struct && v.Kind == yaml.MappingNode {
			if err := checkKeys(file, v, ft); err != nil {
				return err
			}
		}
	}
	return nil
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// blockStart returns the line and column at which the text of scalar n
// starts in data: the line after the indicator for a block scalar.
func blockStart(data []byte, n *yaml.Node) (line, col int) {
	if n.Style != yaml.LiteralStyle && n.Style != yaml.FoldedStyle {
		if n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle {
			return n.Line, n.Column + 1
		}
		return n.Line, n.Column
	}
	lines := strings.Split(string(data), "\n")
	for l := n.Line; l < len(lines); l++ {
		text := strings.TrimRight(lines[l], "\r")
		if strings.TrimSpace(text) != "" {
			return l + 1, len(text) - len(strings.TrimLeft(text, " ")) + 1
		}
	}
	return n.Line + 1, 1
}

func at(file string, n *yaml.Node, msg string) error {
	return &Error{File: file, Line: n.Line, Col: n.Column, Msg: msg}
}

// yamlError locates a yaml.v3 error of decoding data in file.
func yamlError(file string, data []byte, err error) error {
	line, col, msg := yamlerr.Locate(data, err)
	return &Error{File: file, Line: line, Col: col, Msg: msg}
}
