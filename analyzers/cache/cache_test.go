package cache

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// value is what the tests store.
type value struct{ S string }

// unregistered is a type gob was not told about.
type unregistered struct{ N int }

func init() { gob.Register(value{}) }

func get(t *testing.T, c *Cache, key string) (string, bool) {
	t.Helper()
	v, ok := c.Get(key)
	if !ok {
		return "", false
	}
	return v.(value).S, true
}

func TestPutGet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".residue_cache")
	c, err := Open(dir, "config-a")
	if err != nil {
		t.Fatal(err)
	}
	key := Key("app/views.py", Hash([]byte("x = 1\n")))
	if _, ok := c.Get(key); ok {
		t.Fatal("hit in an empty cache")
	}
	c.Put(key, value{"payload"})
	if got, ok := get(t, c, key); !ok || got != "payload" {
		t.Fatalf("Get = %q, %v", got, ok)
	}
	c.Put(Key("bad", "h"), unregistered{1})
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
	// A new run of the same configuration does, but not the entry that
	// could not be encoded.
	e, _ := Open(dir, "config-a")
	if got, ok := get(t, e, key); !ok || got != "payload" {
		t.Errorf("reopened: %q, %v", got, ok)
	}
	if _, ok := e.Get(Key("bad", "h")); ok {
		t.Error("an entry that does not encode was read back")
	}
}

// TestNewerPacksWin: a later run's entry for a key replaces an earlier
// one, and runs that learn nothing write no pack.
func TestNewerPacksWin(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		c, _ := Open(dir, "cfg")
		c.Put("k", value{fmt.Sprint(i)})
		c.Close()
		time.Sleep(time.Millisecond)
	}
	c, _ := Open(dir, "cfg")
	if got, _ := get(t, c, "k"); got != "2" {
		t.Errorf("got %q, want the newest", got)
	}
	c.Close()
	packs, _ := filepath.Glob(filepath.Join(c.Dir(), "pack-*"))
	if len(packs) != 3 {
		t.Errorf("%d packs, want 3 (a run that stored nothing writes none)", len(packs))
	}
}

// TestDamagedPacks: a truncated, corrupted or foreign pack is removed and
// its entries missed, never read wrong.
func TestDamagedPacks(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir, "cfg")
	c.Put("k", value{"the payload of an entry"})
	c.Close()
	packs, _ := filepath.Glob(filepath.Join(c.Dir(), "pack-*"))
	if len(packs) != 1 {
		t.Fatalf("packs: %q", packs)
	}
	good, _ := os.ReadFile(packs[0])
	damaged := map[string][]byte{
		"truncated":  good[:len(good)-3],
		"empty":      {},
		"flipped":    append(append([]byte{}, good[:len(good)-1]...), good[len(good)-1]^1),
		"longer":     append(append([]byte{}, good...), 'x'),
		"other tool": []byte("not a residue pack at all, but long enough to pass the header length checks......"),
		"huge length": func() []byte {
			data := bytes.Clone(good)
			binary.LittleEndian.PutUint64(data[len(magic):], 1<<60)
			return data
		}(),
	}
	for name, data := range damaged {
		if err := os.WriteFile(packs[0], data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, _ := Open(dir, "cfg")
		if got, ok := d.Get("k"); ok {
			t.Errorf("%s: hit with %v", name, got)
		}
		if _, err := os.Stat(packs[0]); err == nil {
			t.Errorf("%s: pack not removed", name)
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
	stat := func(info os.FileInfo) Stat {
		return Stat{Size: info.Size(), MTime: info.ModTime().UnixNano(), CTime: 7, Inode: 9}
	}
	c.Remember(file, "m.py", stat(info), "h1")
	if h, ok := c.Lookup(file, stat(info)); !ok || h != "h1" {
		t.Fatalf("Lookup = %q, %v", h, ok)
	}
	c.Close()
	c2, _ := Open(dir, "cfg")
	if h, ok := c2.Lookup(file, stat(info)); !ok || h != "h1" {
		t.Fatalf("after reopening: %q, %v", h, ok)
	}
	// Another checkout's file at the same path, with the same size and
	// time, is not this one.
	if _, ok := c2.Lookup(filepath.Join(t.TempDir(), "m.py"), stat(info)); ok {
		t.Error("hit for a file of another checkout")
	}
	// Another file renamed into its place (mv keeps the size and the
	// modification time) has another status change time or inode.
	for _, other := range []Stat{{Size: info.Size(), MTime: info.ModTime().UnixNano(), CTime: 8, Inode: 9}, {Size: info.Size(), MTime: info.ModTime().UnixNano(), CTime: 7, Inode: 10}} {
		if _, ok := c2.Lookup(file, other); ok {
			t.Errorf("hit for %+v, recorded with status change time 7 and inode 9", other)
		}
	}
	// A changed size or time is a miss.
	os.WriteFile(file, []byte("x = 22\n"), 0o644)
	os.Chtimes(file, old, old)
	info2, _ := os.Stat(file)
	if _, ok := c2.Lookup(file, stat(info2)); ok {
		t.Error("hit after the file changed size")
	}
	// A file modified just now is not remembered (racily clean).
	os.Chtimes(file, time.Now(), time.Now())
	info3, _ := os.Stat(file)
	c2.Remember(file, "m.py", stat(info3), "h2")
	if _, ok := c2.Lookup(file, stat(info3)); ok {
		t.Error("a file modified just now was remembered")
	}
}

// pileUp writes MaxPacks packs of one entry each (prefix0, prefix1, …) in
// configuration cfg of dir, and opens it again: the next Close merges.
func pileUp(dir, prefix string) *Cache {
	for i := range MaxPacks {
		c, _ := Open(dir, "cfg")
		c.Put(fmt.Sprint(prefix, i), value{"x"})
		c.Close()
		time.Sleep(time.Millisecond)
	}
	c, _ := Open(dir, "cfg")
	return c
}

// TestCompaction: past MaxPacks, the packs are merged into one that keeps
// the entries in use and drops the rest.
func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	c := pileUp(dir, "old")
	get(t, c, "old3") // used by this run
	c.Put("new", value{"y"})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	packs, _ := filepath.Glob(filepath.Join(c.Dir(), "pack-*"))
	if len(packs) != 1 {
		t.Fatalf("%d packs after compaction", len(packs))
	}
	d, _ := Open(dir, "cfg")
	for key, want := range map[string]bool{"old3": true, "new": true, "old1": false} {
		if _, ok := d.Get(key); ok != want {
			t.Errorf("%s kept: %v, want %v", key, ok, want)
		}
	}
}

// TestCompactionLock: while another run merges the packs, a run that
// finds them piled up writes its own pack instead of a second merge; a
// lock a crashed run left is taken over once stale.
func TestCompactionLock(t *testing.T) {
	dir := t.TempDir()
	c := pileUp(dir, "old")
	lock := filepath.Join(c.Dir(), compactionLock)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(lock, nil, 0o644))
	c.Put("new", value{"y"})
	must(c.Close())
	packs, _ := filepath.Glob(filepath.Join(c.Dir(), "pack-*"))
	if len(packs) != MaxPacks+1 {
		t.Errorf("%d packs while another run merges them, want %d (this run's own added)", len(packs), MaxPacks+1)
	}
	if d, _ := Open(dir, "cfg"); d != nil {
		if _, ok := d.Get("new"); !ok {
			t.Error("the entry of the run that did not merge is lost")
		}
	}
	stale := time.Now().Add(-staleLock - time.Minute)
	must(os.Chtimes(lock, stale, stale))
	e, _ := Open(dir, "cfg")
	get(t, e, "new")
	must(e.Close())
	packs, _ = filepath.Glob(filepath.Join(e.Dir(), "pack-*"))
	if _, err := os.Stat(lock); len(packs) != 1 || err == nil {
		t.Errorf("with a stale lock: %d packs, lock left: %v", len(packs), err == nil)
	}
}

// TestCompactionForgetsGoneFiles: a compaction drops the index's records
// (and so the entries) of files that no longer exist, a checkout moved
// elsewhere, and keeps those of files that do.
func TestCompactionForgetsGoneFiles(t *testing.T) {
	dir := t.TempDir()
	checkout := t.TempDir()
	old := time.Now().Add(-time.Hour)
	files := map[string]string{}
	for _, name := range []string{"kept.py", "deleted.py", "moved.py"} {
		files[name] = filepath.Join(checkout, name)
		os.WriteFile(files[name], []byte(name), 0o644)
		os.Chtimes(files[name], old, old)
	}
	c, _ := Open(dir, "cfg")
	for name, file := range files {
		info, _ := os.Stat(file)
		c.Remember(file, name, Stat{Size: info.Size(), MTime: info.ModTime().UnixNano()}, "h-"+name)
		c.Put(Key(name, "h-"+name), value{name})
	}
	c.Close()
	os.Remove(files["deleted.py"])
	os.Rename(files["moved.py"], filepath.Join(t.TempDir(), "moved.py"))
	d := pileUp(dir, "other")
	for name, want := range map[string]bool{"kept.py": true, "deleted.py": false, "moved.py": false} {
		if _, ok := d.index[files[name]]; ok != want {
			t.Errorf("%s's record kept: %v, want %v", name, ok, want)
		}
		if _, ok := d.Get(Key(name, "h-"+name)); ok != want {
			t.Errorf("%s's entry kept: %v, want %v", name, ok, want)
		}
	}
}

func TestStaleConfigurations(t *testing.T) {
	dir := t.TempDir()
	stale := time.Now().Add(-StaleAfter - time.Hour)
	other, _ := Open(dir, "other")
	other.Put("k", value{"v"})
	other.Close()
	os.Chtimes(other.Dir(), stale, stale)
	fresh, _ := Open(dir, "fresh")
	fresh.Close()
	c, _ := Open(dir, "cfg")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other.Dir()); err == nil {
		t.Error("stale configuration kept")
	}
	if _, err := os.Stat(fresh.Dir()); err != nil {
		t.Error("fresh configuration pruned")
	}
}

// TestPruningSparesTheUsersFolders: a cache directory may be a folder the
// user keeps other things in: old folders not named as configurations, or
// named so but holding anything but packs, are left alone, and a
// directory residue did not make gets no .gitignore.
func TestPruningSparesTheUsersFolders(t *testing.T) {
	dir := t.TempDir()
	stale := time.Now().Add(-StaleAfter - time.Hour)
	mine := map[string]string{
		"pip/http/x":                   "a",
		"src/app.py":                   "import os\n",
		"v5-0123456789abcdef/notes.md": "kept",
		"v3-0123456789abcdeg/pack-1-2": "not hex",
	}
	for name, data := range mine {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Dir(p), stale, stale)
	}
	old, _ := Open(dir, "old")
	old.Put("k", value{"v"})
	old.Close()
	os.Chtimes(old.Dir(), stale, stale)
	c, err := Open(dir, "cfg")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for name := range mine {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := os.Stat(old.Dir()); err == nil {
		t.Error("a stale configuration of residue's was kept")
	}
	if _, err := os.Stat(filepath.Join(dir, ".gitignore")); err == nil {
		t.Error("a .gitignore was written into a directory residue did not make")
	}
	made := filepath.Join(dir, "made")
	if c, err := Open(made, "cfg"); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	if data, err := os.ReadFile(filepath.Join(made, ".gitignore")); err != nil || string(data) != gitignore {
		t.Errorf("the directory residue made has .gitignore %q (%v)", data, err)
	}
}

// TestConcurrentRuns: runs on one directory at the same time each add
// their pack, and a later run sees them all; runs that compact at the
// same time leave only packs that verify.
func TestConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	runs := func(n, each int) {
		var wg sync.WaitGroup
		for w := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					c, err := Open(dir, "cfg")
					if err != nil {
						t.Error(err)
						return
					}
					c.Put(fmt.Sprint(w, "-", i), value{fmt.Sprint(w, i)})
					if err := c.Close(); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	runs(4, 1)
	c, _ := Open(dir, "cfg")
	for w := range 4 {
		if got, ok := get(t, c, fmt.Sprint(w, "-", 0)); !ok || got != fmt.Sprint(w, 0) {
			t.Errorf("run %d's entry: %q, %v", w, got, ok)
		}
	}
	runs(4, 10)
	packs, _ := filepath.Glob(filepath.Join(c.Dir(), "pack-*"))
	for _, p := range packs {
		data, _ := os.ReadFile(p)
		if readSegments(bufio.NewReader(bytes.NewReader(data)), int64(len(data)), func([]byte) {}) != packRead {
			t.Errorf("%s does not verify", p)
		}
	}
	if len(packs) == 0 || len(packs) > MaxPacks+4 {
		t.Errorf("%d packs after concurrent compactions", len(packs))
	}
}

// TestMakeAndWriteErrorsNameTheFolder: a cache directory that is a
// dangling symbolic link, and a folder the cache cannot write in, are
// named in the error, not a mkdir's "file exists" or a temporary file's
// name.
func TestMakeAndWriteErrorsNameTheFolder(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "cache")
	if err := os.Symlink(filepath.Join(dir, "gone"), link); err != nil {
		t.Fatal(err)
	}
	if err := Make(link); err == nil || !strings.Contains(err.Error(), "is a symbolic link to "+filepath.Join(dir, "gone")+", which does not exist") {
		t.Errorf("Make(dangling link) = %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, notDir := range []string{file, os.DevNull} {
		if _, err := Open(notDir, "cfg"); err == nil || err.Error() != notDir+" is not a directory" {
			t.Errorf("Open(%s) = %v", notDir, err)
		}
	}
	missing := filepath.Join(dir, "missing")
	if err := writeAtomic(filepath.Join(missing, "pack"), []byte("x")); err == nil || err.Error() != "cannot write in "+missing+": no such file or directory" {
		t.Errorf("writeAtomic in a missing folder = %v", err)
	}
	// A write that fails (a full disk) names the folder too, and leaves
	// no temporary file.
	full := t.TempDir()
	err := writeAtomicStream(filepath.Join(full, "pack"), func(w io.WriterAt) error {
		return &fs.PathError{Op: "write", Path: w.(*os.File).Name(), Err: syscall.ENOSPC}
	})
	if err == nil || err.Error() != "cannot write in "+full+": no space left on device" {
		t.Errorf("writeAtomicStream on a full disk = %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(full, ".tmp-*")); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}
