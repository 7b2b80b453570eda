package xlsx

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"io"
	"unicode/utf8"
)

// partReader is the io.ByteReader encoding/xml reads a part through. It checks that the bytes
// are UTF-8 (a rune split across two reads is held back until it is complete), counts them
// against the part's limit, and refuses to hand out more than tokenBytes past the last mark, so
// that no single XML token (and so no buffer of the decoder) grows past that bound.
type partReader struct {
	part       string
	src        io.Reader
	buf        []byte
	base       int64 // offset in the part of buf[0]
	pos        int   // next byte to hand out
	valid      int   // buf[:valid] is checked UTF-8; buf[valid:n] is an incomplete rune
	n          int   // bytes in buf
	lim        int   // ReadByte hands out buf[pos:lim]
	mark       int64 // offset where the current token started
	tokenBytes int64
	partBytes  int64
	eof        bool
	err        error
}

const readBufSize = 64 << 10

func newPartReader(part string, src io.Reader, partBytes int64, tokenBytes int) *partReader {
	return &partReader{part: part, src: src, buf: make([]byte, readBufSize), partBytes: partBytes,
		tokenBytes: int64(tokenBytes)}
}

// ReadByte implements io.ByteReader.
func (p *partReader) ReadByte() (byte, error) {
	if p.pos >= p.lim {
		if err := p.more(); err != nil {
			return 0, err
		}
	}
	c := p.buf[p.pos]
	p.pos++
	return c, nil
}

// Read implements io.Reader; encoding/xml uses ReadByte.
func (p *partReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if p.pos >= p.lim {
		if err := p.more(); err != nil {
			return 0, err
		}
	}
	n := copy(b, p.buf[p.pos:p.lim])
	p.pos += n
	return n, nil
}

// offset is the number of bytes handed out so far.
func (p *partReader) offset() int64 { return p.base + int64(p.pos) }

// markToken records that a new token starts at the current offset.
func (p *partReader) markToken() {
	p.mark = p.offset()
	p.setLimit()
}

func (p *partReader) setLimit() {
	p.lim = p.valid
	if end := p.mark + p.tokenBytes - p.base; end < int64(p.lim) {
		p.lim = max(int(end), p.pos)
	}
}

// more makes at least one more byte available or says why it cannot.
func (p *partReader) more() error {
	if p.pos < p.valid {
		p.err = tooLarge(p.part, "one XML token (a tag or a run of text) is larger than %d bytes", p.tokenBytes)
		return p.err
	}
	if err := p.fill(); err != nil {
		return err
	}
	p.setLimit()
	if p.pos >= p.lim {
		p.err = tooLarge(p.part, "one XML token (a tag or a run of text) is larger than %d bytes", p.tokenBytes)
		return p.err
	}
	return nil
}

// fill reads more of the part into buf, keeping an incomplete trailing rune.
func (p *partReader) fill() error {
	if p.err != nil {
		return p.err
	}
	if p.eof {
		return io.EOF
	}
	k := copy(p.buf, p.buf[p.valid:p.n])
	p.base += int64(p.valid)
	p.pos, p.valid, p.n = 0, 0, k
	end := 0
	for empty := 0; end == 0 && !p.eof; {
		m, err := p.src.Read(p.buf[p.n:])
		p.n += m
		switch {
		case err == io.EOF:
			p.eof = true
		case err != nil:
			p.err = p.readError(err)
			return p.err
		case m == 0:
			if empty++; empty > 100 {
				p.err = p.readError(io.ErrNoProgress)
				return p.err
			}
		}
		if p.base+int64(p.n) > p.partBytes {
			p.err = tooLarge(p.part, "the part is larger than %d bytes uncompressed", p.partBytes)
			return p.err
		}
		end = p.n
		if !p.eof {
			end = runeBoundary(p.buf[:p.n])
		}
	}
	if !utf8.Valid(p.buf[:end]) {
		p.err = corrupt(p.part, "bytes that are not UTF-8 at byte %d", p.base+int64(firstInvalid(p.buf[:end])))
		return p.err
	}
	p.valid = end
	if p.valid == 0 && p.eof {
		return io.EOF
	}
	return nil
}

// readError classifies an error from the zip entry.
func (p *partReader) readError(err error) error {
	var flateErr flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return corrupt(p.part, "the zip entry fails its CRC-32 checksum")
	case errors.Is(err, zip.ErrFormat):
		return tooLarge(p.part, "the zip entry inflates to more bytes than it declares (a zip bomb or a damaged file)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return corrupt(p.part, "the zip entry ends before its declared size (the file is truncated)")
	case errors.As(err, &flateErr):
		return corrupt(p.part, "the zip entry's compressed data is damaged (%v)", err)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return corrupt(p.part, "cannot read the zip entry (%v)", err)
}

// runeBoundary returns len(b) or, when b ends inside a multi-byte rune, where that rune starts.
func runeBoundary(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
