// Package codec encrypts Temporal payloads with AES-256-GCM, so that personal data in workflow
// inputs, results, heartbeats, memos and (with FailureConverter) failure messages is unreadable in
// history. It also serves the same codec over HTTP for the Temporal UI and CLI.
//
// The chain is [converter.GetDefaultDataConverter] → zlib → AES-GCM on encode, and the reverse on
// decode. Every client, worker, schedule creator, replayer and test that touches these workflows
// must use DataConverter and FailureConverter built from the same keys.
//
// This package must not log, print or put into errors any key material; a [Keyring] prints only
// its key ids. It does not read keys from the environment either: internal/config does that and
// hands the spec to [ParseKeys].
//
// Search attributes, workflow/activity IDs and type names are never encoded by Temporal, so keep
// names and phone numbers out of them.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

const maxKeyIDLen = 64

// Keyring holds the AES-256-GCM keys the codec may use. The first key encrypts; every key decrypts,
// so histories written before a key rotation stay readable. A Keyring is safe for concurrent use.
type Keyring struct {
	ids   []string               // in spec order; ids[0] encrypts
	aeads map[string]cipher.AEAD // key id → AES-GCM
}

// ParseKeys parses a spec of the form "id1:BASE64KEY[,id2:BASE64KEY...]". Each key must decode
// (standard base64, with padding) to exactly 32 bytes. Key ids are 1–64 characters of
// [A-Za-z0-9._-] and must be unique. Spaces around entries are ignored.
//
// The first key encrypts new payloads, so rotate by putting the new key first and keeping the old
// ones after it until no history that needs them is retained.
//
// Errors name the entry position or key id, never the key material.
func ParseKeys(spec string) (*Keyring, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("codec: no encryption keys (want id:BASE64KEY[,id:BASE64KEY...])")
	}
	k := &Keyring{aeads: make(map[string]cipher.AEAD)}
	for i, entry := range strings.Split(spec, ",") {
		n := i + 1
		entry = strings.TrimSpace(entry)
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			// Do not echo the entry: it may be a bare key.
			return nil, fmt.Errorf("codec: key entry %d: want id:BASE64KEY", n)
		}
		id, b64 = strings.TrimSpace(id), strings.TrimSpace(b64)
		if !validKeyID(id) {
			// Do not echo the id either: a malformed entry may have the key on this side.
			return nil, fmt.Errorf("codec: key entry %d: key id must be 1-%d characters of A-Z a-z 0-9 . _ -", n, maxKeyIDLen)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("codec: key %q: duplicate key id", id)
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			// base64.CorruptInputError only holds an offset, but do not rely on that.
			return nil, fmt.Errorf("codec: key %q: not valid standard base64", id)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("codec: key %q: want %d bytes after base64, got %d", id, KeySize, len(key))
		}
		aead, err := newAEAD(key)
		clear(key)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", id, err)
		}
		k.ids = append(k.ids, id)
		k.aeads[id] = aead
	}
	return k, nil
}

// KeyIDs returns the key ids in spec order; the first one encrypts.
func (k *Keyring) KeyIDs() []string {
	return append([]string(nil), k.ids...)
}

// String describes the keyring by its key ids only.
func (k *Keyring) String() string {
	if k == nil || len(k.ids) == 0 {
		return "codec.Keyring{}"
	}
	return fmt.Sprintf("codec.Keyring{encrypt: %s, decrypt: %s}", k.ids[0], strings.Join(k.ids, ","))
}

// GoString is String, so %#v does not dump the cipher state either.
func (k *Keyring) GoString() string { return k.String() }

// errNoKeys is returned instead of panicking when a codec is built from a nil or zero Keyring.
var errNoKeys = errors.New("codec: keyring has no keys (build it with ParseKeys)")

func (k *Keyring) encryptKey() (string, cipher.AEAD, error) {
	if k == nil || len(k.ids) == 0 {
		return "", nil, errNoKeys
	}
	id := k.ids[0]
	return id, k.aeads[id], nil
}

func (k *Keyring) key(id string) (cipher.AEAD, error) {
	if k == nil || len(k.ids) == 0 {
		return nil, errNoKeys
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("codec: payload was encrypted with unknown key id %q (keyring has %s)", id, strings.Join(k.ids, ", "))
	}
	return aead, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
}

func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDLen {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}
