package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/all"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/rules"
)

// The benchmarks of this file run residue's own analyzers on generated
// repositories shaped like Django projects: most modules say nothing of
// interest, some log, some read client-certificate headers, some call C.

var benchModules = []string{
	// A model module: nothing for any analyzer.
	`from django.db import models


class Item%[1]d(models.Model):
    name = models.CharField(max_length=100)
    count = models.IntegerField(default=%[1]d)

    def __str__(self):
        return "%%s (%%d)" %% (self.name, self.count)
`,
	// A view that logs.
	`import logging
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def view%[1]d(request, pk):
    logger.info("item %%s requested by %%s", pk, request.user.pk)
    if request.method == "POST":
        logger.debug("payload %%s", request.body)
    return JsonResponse({"id": pk, "n": %[1]d})
`,
	// A helper module.
	`def clean%[1]d(value, limit=%[1]d):
    value = value.strip()
    if len(value) > limit:
        value = value[:limit]
    return value.lower()
`,
	// Middleware reading a client-certificate header.
	`class CertMiddleware%[1]d:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN")
        if dn:
            request.cert_dn = dn
        return self.get_response(request)
`,
}

const benchC = `#include <string.h>
#include <unistd.h>

struct msg%[1]d { unsigned char kind; unsigned int len; char body[32]; };

int send_msg%[1]d(int fd, const char *s) {
    struct msg%[1]d m;
    m.kind = 1;
    m.len = (unsigned int) strlen(s);
    strncpy(m.body, s, sizeof m.body);
    return (int) write(fd, &m, sizeof m);
}
`

// benchRepoEnv names a repository to benchmark instead of the generated
// one (RESIDUE_BENCH_REPO=/path/to/django make bench): the pre-commit
// benchmarks stage ten of its Python files, spread over the repository or
// over the folder RESIDUE_BENCH_STAGED names (django/contrib/auth).
const benchRepoEnv, benchStagedEnv = "RESIDUE_BENCH_REPO", "RESIDUE_BENCH_STAGED"

// benchRepo writes a repository of n Python modules (one C file per 100)
// and returns its root and ten of its modules, as pre-commit would stage;
// or, when RESIDUE_BENCH_REPO is set, that repository and ten of its files.
func benchRepo(b *testing.B, n int) (string, []string) {
	b.Helper()
	if root := os.Getenv(benchRepoEnv); root != "" {
		return realRepo(b, root)
	}
	root := b.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	var staged []string
	old := time.Now().Add(-time.Hour)
	for i := range n {
		path := filepath.Join(root, fmt.Sprintf("app%d", i%50), fmt.Sprintf("m%d.py", i))
		benchWrite(b, path, fmt.Sprintf(benchModules[i%len(benchModules)], i), old)
		if i%(n/10) == 0 && len(staged) < 10 {
			staged = append(staged, path)
		}
		if i%100 == 0 {
			benchWrite(b, filepath.Join(root, "native", fmt.Sprintf("c%d.c", i)), fmt.Sprintf(benchC, i), old)
		}
	}
	return root, staged
}

// realRepo returns root and ten of its Python files (of the folder
// RESIDUE_BENCH_STAGED when set), spread evenly in the order discovery
// lists them.
func realRepo(b *testing.B, root string) (string, []string) {
	b.Helper()
	root, err := filepath.Abs(root)
	if err != nil {
		b.Fatal(err)
	}
	files, _, err := discover.Walk([]string{root}, discover.Options{Root: root})
	if err != nil {
		b.Fatal(err)
	}
	prefix := filepath.ToSlash(os.Getenv(benchStagedEnv))
	var python []string
	for _, f := range files {
		if f.Lang == source.Python && strings.HasPrefix(f.Path, prefix) {
			python = append(python, f.Abs)
		}
	}
	if len(python) < 10 {
		b.Fatalf("%s: %d Python files under %q, the pre-commit benchmarks stage ten", root, len(python), prefix)
	}
	var staged []string
	for i := 0; len(staged) < 10; i += len(python) / 10 {
		staged = append(staged, python[i])
	}
	return root, staged
}

func benchWrite(b *testing.B, path, src string, mtime time.Time) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	os.Chtimes(path, mtime, mtime)
}

func benchConfig(b *testing.B, root, cacheDir string, paths ...string) driver.Config {
	b.Helper()
	set, err := rules.BuiltinSet()
	if err != nil {
		b.Fatal(err)
	}
	return driver.Config{Analyzers: all.Analyzers(), Rules: set, Paths: paths, Root: root, CacheDir: cacheDir}
}

func benchRun(b *testing.B, cfg driver.Config) *driver.Result {
	res, err := driver.Run(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkPreCommitCold is a pre-commit run of ten staged files of a
// 3,000-module repository with an empty cache: every other file is read
// for its facts.
func BenchmarkPreCommitCold(b *testing.B) {
	root, staged := benchRepo(b, 3000)
	for b.Loop() {
		b.StopTimer()
		cacheDir := b.TempDir()
		b.StartTimer()
		benchRun(b, benchConfig(b, root, cacheDir, staged...))
	}
}

// BenchmarkPreCommitWarm is the same run once the cache holds the
// repository: only the staged files' entries are used, none is parsed.
func BenchmarkPreCommitWarm(b *testing.B) {
	root, staged := benchRepo(b, 3000)
	cacheDir := b.TempDir()
	benchRun(b, benchConfig(b, root, cacheDir, root))
	for b.Loop() {
		if res := benchRun(b, benchConfig(b, root, cacheDir, staged...)); res.FilesParsed != 0 {
			b.Fatalf("%d files parsed with a warm cache", res.FilesParsed)
		}
	}
}

// BenchmarkFullScan scans a 3,000-module repository with no cache; compare
// it with BenchmarkParseFloor, which only parses the same files.
func BenchmarkFullScan(b *testing.B) {
	root, _ := benchRepo(b, 3000)
	defer reportCPU(b)()
	for b.Loop() {
		benchRun(b, benchConfig(b, root, "", root))
	}
}

// reportCPU starts measuring the process's CPU time (user and system, all
// threads) and returns the function that reports it per iteration, as
// cpu-ms/op: beside the wall time, it tells how well the scan kept the
// cores busy (a full scan of Pillow uses 1.9 of 2), and so whether a cost
// is work or waiting.
func reportCPU(b *testing.B) (stop func()) {
	start, ok := processCPU()
	return func() {
		end, _ := processCPU()
		if ok && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		}
	}
}

// BenchmarkParseFloor discovers, reads and parses every file of the
// repository of BenchmarkFullScan, on one goroutine per core: the floor
// of a scan's cost.
func BenchmarkParseFloor(b *testing.B) {
	root, _ := benchRepo(b, 3000)
	defer reportCPU(b)()
	for b.Loop() {
		files, _, err := discover.Walk([]string{root}, discover.Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		next := make(chan discover.File)
		done := make(chan bool)
		for range runtime.GOMAXPROCS(0) {
			go func() {
				parser := source.NewParser(0)
				defer parser.Close()
				for df := range next {
					src, err := os.ReadFile(df.Abs)
					if err != nil {
						b.Error(err)
						continue
					}
					f := source.NewFile(df.Path, df.Lang, src)
					if parser.Parse(f) == nil {
						f.Close()
					}
				}
				done <- true
			}()
		}
		// Largest first, as a scan schedules them.
		slices.SortStableFunc(files, func(a, b discover.File) int { return cmp.Compare(b.Size, a.Size) })
		for _, df := range files {
			next <- df
		}
		close(next)
		for range runtime.GOMAXPROCS(0) {
			<-done
		}
	}
}

// BenchmarkShard is one of four shards of a 20,000-module repository, with
// the cache a previous run of the same shard left: what each job of a CI
// matrix costs once actions/cache restores .residue_cache.
func BenchmarkShard(b *testing.B) {
	root, _ := benchRepo(b, 20000)
	cacheDir := b.TempDir()
	cfg := benchConfig(b, root, cacheDir, root)
	cfg.Shard = driver.Shard{Index: 1, Count: 4}
	benchRun(b, cfg)
	for b.Loop() {
		benchRun(b, cfg)
	}
}
