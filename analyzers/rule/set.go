package rule

import (
	"errors"
	"fmt"
	"sort"
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
				errs = append(errs, &Error{File: r.File, Line: r.Line, Col: 1,
					Msg: fmt.Sprintf("rule %s is already defined at %s:%d", r.ID, prev.File, prev.Line)})
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

// All returns every rule, sorted by id.
func (s *Set) All() []*Rule { return s.all }
