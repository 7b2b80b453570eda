package claimcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type record struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func stores(t *testing.T) map[string]*Store {
	out := map[string]*Store{}
	for name, url := range map[string]string{
		"mem":  "mem://",
		"file": "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "blobs")) + "?create_dir=true",
	} {
		s, err := Open(context.Background(), url)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		out[name] = s
	}
	return out
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ref, err := s.Put(ctx, "uploads/a/export.xlsx", strings.NewReader("hello"))
			require.NoError(t, err)
			assert.Equal(t, int64(5), ref.Size)
			assert.Equal(t, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", ref.SHA256)

			w, err := s.NewLineWriter(ctx, "runs/w/r/users.jsonl")
			require.NoError(t, err)
			for _, r := range []record{{"u1", "张三"}, {"u2", "<李四>"}} {
				require.NoError(t, w.Write(r))
			}
			lines, err := w.Close()
			require.NoError(t, err)
			assert.Equal(t, 2, lines.Count)
			size, err := s.Size(ctx, lines.Key)
			require.NoError(t, err)
			assert.Equal(t, lines.Size, size)
			var got []record
			require.NoError(t, ReadLines(ctx, s, lines.Key, func(r record) error { got = append(got, r); return nil }))
			assert.Equal(t, []record{{"u1", "张三"}, {"u2", "<李四>"}}, got)

			_, err = s.PutJSON(ctx, "runs/w/r/report.json", map[string]int{"created": 3})
			require.NoError(t, err)
			var doc map[string]int
			require.NoError(t, s.GetJSON(ctx, "runs/w/r/report.json", &doc))
			assert.Equal(t, 3, doc["created"])

			keys, err := s.List(ctx, "runs/")
			require.NoError(t, err)
			assert.Equal(t, []string{"runs/w/r/report.json", "runs/w/r/users.jsonl"}, keys)
			n := 0
			require.NoError(t, s.Walk(ctx, "", func(_ string, mod time.Time) error {
				n++
				assert.WithinDuration(t, time.Now(), mod, time.Minute)
				return nil
			}))
			assert.Equal(t, 3, n)

			require.NoError(t, s.Delete(ctx, "runs/w/r/report.json"))
			require.NoError(t, s.Delete(ctx, "runs/w/r/report.json"), "deleting what is gone is fine")
			ok, err := s.Exists(ctx, "runs/w/r/report.json")
			require.NoError(t, err)
			assert.False(t, ok)
			err = s.GetJSON(ctx, "runs/w/r/report.json", &doc)
			assert.True(t, errors.Is(err, ErrNotFound), err)
		})
	}
}

func TestOpenRedactsTheURLQuery(t *testing.T) {
	_, err := Open(context.Background(), "nosuch://bucket?secret_access_key=TOPSECRET")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "TOPSECRET")
}

func TestReadLinesNamesTheBadRecord(t *testing.T) {
	ctx := context.Background()
	s := stores(t)["mem"]
	_, err := s.Put(ctx, "bad.jsonl", strings.NewReader("{\"id\":\"u1\"}\n{not json\n"))
	require.NoError(t, err)
	err = ReadLines(ctx, s, "bad.jsonl", func(record) error { return nil })
	assert.ErrorContains(t, err, "bad.jsonl record 2")
}

func TestLineWriterAbortCommitsNothing(t *testing.T) {
	for _, url := range []string{"mem://", "file://" + t.TempDir()} {
		s, err := Open(context.Background(), url)
		require.NoError(t, err)
		w, err := s.NewLineWriter(context.Background(), "runs/x/rejects.jsonl")
		require.NoError(t, err)
		for i := range 1000 {
			require.NoError(t, w.Write(i))
		}
		w.Abort()
		_, err = s.Open(context.Background(), "runs/x/rejects.jsonl")
		assert.ErrorIs(t, err, ErrNotFound, url)
		require.NoError(t, s.Close())
	}
}

func TestPutJSONWithLinesStreamsArrays(t *testing.T) {
	s, err := Open(context.Background(), "file://"+t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	for key, n := range map[string]int{"a.jsonl": 3, "b.jsonl": 2} {
		w, err := s.NewLineWriter(ctx, key)
		require.NoError(t, err)
		for i := range n {
			require.NoError(t, w.Write(map[string]any{"key": key, "i": i}))
		}
		_, err = w.Close()
		require.NoError(t, err)
	}
	type doc struct {
		Status string           `json:"status"`
		Items  []map[string]any `json:"items,omitempty"`
		Empty  []int            `json:"empty,omitempty"`
	}
	_, err = s.PutJSONWithLines(ctx, "report.json", doc{Status: "done"},
		Lines{Field: "items", Keys: []string{"a.jsonl", "missing.jsonl", "b.jsonl"}}, Lines{Field: "empty"})
	require.NoError(t, err)
	var got doc
	require.NoError(t, s.GetJSON(ctx, "report.json", &got))
	assert.Equal(t, "done", got.Status)
	assert.Len(t, got.Items, 5)
	assert.Equal(t, "b.jsonl", got.Items[4]["key"])
	assert.NotNil(t, got.Empty)
	n, err := s.CountLines(ctx, "a.jsonl")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}

func TestCopyKeepsTheBytes(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			doc := "{ \"users\" : {\"a\":1}}\n\n"
			_, err := s.Put(ctx, "runs/w/r/next.json", strings.NewReader(doc))
			require.NoError(t, err)
			_, err = s.Put(ctx, "state/snapshot.json", strings.NewReader("old"))
			require.NoError(t, err)
			require.NoError(t, s.Copy(ctx, "state/snapshot.json", "runs/w/r/next.json"))
			r, err := s.Open(ctx, "state/snapshot.json")
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, r.Close())
			require.NoError(t, err)
			assert.Equal(t, doc, string(got))

			err = s.Copy(ctx, "state/other.json", "runs/w/r/missing.json")
			assert.ErrorIs(t, err, ErrNotFound)
		})
	}
}

// A record encoded ahead with EncodeLine is written as Write writes it, byte for byte.
func TestWriteLineWritesWhatWriteWrites(t *testing.T) {
	ctx := context.Background()
	s := stores(t)["mem"]
	records := []record{{"u1", "张三 <ceo> & co"}, {"u2", "李四"}}
	write := func(key string, ahead bool) Ref {
		w, err := s.NewLineWriter(ctx, key)
		require.NoError(t, err)
		for i, r := range records {
			if ahead && i == 0 {
				line, err := EncodeLine(r)
				require.NoError(t, err)
				require.NoError(t, w.WriteLine(line))
				continue
			}
			require.NoError(t, w.Write(r))
		}
		ref, err := w.Close()
		require.NoError(t, err)
		return ref
	}
	plain, ahead := write("plain.jsonl", false), write("ahead.jsonl", true)
	assert.Equal(t, plain.SHA256, ahead.SHA256)
	assert.Equal(t, 2, ahead.Count)
	got, err := ReadAll[record](ctx, s, "ahead.jsonl")
	require.NoError(t, err)
	assert.Equal(t, records, got)
}

func TestReadAllKeepsTheOrderOfManyRecords(t *testing.T) {
	ctx := context.Background()
	s := stores(t)["mem"]
	w, err := s.NewLineWriter(ctx, "many.jsonl")
	require.NoError(t, err)
	for i := range 10000 {
		require.NoError(t, w.Write(i))
	}
	_, err = w.Close()
	require.NoError(t, err)
	got, err := ReadAll[int](ctx, s, "many.jsonl")
	require.NoError(t, err)
	require.Len(t, got, 10000)
	for i, v := range got {
		require.Equal(t, i, v)
	}
	none, err := ReadAll[int](ctx, s, "missing.jsonl")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Nil(t, none)
}

// A blob rewritten while another process reads it is read whole, old or new, never cut: workers
// read each other's budget records every 200 ms while their owners rewrite them.
func TestReadWhileRewritten(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "file://"+filepath.ToSlash(filepath.Join(t.TempDir(), "blobs"))+"?create_dir=true")
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.PutJSON(ctx, "budgets/w1.json", record{ID: "0", Name: "worker"})
	require.NoError(t, err)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for reads := 0; ; reads++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			var r record
			if err := s.GetJSON(ctx, "budgets/w1.json", &r); err != nil || r.Name != "worker" {
				done <- fmt.Errorf("read %d: %+v, %v", reads, r, err)
				return
			}
		}
	}()
	for i := range 500 {
		_, err := s.PutJSON(ctx, "budgets/w1.json", record{ID: fmt.Sprint(i), Name: "worker"})
		require.NoError(t, err)
	}
	close(stop)
	assert.NoError(t, <-done)
}
