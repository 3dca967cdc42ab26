// Package cache stores what residue learned of each file between runs, so
// that a file that did not change is not read, parsed or analyzed again.
//
// A cache is a directory (`.residue_cache/` at the repository root by
// default) that holds a `.gitignore` of its own, and one folder per
// configuration: a hash of residue's build, the analyzers, the rules and
// the settings. In it, each entry is a file named by a key that the caller
// derives from a file's path and content (Key), and an index maps paths
// to the content hash they had at a given size and modification time, so
// that an unchanged file need not even be read.
//
// Every write goes to a temporary file that is renamed into place, so
// concurrent runs and interrupted ones never leave a half-written entry;
// each entry carries a checksum, and an entry that does not verify is a
// miss (and is removed). Close prunes entries and configurations that no
// run used for a while, so the directory does not grow without bound.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Format is the version of the cache's layout; a cache of another format
// is ignored (its folders are pruned like unused configurations).
const Format = "v1"

// magic starts every entry file.
var magic = []byte("residue-cache-v1\n")

// Limits of pruning.
const (
	// StaleAfter is how long an entry or a configuration folder may go
	// unused before Close removes it.
	StaleAfter = 7 * 24 * time.Hour
	// MaxEntries bounds the entries of one configuration; past it the
	// least recently used ones are removed.
	MaxEntries = 50000
)

// A Cache is one configuration's folder of a cache directory. It is safe
// for concurrent use by the goroutines of one run.
type Cache struct {
	root string // the cache directory
	dir  string // this configuration's folder
	now  time.Time

	mu      sync.Mutex
	index   map[string]indexRecord
	dirty   bool
	touched map[string]bool // entry keys used by this run
}

// An indexRecord is what a file's path was last seen with.
type indexRecord struct {
	Size  int64
	MTime int64 // nanoseconds
	Hash  string
}

// gitignore is the content of the cache directory's own .gitignore.
const gitignore = "# Created by residue: the cache is local to this machine.\n*\n"

// Open opens (creating it if needed) the folder of configuration config
// in the cache directory dir.
func Open(dir, config string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache: %v", err)
	}
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := writeAtomic(ignore, []byte(gitignore)); err != nil {
			return nil, fmt.Errorf("cache: %v", err)
		}
	}
	c := &Cache{root: dir, dir: filepath.Join(dir, Format+"-"+shortHash(config)), now: time.Now(),
		index: map[string]indexRecord{}, touched: map[string]bool{}}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache: %v", err)
	}
	c.readIndex()
	return c, nil
}

// Dir returns the configuration's folder.
func (c *Cache) Dir() string { return c.dir }

// Key returns the entry key of a file: its path and content hash.
func Key(path, contentHash string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s", path, contentHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Hash returns the content hash of src.
func Hash(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Lookup returns the content hash recorded for path when the file still
// has the size and modification time it had then.
func (c *Cache) Lookup(path string, info fs.FileInfo) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.index[path]
	if !ok || r.Size != info.Size() || r.MTime != info.ModTime().UnixNano() {
		return "", false
	}
	return r.Hash, true
}

// Remember records that path, with info's size and modification time,
// has content hash. A file modified in the last two seconds is not
// recorded: a change within the clock's resolution would go unseen.
func (c *Cache) Remember(path string, info fs.FileInfo, hash string) {
	if c.now.Sub(info.ModTime()) < 2*time.Second {
		return
	}
	r := indexRecord{Size: info.Size(), MTime: info.ModTime().UnixNano(), Hash: hash}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index[path] != r {
		c.index[path] = r
		c.dirty = true
	}
}

func (c *Cache) entryPath(key string) string {
	return filepath.Join(c.dir, key[:2], key)
}

// Get returns the entry stored under key, or false when there is none or
// it does not verify (it is then removed).
func (c *Cache) Get(key string) ([]byte, bool) {
	p := c.entryPath(key)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	payload, ok := verify(data)
	if !ok {
		os.Remove(p)
		return nil, false
	}
	c.mu.Lock()
	c.touched[key] = true
	c.mu.Unlock()
	return payload, true
}

// Put stores payload under key, atomically.
func (c *Cache) Put(key string, payload []byte) error {
	p := c.entryPath(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := writeAtomic(p, seal(payload)); err != nil {
		return err
	}
	c.mu.Lock()
	c.touched[key] = true
	c.mu.Unlock()
	return nil
}

// seal prefixes payload with the magic, its length and its checksum.
func seal(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	data := make([]byte, 0, len(magic)+8+len(sum)+len(payload))
	data = append(data, magic...)
	data = binary.LittleEndian.AppendUint64(data, uint64(len(payload)))
	data = append(data, sum[:]...)
	return append(data, payload...)
}

// verify checks an entry's magic, length and checksum and returns its
// payload.
func verify(data []byte) ([]byte, bool) {
	if !bytes.HasPrefix(data, magic) || len(data) < len(magic)+8+sha256.Size {
		return nil, false
	}
	data = data[len(magic):]
	n := binary.LittleEndian.Uint64(data)
	sum, payload := data[8:8+sha256.Size], data[8+sha256.Size:]
	if uint64(len(payload)) != n {
		return nil, false
	}
	got := sha256.Sum256(payload)
	return payload, bytes.Equal(got[:], sum)
}

// Close writes the index and prunes: entries and configuration folders
// unused for StaleAfter, and the least recently used entries past
// MaxEntries. Entries this run used are marked used.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	if c.dirty {
		errs = append(errs, c.writeIndex())
	}
	errs = append(errs, c.markUsed(), c.prune())
	return errors.Join(errs...)
}

// markUsed sets the modification time of the entries this run used, which
// is what pruning goes by.
func (c *Cache) markUsed() error {
	for key := range c.touched {
		os.Chtimes(c.entryPath(key), c.now, c.now)
	}
	return os.Chtimes(c.dir, c.now, c.now)
}

// prune removes stale configuration folders and stale or excess entries.
func (c *Cache) prune() error {
	dirs, err := os.ReadDir(c.root)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		p := filepath.Join(c.root, d.Name())
		if !d.IsDir() || p == c.dir {
			continue
		}
		if info, err := d.Info(); err == nil && c.now.Sub(info.ModTime()) > StaleAfter {
			os.RemoveAll(p)
		}
	}
	type entry struct {
		path  string
		mtime time.Time
	}
	var entries []entry
	filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".tmp-") {
			// A temporary file of an interrupted run.
			if info, err := d.Info(); err == nil && c.now.Sub(info.ModTime()) > time.Hour {
				os.Remove(p)
			}
			return nil
		}
		if name == "index" {
			return nil
		}
		if info, err := d.Info(); err == nil {
			entries = append(entries, entry{p, info.ModTime()})
		}
		return nil
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].mtime.After(entries[j].mtime) })
	for i, e := range entries {
		if i >= MaxEntries || c.now.Sub(e.mtime) > StaleAfter {
			os.Remove(e.path)
		}
	}
	return nil
}

// writeAtomic writes data to a temporary file next to p and renames it
// over p.
func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
