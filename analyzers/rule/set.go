package rule

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers/spell"
)

// A Set is the rules of a run, by id.
type Set struct {
	byID map[string]*Rule
	all  []*Rule
}

// NewSet merges rule lists (built-in first, then users'); an id defined twice
// is an error naming both files.
func NewSet(lists ...[]*Rule) (*Set, error) {
	s := &Set{byID: map[string]*Rule{}}
	var errs []error
	for _, list := range lists {
		for _, r := range list {
			if prev, dup := s.byID[r.ID]; dup {
				where := fmt.Sprintf("at %s:%d", prev.File, prev.Line)
				if prev.Builtin {
					where = "as a built-in rule: give yours another id (residue rules lists them)"
				}
				errs = append(errs, &Error{File: r.File, Line: r.Line, Col: 1,
					Msg: fmt.Sprintf("rule %s is already defined %s", r.ID, where)})
				continue
			}
			s.byID[r.ID] = r
			s.all = append(s.all, r)
		}
	}
	sort.Slice(s.all, func(i, j int) bool { return s.all[i].ID < s.all[j].ID })
	return s, errors.Join(errs...)
}

// Get returns the rule with id, or nil.
func (s *Set) Get(id string) *Rule { return s.byID[id] }

// Names reports whether name is the id of one of rules or the family of
// one (logging/request-body, logging): what a configuration, a disable
// list or an ignore comment may name.
func Names(rules []*Rule, name string) bool {
	for _, r := range rules {
		if r.ID == name || strings.HasPrefix(r.ID, name+"/") {
			return true
		}
	}
	return false
}

// Closest returns the rule id or family name one or two edits away from
// name (a typo: loging/request-body), "" when none is; of two as near,
// the first in order of rules.
func Closest(rules []*Rule, name string) string {
	var names []string
	for _, r := range rules {
		names = append(names, r.ID)
		if family, _, ok := strings.Cut(r.ID, "/"); ok {
			names = append(names, family)
		}
	}
	return spell.Closest(name, names)
}

// All returns every rule, sorted by id.
func (s *Set) All() []*Rule { return s.all }
