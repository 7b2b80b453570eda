// Package claimcheck keeps the large things of a run — uploaded exports, directory snapshots, plans,
// failure lists and reports — in a blob store (gocloud.dev/blob), so that Temporal payloads carry only
// their keys (the claim-check pattern, reference/temporal-notes.md §2). file:// serves one machine;
// s3:// (AWS or MinIO) serves workers on several machines. It must not hold credentials of the synced
// systems, and it knows nothing about what the blobs mean.
package claimcheck

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets
	_ "gocloud.dev/blob/memblob"  // mem:// buckets, for tests
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets (AWS, MinIO)
	"gocloud.dev/gcerrors"
)

// Blobs are written with encoding/json and decoded with its successor, about twice as fast:
// decoding the reads is most of a large plan's time. Documents decode exactly as encoding/json
// would (these options); the records of JSON-lines blobs, plain data of this module's own types,
// decode with the new defaults, faster still (a 100,000-user downstream plan: 735 → 460 ms).
var decodeOptions = jsonv1.DefaultOptionsV1()

// ErrNotFound is returned when a key holds no blob.
var ErrNotFound = errors.New("blob not found")

// Store is a blob store addressed by keys like "runs/<workflow>/<run>/plan.json".
type Store struct {
	bucket *blob.Bucket
	url    string
}

// Open opens the bucket at url, e.g. "file:///var/lib/wecomsync/blobs?create_dir=true",
// "s3://wecomsync?endpoint=http://minio:9000&use_path_style=true" or "mem://".
func Open(ctx context.Context, url string) (*Store, error) {
	b, err := blob.OpenBucket(ctx, withoutSidecars(url))
	if err != nil {
		// gocloud quotes the whole URL, credentials included: keep only the redacted form.
		msg := strings.ReplaceAll(err.Error(), url, redact(url))
		return nil, fmt.Errorf("open blob store %s: %s", redact(url), msg)
	}
	return &Store{bucket: b, url: redact(url)}, nil
}

// withoutSidecars asks a file:// bucket not to keep attributes in sidecar files (metadata=skip):
// fileblob rewrites a sidecar in place, so a reader racing a rewrite (workers read each other's
// budget records while their owners rewrite them) fails with EOF; the blob itself is replaced
// atomically (a rename), and the store needs no attributes beyond size and time.
func withoutSidecars(url string) string {
	if !strings.HasPrefix(url, "file://") || strings.Contains(url, "metadata=") {
		return url
	}
	if strings.Contains(url, "?") {
		return url + "&metadata=skip"
	}
	return url + "?metadata=skip"
}

// redact drops the query of a bucket URL, where S3 credentials may be passed.
func redact(url string) string {
	if i := strings.IndexByte(url, '?'); i >= 0 {
		return url[:i]
	}
	return url
}

// Close releases the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// String names the store (without secrets).
func (s *Store) String() string { return s.url }

// Ref describes a stored blob.
type Ref struct {
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Count  int    `json:"count,omitempty"` // records, for JSON-lines blobs
}

// Put stores everything r yields under key and returns its size and SHA-256.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (Ref, error) {
	w, err := s.bucket.NewWriter(ctx, key, nil)
	if err != nil {
		return Ref{}, fmt.Errorf("write blob %s: %w", key, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		_ = w.Close()
		return Ref{}, fmt.Errorf("write blob %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return Ref{}, fmt.Errorf("write blob %s: %w", key, err)
	}
	return Ref{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Open returns a reader of the blob at key; the caller closes it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return nil, s.wrap("read", key, err)
	}
	return r, nil
}

// Size returns the size of the blob at key.
func (s *Store) Size(ctx context.Context, key string) (int64, error) {
	a, err := s.bucket.Attributes(ctx, key)
	if err != nil {
		return 0, s.wrap("stat", key, err)
	}
	return a.Size, nil
}

// Copy stores the blob at src under dst as it is, byte for byte, without reading it into memory
// (S3 copies it on the server).
func (s *Store) Copy(ctx context.Context, dst, src string) error {
	if err := s.bucket.Copy(ctx, dst, src, nil); err != nil {
		return s.wrap("copy", src+" to "+dst, err)
	}
	return nil
}

// Exists reports whether key holds a blob.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	return s.bucket.Exists(ctx, key)
}

// Walk calls fn with every key under prefix and its modification time, in key order.
func (s *Store) Walk(ctx context.Context, prefix string, fn func(key string, modified time.Time) error) error {
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list blobs %s: %w", prefix, err)
		}
		if !obj.IsDir {
			if err := fn(obj.Key, obj.ModTime); err != nil {
				return err
			}
		}
	}
}

// List returns the keys under prefix, sorted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return keys, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list blobs %s: %w", prefix, err)
		}
		if !obj.IsDir {
			keys = append(keys, obj.Key)
		}
	}
}

// PutJSON stores v as one JSON document.
func (s *Store) PutJSON(ctx context.Context, key string, v any) (Ref, error) {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10)
		err := json.NewEncoder(bw).Encode(v)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	return s.Put(ctx, key, pr)
}

// GetJSON reads the JSON document at key into v.
func (s *Store) GetJSON(ctx context.Context, key string, v any) error {
	r, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := jsonv2.UnmarshalRead(bufio.NewReaderSize(r, 64<<10), v, decodeOptions); err != nil {
		return fmt.Errorf("decode blob %s: %w", key, err)
	}
	return nil
}

// LineWriter writes a JSON-lines blob one record at a time, so that large snapshots never sit in
// memory as one encoded document.
type LineWriter struct {
	key    string
	w      *blob.Writer
	cancel context.CancelFunc
	buf    *bufio.Writer
	enc    *json.Encoder
	hash   hashCounter
	count  int
}

type hashCounter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (c *hashCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// NewLineWriter starts a JSON-lines blob at key. Call Close to commit it, Abort to drop it.
func (s *Store) NewLineWriter(ctx context.Context, key string) (*LineWriter, error) {
	// A writer of its own context: cancelling it is how gocloud discards a write (Abort).
	wctx, cancel := context.WithCancel(ctx)
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{ContentType: "application/x-ndjson"})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("write blob %s: %w", key, err)
	}
	lw := &LineWriter{key: key, w: w, cancel: cancel, hash: hashCounter{h: sha256.New()}}
	lw.buf = bufio.NewWriterSize(io.MultiWriter(w, &lw.hash), 256<<10)
	lw.enc = json.NewEncoder(lw.buf)
	lw.enc.SetEscapeHTML(false)
	return lw, nil
}

// Write appends one record.
func (lw *LineWriter) Write(v any) error {
	lw.count++
	if err := lw.enc.Encode(v); err != nil {
		return fmt.Errorf("write blob %s record %d: %w", lw.key, lw.count, err)
	}
	return nil
}

// EncodeLine encodes v as Write writes a record (one line of JSON, its newline included), for
// records encoded ahead and written with WriteLine.
func EncodeLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(b.Bytes()), nil
}

// WriteLine appends one record encoded by EncodeLine.
func (lw *LineWriter) WriteLine(line []byte) error {
	lw.count++
	if _, err := lw.buf.Write(line); err != nil {
		return fmt.Errorf("write blob %s record %d: %w", lw.key, lw.count, err)
	}
	return nil
}

// Close commits the blob and returns its reference.
func (lw *LineWriter) Close() (Ref, error) {
	defer lw.cancel()
	if err := lw.buf.Flush(); err != nil {
		_ = lw.w.Close()
		return Ref{}, fmt.Errorf("write blob %s: %w", lw.key, err)
	}
	if err := lw.w.Close(); err != nil {
		return Ref{}, fmt.Errorf("write blob %s: %w", lw.key, err)
	}
	return Ref{Key: lw.key, Size: lw.hash.n, SHA256: hex.EncodeToString(lw.hash.h.Sum(nil)), Count: lw.count}, nil
}

// Abort drops the blob being written: nothing is committed at its key.
func (lw *LineWriter) Abort() {
	lw.cancel()
	_ = lw.w.Close() // fails by design: the write was cancelled
}

// ReadLines decodes the JSON-lines blob at key, one record per call of fn, in order.
func ReadLines[T any](ctx context.Context, s *Store, key string, fn func(T) error) error {
	r, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	dec := jsontext.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	for n := 1; ; n++ {
		var v T
		if err := jsonv2.UnmarshalDecode(dec, &v); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("decode blob %s record %d: %w", key, n, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
}

// ReadAll decodes every record of the JSON-lines blob at key. The records are gathered in blocks
// and copied once into the slice returned: growing one slice record by record would copy each
// several times (a tenth of a large blob's decoding time).
func ReadAll[T any](ctx context.Context, s *Store, key string) ([]T, error) {
	var blocks [][]T
	err := ReadLines(ctx, s, key, func(v T) error {
		if len(blocks) == 0 || len(blocks[len(blocks)-1]) == cap(blocks[len(blocks)-1]) {
			blocks = append(blocks, make([]T, 0, 4096))
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], v)
		return nil
	})
	return slices.Concat(blocks...), err
}

func (s *Store) wrap(op, key string, err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("%s blob %s in %s: %w", op, key, s.url, ErrNotFound)
	}
	return fmt.Errorf("%s blob %s in %s: %w", op, key, s.url, err)
}

// Delete removes the blob at key; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Lines names a JSON array of a document that PutJSONWithLines fills from JSON-lines blobs.
type Lines struct {
	Field string   // the array's key in the document
	Keys  []string // blobs of JSON lines, concatenated in order; missing blobs are skipped
}

// PutJSONWithLines stores v (which must encode as a JSON object, without the fields named in
// arrays) with each array appended record by record from its blobs, so that a document holding a
// million records is streamed, never held in memory.
func (s *Store) PutJSONWithLines(ctx context.Context, key string, v any, arrays ...Lines) (Ref, error) {
	head, err := json.Marshal(v)
	if err != nil || len(head) < 2 || head[0] != '{' {
		return Ref{}, fmt.Errorf("write blob %s: the document is not a JSON object (%v)", key, err)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(s.streamDocument(ctx, pw, head, arrays))
	}()
	ref, err := s.Put(ctx, key, pr)
	_ = pr.CloseWithError(err) // stops the producer when Put gave up early
	return ref, err
}

func (s *Store) streamDocument(ctx context.Context, w io.Writer, head []byte, arrays []Lines) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.Write(head[:len(head)-1]) // the object without its closing brace
	first := len(head) == 2      // "{}": no field before the arrays
	for _, a := range arrays {
		if !first {
			bw.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(a.Field)
		bw.Write(name)
		bw.WriteString(":[")
		n := 0
		for _, k := range a.Keys {
			err := s.eachLine(ctx, k, func(line []byte) error {
				if n++; n > 1 {
					bw.WriteByte(',')
				}
				_, err := bw.Write(line)
				return err
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		bw.WriteByte(']')
	}
	bw.WriteByte('}')
	return bw.Flush()
}

// CountLines returns the number of records in the JSON-lines blob at key.
func (s *Store) CountLines(ctx context.Context, key string) (int, error) {
	n := 0
	err := s.eachLine(ctx, key, func([]byte) error { n++; return nil })
	return n, err
}

// eachLine calls fn with every non-empty line of the blob at key (without its newline).
func (s *Store) eachLine(ctx context.Context, key string, fn func([]byte) error) error {
	r, err := s.Open(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A record longer than the buffer: read the rest of it.
			rest, rerr := br.ReadBytes('\n')
			line, err = append(slices.Clone(line), rest...), rerr
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read blob %s: %w", key, err)
		}
	}
}
