package cache

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
)

// The index is stored like an entry (checksummed) in the configuration's
// folder; an index that does not verify or decode is an empty index.

func (c *Cache) indexPath() string { return filepath.Join(c.dir, "index") }

func (c *Cache) readIndex() {
	data, err := os.ReadFile(c.indexPath())
	if err != nil {
		return
	}
	payload, ok := verify(data)
	if !ok {
		return
	}
	var idx map[string]indexRecord
	if gob.NewDecoder(bytes.NewReader(payload)).Decode(&idx) == nil {
		c.index = idx
	}
	if c.index == nil {
		c.index = map[string]indexRecord{}
	}
}

func (c *Cache) writeIndex() error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(c.index); err != nil {
		return err
	}
	return writeAtomic(c.indexPath(), seal(buf.Bytes()))
}
