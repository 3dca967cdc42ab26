package cache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, "config-a")
	if err != nil {
		t.Fatal(err)
	}
	key := Key("app/views.py", Hash([]byte("x = 1\n")))
	if _, ok := c.Get(key); ok {
		t.Fatal("hit in an empty cache")
	}
	if err := c.Put(key, []byte("payload")); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Get(key)
	if !ok || string(got) != "payload" {
		t.Fatalf("Get = %q, %v", got, ok)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil || !bytes.Contains(ignore, []byte("\n*\n")) {
		t.Errorf(".gitignore: %q, %v", ignore, err)
	}
	// Another configuration does not see the entry.
	d, _ := Open(dir, "config-b")
	if _, ok := d.Get(key); ok || d.Dir() == c.Dir() {
		t.Error("another configuration shares the entry")
	}
	// A new run of the same configuration does.
	e, _ := Open(dir, "config-a")
	if got, ok := e.Get(key); !ok || string(got) != "payload" {
		t.Errorf("reopened: %q, %v", got, ok)
	}
}

// TestDamagedEntries: a truncated, corrupted or foreign entry is a miss
// and is removed, never a wrong payload.
func TestDamagedEntries(t *testing.T) {
	c, _ := Open(t.TempDir(), "cfg")
	key := Key("a.c", Hash([]byte("int x;")))
	if err := c.Put(key, []byte("the payload of an entry")); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(c.entryPath(key))
	damaged := map[string][]byte{
		"truncated":  good[:len(good)-3],
		"empty":      {},
		"flipped":    append(append([]byte{}, good[:len(good)-1]...), good[len(good)-1]^1),
		"longer":     append(append([]byte{}, good...), 'x'),
		"other tool": []byte("not a residue entry at all, but long enough to pass the header length checks......"),
	}
	for name, data := range damaged {
		if err := os.WriteFile(c.entryPath(key), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Get(key); ok {
			t.Errorf("%s: hit with %q", name, got)
		}
		if _, err := os.Stat(c.entryPath(key)); err == nil {
			t.Errorf("%s: entry not removed", name)
		}
	}
}

func TestIndex(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, "cfg")
	file := filepath.Join(t.TempDir(), "m.py")
	os.WriteFile(file, []byte("x = 1\n"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(file, old, old)
	info, _ := os.Stat(file)
	c.Remember("m.py", info, "h1")
	if h, ok := c.Lookup("m.py", info); !ok || h != "h1" {
		t.Fatalf("Lookup = %q, %v", h, ok)
	}
	c.Close()
	c2, _ := Open(dir, "cfg")
	if h, ok := c2.Lookup("m.py", info); !ok || h != "h1" {
		t.Fatalf("after reopening: %q, %v", h, ok)
	}
	// A changed size or time is a miss.
	os.WriteFile(file, []byte("x = 22\n"), 0o644)
	os.Chtimes(file, old, old)
	info2, _ := os.Stat(file)
	if _, ok := c2.Lookup("m.py", info2); ok {
		t.Error("hit after the file changed size")
	}
	// A file modified just now is not remembered (racily clean).
	os.Chtimes(file, time.Now(), time.Now())
	info3, _ := os.Stat(file)
	c2.Remember("m.py", info3, "h2")
	if _, ok := c2.Lookup("m.py", info3); ok {
		t.Error("a file modified just now was remembered")
	}
	// A damaged index is an empty one.
	c2.Close()
	os.WriteFile(filepath.Join(c2.Dir(), "index"), []byte("garbage"), 0o644)
	c3, _ := Open(dir, "cfg")
	if _, ok := c3.Lookup("m.py", info); ok {
		t.Error("a damaged index answered")
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, "cfg")
	stale := time.Now().Add(-StaleAfter - time.Hour)
	for i := range 3 {
		c.Put(Key(fmt.Sprint(i), "h"), []byte("p"))
	}
	// Entry 0 is used by this run; 1 and 2 were last used long ago.
	for i := 1; i < 3; i++ {
		os.Chtimes(c.entryPath(Key(fmt.Sprint(i), "h")), stale, stale)
	}
	c.touched = map[string]bool{Key("0", "h"): true}
	// A stale configuration folder, and a fresh one.
	other, _ := Open(dir, "other")
	os.Chtimes(other.Dir(), stale, stale)
	fresh, _ := Open(dir, "fresh")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get(Key("0", "h")); !ok {
		t.Error("the used entry was pruned")
	}
	for i := 1; i < 3; i++ {
		if _, err := os.Stat(c.entryPath(Key(fmt.Sprint(i), "h"))); err == nil {
			t.Errorf("stale entry %d kept", i)
		}
	}
	if _, err := os.Stat(other.Dir()); err == nil {
		t.Error("stale configuration kept")
	}
	if _, err := os.Stat(fresh.Dir()); err != nil {
		t.Error("fresh configuration pruned")
	}
}

// TestConcurrentRuns: two caches on one directory writing and reading the
// same keys never see a damaged entry.
func TestConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir, "cfg")
	b, _ := Open(dir, "cfg")
	var wg sync.WaitGroup
	for w, c := range []*Cache{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				key := Key(fmt.Sprint(i%20), "h")
				want := []byte(fmt.Sprintf("payload %d", i%20))
				if w%2 == 0 {
					c.Put(key, want)
				} else if got, ok := c.Get(key); ok && !bytes.Equal(got, want) {
					t.Errorf("read %q for %q", got, want)
				}
			}
		}()
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Error(err)
	}
	if err := b.Close(); err != nil {
		t.Error(err)
	}
}
