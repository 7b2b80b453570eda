package codec

import (
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// EncodingEncrypted is the "encoding" metadata value of a payload encrypted by Codec.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata key that names the key a payload was encrypted with.
	MetadataKeyID = "encryption-key-id"
)

// Codec is a converter.PayloadCodec that encrypts whole payloads (data and metadata) with
// AES-256-GCM. An encoded payload's Data is a random 12-byte nonce followed by the sealed
// proto encoding of the original payload; its metadata holds only the encoding and the key id.
type Codec struct {
	keys *Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a codec that encrypts with the first key of k and decrypts with any of them.
// It does not compress; DataConverter and Handler put a zlib codec in front of it.
func NewCodec(k *Keyring) converter.PayloadCodec {
	return &Codec{keys: k}
}

// Encode encrypts each payload with the keyring's first key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	id, aead, err := c.keys.encryptKey()
	if err != nil {
		return nil, err
	}
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload %d: %w", i, err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("codec: read nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			Data: aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// Decode decrypts payloads whose encoding is EncodingEncrypted and passes any other payload
// through unchanged, so histories written before encryption was turned on stay readable.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		dec, err := c.decode(p)
		if err != nil {
			return nil, err
		}
		out[i] = dec
	}
	return out, nil
}

func (c *Codec) decode(p *commonpb.Payload) (*commonpb.Payload, error) {
	idb, ok := p.Metadata[MetadataKeyID]
	if !ok {
		return nil, errors.New("codec: encrypted payload has no " + MetadataKeyID + " metadata")
	}
	id := string(idb)
	aead, err := c.keys.key(id)
	if err != nil {
		return nil, err
	}
	if len(p.Data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("codec: encrypted payload (key %q) is too short: %d bytes", id, len(p.Data))
	}
	nonce, sealed := p.Data[:aead.NonceSize()], p.Data[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, nil)
	if err != nil {
		return nil, fmt.Errorf("codec: decrypt payload with key %q: %w", id, err)
	}
	var dec commonpb.Payload
	if err := proto.Unmarshal(plain, &dec); err != nil {
		return nil, fmt.Errorf("codec: unmarshal decrypted payload (key %q): %w", id, err)
	}
	return &dec, nil
}
