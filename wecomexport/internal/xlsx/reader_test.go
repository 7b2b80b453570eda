package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll drains a partReader byte by byte, marking a token every `every` bytes (0 = never).
func readAll(p *partReader, every int) ([]byte, error) {
	var out []byte
	for {
		if every > 0 && len(out)%every == 0 {
			p.markToken()
		}
		c, err := p.ReadByte()
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		out = append(out, c)
	}
}

func TestPartReaderUTF8(t *testing.T) {
	text := strings.Repeat("成员 zhang三 😀 ", 20000) // runes of 1–4 bytes, across many buffers
	for name, src := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return strings.NewReader(text) },
		"one byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(text)) },
		"half":     func() io.Reader { return iotest.HalfReader(strings.NewReader(text)) },
	} {
		t.Run(name, func(t *testing.T) {
			p := newPartReader("p", src(), 1<<30, 1<<20)
			got, err := readAll(p, 1000)
			if err != nil || string(got) != text {
				t.Fatalf("read %d bytes, err %v; want %d bytes", len(got), err, len(text))
			}
		})
	}
	for name, bad := range map[string]string{
		"stray continuation": "ab\x80cd",
		"0xff":               "ab\xffcd",
		"overlong":           "ab\xc0\xafcd",
		"surrogate":          "ab\xed\xa0\x80cd",
		"cut at the end":     "ab\xe6\x88",
	} {
		t.Run(name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(bad), iotest.OneByteReader(strings.NewReader(bad))} {
				_, err := readAll(newPartReader("p", r, 1<<30, 1<<20), 0)
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "not UTF-8") {
					t.Fatalf("err = %v, want not UTF-8", err)
				}
			}
		})
	}
}

func TestPartReaderLimits(t *testing.T) {
	t.Run("token", func(t *testing.T) {
		p := newPartReader("p", bytes.NewReader(make([]byte, 300)), 1<<30, 100)
		p.markToken()
		got, err := readAll(p, 0)
		if !errors.Is(err, ErrTooLarge) || len(got) != 100 {
			t.Fatalf("read %d, err %v; want 100 and too large", len(got), err)
		}
	})
	t.Run("tokens within the limit", func(t *testing.T) {
		got, err := readAll(newPartReader("p", bytes.NewReader(make([]byte, 300)), 1<<30, 100), 50)
		if err != nil || len(got) != 300 {
			t.Fatalf("read %d, err %v", len(got), err)
		}
	})
	t.Run("part", func(t *testing.T) {
		_, err := readAll(newPartReader("p", bytes.NewReader(make([]byte, 300)), 200, 1<<20), 10)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err %v, want too large", err)
		}
	})
	t.Run("a reader that never makes progress", func(t *testing.T) {
		_, err := readAll(newPartReader("p", stuck{}, 200, 1<<20), 10)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err %v, want corrupt", err)
		}
	})
}

type stuck struct{}

func (stuck) Read([]byte) (int, error) { return 0, nil }
