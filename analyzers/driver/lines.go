package driver

import "github.com/residue-sec/residue/analyzers/source"

// A lineCache hands out the text of one file's lines, one string per line,
// so that every finding, related location and fact on a line shares it: a
// minified line reported ten thousand times costs its length once.
type lineCache struct {
	lines *source.Lines
	text  map[int]string
}

// of returns the function that gives the text of a line of lines.
func (c *lineCache) of(lines *source.Lines) func(int) string {
	if c.lines != lines {
		c.lines, c.text = lines, map[int]string{}
	}
	return func(n int) string {
		s, ok := c.text[n]
		if !ok {
			s = lines.Text(n)
			c.text[n] = s
		}
		return s
	}
}
