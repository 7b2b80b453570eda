package wecom

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// apiPaths are every path the emulator serves under /cgi-bin/.
var apiPaths = []string{
	"gettoken", "department/create", "department/update", "department/delete", "department/list",
	"department/simplelist", "department/get", "user/create", "user/get", "user/update", "user/delete",
	"user/batchdelete", "user/simplelist", "user/list", "user/list_id",
}

// TestNoPanicOnAnyInput sends hostile bodies and parameters to every API, calling the handler
// directly so that a panic fails the test, and requires an errcode envelope each time.
func TestNoPanicOnAnyInput(t *testing.T) {
	for _, mode := range []Mode{ModeSelfBuilt, ModeDaiKaiFa} {
		e := newSeededEnv(t, WithMode(mode), WithMaxNodes(1))
		h := e.emu.Handler()
		bodies := []string{"", "null", "[]", "{", `"x"`, "1e999", `{"id":null,"parentid":"1"}`,
			`{"userid":123,"department":"1","order":[-1],"enable":"x"}`, `{"useridlist":null}`,
			`{"useridlist":[1,{},null]}`, `{"cursor":7,"limit":"9"}`, `{"cursor":"d2NlbXUxOi0xOi01"}`,
			`{"id":-2147483649,"name":"` + strings.Repeat("长", 100) + `"}`, `{"department":[1,1],"main_department":-1}`,
			`{"userid":"alice","gender":{},"extattr":5,"external_profile":"x","is_leader_in_dept":[]}`,
			`{"parentid":9223372036854775807,"id":9223372036854775807}`}
		params := []url.Values{{}, {"id": {"-1"}}, {"id": {"99999999999999999999"}}, {"userid": {"%00"}},
			{"department_id": {"1"}, "fetch_child": {"1"}}, {"corpid": {"corp1"}, "corpsecret": {"contacts-secret"}}}
		for _, path := range apiPaths {
			for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
				for _, body := range bodies {
					for _, p := range params {
						q := url.Values{"access_token": {e.token}}
						for k, v := range p {
							q[k] = v
						}
						req := httptest.NewRequest(method, "/cgi-bin/"+path+"?"+q.Encode(), strings.NewReader(body))
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						var env struct {
							ErrCode *int `json:"errcode"`
						}
						if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.ErrCode == nil {
							t.Fatalf("%s %s %q %v: HTTP %d %s", method, path, body, p, rec.Code, rec.Body)
						}
					}
				}
			}
		}
	}
}
