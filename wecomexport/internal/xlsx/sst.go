package xlsx

import (
	"context"
	"encoding/xml"
	"io"
)

// sharedStrings is the shared-strings table, stored compactly: the text of all strings in
// append-only chunks and one small reference per string, so that a table of a million short
// strings costs about its text plus 12 bytes a string rather than a Go string header and an
// allocation each.
type sharedStrings struct {
	chunks [][]byte
	refs   []strRef
	bytes  int64
}

type strRef struct{ chunk, off, n uint32 }

const sstChunkBytes = 1 << 20

func (t *sharedStrings) add(s []byte) {
	last := len(t.chunks) - 1
	if last < 0 || len(t.chunks[last])+len(s) > cap(t.chunks[last]) {
		t.chunks = append(t.chunks, make([]byte, 0, max(sstChunkBytes, len(s))))
		last++
	}
	c := t.chunks[last]
	t.refs = append(t.refs, strRef{chunk: uint32(last), off: uint32(len(c)), n: uint32(len(s))})
	t.chunks[last] = append(c, s...)
	t.bytes += int64(len(s))
}

// len is the number of strings; a nil table (no LoadShared yet) has none.
func (t *sharedStrings) len() int {
	if t == nil {
		return 0
	}
	return len(t.refs)
}

// get returns string i.
func (t *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= t.len() {
		return "", false
	}
	r := t.refs[i]
	return string(t.chunks[r.chunk][r.off : r.off+r.n]), true
}

// readSharedStrings loads the shared-strings table: the text of each <si>, rich-text runs
// (<r><t>) concatenated, phonetic guides (<rPh>) left out.
func (b *Book) readSharedStrings(ctx context.Context) error {
	b.sst = &sharedStrings{}
	if b.strings == "" || b.arc.file(b.strings) == nil {
		return nil
	}
	lim := b.arc.lim
	part := b.strings
	var text []byte
	err := b.readPart(ctx, part, lim.PartBytes, func(s *stream) error {
		inSI := 0 // depth of the open <si>, 0 outside
		for {
			tok, err := s.next()
			if err != nil {
				return err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				if t.Name.Local == "si" && inSI == 0 {
					inSI = len(s.stack)
					text = text[:0]
				}
			case xml.CharData:
				if inSI > 0 && s.stack[len(s.stack)-1].Local == "t" {
					if p := s.parent(); p == "si" || p == "r" {
						if len(text)+len(t) > lim.CellBytes {
							return tooLarge(part, "shared string %d is larger than %d bytes", len(b.sst.refs)+1, lim.CellBytes)
						}
						text = append(text, t...)
					}
				}
			case xml.EndElement:
				if inSI > 0 && len(s.stack) < inSI {
					inSI = 0
					if len(b.sst.refs) >= lim.SharedStrings {
						return tooLarge(part, "the shared-strings table holds more than %d strings", lim.SharedStrings)
					}
					if b.sst.bytes+int64(len(text)) > lim.SharedStringBytes {
						return tooLarge(part, "the shared-strings table holds more than %d bytes of text", lim.SharedStringBytes)
					}
					b.sst.add(text)
					if len(b.sst.refs)&4095 == 0 {
						if err := ctx.Err(); err != nil {
							return err
						}
					}
				}
			}
		}
	})
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}
