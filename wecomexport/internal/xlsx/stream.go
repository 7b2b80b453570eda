package xlsx

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

// stream tokenizes one XML part strictly: elements must nest and close, there must be exactly
// one root element, and nothing but white space, comments and processing instructions may stand
// outside it. It reads through a partReader, so every token is bounded.
type stream struct {
	part  string
	in    *partReader
	dec   *xml.Decoder
	stack []xml.Name // open elements
	root  bool       // the root element has been closed
}

func newStream(part string, in *partReader) *stream {
	dec := xml.NewDecoder(in)
	dec.Strict = true
	return &stream{part: part, in: in, dec: dec}
}

// parent is the local name of the element enclosing the innermost open one, "" at the root.
func (s *stream) parent() string {
	if len(s.stack) < 2 {
		return ""
	}
	return s.stack[len(s.stack)-2].Local
}

// next returns the next token: xml.StartElement, xml.EndElement or xml.CharData (valid until the
// following call), skipping comments, processing instructions and directives. It returns io.EOF
// only after the root element closed and the part ended.
func (s *stream) next() (xml.Token, error) {
	for {
		s.in.markToken()
		tok, err := s.dec.RawToken()
		if err != nil {
			return nil, s.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if s.root {
				return nil, corrupt(s.part, "a second root element <%s> after the first one closed", t.Name.Local)
			}
			if len(s.stack) >= maxDepth {
				return nil, tooLarge(s.part, "elements nested more than %d deep", maxDepth)
			}
			s.stack = append(s.stack, t.Name)
			return t, nil
		case xml.EndElement:
			if len(s.stack) == 0 {
				return nil, corrupt(s.part, "closing tag </%s> without an opening tag", t.Name.Local)
			}
			open := s.stack[len(s.stack)-1]
			if open != t.Name {
				return nil, corrupt(s.part, "closing tag </%s> does not match <%s>", qname(t.Name), qname(open))
			}
			s.stack = s.stack[:len(s.stack)-1]
			s.root = len(s.stack) == 0
			return t, nil
		case xml.CharData:
			if len(s.stack) == 0 && len(bytes.TrimLeft(bytes.TrimSpace(t), "\ufeff")) > 0 {
				return nil, corrupt(s.part, "text outside the root element")
			}
			return t, nil
		}
	}
}

// nextStart returns the next start tag, skipping everything else (io.EOF at the part's end).
func (s *stream) nextStart() (xml.StartElement, error) {
	for {
		tok, err := s.next()
		if err != nil {
			return xml.StartElement{}, err
		}
		if e, ok := tok.(xml.StartElement); ok {
			return e, nil
		}
	}
}

// fail turns a tokenizer error into an *Error.
func (s *stream) fail(err error) error {
	if s.in.err != nil {
		return s.in.err
	}
	if err == io.EOF {
		switch {
		case s.root:
			return io.EOF
		case len(s.stack) == 0:
			return corrupt(s.part, "the part holds no XML element")
		default:
			return corrupt(s.part, "the XML ends inside <%s> (the part is truncated)", qname(s.stack[len(s.stack)-1]))
		}
	}
	var syn *xml.SyntaxError
	switch {
	case errors.As(err, &syn) && syn.Msg == "unexpected EOF":
		return corrupt(s.part, "the XML ends in the middle of a tag (the part is truncated)")
	case errors.As(err, &syn):
		return corrupt(s.part, "malformed XML on line %d: %s", syn.Line, syn.Msg)
	}
	return corrupt(s.part, "malformed XML (%v)", err)
}

// skip reads past the end of the element whose start tag was just returned.
func (s *stream) skip() error {
	d := len(s.stack)
	for len(s.stack) >= d {
		if _, err := s.next(); err != nil {
			return eofIsCorrupt(s.part, err)
		}
	}
	return nil
}

// finish reads the rest of the part, checking that it is well formed to its end.
func (s *stream) finish() error {
	for {
		if _, err := s.next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// eofIsCorrupt turns an io.EOF met before an element closed into a corrupt error; next only
// returns io.EOF after the root closed, so this is for callers that expect more elements.
func eofIsCorrupt(part string, err error) error {
	if err == io.EOF {
		return corrupt(part, "the XML ends early")
	}
	return err
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// attr returns the value of the attribute with the given local name and no prefix.
func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// prefixedAttr returns the value of the attribute with the given local name and any prefix, such
// as r:id (the prefix a writer binds to the relationships namespace varies).
func prefixedAttr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space != "" && a.Name.Space != "xmlns" {
			return a.Value, true
		}
	}
	return "", false
}
