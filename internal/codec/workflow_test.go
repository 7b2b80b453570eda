package codec

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// spyCodec records the payloads that would be written to history.
type spyCodec struct {
	mu   sync.Mutex
	seen []*commonpb.Payload
}

func (s *spyCodec) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, ps...)
	return ps, nil
}

func (s *spyCodec) Decode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) { return ps, nil }

func (s *spyCodec) payloads() []*commonpb.Payload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*commonpb.Payload(nil), s.seen...)
}

func greetActivity(_ context.Context, p person) (string, error) {
	return "你好，" + p.Name + "（" + p.Mobile + "）", nil
}

func greetWorkflow(ctx workflow.Context, p person) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteActivity(ctx, greetActivity, p).Get(ctx, &out)
	return out, err
}

func TestWorkflowRoundTrip(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()

	// Wrapping DataConverter, the spy runs after encryption on encode, so it sees what history stores.
	spy := &spyCodec{}
	env.SetDataConverter(converter.NewCodecDataConverter(DataConverter(mustKeys(t, "k1:"+newKey(t, 32))), spy))
	env.RegisterWorkflow(greetWorkflow)
	env.RegisterActivity(greetActivity)

	env.ExecuteWorkflow(greetWorkflow, samplePerson())
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var got string
	require.NoError(t, env.GetWorkflowResult(&got))
	assert.Equal(t, "你好，"+piiName+"（"+piiPhone+"）", got)

	seen := spy.payloads()
	require.GreaterOrEqual(t, len(seen), 3, "workflow input, activity input and result, workflow result")
	for _, p := range seen {
		assertSealed(t, p, "k1", piiName, piiPhone)
	}
}
