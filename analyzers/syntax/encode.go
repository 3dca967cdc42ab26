package syntax

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Trees are stored (in residue's cache) as their grammar's language name,
// the source, and the records; decoding looks the grammar up among the
// registered Kinds.

var (
	registryMu sync.RWMutex
	registry   = map[string]*Kinds{}
)

// Register makes k's language decodable.
func Register(k *Kinds) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[k.Language] = k
}

func registered(lang string) *Kinds {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return registry[lang]
}

// recordBytes is the encoded size of a Record.
const recordBytes = 2 + 2 + 1 + 4 + 4 + 4

// MarshalBinary encodes the tree.
func (t *Tree) MarshalBinary() ([]byte, error) {
	lang := t.kinds.Language
	out := make([]byte, 0, 12+len(lang)+len(t.src)+len(t.nodes)*recordBytes)
	out = binary.AppendUvarint(out, uint64(len(lang)))
	out = append(out, lang...)
	out = binary.AppendUvarint(out, uint64(len(t.src)))
	out = append(out, t.src...)
	out = binary.AppendUvarint(out, uint64(len(t.nodes)))
	for i := range t.nodes {
		r := t.nodes[i].rec
		out = binary.LittleEndian.AppendUint16(out, r.Sym)
		out = binary.LittleEndian.AppendUint16(out, r.Field)
		out = append(out, r.Flags&^FlagHasError)
		out = binary.LittleEndian.AppendUint32(out, r.Start)
		out = binary.LittleEndian.AppendUint32(out, r.End)
		out = binary.LittleEndian.AppendUint32(out, uint32(r.Parent))
	}
	return out, nil
}

// UnmarshalBinary decodes a tree MarshalBinary encoded; it fails on
// truncated or inconsistent data and on an unregistered language.
func (t *Tree) UnmarshalBinary(data []byte) error {
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(data)
		if k <= 0 || n > uint64(len(data)-k) {
			return nil, errors.New("syntax: truncated tree")
		}
		b := data[k : k+int(n)]
		data = data[k+int(n):]
		return b, nil
	}
	lang, err := next()
	if err != nil {
		return err
	}
	kinds := registered(string(lang))
	if kinds == nil {
		return fmt.Errorf("syntax: no grammar for language %q", lang)
	}
	src, err := next()
	if err != nil {
		return err
	}
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)-k)/recordBytes {
		return errors.New("syntax: truncated tree")
	}
	data = data[k:]
	recs := make([]Record, n)
	for i := range recs {
		d := data[i*recordBytes:]
		recs[i] = Record{Sym: binary.LittleEndian.Uint16(d), Field: binary.LittleEndian.Uint16(d[2:]), Flags: d[4],
			Start: binary.LittleEndian.Uint32(d[5:]), End: binary.LittleEndian.Uint32(d[9:]), Parent: int32(binary.LittleEndian.Uint32(d[13:]))}
		r := recs[i]
		if r.Start > r.End || int(r.End) > len(src) || r.Parent >= int32(i) || (r.Parent < 0 && i > 0) {
			return errors.New("syntax: inconsistent tree")
		}
	}
	*t = *New(kinds, append([]byte(nil), src...), recs)
	return nil
}
