package authing

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNoPanicOnAnyInput sends hostile bodies, parameters and Authorization headers to every verb,
// calling the handler directly so that a panic fails the test, and requires an envelope each time.
func TestNoPanicOnAnyInput(t *testing.T) {
	e := newEnv(t, writeBackSeed())
	h := e.s.Handler()
	bodies := []string{"", "null", "[]", "{", `"x"`, "1e999", `[1,{"a":[]}]`, strings.Repeat("[", 2000),
		`{"list":null}`, `{"list":[null,1,"x",{}]}`, `{"list":[{"key":"level","value":{}}],"targetType":"USER","targetIdentifier":"u1"}`,
		`{"list":[{"targetType":"USER","key":null}]}`, `{"userIds":[1],"departments":[{}],"userId":{}}`,
		`{"organizationCode":"xinghe","departmentId":"root","parentDepartmentId":"root","customData":[]}`,
		`{"advancedFilter":[{"field":"level","operator":"BETWEEN","value":[1]}],"options":{"pagination":{"page":-1}}}`}
	queries := []url.Values{{}, {"targetType": {"USER"}, "targetIdentifier": {"u1"}}, {"targetType": {"DEPARTMENT"}, "targetIdentifier": {""}},
		{"organizationCode": {"xinghe"}, "departmentId": {"root"}, "page": {"0"}, "limit": {"x"}}, {"userId": {"u1"}, "x[]": {"a", "b"}}}
	auths := []string{"Bearer " + e.token, "authing ", "authing :", "authing pool-1:", "authing pool-1:AAAA", "AUTHING pool-1:%%", ""}
	for verb, rt := range e.s.routes {
		for _, body := range bodies {
			for _, q := range queries {
				for _, auth := range auths {
					req := httptest.NewRequest(rt.method, "/api/v3/"+verb+"?"+q.Encode(), strings.NewReader(body))
					req.Header.Set("Authorization", auth)
					req.Header.Set("x-authing-userpool-id", tPool)
					req.Header.Set("x-authing-signature-method", "HMAC-SHA1")
					req.Header.Set("x-authing-signature-version", "1.0")
					req.Header.Set("x-authing-signature-nonce", "n")
					req.Header.Set("date", time.Now().UTC().Format(http.TimeFormat)) // past the clock check
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					var env struct {
						StatusCode *int `json:"statusCode"`
					}
					if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.StatusCode == nil {
						t.Fatalf("%s %s %q %v %q: HTTP %d %s", rt.method, verb, body, q, auth, rec.Code, rec.Body)
					}
				}
			}
		}
	}
}
