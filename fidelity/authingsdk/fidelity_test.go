package authingsdk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

const (
	// sdkVersion is the authing-node-sdk release the test installs (the newest on npm when written;
	// its signing code is that of github.com/Authing/authing-node-sdk 4.0.2).
	sdkVersion = "4.0.1"
	poolID     = "fidelity-pool"
	poolSecret = "fidelity-pool-secret"
)

// stepResult is one line of testdata/drive.js.
type stepResult struct {
	Step       string          `json:"step"`
	StatusCode int             `json:"statusCode"`
	APICode    int             `json:"apiCode"`
	Message    string          `json:"message"`
	Data       json.RawMessage `json:"data"`
	Error      string          `json:"error"`
}

func TestOfficialNodeSDK(t *testing.T) {
	node, modules := nodeSDK(t)
	emu := authingemu.New(authingemu.WithPool(poolID, poolSecret), authingemu.WithQPS(0, 0))
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)

	results := drive(t, node, modules, srv.URL)
	want := []struct {
		step        string
		statusCode  int
		apiCode     int
		dataHasText string
	}{
		{"set-custom-fields", 200, 0, "wechatwork_parent_department_id"},
		{"create-organization", 200, 0, "Acme & <Co> 星河"},
		{"create-department", 200, 0, "研发中心"},
		{"create-user", 200, 0, "zhangsan"},
		{"set-custom-data user", 200, 0, `"success":true`},
		{"set-custom-data department", 200, 0, `"success":true`},
		{"get-custom-data", 200, 0, `"wechatwork_user_id":"ZhangSan"`},
		{"update-department", 200, 0, "研发部"},
		{"update-user-batch", 200, 0, "张三丰"},
		{"get-user", 200, 0, `"wechatwork_department_ids":"2,3"`},
		{"list-users", 200, 0, `"totalCount":1`},
		{"list-custom-fields", 200, 0, `"totalCount":2`},
		{"delete-custom-fields", 200, 0, `"success":true`},
		{"list-organizations", 200, 0, `"organizationCode":"acme"`},
		{"wrong secret", 401, 1302, ""},
	}
	if len(results) != len(want) {
		t.Fatalf("drive.js printed %d steps, want %d: %+v", len(results), len(want), results)
	}
	for i, w := range want {
		r := results[i]
		if r.Step != w.step || r.Error != "" || r.StatusCode != w.statusCode || r.APICode != w.apiCode {
			t.Errorf("step %q: %+v, want statusCode %d apiCode %d", w.step, r, w.statusCode, w.apiCode)
			continue
		}
		if !strings.Contains(string(r.Data), w.dataHasText) {
			t.Errorf("step %q: data %s lacks %s", w.step, r.Data, w.dataHasText)
		}
		t.Logf("%s: %d %s", r.Step, r.StatusCode, r.Message)
	}

	// The writes landed, and the SDK never asked for a management token: every call was signed.
	snap := emu.Snapshot()
	if len(snap.Users) != 1 || snap.Users[0].Name != "张三丰" ||
		snap.Users[0].CustomData["wechatwork_user_id"] != "ZhangSan" || snap.Users[0].CustomData["wechatwork_department_ids"] != "2,3" {
		t.Errorf("users = %+v", snap.Users)
	}
	if len(snap.Departments) != 1 || snap.Departments[0].Name != "研发部" || len(snap.Departments[0].CustomData) != 1 {
		t.Errorf("departments = %+v", snap.Departments)
	}
	if len(snap.CustomFields) != 3 {
		t.Errorf("custom fields = %+v", snap.CustomFields)
	}
	if n := emu.Calls()["get-management-token"]; n != 0 {
		t.Errorf("the SDK fetched %d management tokens", n)
	}
}

// drive runs testdata/drive.js against the emulator at host and returns its step lines.
func drive(t *testing.T, node, modules, host string) []stepResult {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "drive.js"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(withoutProxies(os.Environ()), "NODE_PATH="+modules, "NO_PROXY=*",
		"AUTHING_HOST="+host, "AUTHING_AK="+poolID, "AUTHING_SK="+poolSecret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node drive.js: %v\n%s\n%s", err, out, stderr.Bytes())
	}
	var results []stepResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r stepResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("drive.js printed %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	return results
}

// withoutProxies drops proxy settings: the SDK (axios) must talk to the loopback emulator.
func withoutProxies(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy", "node_path":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// nodeSDK returns the node binary and a node_modules folder holding authing-node-sdk, installing
// it from the npm registry into the user cache directory on first use; it skips the test when
// node, npm or the package cannot be had.
func nodeSDK(t *testing.T) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed (the official Authing SDK is a Node package)")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("skipping: npm is not installed, so authing-node-sdk cannot be installed")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "wecomsync-fidelity", "authing-node-sdk-"+sdkVersion)
	modules = filepath.Join(dir, "node_modules")
	if installed(modules) {
		return node, modules
	}
	if err := install(npm, dir); err != nil {
		t.Skipf("skipping: authing-node-sdk@%s could not be installed from the npm registry: %v", sdkVersion, err)
	}
	if !installed(modules) {
		t.Skipf("skipping: npm did not install authing-node-sdk@%s into %s", sdkVersion, modules)
	}
	return node, modules
}

// installed reports whether modules holds authing-node-sdk at sdkVersion.
func installed(modules string) bool {
	b, err := os.ReadFile(filepath.Join(modules, "authing-node-sdk", "package.json"))
	if err != nil {
		return false
	}
	var pkg struct {
		Version string `json:"version"`
	}
	return json.Unmarshal(b, &pkg) == nil && pkg.Version == sdkVersion
}

// install runs npm in a fresh folder beside dir and moves it into place, so that two test runs
// never see a half-installed package.
func install(npm, dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), []byte(`{"private":true}`+"\n"), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact",
		"authing-node-sdk@"+sdkVersion)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.Join(err, errors.New(strings.TrimSpace(string(out))))
	}
	if err := os.Rename(tmp, dir); err != nil && !installed(filepath.Join(dir, "node_modules")) {
		return err
	}
	return nil
}
