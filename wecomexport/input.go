package wecomexport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// source is the whole input, readable at any offset as archive/zip needs.
type source struct {
	io.ReaderAt
	size  int64
	close func() error
}

// spoolMemBytes is how much of a non-seekable input is kept in memory; a larger one is copied to a
// temporary file, removed when Parse returns.
const spoolMemBytes = 8 << 20

// openSource makes r readable at any offset, refusing more than maxBytes. A reader that can seek
// and read at offsets (an *os.File, a *bytes.Reader) is used in place, from its current offset.
func openSource(ctx context.Context, r io.Reader, file string, maxBytes int64) (*source, error) {
	tooLarge := func() error {
		return fileErr(file, "", ErrTooLarge, "the file is larger than %d MiB", maxBytes>>20)
	}
	if s, ok := seekable(r); ok {
		if s.size > maxBytes {
			return nil, tooLarge()
		}
		return s, nil
	}
	lr := &limitReader{ctx: ctx, r: r, left: maxBytes}
	head, err := io.ReadAll(io.LimitReader(lr, spoolMemBytes))
	switch {
	case errors.Is(err, errLimit):
		return nil, tooLarge()
	case err != nil:
		return nil, fmt.Errorf("read %q: %w", file, err)
	case len(head) < spoolMemBytes:
		return &source{ReaderAt: bytes.NewReader(head), size: int64(len(head)), close: func() error { return nil }}, nil
	}
	tmp, err := os.CreateTemp("", "wecomexport-*.xlsx")
	if err != nil {
		return nil, fmt.Errorf("spool %q: %w", file, err)
	}
	cleanup := func() error {
		cerr := tmp.Close()
		if rerr := os.Remove(tmp.Name()); rerr != nil && cerr == nil {
			cerr = rerr
		}
		return cerr
	}
	n, err := tmp.Write(head)
	if err == nil {
		var m int64
		m, err = io.Copy(tmp, lr)
		n += int(m)
	}
	if err != nil {
		_ = cleanup()
		if errors.Is(err, errLimit) {
			return nil, tooLarge()
		}
		return nil, fmt.Errorf("spool %q: %w", file, err)
	}
	return &source{ReaderAt: tmp, size: int64(n), close: cleanup}, nil
}

// seekable returns r itself as a source when it can seek and read at offsets: the bytes from
// its current offset to its end. r is left at its end, as if read.
func seekable(r io.Reader) (*source, bool) {
	ra, ok1 := r.(io.ReaderAt)
	sk, ok2 := r.(io.Seeker)
	if !ok1 || !ok2 {
		return nil, false
	}
	cur, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, false
	}
	end, err := sk.Seek(0, io.SeekEnd)
	if err != nil || end < cur {
		return nil, false
	}
	return &source{ReaderAt: io.NewSectionReader(ra, cur, end-cur), size: end - cur, close: func() error { return nil }}, true
}

// errLimit is returned by limitReader past its limit; it never leaves this package.
var errLimit = errors.New("input larger than the limit")

// limitReader stops at ctx cancellation and after max bytes.
type limitReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
}

// Read implements io.Reader.
func (l *limitReader) Read(b []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := l.r.Read(b)
	if l.left -= int64(n); l.left < 0 {
		return n, errLimit
	}
	return n, err
}

// Signatures of the formats told apart before reading the zip.
const (
	cfbSignature = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" // OLE compound file: an encrypted .xlsx or a legacy .xls
	zipSignature = "PK"
)

// sniff refuses what is not a zip archive: an empty input, a compound file, CSV, HTML, ….
func sniff(src *source, file string) error {
	head := make([]byte, len(cfbSignature))
	n, err := src.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("read %q: %w", file, err)
	}
	head = head[:n]
	switch {
	case src.size == 0:
		return &FileError{File: file, Err: fmt.Errorf("%w; export 通讯录 from the WeCom admin console again", ErrEmpty)}
	case string(head) == cfbSignature:
		return compoundFileError(src, file)
	case !bytes.HasPrefix(head, []byte(zipSignature)):
		return fileErr(file, "", ErrNotXLSX, "the file is not a zip archive as .xlsx files are "+
			"(CSV, HTML or text exports are not supported); export 通讯录 from the WeCom admin console as Excel")
	}
	return nil
}

// compoundFileError classifies an OLE compound file: an encrypted OOXML package holds an
// "EncryptedPackage" stream; a legacy .xls holds a "Workbook" (BIFF8) or "Book" (BIFF5) stream.
// The directory names are searched for in windows, never reading the whole file into memory.
func compoundFileError(src *source, file string) error {
	found, err := containsAny(src, utf16LE("Workbook"), utf16LE("Book"), utf16LE("EncryptedPackage"))
	if err != nil {
		return fmt.Errorf("read %q: %w", file, err)
	}
	if (found[0] || found[1]) && !found[2] {
		return fileErr(file, "", ErrNotXLSX, "it is a legacy .xls workbook; save it as .xlsx or export it again")
	}
	return &FileError{File: file, Err: ErrEncrypted}
}

// containsAny reports which patterns occur in src.
func containsAny(src *source, patterns ...[]byte) ([]bool, error) {
	const window = 1 << 20
	overlap := 0
	for _, p := range patterns {
		overlap = max(overlap, len(p)-1)
	}
	found := make([]bool, len(patterns))
	buf := make([]byte, window+overlap)
	for off := int64(0); off < src.size; off += window {
		n, err := src.ReadAt(buf[:min(int64(len(buf)), src.size-off)], off)
		if err != nil && err != io.EOF {
			return nil, err
		}
		for i, p := range patterns {
			found[i] = found[i] || bytes.Contains(buf[:n], p)
		}
	}
	return found, nil
}

// utf16LE encodes an ASCII string as the UTF-16LE bytes compound-file directory names use.
func utf16LE(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}
