package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaultConnectionFromEnv(t *testing.T) {
	c, err := Load(envOf(map[string]string{
		"WECOMSYNC_TEMPORAL_ADDRESS":    "temporal:7233",
		"WECOMSYNC_AUTHING_USERPOOL_ID": "pool1",
		"WECOMSYNC_AUTHING_SECRET":      "s3cr3t-authing",
		"WECOMSYNC_AUTHING_QPS":         "100",
		"WECOMSYNC_WECOM_CORP_ID":       "ww1",
		"WECOMSYNC_WECOM_SECRET":        "s3cr3t-wecom",
		"WECOMSYNC_WECOM_PER_MINUTE":    "500",
	}))
	require.NoError(t, err)
	assert.Equal(t, "temporal:7233", c.TemporalAddress)
	assert.Equal(t, "wecomsync", c.TaskQueue)
	def := c.Connections["default"]
	require.NotNil(t, def.Authing)
	assert.Equal(t, 100.0, def.Authing.QPS)
	assert.Equal(t, 500, def.WeCom.PerMinute)
	s := c.String()
	assert.Contains(t, s, "pool1")
	assert.NotContains(t, s, "s3cr3t", "secrets never printed")
}

func TestLoadFileWithSecretFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"connections":{"prod":{"authing":{"userPoolId":"p","secretEnv":"PROD_SECRET"}}}}`), 0o600))
	c, err := Load(envOf(map[string]string{"WECOMSYNC_CONFIG": path, "PROD_SECRET": "x"}))
	require.NoError(t, err)
	assert.Equal(t, "x", c.Connections["prod"].Authing.Secret)
	assert.Equal(t, []string{"prod"}, c.ConnectionNames())
}

func TestLoadRejectsIncompleteConnections(t *testing.T) {
	for _, env := range []map[string]string{
		{"WECOMSYNC_AUTHING_USERPOOL_ID": "p"},
		{"WECOMSYNC_WECOM_CORP_ID": "ww"},
		{"WECOMSYNC_WECOM_CORP_ID": "ww", "WECOMSYNC_WECOM_SECRET": "s", "WECOMSYNC_WECOM_MODE": "weird"},
		{"WECOMSYNC_AUTHING_USERPOOL_ID": "p", "WECOMSYNC_AUTHING_SECRET": "s", "WECOMSYNC_AUTHING_QPS": "-1"},
	} {
		_, err := Load(envOf(env))
		assert.Error(t, err, env)
	}
}

// TestReadmeDocumentsEveryVariable keeps the README's configuration table in step with the code.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	for _, v := range EnvVars() {
		assert.True(t, strings.Contains(readme, "`"+v+"`"), "README does not document %s", v)
	}
	for _, m := range regexp.MustCompile("`(WECOMSYNC_[A-Z_]+)`").FindAllStringSubmatch(readme, -1) {
		assert.True(t, slices.Contains(EnvVars(), m[1]), "README documents %s, which the code does not read", m[1])
	}
}
