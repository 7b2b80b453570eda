package codec

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	piiName  = "张三丰"
	piiPhone = "13800138000"
)

type person struct {
	UserID string   `json:"userid"`
	Name   string   `json:"name"`
	Mobile string   `json:"mobile"`
	Depts  []string `json:"depts"`
}

func samplePerson() person {
	return person{UserID: "zhangsan", Name: piiName, Mobile: piiPhone, Depts: []string{"研发中心/后端组"}}
}

// assertSealed checks that p is one of our encrypted payloads and shows none of the plaintexts.
func assertSealed(t *testing.T, p *commonpb.Payload, wantKeyID string, plaintexts ...string) {
	t.Helper()
	assert.Equal(t, EncodingEncrypted, string(p.GetMetadata()[converter.MetadataEncoding]))
	assert.Equal(t, wantKeyID, string(p.GetMetadata()[MetadataKeyID]))
	assert.Len(t, p.GetMetadata(), 2, "only encoding and key id stay in clear")
	wire, err := proto.Marshal(p)
	require.NoError(t, err)
	for _, s := range plaintexts {
		assert.False(t, bytes.Contains(wire, []byte(s)), "encoded payload contains %q", s)
	}
	assert.False(t, bytes.Contains(wire, []byte("json/plain")), "inner encoding must be hidden too")
}

func TestDataConverterRoundTrip(t *testing.T) {
	dc := DataConverter(mustKeys(t, "k1:"+newKey(t, 32)))
	big := strings.Repeat(piiName+piiPhone, 2000) // compressible

	tests := []struct {
		name string
		in   any
		out  func() any // new pointer to decode into
	}{
		{"struct", samplePerson(), func() any { return new(person) }},
		{"string", piiName, func() any { return new(string) }},
		{"big string", big, func() any { return new(string) }},
		{"int", 42, func() any { return new(int) }},
		{"bytes", []byte(piiPhone), func() any { return new([]byte) }},
		{"map", map[string]int{piiName: 1}, func() any { return new(map[string]int) }},
		{"slice", []person{samplePerson(), {UserID: "lisi"}}, func() any { return new([]person) }},
		{"proto", &commonpb.WorkflowExecution{WorkflowId: piiPhone}, func() any { return new(*commonpb.WorkflowExecution) }},
		{"nil", nil, func() any { return new(*person) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dc.ToPayload(tt.in)
			require.NoError(t, err)
			assertSealed(t, p, "k1", piiName, piiPhone, "zhangsan")

			got := tt.out()
			require.NoError(t, dc.FromPayload(p, got))
			switch want := tt.in.(type) {
			case proto.Message:
				assert.True(t, proto.Equal(want, *got.(**commonpb.WorkflowExecution)))
			case nil:
				assert.Nil(t, *got.(**person))
			default:
				assert.Equal(t, want, reflect.ValueOf(got).Elem().Interface())
			}
		})
	}
}

func TestDataConverterMultiplePayloads(t *testing.T) {
	dc := DataConverter(mustKeys(t, "k1:"+newKey(t, 32)))
	ps, err := dc.ToPayloads(samplePerson(), piiPhone, 7)
	require.NoError(t, err)
	require.Len(t, ps.Payloads, 3)
	for _, p := range ps.Payloads {
		assertSealed(t, p, "k1", piiName, piiPhone)
	}
	var (
		gotP     person
		gotPhone string
		gotN     int
	)
	require.NoError(t, dc.FromPayloads(ps, &gotP, &gotPhone, &gotN))
	assert.Equal(t, samplePerson(), gotP)
	assert.Equal(t, piiPhone, gotPhone)
	assert.Equal(t, 7, gotN)
}

func TestCompressesBeforeEncrypting(t *testing.T) {
	dc := DataConverter(mustKeys(t, "k1:"+newKey(t, 32)))
	big := strings.Repeat(piiName+piiPhone, 2000)
	p, err := dc.ToPayload(big)
	require.NoError(t, err)
	assert.Less(t, len(p.Data), len(big)/10, "zlib must run before AES-GCM")
}

func TestEncodeUsesFreshNonce(t *testing.T) {
	dc := DataConverter(mustKeys(t, "k1:"+newKey(t, 32)))
	a, err := dc.ToPayload(piiPhone)
	require.NoError(t, err)
	b, err := dc.ToPayload(piiPhone)
	require.NoError(t, err)
	assert.NotEqual(t, a.Data, b.Data)
	assert.NotEqual(t, a.Data[:12], b.Data[:12])
}

func TestDecodeAfterRotation(t *testing.T) {
	oldKey, newK := newKey(t, 32), newKey(t, 32)
	before := DataConverter(mustKeys(t, "k2024:"+oldKey))
	p, err := before.ToPayload(samplePerson())
	require.NoError(t, err)

	// The new key encrypts; the old one, second, still decrypts old history.
	after := DataConverter(mustKeys(t, "k2025:"+newK, "k2024:"+oldKey))
	var got person
	require.NoError(t, after.FromPayload(p, &got))
	assert.Equal(t, samplePerson(), got)

	p2, err := after.ToPayload(samplePerson())
	require.NoError(t, err)
	assertSealed(t, p2, "k2025", piiName, piiPhone)
}

func TestDecodeUnknownKeyID(t *testing.T) {
	p, err := DataConverter(mustKeys(t, "k-retired:"+newKey(t, 32))).ToPayload(piiName)
	require.NoError(t, err)

	var got string
	err = DataConverter(mustKeys(t, "k1:"+newKey(t, 32), "k2:"+newKey(t, 32))).FromPayload(p, &got)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown key id "k-retired" (keyring has k1, k2)`)
}

func TestDecodeSameIDWrongKey(t *testing.T) {
	p, err := DataConverter(mustKeys(t, "k1:"+newKey(t, 32))).ToPayload(piiName)
	require.NoError(t, err)
	var got string
	err = DataConverter(mustKeys(t, "k1:"+newKey(t, 32))).FromPayload(p, &got)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `decrypt payload with key "k1": cipher: message authentication failed`)
}

func TestDecodeTampered(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	c := NewCodec(k)
	enc, err := c.Encode([]*commonpb.Payload{{Data: []byte(piiPhone)}})
	require.NoError(t, err)

	tamper := func(mut func(p *commonpb.Payload)) *commonpb.Payload {
		p := proto.Clone(enc[0]).(*commonpb.Payload)
		mut(p)
		return p
	}
	tests := []struct {
		name string
		p    *commonpb.Payload
		want string
	}{
		{"flipped ciphertext bit", tamper(func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 }), "message authentication failed"},
		{"flipped nonce bit", tamper(func(p *commonpb.Payload) { p.Data[0] ^= 0x80 }), "message authentication failed"},
		{"truncated tag", tamper(func(p *commonpb.Payload) { p.Data = p.Data[:len(p.Data)-1] }), "message authentication failed"},
		{"too short", tamper(func(p *commonpb.Payload) { p.Data = p.Data[:20] }), `encrypted payload (key "k1") is too short: 20 bytes`},
		{"no key id", tamper(func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }), "no encryption-key-id metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Decode([]*commonpb.Payload{tt.p})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	got, err := c.Decode(enc)
	require.NoError(t, err)
	assert.Equal(t, []byte(piiPhone), got[0].Data, "the untouched payload still decodes")
}

func TestDecodePassesThroughPlainPayloads(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	plain, err := converter.GetDefaultDataConverter().ToPayload(samplePerson())
	require.NoError(t, err)

	out, err := NewCodec(k).Decode([]*commonpb.Payload{plain})
	require.NoError(t, err)
	assert.Same(t, plain, out[0])

	var got person
	require.NoError(t, DataConverter(k).FromPayload(plain, &got), "history from before encryption stays readable")
	assert.Equal(t, samplePerson(), got)
}

func TestZeroKeyringErrorsInsteadOfPanicking(t *testing.T) {
	for _, k := range []*Keyring{nil, {}} {
		c := NewCodec(k)
		_, err := c.Encode([]*commonpb.Payload{{Data: []byte("x")}})
		assert.ErrorIs(t, err, errNoKeys)
		_, err = c.Decode([]*commonpb.Payload{{Metadata: map[string][]byte{
			converter.MetadataEncoding: []byte(EncodingEncrypted), MetadataKeyID: []byte("k1"),
		}}})
		assert.ErrorIs(t, err, errNoKeys)
	}
}

func TestFailureConverterEncryptsMessage(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	fc := FailureConverter(k)

	in := temporal.NewApplicationError("create user "+piiName+" "+piiPhone+": mobile taken", "Conflict")
	f := fc.ErrorToFailure(in)
	assert.NotContains(t, f.GetMessage(), piiPhone)
	assert.NotContains(t, f.GetStackTrace(), piiPhone)
	require.NotNil(t, f.GetEncodedAttributes())
	assertSealed(t, f.GetEncodedAttributes(), "k1", piiName, piiPhone)

	out := fc.FailureToError(f)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(out, &appErr))
	assert.Contains(t, appErr.Error(), piiName+" "+piiPhone)
	assert.Equal(t, "Conflict", appErr.Type())
}
