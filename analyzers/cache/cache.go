// Package cache stores what residue learned of each file between runs, so
// that a file that did not change is not read, parsed or analyzed again.
//
// A cache is a directory (`.residue_cache/` at the repository root by
// default) that holds a `.gitignore` of its own when residue made it, and
// one folder per
// configuration: a hash of residue's build, the analyzers, the rules and
// the settings. Entries are values the caller stores under a key derived
// from a file's path and content (Key); an index maps paths to the content
// hash they had at a given size and modification time, so that an
// unchanged file need not even be read.
//
// The folder is a log of packs. Each run that learned something writes
// one new pack (its new entries in a few segments, each one gob stream
// that describes its types once, so that a run decodes the segments on
// every core; then its index) to a temporary file renamed into place, with
// a checksum; Open reads every pack, newer ones winning. So concurrent and
// interrupted runs never leave a half-written pack, and a pack that does
// not verify is removed and its entries recomputed. When packs pile up,
// Close merges the entries still in use into one pack; folders of
// configurations unused for a while are removed.
package cache

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/residue-sec/residue/analyzers/parallel"
)

// Format is the version of the cache's layout; folders of another format
// are pruned like unused configurations.
const Format = "v5"

// magic starts every pack.
var magic = []byte("residue-pack-v5\n")

// segments is how many gob streams a pack's entries are split into: a
// pack is written while the models build, and a segment's encoding is
// held until those before it are written (on Django 32 segments of
// about 0.5 MB each rather than 8 of 2 MB keep that run's peak 2 to 3 MB
// lower; the pack is no larger).
const segments = 32

// Limits of pruning.
const (
	// StaleAfter is how long a configuration's folder may go unused
	// before another run removes it.
	StaleAfter = 7 * 24 * time.Hour
	// MaxPacks is how many packs a folder may hold before Close merges
	// them into one.
	MaxPacks = 8
)

// A Cache is one configuration's folder of a cache directory. It is safe
// for concurrent use by the goroutines of one run.
type Cache struct {
	root string // the cache directory
	dir  string // this configuration's folder
	now  time.Time

	mu      sync.Mutex
	entries map[string]any // every pack's entries, newer packs winning
	index   map[string]indexRecord
	packs   []string // the packs read
	fresh   map[string]any
	used    map[string]bool // keys this run read or wrote
	seen    map[string]bool // files this run looked up or remembered
	dirty   bool            // the index changed
	// flushed gives the name of the pack Flush writes, or its error.
	flushed chan flushed
}

// flushed is the outcome of Flush's pack.
type flushed struct {
	name string
	err  error
}

// An indexRecord is what a file was last seen with, and the path of its
// entries' keys (Key). Records are keyed by the file's path on disk, not
// by that path: two checkouts that share a cache hold different files
// under one path, with the same size and, copied, the same time.
type indexRecord struct {
	Size  int64
	MTime int64 // nanoseconds
	// CTime (nanoseconds) and Inode, where the system tells them: a
	// rename changes the first, and a file moved into another's place
	// has another inode.
	CTime int64
	Inode uint64
	Hash  string
	Path  string
}

// A record is one element of a pack's segment: an entry, or the index.
type record struct {
	Key   string
	Value any
	Index map[string]indexRecord
}

// gitignore is the content of the cache directory's own .gitignore.
const gitignore = "# Created by residue: the cache is local to this machine.\n*\n"

// Open opens (creating it if needed) the folder of configuration config
// in the cache directory dir and reads its packs. The types of the values
// stored must be registered with gob.Register.
func Open(dir, config string) (*Cache, error) {
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if err := Make(dir); err != nil {
		return nil, err
	}
	c := &Cache{root: dir, dir: filepath.Join(dir, Format+"-"+shortHash(config)), now: time.Now(),
		entries: map[string]any{}, index: map[string]indexRecord{}, fresh: map[string]any{}, used: map[string]bool{}, seen: map[string]bool{}}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot make %s: %v", c.dir, err)
	}
	c.readPacks()
	return c, nil
}

// Make makes the cache directory dir with its .gitignore, unless dir
// exists: one that exists is the user's (a source folder, the repository
// itself), where a .gitignore would hide their files from git and from the
// next scan.
func Make(dir string) error {
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if target, err := os.Readlink(dir); err == nil {
		return fmt.Errorf("%s is a symbolic link to %s, which does not exist", dir, target)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot make %s: %v", dir, err)
	}
	return writeAtomic(filepath.Join(dir, ".gitignore"), []byte(gitignore))
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

// A Stat is what a file's metadata says of its content: its size, its
// modification and status change times (nanoseconds) and its inode (0
// where the system does not tell). The index trusts a file that keeps all
// four, as git's does.
type Stat struct {
	Size, MTime, CTime int64
	Inode              uint64
}

// Lookup returns the content hash recorded for the file at path file (its
// absolute path on disk) when it still has the size, modification time,
// status change time and inode it had then.
func (c *Cache) Lookup(file string, st Stat) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[file] = true
	r, ok := c.index[file]
	if !ok || r.Size != st.Size || r.MTime != st.MTime || r.CTime != st.CTime || r.Inode != st.Inode {
		return "", false
	}
	return r.Hash, true
}

// Remember records that the file at path file (its absolute path on
// disk), with metadata st, has content hash, and that its entries are
// keyed by path (Key). A file modified in the last two seconds is not
// recorded: a change within the clock's resolution would go unseen.
func (c *Cache) Remember(file, path string, st Stat, hash string) {
	if c.now.UnixNano()-st.MTime < int64(2*time.Second) {
		return
	}
	r := indexRecord{Size: st.Size, MTime: st.MTime, CTime: st.CTime, Inode: st.Inode, Hash: hash, Path: path}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[file] = true
	if c.index[file] != r {
		c.index[file] = r
		c.dirty = true
	}
}

// Get returns the value stored under key. Values are shared: the caller
// must not modify one.
func (c *Cache) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[key]
	if ok {
		c.used[key] = true
	}
	return v, ok
}

// Put stores v under key; Close writes it. v must not be modified after.
func (c *Cache) Put(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key], c.fresh[key], c.used[key] = v, v, true
}

// Flush writes a pack of what the run has stored so far, its segments
// one after the other (fewer encoded segments held at once), Close taking
// its outcome: in the background, so that encoding it overlaps the rest
// of the run while leaving the run its cores (a scan stores every file's
// results before it builds the models and checks files), or, when now is
// set, before it returns. The values stored must not change after they
// are put, as always. When packs have piled up, Close merges them
// instead, and Flush does nothing.
func (c *Cache) Flush(now bool) {
	c.mu.Lock()
	if c.flushed != nil || len(c.packs)+1 > MaxPacks || len(c.fresh) == 0 && !c.dirty {
		c.mu.Unlock()
		return
	}
	fresh, index := c.fresh, maps.Clone(c.index)
	c.fresh, c.dirty = map[string]any{}, false
	flushedTo := make(chan flushed, 1)
	c.flushed = flushedTo
	c.mu.Unlock()
	write := func() {
		name, err := c.writePack(fresh, index, false)
		flushedTo <- flushed{name, err}
	}
	if now {
		write()
	} else {
		go write()
	}
}

// Close writes this run's pack (or what it stored since Flush), merges the
// packs when they pile up, and removes stale configuration folders.
func (c *Cache) Close() error {
	var errs []error
	c.mu.Lock()
	defer c.mu.Unlock()
	written := 0 // this run's packs
	if c.flushed != nil {
		f := <-c.flushed
		if errs = append(errs, f.err); f.err == nil {
			c.packs = append(c.packs, f.name)
			written++
		}
	}
	merged := false
	if len(c.packs)+1-written > MaxPacks {
		if unlock, ok := c.lockCompaction(); ok {
			errs = append(errs, c.compact())
			unlock()
			merged = true
		}
	}
	if !merged && (len(c.fresh) > 0 || c.dirty) {
		_, err := c.writePack(c.fresh, c.index, true)
		errs = append(errs, err)
	}
	os.Chtimes(c.dir, c.now, c.now)
	errs = append(errs, c.pruneConfigs())
	return errors.Join(errs...)
}

// compactionLock is the file a run that merges the packs holds, so that
// runs at once do not each write a merged pack of the whole repository
// (six scans of Django started together kept six, 75 MB, round after
// round); one older than staleLock is a crashed run's. Its name is a
// temporary file's, which pruning counts as residue's own.
const (
	compactionLock = ".tmp-compacting"
	staleLock      = 10 * time.Minute
)

// lockCompaction takes the compaction lock and returns the function that
// gives it back; ok is false when another run holds it (that run merges
// the packs; this one writes its own pack).
func (c *Cache) lockCompaction() (unlock func(), ok bool) {
	p := filepath.Join(c.dir, compactionLock)
	for range 2 {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(p) }, true
		}
		info, serr := os.Stat(p)
		if !errors.Is(err, fs.ErrExist) || serr != nil || c.now.Sub(info.ModTime()) < staleLock {
			return nil, false
		}
		os.Remove(p) // a crashed run's
	}
	return nil, false
}

// compact writes the entries this run used, and those of the paths the
// index knows, into one pack, and removes the packs it read. The index
// forgets the files that are gone (forget): deleted, or in a checkout
// moved or removed since (a cache shared between checkouts, a CI
// runner's workspace at another path each time), whose records and
// entries would otherwise pile up in every pack.
func (c *Cache) compact() error {
	c.forget()
	live := map[string]any{}
	for key := range c.used {
		live[key] = c.entries[key]
	}
	for _, r := range c.index {
		if key := Key(r.Path, r.Hash); c.entries[key] != nil {
			live[key] = c.entries[key]
		}
	}
	if _, err := c.writePack(live, c.index, true); err != nil {
		return err
	}
	for _, p := range c.packs {
		os.Remove(p)
	}
	return nil
}

// forget drops the index's records of files that no longer exist, but
// those this run looked up or remembered (it just saw them).
func (c *Cache) forget() {
	for file := range c.index {
		if c.seen[file] {
			continue
		}
		if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) {
			delete(c.index, file)
		}
	}
}

// writePack writes entries and index as a new pack, its segments encoded
// on every core when everyCore is set, else one after the other. An entry
// that does not encode (a type not registered) is left out.
func (c *Cache) writePack(entries map[string]any, index map[string]indexRecord, everyCore bool) (string, error) {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The segments are encoded once the file is made (on every core, or in
	// order), and each is written as soon as those before it are, rather than the pack
	// being made whole in one buffer; the header, which holds the payload's
	// length and checksum, is written last.
	per := max(1, (len(keys)+segments-1)/segments)
	var parts [][]string
	for start := 0; start < len(keys); start += per {
		parts = append(parts, keys[start:min(start+per, len(keys))])
	}
	var id [6]byte
	rand.Read(id[:])
	name := filepath.Join(c.dir, fmt.Sprintf("pack-%d-%x", c.now.UnixNano(), id))
	return name, writeAtomicStream(name, func(w io.WriterAt) error {
		encoded := make([]chan encodedSegment, len(parts)+1)
		for i := range encoded {
			encoded[i] = make(chan encodedSegment, 1)
		}
		go func() {
			seg, err := encodeSegment(nil, nil, record{Index: index})
			encoded[len(parts)] <- encodedSegment{seg, err}
		}()
		encode := func(i int) {
			seg, err := encodeSegment(parts[i], entries)
			encoded[i] <- encodedSegment{seg, err}
		}
		if everyCore {
			go parallel.Each(len(parts), encode)
		} else {
			go func() {
				for i := range parts {
					encode(i)
				}
			}()
		}
		var failed error
		off, crc := int64(headerSize), uint32(0)
		write := func(b []byte) {
			crc = crc32.Update(crc, castagnoli, b)
			if _, err := w.WriteAt(b, off); err != nil && failed == nil {
				failed = err
			}
			off += int64(len(b))
		}
		// Every segment is received, also after a failure, so that no
		// encoding outlives the pack.
		for _, ch := range encoded {
			e := <-ch
			if failed = errors.Join(failed, e.err); failed == nil {
				write(binary.AppendUvarint(nil, uint64(len(e.seg))))
				write(e.seg)
			}
		}
		if failed != nil {
			return failed
		}
		_, err := w.WriteAt(header(uint64(off)-uint64(headerSize), crc), 0)
		return err
	})
}

// An encodedSegment is a segment's bytes, or why it did not encode.
type encodedSegment struct {
	seg []byte
	err error
}

// encodeSegment encodes the entries of keys, then extra, as one gob
// stream. An entry that does not encode is left out.
func encodeSegment(keys []string, entries map[string]any, extra ...record) ([]byte, error) {
	var buf bytes.Buffer
	for {
		buf.Reset()
		enc := gob.NewEncoder(&buf)
		bad := ""
		for _, k := range keys {
			if err := enc.Encode(record{Key: k, Value: entries[k]}); err != nil {
				bad = k
				break
			}
		}
		if bad != "" {
			keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == bad })
			continue
		}
		for _, r := range extra {
			if err := enc.Encode(r); err != nil {
				return nil, fmt.Errorf("cache: %v", err)
			}
		}
		return buf.Bytes(), nil
	}
}

// readPacks reads every pack of the folder, oldest first, so that newer
// entries and index records win. A pack that does not verify or decode
// is removed.
func (c *Cache) readPacks() {
	names, _ := filepath.Glob(filepath.Join(c.dir, "pack-*"))
	sort.Slice(names, func(i, j int) bool { return packTime(names[i]) < packTime(names[j]) })
	for _, name := range names {
		switch c.readPack(name) {
		case packRead:
			c.packs = append(c.packs, name)
		case packBad:
			os.Remove(name)
		}
	}
	c.pruneTemporaries()
}

// The outcomes of reading a pack.
const (
	packRead       = iota
	packBad        // it does not verify or decode: removed
	packUnreadable // the system would not read it: left alone
)

// readPack reads one pack and keeps its entries and index records. Its
// segments are decoded on every core while the next is read, so that a
// few segments are in memory at once rather than the whole pack; the
// checksum runs over the bytes as they are read, and nothing is kept of
// a pack that does not verify or decode whole.
func (c *Cache) readPack(name string) int {
	// Not blocking: a FIFO named as a pack would wait for a writer forever.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return packUnreadable
	}
	defer f.Close()
	type decoded struct {
		entries map[string]any
		index   map[string]indexRecord
		ok      bool
	}
	type segment struct {
		i    int
		data []byte
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return packUnreadable
	}
	var (
		mu   sync.Mutex
		out  []*decoded
		segs = make(chan segment)
		wg   sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seg := range segs {
				d := &decoded{}
				d.entries, d.index, d.ok = decodeSegment(seg.data)
				mu.Lock()
				out[seg.i] = d
				mu.Unlock()
			}
		}()
	}
	outcome := readSegments(bufio.NewReaderSize(f, 64<<10), info.Size(), func(data []byte) {
		mu.Lock()
		i := len(out)
		out = append(out, nil)
		mu.Unlock()
		segs <- segment{i, data}
	})
	close(segs)
	wg.Wait()
	if outcome != packRead {
		return outcome
	}
	for _, d := range out {
		if !d.ok {
			return packBad
		}
	}
	for _, d := range out {
		for k, v := range d.entries {
			c.entries[k] = v
		}
		for path, r := range d.index {
			c.index[path] = r
		}
	}
	return packRead
}

// readSegments reads a pack of size bytes, its header then its payload,
// from r, handing each segment to use as it is read, and reports whether
// the pack verified.
func readSegments(r *bufio.Reader, size int64, use func(seg []byte)) int {
	failed := func(err error) int {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return packBad
		}
		return packUnreadable
	}
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(r, head); err != nil {
		return failed(err)
	}
	if !bytes.HasPrefix(head, magic) {
		return packBad
	}
	left := binary.LittleEndian.Uint64(head[len(magic):])
	if left != uint64(size)-uint64(headerSize) {
		return packBad
	}
	sum, crc := binary.LittleEndian.Uint32(head[len(magic)+8:]), uint32(0)
	for left > 0 {
		var length [binary.MaxVarintLen64]byte
		k, n := 0, uint64(0)
		for {
			b, err := r.ReadByte()
			if err != nil {
				return failed(err)
			}
			length[k] = b
			k++
			if b < 0x80 {
				var ok int
				n, ok = binary.Uvarint(length[:k])
				if ok <= 0 {
					return packBad
				}
				break
			}
			if k == len(length) {
				return packBad
			}
		}
		if uint64(k) > left || n > left-uint64(k) || n > math.MaxInt {
			return packBad
		}
		seg := make([]byte, n)
		if _, err := io.ReadFull(r, seg); err != nil {
			return failed(err)
		}
		crc = crc32.Update(crc32.Update(crc, castagnoli, length[:k]), castagnoli, seg)
		left -= uint64(k) + n
		use(seg)
	}
	if _, err := r.ReadByte(); err != io.EOF || crc != sum {
		return packBad
	}
	return packRead
}

// decodeSegment decodes one gob stream of records.
func decodeSegment(seg []byte) (map[string]any, map[string]indexRecord, bool) {
	dec := gob.NewDecoder(bytes.NewReader(seg))
	entries := map[string]any{}
	var index map[string]indexRecord
	for {
		var r record
		err := dec.Decode(&r)
		if err == io.EOF {
			return entries, index, true
		}
		if err != nil {
			return nil, nil, false
		}
		if r.Index != nil {
			index = r.Index
		} else {
			entries[r.Key] = r.Value
		}
	}
}

// packTime returns the creation time in a pack's name.
func packTime(name string) int64 {
	var t int64
	fmt.Sscanf(filepath.Base(name), "pack-%d-", &t)
	return t
}

// pruneTemporaries removes temporary files of interrupted runs.
func (c *Cache) pruneTemporaries() {
	tmps, _ := filepath.Glob(filepath.Join(c.dir, ".tmp-*"))
	for _, p := range tmps {
		if info, err := os.Stat(p); err == nil && c.now.Sub(info.ModTime()) > time.Hour {
			os.Remove(p)
		}
	}
}

// pruneConfigs removes the folders of configurations (and formats) that
// no run used for StaleAfter. The cache directory may be one the user
// keeps other things in (a home's .cache, the repository): a folder is
// removed only if it is named as residue names them and holds nothing but
// packs and temporary files.
func (c *Cache) pruneConfigs() error {
	dirs, err := os.ReadDir(c.root)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		p := filepath.Join(c.root, d.Name())
		if !d.IsDir() || p == c.dir || !configFolder.MatchString(d.Name()) {
			continue
		}
		if info, err := d.Info(); err == nil && c.now.Sub(info.ModTime()) > StaleAfter && onlyPacks(p) {
			os.RemoveAll(p)
		}
	}
	return nil
}

// configFolder matches the names of configuration folders, of this format
// and of others: Format, a dash, shortHash.
var configFolder = regexp.MustCompile(`^v[0-9]+-[0-9a-f]{16}$`)

// onlyPacks reports whether the folder at p holds nothing but regular
// files named as packs and temporary files are.
func onlyPacks(p string) bool {
	entries, err := os.ReadDir(p)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), "pack-") && !strings.HasPrefix(e.Name(), ".tmp-") {
			return false
		}
	}
	return true
}

// headerSize is the size of a pack's header: the magic, the payload's
// length and its checksum.
var headerSize = len(magic) + 8 + 4

// header returns a pack's header for a payload of length bytes whose
// CRC-32C is sum.
func header(length uint64, sum uint32) []byte {
	h := make([]byte, headerSize)
	copy(h, magic)
	binary.LittleEndian.PutUint64(h[len(magic):], length)
	binary.LittleEndian.PutUint32(h[len(magic)+8:], sum)
	return h
}

// castagnoli is the table of the packs' CRC-32C, which the processor
// computes in hardware: a warm run reads tens of megabytes of packs, and
// SHA-256 of them was a tenth of its time. The checksum catches a torn or
// damaged pack; it does not guard against a forged one, which nothing
// but the user's own account can write.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeAtomic writes data to a temporary file next to p and renames it
// over p.
func writeAtomic(p string, data []byte) error {
	return writeAtomicStream(p, func(w io.WriterAt) error {
		_, err := w.WriteAt(data, 0)
		return err
	})
}

// writeAtomicStream has write fill a temporary file next to p, then
// renames it over p; a failed write leaves nothing behind.
func writeAtomicStream(p string, write func(w io.WriterAt) error) error {
	// The temporary file's name says nothing; the folder does.
	inFolder := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write in %s: %v", filepath.Dir(p), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return inFolder(err)
	}
	werr := write(tmp)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return inFolder(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
