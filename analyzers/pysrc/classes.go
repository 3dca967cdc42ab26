package pysrc

import "slices"

// maxHierarchy bounds the depth of class hierarchies followed: a deeper
// class's order is its own, and its resolution depends on which of its
// subclasses was resolved first.
const maxHierarchy = 200

// resolveClasses resolves every class's bases, method resolution order,
// external bases and kind, once every module is linked.
func (p *Program) resolveClasses() {
	fr := &frame{p: p}
	for _, m := range p.modules {
		for _, c := range m.classes {
			if c != nil {
				fr.resolveClass(c, 0)
			}
		}
	}
	for _, m := range p.modules {
		for _, c := range m.classes {
			if c == nil {
				continue
			}
			for _, k := range c.mro[1:] {
				k.subclasses = append(k.subclasses, c)
			}
		}
	}
}

// maxOverrides bounds the overriding methods a call of a method of self
// applies besides the method itself.
const maxOverrides = 8

// overrides returns the methods named name that subclasses of c define
// in place of m, c's own, in the order of the modules and their classes,
// each once, maxOverrides at most: caller, a method of c that calls
// self.name(), runs one of them on an instance of a subclass that
// inherits caller (a base middleware's __call__ calling the _check a
// subclass defines). A subclass of a test module is a test's, unless c's
// is one too.
func (c *class) overrides(name string, m, caller *fn) []*fn {
	var out []*fn
	callerName, tests := lastName(caller.Name), testModule(c.mod.File)
	for _, k := range c.subclasses {
		if k.method(callerName, 0) != caller || testModule(k.mod.File) && !tests {
			continue
		}
		if f := k.method(name, 0); f != nil && f != m && !containsFn(out, f) {
			if out = append(out, f); len(out) == maxOverrides {
				break
			}
		}
	}
	return out
}

// resolveClass computes c's order: the class, then each base's order in
// turn, each class once (depth-first, left to right, which is C3's order
// for the hierarchies Django code has). Each base's name is resolved from
// the start of the bound on resolutions, whatever the class's depth in
// the hierarchy, so that a class's order does not depend on which
// subclass was resolved first; depth bounds the hierarchy itself.
func (fr *frame) resolveClass(c *class, depth int) {
	if c.resolved {
		return
	}
	c.resolved = true
	c.mro = []*class{c}
	c.middleware = c.isMiddleware()
	if depth > maxHierarchy {
		return
	}
	for _, b := range c.Bases {
		ds, _ := fr.static(c.mod, b, 0)
		for _, d := range ds {
			switch d.Tag {
			case TagClass:
				fr.resolveClass(d.Class, depth+1)
				for _, k := range d.Class.mro {
					if !slices.Contains(c.mro, k) {
						c.mro = append(c.mro, k)
					}
				}
				for _, e := range d.Class.ext {
					if !slices.Contains(c.ext, e) {
						c.ext = append(c.ext, e)
					}
				}
				if c.kind == "" {
					c.kind = d.Class.kind
				}
			case TagExt:
				if !slices.Contains(c.ext, d.Name) {
					c.ext = append(c.ext, d.Name)
				}
				if c.kind == "" {
					c.kind = classKind(d.Name)
				}
			}
		}
	}
	for _, k := range c.mro {
		c.middleware = c.middleware || k.middleware
	}
}

// isMiddleware reports whether the class's own code takes or calls
// get_response (Django middleware).
func (c *class) isMiddleware() bool {
	for _, f := range c.methods {
		for _, prm := range f.Params {
			if prm.Name == "get_response" {
				return true
			}
		}
		if !f.mayCall("get_response") {
			continue
		}
		code := f.Code()
		for i := range code.Calls {
			if code.Calls[i].Method == "get_response" {
				return true
			}
		}
	}
	return false
}

// method returns the method name of c or of its bases, after skip
// classes of its order (1 for super()).
func (c *class) method(name string, skip int) *fn {
	for i, k := range c.mro {
		if i < skip {
			continue
		}
		if f := k.methods[name]; f != nil {
			return f
		}
	}
	return nil
}

// classAttr returns where a class-level attribute is bound in c's order:
// the class whose body binds it.
func (c *class) classAttr(name string) *class {
	for _, k := range c.mro {
		if _, ok := k.env.lookup(name); ok {
			return k
		}
	}
	return nil
}
