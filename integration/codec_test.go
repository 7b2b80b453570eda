package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/codec"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// TestEncryptedPayloads runs a sync with WECOMSYNC_CODEC_KEYS set: the history on the server holds
// no personal data in clear text, and a client with the keys reads the report.
func TestEncryptedPayloads(t *testing.T) {
	s := newStack(t, false)
	key := make([]byte, codec.KeySize)
	_, err := rand.Read(key)
	require.NoError(t, err)
	cfg := &config.Config{TemporalAddress: devServer.FrontendHostPort(), Namespace: "default",
		CodecKeys: "k1:" + base64.StdEncoding.EncodeToString(key)}
	opts, err := app.ClientOptions(cfg, zap.NewNop())
	require.NoError(t, err)
	opts.Logger = nopLogger{}
	c, err := client.Dial(opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := worker.New(c, s.taskQueue, app.WorkerOptions())
	app.Register(w, app.Deps{Conns: activities.Connections{"default": {Authing: s.authingClient()}}, Store: s.store, Log: zap.NewNop(), Client: c})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	spec := exportgen.NewSpec(20, 3, 17)
	spec.BadRows = 2 // rejects carry userids and department cells into the report
	company := exportgen.Generate(spec)
	path := s.export("secret.xlsx", company, spec)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "encrypted", TaskQueue: s.taskQueue},
		workflows.UpstreamWorkflowName, fileInput(path))
	require.NoError(t, err)
	var rep report.Report
	require.NoError(t, run.Get(context.Background(), &rep))
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.NotEmpty(t, rep.Rejects)

	// The raw history, as the server stores it.
	it := s.client.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, 0)
	var raw []byte
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		b, err := proto.Marshal(e)
		require.NoError(t, err)
		raw = append(raw, b...)
	}
	assert.Contains(t, string(raw), codec.EncodingEncrypted)
	for _, secret := range []string{path, rep.Rejects[0].Reason, "secret.xlsx", company.Name} {
		assert.False(t, bytes.Contains(raw, []byte(secret)), "history holds %q in clear text", secret)
	}
}
