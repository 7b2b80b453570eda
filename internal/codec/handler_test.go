package codec

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

func newServer(t *testing.T, k *Keyring, opts ...HandlerOption) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(k, opts...))
	t.Cleanup(srv.Close)
	return srv
}

// post sends payloads as the Temporal UI does and returns the response.
func post(t *testing.T, url string, ps *commonpb.Payloads, header http.Header) *http.Response {
	t.Helper()
	body, err := protojson.Marshal(ps)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	for name, vs := range header {
		req.Header[name] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func readPayloads(t *testing.T, resp *http.Response) *commonpb.Payloads {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var out commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(body, &out))
	return &out
}

func TestHandlerDecode(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	srv := newServer(t, k)

	enc, err := DataConverter(k).ToPayloads(samplePerson(), piiPhone)
	require.NoError(t, err)

	resp := post(t, srv.URL+"/decode", enc, nil)
	assert.Equal(t, DefaultAllowOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	dec := readPayloads(t, resp)
	require.Len(t, dec.Payloads, 2)
	assert.Equal(t, "json/plain", string(dec.Payloads[0].Metadata[converter.MetadataEncoding]))

	var (
		got   person
		phone string
	)
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(dec, &got, &phone))
	assert.Equal(t, samplePerson(), got)
	assert.Equal(t, piiPhone, phone)
}

func TestHandlerEncodeThenDecode(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	srv := newServer(t, k)

	plain, err := converter.GetDefaultDataConverter().ToPayloads(piiName)
	require.NoError(t, err)
	enc := readPayloads(t, post(t, srv.URL+"/encode", plain, nil))
	require.Len(t, enc.Payloads, 1)
	assertSealed(t, enc.Payloads[0], "k1", piiName)

	var got string
	require.NoError(t, DataConverter(k).FromPayloads(enc, &got), "server and DataConverter agree")
	assert.Equal(t, piiName, got)
}

func TestHandlerDecodeError(t *testing.T) {
	srv := newServer(t, mustKeys(t, "k1:"+newKey(t, 32)))
	enc, err := DataConverter(mustKeys(t, "gone:"+newKey(t, 32))).ToPayloads(piiName)
	require.NoError(t, err)

	resp := post(t, srv.URL+"/decode", enc, nil)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), `unknown key id "gone"`)
}

func TestHandlerCORSPreflight(t *testing.T) {
	tests := []struct {
		name   string
		opts   []HandlerOption
		origin string
	}{
		{"default origin", nil, DefaultAllowOrigin},
		{"custom origin", []HandlerOption{WithAllowOrigin("https://temporal.example.cn")}, "https://temporal.example.cn"},
		{"empty keeps default", []HandlerOption{WithAllowOrigin("")}, DefaultAllowOrigin},
		{"no token needed", []HandlerOption{WithToken("s3cret")}, DefaultAllowOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, mustKeys(t, "k1:"+newKey(t, 32)), tt.opts...)
			req, err := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
			require.NoError(t, err)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())

			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			assert.Equal(t, tt.origin, resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "Content-Type, X-Namespace, Authorization", resp.Header.Get("Access-Control-Allow-Headers"))
			assert.Equal(t, "POST", resp.Header.Get("Access-Control-Allow-Methods"))
		})
	}
}

func TestHandlerToken(t *testing.T) {
	k := mustKeys(t, "k1:"+newKey(t, 32))
	srv := newServer(t, k, WithToken("s3cret"))
	enc, err := DataConverter(k).ToPayloads(piiName)
	require.NoError(t, err)

	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "Bearer nope", http.StatusUnauthorized},
		{"prefix of token", "Bearer s3c", http.StatusUnauthorized},
		{"wrong scheme", "Basic s3cret", http.StatusUnauthorized},
		{"no scheme", "s3cret", http.StatusUnauthorized},
		{"right", "Bearer s3cret", http.StatusOK},
		{"scheme case-insensitive", "bearer s3cret", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			resp := post(t, srv.URL+"/decode", enc, h)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, DefaultAllowOrigin, resp.Header.Get("Access-Control-Allow-Origin"), "the UI must be able to read a 401")
			if tt.status == http.StatusUnauthorized {
				assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.NotContains(t, string(body), piiName)
			}
		})
	}
}

func TestHandlerRoutes(t *testing.T) {
	srv := newServer(t, mustKeys(t, "k1:"+newKey(t, 32)))
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/decode", http.StatusMethodNotAllowed},
		{http.MethodPost, "/other", http.StatusNotFound},
		{http.MethodPost, "/x/decode", http.StatusNotFound},
		{http.MethodPost, "/decode", http.StatusBadRequest}, // empty body is not Payloads JSON
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, tt.status, resp.StatusCode, "%s %s", tt.method, tt.path)
	}
}
