package pysrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// literal reads n as a Literal. One of more than maxItems entries (a
// generated table's dictionary or list) is no setting: it is read as
// another expression, without its text.
func literal(n syntax.Node) Literal {
	l := Literal{Span: span(n)}
	if n.NamedChildCount() > maxItems {
		return l
	}
	switch n.Type() {
	case "dictionary":
		l.Kind = LitDict
		for _, p := range n.NamedChildren() {
			k := p.ChildByFieldName("key")
			if p.Type() != "pair" || k.Type() != "string" {
				continue
			}
			if key, ok := stringLiteral(k); ok {
				l.Keys = append(l.Keys, key)
				l.Items = append(l.Items, literal(p.ChildByFieldName("value")))
			}
		}
	case "list", "tuple", "set":
		l.Kind = LitList
		for _, c := range n.NamedChildren() {
			l.Items = append(l.Items, literal(c))
		}
	case "string", "concatenated_string":
		if text, ok := stringLiteral(n); ok {
			l.Kind, l.Text = LitString, text
			return l
		}
		l.Text = n.Text()
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return literal(n.NamedChild(0))
		}
		l.Text = n.Text()
	default:
		l.Text = n.Text()
	}
	return l
}

// configCall records the literal first argument of a call a vocabulary
// names a configuration call (logging.config.dictConfig({...})).
func (s *fnState) configCall(c *Call, n syntax.Node) {
	name := c.Name
	if name == "" {
		return
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	if !configCall(last) {
		return
	}
	args := n.ChildByFieldName("arguments")
	if first := args.NamedChild(0); !first.IsNull() && first.Type() == "dictionary" {
		s.l.m.Settings = append(s.l.m.Settings, Setting{Name: last, Value: literal(first)})
	}
}
