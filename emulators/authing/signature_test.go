package authing

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/emulators/internal/fakeclock"
)

// signedAt is the emulator's clock in the signature tests: the date of the golden vectors.
var signedAt = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// sdkRequest is one request as authing-node-sdk v4 sends it. The signer below re-implements the
// SDK's signing (github.com/Authing/authing-node-sdk, src/utils/buildSignature.ts:
// getCanonicalizedHeaders, getCanonicalizedResource, buildStringToSign, buildAuthorization; and
// src/ManagementHttpClient.ts for the headers it sets) from its source, independently of the
// emulator's code: pairs are written by hand as the SDK derives them from its params (GET) or
// data (POST) object — sorted keys, objects as JSON.stringify writes them.
type sdkRequest struct {
	method, verb string
	query        string   // raw query string as axios sends it
	body         string   // raw body (any JSON encoding of the SDK's data object)
	pairs        []string // the SDK's key=value list
	questionMark bool     // the SDK had parameters, all undefined: "?" with nothing after it
	ak, sk       string
	date         string
	nonce        string
	header       map[string]string // set after signing ("" deletes), to tamper
	signHeader   map[string]string // extra headers that are signed (x-authing-*)
}

// sign returns the headers the SDK sends.
func (r sdkRequest) sign() map[string]string {
	h := map[string]string{
		"accept":                      "application/json",
		"content-type":                "application/json",
		"x-authing-signature-nonce":   r.nonce,
		"x-authing-signature-method":  "HMAC-SHA1",
		"x-authing-signature-version": "1.0",
		"user-agent":                  "AuthingIdentityCloud (linux; x64) Node.js/v20.20.2 Core/4.0.1",
		"x-authing-sdk-version":       "authing-node-sdk:4.0.1",
		"x-authing-lang":              "zh-CN",
		"date":                        r.date,
	}
	for k, v := range r.signHeader {
		h[k] = v
	}
	var signed []string
	for k := range h {
		if strings.HasPrefix(k, "x-authing-") || k == "date" {
			signed = append(signed, k)
		}
	}
	slices.Sort(signed)
	sts := r.method + "\n"
	for _, k := range signed {
		sts += k + ":" + strings.TrimSpace(h[k]) + "\n"
	}
	sts += "/api/v3/" + r.verb
	if len(r.pairs) > 0 || r.questionMark {
		sts += "?" + strings.Join(r.pairs, "&")
	}
	mac := hmac.New(sha1.New, []byte(r.sk))
	mac.Write([]byte(sts))
	h["authorization"] = "authing " + r.ak + ":" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return h
}

// send signs r (or uses auth when set) and returns the envelope.
func (e *testEnv) send(t *testing.T, r sdkRequest) rawEnvelope {
	t.Helper()
	u := e.srv.URL + "/api/v3/" + r.verb
	if r.query != "" {
		u += "?" + r.query
	}
	req, err := http.NewRequest(r.method, u, strings.NewReader(r.body))
	require.NoError(t, err)
	for k, v := range r.sign() {
		req.Header.Set(k, v)
	}
	for k, v := range r.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	status, env := roundTrip(t, req)
	require.Equal(t, http.StatusOK, status)
	return env
}

// signedEnv is an emulator at signedAt holding one user with a defined custom field.
func signedEnv(t *testing.T) (*testEnv, *fakeclock.Clock) {
	t.Helper()
	clock := fakeclock.New(signedAt)
	e := newEnv(t, Fixture{
		CustomFields: []CustomField{
			{TargetType: "USER", Key: "wechatwork_user_id", DataType: "STRING"},
			{TargetType: "USER", Key: "wechatwork_department_ids", DataType: "STRING"},
		},
		Users: []User{{UserID: "6510000000000000000000001", Username: "zhangsan"}},
	}, WithClock(clock.Now))
	return e, clock
}

func sdk(method, verb, query, body string, pairs ...string) sdkRequest {
	return sdkRequest{method: method, verb: verb, query: query, body: body, pairs: pairs,
		ak: tPool, sk: tSecret, date: signedAt.Format(http.TimeFormat)}
}

// TestSignatureMatchesNodeSDKGolden replays the Authorization the real authing-node-sdk 4.0.1
// computed (buildStringToSign + buildAuthorization, run under Node 20) for fixed headers and
// data. The bodies here encode the same data differently (spacing, escapes, number forms, key
// order), as the emulator signs the JavaScript values, not the bytes.
func TestSignatureMatchesNodeSDKGolden(t *testing.T) {
	e, _ := signedEnv(t)
	golden := map[string]string{
		"date":                        "Wed, 04 Mar 2026 10:00:00 GMT",
		"x-authing-lang":              "zh-CN",
		"x-authing-sdk-version":       "authing-node-sdk:4.0.1",
		"x-authing-signature-method":  "HMAC-SHA1",
		"x-authing-signature-nonce":   "5f1c0e2d9b7a4c3e8f6a1b2c3d4e5f60",
		"x-authing-signature-version": "1.0",
	}
	tests := []struct {
		name, method, target, body, auth string
		wantStatus                       int
	}{
		{"POST as the SDK's JSON.stringify wrote it", http.MethodPost, "/api/v3/set-custom-data",
			`{"targetType":"USER","targetIdentifier":"6510000000000000000000001","list":[{"key":"wechatwork_user_id","value":"ZhangSan"},{"key":"wechatwork_department_ids","value":"2,5"}],"extra":{"2":1.5,"10":"ten","b":"<&>` + "\u2028" + `\"\\\n","a":[1e+21,1e-7,100,0,true,null,"中文"]},"count":3,"flag":false,"nothing":null}`,
			"authing pool-1:A4k1Tk7P5wU5EA3dxcAmJlTzw6E=", 200},
		{"POST encoded otherwise", http.MethodPost, "/api/v3/set-custom-data",
			"{ \"nothing\": null, \"flag\": false, \"count\": 3.0,\n \"extra\": {\"10\": \"ten\", \"b\": \"\\u003c\\u0026\\u003e\\u2028\\\"\\\\\\n\", \"2\": 15e-1, \"a\": [1E21, 0.0000001, 1e2, -0.0, true, null, \"\\u4e2d文\"]},\n" +
				` "targetType": "USER", "targetIdentifier": "6510000000000000000000001", "list": [ {"key": "wechatwork_user_id", "value": "ZhangSan"}, {"key": "wechatwork_department_ids", "value": "2,5"} ] }`,
			"authing pool-1:A4k1Tk7P5wU5EA3dxcAmJlTzw6E=", 200},
		{"GET (namespace was undefined)", http.MethodGet,
			"/api/v3/get-custom-data?targetType=USER&targetIdentifier=u+1%26x%3D%E4%B8%AD&page=1&withCustomData=true", "",
			"authing pool-1:6nYTTjvqjQ4StBJT8dCSO7XAP/Y=", 404}, // signature accepted; no such user
		{"POST with one byte changed", http.MethodPost, "/api/v3/set-custom-data",
			`{"targetType":"USER","targetIdentifier":"6510000000000000000000001","list":[{"key":"wechatwork_user_id","value":"ZhangSan"},{"key":"wechatwork_department_ids","value":"2,6"}],"extra":{"2":1.5,"10":"ten","b":"<&>` + "\u2028" + `\"\\\n","a":[1e+21,1e-7,100,0,true,null,"中文"]},"count":3,"flag":false,"nothing":null}`,
			"authing pool-1:A4k1Tk7P5wU5EA3dxcAmJlTzw6E=", 401},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, e.srv.URL+tt.target, strings.NewReader(tt.body))
			require.NoError(t, err)
			for k, v := range golden {
				req.Header.Set(k, v)
			}
			req.Header.Set("x-authing-signature-nonce", golden["x-authing-signature-nonce"])
			req.Header.Set("Authorization", tt.auth)
			e.s.tokMu.Lock()
			clear(e.s.nonces) // the golden nonce is reused on purpose
			e.s.tokMu.Unlock()
			_, env := roundTrip(t, req)
			assert.Equal(t, tt.wantStatus, env.StatusCode, "case %d: %s", i, env.Message)
		})
	}
	var data map[string]any
	e.ok(t, http.MethodGet, "get-custom-data", nil, map[string][]string{"targetType": {"USER"}, "targetIdentifier": {"6510000000000000000000001"}}, &data)
	assert.Equal(t, map[string]any{"wechatwork_user_id": "ZhangSan", "wechatwork_department_ids": "2,5"}, data)
}

func TestSignedRequests(t *testing.T) {
	fieldsBody := `{"list":[{"targetType":"DEPARTMENT","key":"wechatwork_department_id","dataType":"STRING","label":"企业微信部门ID"}]}`
	fieldsPair := `list=[{"targetType":"DEPARTMENT","key":"wechatwork_department_id","dataType":"STRING","label":"企业微信部门ID"}]`
	orgBody := `{"organizationCode": "acme", "organizationName": "<Acme & Co>", "openDepartmentId": "1"}`
	orgPairs := []string{"openDepartmentId=1", "organizationCode=acme", "organizationName=<Acme & Co>"}
	with := func(r sdkRequest, mod func(*sdkRequest)) sdkRequest { mod(&r); return r }
	// listOrgs is a plain signed GET, changed by mod.
	listOrgs := func(mod func(*sdkRequest)) sdkRequest {
		return with(sdk(http.MethodGet, "list-organizations", "", ""), mod)
	}
	old := signedAt.Add(-16 * time.Minute).Format(http.TimeFormat)
	tests := []struct {
		name        string
		req         sdkRequest
		wantStatus  int
		wantAPICode int
	}{
		{"GET with parameters", sdk(http.MethodGet, "get-custom-fields", "targetType=USER", "", "targetType=USER"), 200, 0},
		{"GET without parameters", sdk(http.MethodGet, "list-organizations", "", ""), 200, 0},
		{"GET whose parameters were all undefined", listOrgs(
			func(r *sdkRequest) { r.questionMark = true }), 200, 0},
		{"GET with an axios array parameter", sdk(http.MethodGet, "list-organizations", "x%5B%5D=a&x%5B%5D=b&page=1",
			"", `page=1`, `x=["a","b"]`), 200, 0},
		{"POST with a nested body", sdk(http.MethodPost, "set-custom-fields", "", fieldsBody, fieldsPair), 200, 0},
		{"POST with spaces and HTML characters", sdk(http.MethodPost, "create-organization", "", orgBody, orgPairs...), 200, 0},
		{"POST without body", sdk(http.MethodPost, "list-users", "", ""), 200, 0},
		{"Java-style epoch milliseconds", listOrgs(
			func(r *sdkRequest) { r.date = "1772618400000" }), 200, 0},
		{"date 14 minutes off", listOrgs(
			func(r *sdkRequest) { r.date = signedAt.Add(14 * time.Minute).Format(http.TimeFormat) }), 200, 0},
		{"signed tenant header", listOrgs(
			func(r *sdkRequest) { r.signHeader = map[string]string{"x-authing-app-id": "app1"} }), 200, 0},
		{"matching pool header", listOrgs(
			func(r *sdkRequest) { r.signHeader = map[string]string{"x-authing-userpool-id": tPool} }), 200, 0},

		{"malformed Authorization", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"Authorization": "authing " + tPool} }), 401, 1300},
		{"no nonce", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"x-authing-signature-nonce": ""} }), 401, 1300},
		{"unknown access key", listOrgs(
			func(r *sdkRequest) { r.ak = "other-pool" }), 401, 1301},
		{"wrong secret", listOrgs(
			func(r *sdkRequest) { r.sk = "wrong" }), 401, 1302},
		{"signature not base64", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"Authorization": "authing " + tPool + ":%%%"} }), 401, 1302},
		{"body changed after signing", with(sdk(http.MethodPost, "create-organization", "", orgBody, orgPairs...),
			func(r *sdkRequest) { r.body = strings.Replace(orgBody, "acme", "evil", 1) }), 401, 1302},
		{"query changed after signing", with(sdk(http.MethodGet, "get-custom-fields", "targetType=USER", "", "targetType=USER"),
			func(r *sdkRequest) { r.query = "targetType=DEPARTMENT" }), 401, 1302},
		{"signed header changed", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"x-authing-lang": "en-US"} }), 401, 1302},
		{"unsigned header added", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"x-authing-extra": "1"} }), 401, 1302},
		{"body that is not JSON", with(sdk(http.MethodPost, "list-users", "", ""),
			func(r *sdkRequest) { r.body = "{" }), 401, 1302},
		{"no date", listOrgs(
			func(r *sdkRequest) { r.date = "" }), 401, 1303},
		{"unreadable date", listOrgs(
			func(r *sdkRequest) { r.date = "yesterday" }), 401, 1303},
		{"SHA-256", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"x-authing-signature-method": "HMAC-SHA256"} }), 401, 1304},
		{"version 2", listOrgs(
			func(r *sdkRequest) { r.header = map[string]string{"x-authing-signature-version": "2.0"} }), 401, 1304},
		{"date 16 minutes old", listOrgs(
			func(r *sdkRequest) { r.date = old }), 401, 1305},
		{"date 16 minutes ahead", listOrgs(
			func(r *sdkRequest) { r.date = signedAt.Add(16 * time.Minute).Format(http.TimeFormat) }), 401, 1305},
		{"other pool header", listOrgs(
			func(r *sdkRequest) { r.signHeader = map[string]string{"x-authing-userpool-id": "other"} }), 403, 2224},
	}
	e, _ := signedEnv(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.nonce = "nonce-" + tt.name
			env := e.send(t, tt.req)
			assert.Equal(t, tt.wantStatus, env.StatusCode, "case %d: %s", i, env.Message)
			if tt.wantAPICode != 0 {
				assert.Equal(t, tt.wantAPICode, env.APICode, env.Message)
			}
		})
	}
	var fields []map[string]any
	e.ok(t, http.MethodGet, "get-custom-fields", nil, map[string][]string{"targetType": {"DEPARTMENT"}}, &fields)
	require.Len(t, fields, 1, "the signed set-custom-fields was applied")
	assert.Equal(t, "<Acme & Co>", e.s.Snapshot().Organizations[0].OrganizationName)
}

func TestSignatureNonceReplay(t *testing.T) {
	e, clock := signedEnv(t)
	req := sdk(http.MethodGet, "list-organizations", "", "")
	req.nonce = "once"
	assert.Equal(t, 200, e.send(t, req).StatusCode)
	env := e.send(t, req)
	assert.Equal(t, []int{401, 1306}, []int{env.StatusCode, env.APICode}, env.Message)

	other := req
	other.nonce = "twice"
	assert.Equal(t, 200, e.send(t, other).StatusCode, "a fresh nonce is fine")

	// A failed signature does not use up the nonce.
	bad := req
	bad.nonce, bad.sk = "kept", "wrong"
	assert.Equal(t, 1302, e.send(t, bad).APICode)
	good := bad
	good.sk = tSecret
	assert.Equal(t, 200, e.send(t, good).StatusCode)

	// Past the window the replay is refused for its date, and the nonce store is swept.
	clock.Advance(MaxClockSkew + time.Second)
	env = e.send(t, req)
	assert.Equal(t, []int{401, 1305}, []int{env.StatusCode, env.APICode}, env.Message)
	fresh := req
	fresh.nonce, fresh.date = "later", clock.Now().Format(http.TimeFormat)
	assert.Equal(t, 200, e.send(t, fresh).StatusCode)
	e.s.tokMu.Lock()
	defer e.s.tokMu.Unlock()
	assert.Len(t, e.s.nonces, 1, "expired nonces are swept")
}
