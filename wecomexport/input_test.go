package wecomexport_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// onlyReader hides every method but Read, as a network body does.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(b []byte) (int, error) { return o.r.Read(b) }

type readFunc func([]byte) (int, error)

func (f readFunc) Read(b []byte) (int, error) { return f(b) }

func TestParseInputs(t *testing.T) {
	small := oneSheet(t, exportRows(3)...)
	// A workbook over the 8 MiB kept in memory: an unrelated stored part pads it.
	big := rawBook{sheets: []rawSheet{{name: "成员列表", xml: worksheet(exportRows(3)...)}}, tweak: func(p *zipPart) {
		if p.name == "[Content_Types].xml" {
			p.data = append(p.data, bytes.Repeat([]byte(" "), 9<<20)...)
			p.store = true
		}
	}}.bytes(t)
	require.Greater(t, len(big), 9<<20)

	run := func(t *testing.T, r io.Reader, opts wecomexport.Options) (wecomexport.Summary, error) {
		t.Helper()
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		sum, err := wecomexport.Parse(context.Background(), r, "contacts.xlsx", opts, nil, nil)
		left, rerr := os.ReadDir(tmp)
		require.NoError(t, rerr)
		assert.Empty(t, left, "the temporary copy is removed")
		return sum, err
	}
	t.Run("a stream kept in memory", func(t *testing.T) {
		sum, err := run(t, onlyReader{bytes.NewReader(small)}, allRows())
		require.NoError(t, err)
		assert.Equal(t, 3, sum.Members)
	})
	t.Run("a stream copied to a temporary file", func(t *testing.T) {
		sum, err := run(t, onlyReader{bytes.NewReader(big)}, allRows())
		require.NoError(t, err)
		assert.Equal(t, 3, sum.Members)
	})
	t.Run("a stream larger than MaxFileBytes", func(t *testing.T) {
		_, err := run(t, onlyReader{bytes.NewReader(big)}, wecomexport.Options{EndRow: -1, MaxFileBytes: 9 << 20})
		assertFileError(t, err, wecomexport.ErrTooLarge, "", 0, "", "larger than 9 MiB")
	})
	t.Run("a file read in place from its current offset", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "x")
		require.NoError(t, err)
		defer f.Close()
		_, err = f.Write(append([]byte("junk before the workbook"), small...))
		require.NoError(t, err)
		_, err = f.Seek(int64(len("junk before the workbook")), io.SeekStart)
		require.NoError(t, err)
		sum, err := run(t, f, allRows())
		require.NoError(t, err)
		assert.Equal(t, 3, sum.Members)
	})
	t.Run("a seekable input larger than MaxFileBytes", func(t *testing.T) {
		_, err := run(t, bytes.NewReader(big), wecomexport.Options{EndRow: -1, MaxFileBytes: 9 << 20})
		assertFileError(t, err, wecomexport.ErrTooLarge, "", 0, "")
	})
	t.Run("cancelled while copying", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := bytes.NewReader(big)
		r := readFunc(func(b []byte) (int, error) {
			n, err := src.Read(b[:min(len(b), 1<<20)])
			cancel()
			return n, err
		})
		_, err := wecomexport.Parse(ctx, r, "contacts.xlsx", allRows(), nil, nil)
		require.ErrorIs(t, err, context.Canceled)
	})
}
