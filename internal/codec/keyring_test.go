package codec

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newKey returns a random std-base64 key of n bytes.
func newKey(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(b)
}

// mustKeys parses "id:key" entries built from ids and keys.
func mustKeys(t *testing.T, entries ...string) *Keyring {
	t.Helper()
	k, err := ParseKeys(strings.Join(entries, ","))
	require.NoError(t, err)
	return k
}

func TestParseKeys(t *testing.T) {
	k1, k2 := newKey(t, 32), newKey(t, 32)
	k, err := ParseKeys(" k1:" + k1 + " , old-2024.1:" + k2 + " ")
	require.NoError(t, err)
	assert.Equal(t, []string{"k1", "old-2024.1"}, k.KeyIDs())

	ids := k.KeyIDs()
	ids[0] = "changed"
	assert.Equal(t, "k1", k.KeyIDs()[0], "KeyIDs returns a copy")
}

func TestParseKeysErrors(t *testing.T) {
	short := newKey(t, 16)
	long := newKey(t, 33)
	good := newKey(t, 32)
	raw := strings.TrimRight(good, "=") // unpadded: not std base64

	tests := []struct {
		name string
		spec string
		want string
	}{
		{"empty", "", "no encryption keys"},
		{"blank", "  ", "no encryption keys"},
		{"bare key", good, "key entry 1: want id:BASE64KEY"},
		{"empty entry", "k1:" + good + ",", "key entry 2: want id:BASE64KEY"},
		{"short key", "k1:" + short, `key "k1": want 32 bytes after base64, got 16`},
		{"long key", "k1:" + good + ",k2:" + long, `key "k2": want 32 bytes after base64, got 33`},
		{"empty key", "k1:", `key "k1": want 32 bytes after base64, got 0`},
		{"not base64", "k1:" + strings.Repeat("!", 44), `key "k1": not valid standard base64`},
		{"unpadded", "k1:" + raw, `key "k1": not valid standard base64`},
		{"url alphabet", "k1:" + strings.NewReplacer("+", "-", "/", "_").Replace(strings.Repeat("+/", 22)), `key "k1": not valid standard base64`},
		{"empty id", ":" + good, "key entry 1: key id must be"},
		{"bad id chars", "k 1:" + good, "key entry 1: key id must be"},
		{"key as id", good + ":k1", "key entry 1: key id must be"},
		{"long id", strings.Repeat("a", 65) + ":" + good, "key entry 1: key id must be"},
		{"duplicate id", "k1:" + good + ",k1:" + good, `key "k1": duplicate key id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeys(tt.spec)
			require.Error(t, err)
			assert.Nil(t, k)
			assert.Contains(t, err.Error(), tt.want)
			for _, secret := range []string{short, long, good, raw} {
				assert.NotContains(t, err.Error(), secret, "error leaks key material")
				assert.NotContains(t, err.Error(), secret[:8], "error leaks key material")
			}
		})
	}
}

func TestKeyringPrintsNoKeys(t *testing.T) {
	key := newKey(t, 32)
	decoded, err := base64.StdEncoding.DecodeString(key)
	require.NoError(t, err)
	k := mustKeys(t, "k1:"+key, "k0:"+newKey(t, 32))

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		out := fmt.Sprintf(verb, k)
		assert.NotContains(t, out, key, verb)
		assert.NotContains(t, out, string(decoded), verb)
		assert.NotContains(t, out, fmt.Sprintf("%x", decoded[:8]), verb)
	}
	assert.Equal(t, "codec.Keyring{encrypt: k1, decrypt: k1,k0}", k.String())
	assert.Equal(t, "codec.Keyring{}", (*Keyring)(nil).String())
}
