package xlsx

import (
	"archive/zip"
	"errors"
	"io"
	"math"
	"net/url"
	"path"
	"strings"
)

// archive is the zip container of a workbook.
type archive struct {
	parts map[string]*zip.File // lower-cased part name → entry (OPC part names ignore case)
	lim   Limits
	read  int64 // declared bytes of the parts opened so far
}

// budgetReaderAt fails reads once more than left bytes were read through it.
type budgetReaderAt struct {
	r        io.ReaderAt
	left     int64
	exceeded bool
}

var errDirectoryBudget = errors.New("zip central directory too large")

// ReadAt implements io.ReaderAt.
func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left < int64(len(p)) {
		b.exceeded = true
		return 0, errDirectoryBudget
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}

// openArchive reads the zip central directory, reading at most maxDirectoryBytes of it: a zip
// made of millions of tiny entries would otherwise cost hundreds of MB before any check.
func openArchive(r io.ReaderAt, size int64, lim Limits) (*archive, error) {
	budget := &budgetReaderAt{r: r, left: maxDirectoryBytes + 128<<10}
	zr, err := zip.NewReader(budget, size)
	switch {
	case budget.exceeded:
		return nil, tooLarge("", "the zip central directory is larger than %d bytes (too many entries)", maxDirectoryBytes)
	case err != nil && !errors.Is(err, zip.ErrInsecurePath):
		return nil, corrupt("", "the zip archive is damaged or truncated (%v)", err)
	}
	budget.left = math.MaxInt64 // the entries read their data through it from now on
	a := &archive{parts: make(map[string]*zip.File, len(zr.File)), lim: lim}
	for _, f := range zr.File {
		key := strings.ToLower(strings.TrimPrefix(f.Name, "/"))
		if _, dup := a.parts[key]; dup {
			return nil, corrupt("", "the zip archive holds two entries named %q", f.Name)
		}
		a.parts[key] = f
	}
	return a, nil
}

// file returns the entry of a part, nil when there is none.
func (a *archive) file(name string) *zip.File {
	if f := a.parts[strings.ToLower(name)]; f != nil {
		return f
	}
	if u, err := url.PathUnescape(name); err == nil && u != name {
		return a.parts[strings.ToLower(u)]
	}
	return nil
}

// open opens a part for reading, checking its declared size against limit and the total.
func (a *archive) open(f *zip.File, limit int64) (*partReader, io.Closer, error) {
	limit = min(limit, a.lim.PartBytes)
	if f.UncompressedSize64 > uint64(limit) {
		return nil, nil, tooLarge(f.Name, "the part declares %d bytes uncompressed, more than the limit of %d", f.UncompressedSize64, limit)
	}
	if a.read+int64(f.UncompressedSize64) > a.lim.TotalBytes {
		return nil, nil, tooLarge(f.Name, "the parts read declare more than %d bytes uncompressed in all", a.lim.TotalBytes)
	}
	a.read += int64(f.UncompressedSize64)
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, nil, corrupt(f.Name, "the zip entry uses an unsupported compression method %d", f.Method)
		}
		return nil, nil, corrupt(f.Name, "cannot open the zip entry (%v)", err)
	}
	return newPartReader(f.Name, rc, int64(f.UncompressedSize64), tokenBytes(a.lim)), rc, nil
}

// tokenBytes bounds one XML token: a cell's raw text, but at least enough for the long namespace
// lists some writers put on root elements.
func tokenBytes(lim Limits) int { return max(lim.CellBytes, 64<<10) }

// resolve turns a relationship target into a part name: relative targets are relative to the
// folder of the part that holds the relationship, absolute ones start at the package root.
func resolve(sourceDir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(sourceDir, target), "/")
}
