package cmem_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// candidates are functions the analysis walks: a local buffer or struct
// and a sink. Two of them leak.
var candidates = []string{
	`int send_name_%[1]d(int fd, const char *name)
{
    char buf[256];
    memset(buf, 0, sizeof buf);
    strncpy(buf, name, sizeof buf - 1);
    if (fd < 0)
        return -1;
    return write(fd, buf, sizeof buf);
}
`,
	`int pack_%[1]d(unsigned char *out, unsigned char tag, unsigned int len)
{
    struct hdr h;
    h.tag = tag;
    h.len = len;
    memcpy(out, &h, sizeof h);
    return (int)sizeof h;
}
`,
	`static PyObject *py_tag_%[1]d(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[64];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    switch (s[0]) {
    case 'a':
        strncpy(buf, s, 8);
        break;
    default:
        memset(buf, 0, sizeof buf);
        break;
    }
    return PyBytes_FromStringAndSize(buf, sizeof buf);
}
`,
	`int relay_%[1]d(int in, int out)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n)
            return -1;
    }
    return n < 0 ? -1 : 0;
}
`,
}

// others are the bulk of a C file: pointer and struct manipulation,
// arithmetic, copies between caller-owned memory. The analysis skips them
// from their text.
var others = []string{
	`static int checksum_%[1]d(const unsigned char *p, size_t n)
{
    unsigned int sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum = (sum << 1) ^ p[i];
        if (sum & 0x80000000u)
            sum ^= 0x04c11db7u;
    }
    return (int)(sum & 0x7fffffff);
}
`,
	`static void node_init_%[1]d(struct node *n, struct node *parent, int kind)
{
    n->parent = parent;
    n->kind = kind;
    n->child_count = 0;
    if (parent && parent->child_count < MAX_CHILDREN)
        parent->children[parent->child_count++] = n;
}
`,
	`static double mean_%[1]d(const double *xs, int n)
{
    double s = 0;
    int i;
    for (i = 0; i < n; i++)
        s += xs[i];
    return n ? s / n : 0.0;
}
`,
	`void buffer_append_%[1]d(struct buffer *b, const char *data, size_t len)
{
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + len)
            cap *= 2;
        b->data = realloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}
`,
	`static int compare_%[1]d(const void *a, const void *b)
{
    const struct node *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->child_count - y->child_count;
}
`,
	`static const char *kind_name_%[1]d(int kind)
{
    switch (kind) {
    case 0: return "leaf";
    case 1: return "inner";
    case 2: return "root";
    default: return "unknown";
    }
}
`,
	`int tree_depth_%[1]d(const struct node *n)
{
    int depth = 0;
    while (n && n->parent) {
        n = n->parent;
        depth++;
    }
    return depth;
}
`,
	`static void list_remove_%[1]d(struct list *l, struct item *it)
{
    if (it->prev)
        it->prev->next = it->next;
    else
        l->head = it->next;
    if (it->next)
        it->next->prev = it->prev;
    l->count--;
}
`,
}

const corpusHeader = `#include <Python.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_CHILDREN 8

struct hdr { unsigned char tag; unsigned int len; };
struct node { struct node *parent; struct node *children[MAX_CHILDREN]; int kind; int child_count; };
struct buffer { char *data; size_t len, cap; };
struct item { struct item *prev, *next; };
struct list { struct item *head; int count; };

`

// corpus returns a C file of about size bytes; one function in every
// `every` is a candidate of the analysis (every = 1: all of them).
func corpus(size, every int) []byte {
	var b strings.Builder
	b.WriteString(corpusHeader)
	for i := 0; b.Len() < size; i++ {
		if i%every == 0 {
			fmt.Fprintf(&b, candidates[(i/every)%len(candidates)], i)
		} else {
			fmt.Fprintf(&b, others[i%len(others)], i)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// BenchmarkOverhead measures, on a 1 MB generated C file, parsing and
// what cmem adds to it: the snapshot the model reads, csrc's Extract and
// Build, and cmem's Check; added-% is their sum as a percentage of the
// parse (the budget is 40%), and each step is reported too. The
// steps are timed in CPU time of the process, so that other processes on
// the machine do not skew the percentages.
// Check walks only the functions whose text shows a buffer and a sink,
// so its cost follows their share: "mixed" has one candidate function in
// twelve, about the share in tree-sitter's runtime sources (11 of 358
// functions, 17% of the bytes); "dense" one in six; "candidates" nothing
// else, the worst case.
func BenchmarkOverhead(b *testing.B) {
	for _, c := range []struct {
		name  string
		every int
	}{{"mixed", 12}, {"dense", 6}, {"candidates", 1}} {
		b.Run(c.name, func(b *testing.B) {
			src := corpus(1<<20, c.every)
			p := newInProcess(b)
			var parse, snap, extract, build, check time.Duration
			findings := 0
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				t0 := cpuTime()
				f, ok := p.parse(src)
				if !ok {
					b.Fatal("parse failed")
				}
				t1 := cpuTime()
				syn := p.snapshot(b, f)
				f.Close()
				t2 := cpuTime()
				part := p.extract(b, syn)
				t3 := cpuTime()
				model := p.build(b, part)
				t4 := cpuTime()
				findings = len(p.check(b, syn, model, nil))
				t5 := cpuTime()
				parse, snap, extract, build, check = parse+t1-t0, snap+t2-t1, extract+t3-t2, build+t4-t3, check+t5-t4
			}
			pct := func(d time.Duration) float64 { return 100 * float64(d) / float64(parse) }
			b.ReportMetric(float64(parse.Milliseconds())/float64(b.N), "parse-ms/op")
			b.ReportMetric(pct(snap+extract+build+check), "added-%")
			b.ReportMetric(pct(snap), "snapshot-%")
			b.ReportMetric(pct(extract), "extract-%")
			b.ReportMetric(pct(build), "build-%")
			b.ReportMetric(pct(check), "check-%")
			b.ReportMetric(float64(findings), "findings")
		})
	}
}

// cpuTime returns the CPU time the process used so far (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
