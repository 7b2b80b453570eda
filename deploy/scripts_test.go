package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/wecomsync/wecomsync/workflows"
)

// TestRegisterSearchAttributesScript runs deploy/register-search-attributes.sh as the compose file
// does (the same arguments, the temporal CLI) against a Temporal dev server: it registers exactly
// workflows.SearchAttributes(), a second run changes nothing, and an attribute registered with
// another type fails it.
func TestRegisterSearchAttributesScript(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	bin := os.Getenv("WECOMSYNC_TEMPORAL_BIN")
	if bin == "" {
		bin = filepath.Join(repoRoot(t), "bin", "temporal")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no temporal CLI at %s (make tools)", bin)
	}
	p, err := loadProject(realFile, realRequired)
	require.NoError(t, err)
	args := p.Services["search-attributes"].Command

	srv, err := testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{
		ExistingPath:  bin,
		LogLevel:      "error",
		ClientOptions: &client.Options{Logger: quietLogger{}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Stop() })

	wait := "20"
	run := func(namespace string, args ...string) (string, error) {
		cmd := exec.Command("sh", append([]string{filepath.Join(repoRoot(t), "deploy", "register-search-attributes.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "TEMPORAL_CLI="+bin, "TEMPORAL_ADDRESS="+srv.FrontendHostPort(),
			"TEMPORAL_NAMESPACE="+namespace, "WAIT_SECONDS="+wait)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), err
	}

	out, err := run("default", args...)
	require.NoError(t, err, out)
	assert.Equal(t, len(args), strings.Count(out, " registered on namespace default"), out)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	have, err := srv.Client().OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	require.NoError(t, err)
	custom := map[string]string{}
	for name, typ := range have.GetCustomAttributes() {
		custom[name] = typeName(typ)
	}
	assert.Equal(t, workflows.SearchAttributes(), custom, "the namespace has exactly the attributes runs set")

	out, err = run("default", args...)
	require.NoError(t, err, "a second run: %s", out)
	assert.Equal(t, len(args), strings.Count(out, "already registered"), out)

	out, err = run("default", "WecomsyncWrites=Keyword")
	assert.Error(t, err, "an attribute registered with another type")
	assert.Contains(t, out, "WecomsyncWrites is registered on namespace default as Int")

	out, err = run("default", "WecomsyncWrites=Float")
	assert.Error(t, err)
	assert.Contains(t, out, "is not Name=Type")

	wait = "2"
	out, err = run("missing-namespace", args...)
	assert.Error(t, err, "a namespace that never appears")
	assert.Contains(t, out, "namespace missing-namespace at "+srv.FrontendHostPort()+" did not answer within 2s")
}

func typeName(t enums.IndexedValueType) string {
	switch t {
	case enums.INDEXED_VALUE_TYPE_KEYWORD:
		return "Keyword"
	case enums.INDEXED_VALUE_TYPE_BOOL:
		return "Bool"
	case enums.INDEXED_VALUE_TYPE_INT:
		return "Int"
	}
	return t.String()
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

// TestScriptsAreShell: both one-shot scripts parse as POSIX sh (the admin-tools image has busybox
// sh, the mc image bash).
func TestScriptsAreShell(t *testing.T) {
	for _, s := range []string{"register-search-attributes.sh", "minio-init.sh"} {
		out, err := exec.Command("sh", "-n", filepath.Join(repoRoot(t), "deploy", s)).CombinedOutput()
		assert.NoError(t, err, "%s: %s", s, out)
	}
}
