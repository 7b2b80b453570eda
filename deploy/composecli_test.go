package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// composeCommand finds Docker Compose v2 (`docker compose`, or a standalone `docker-compose` v2):
// `config` needs no engine. Nil when there is none (v1 knows no include).
func composeCommand() []string {
	for _, c := range [][]string{{"docker", "compose"}, {"docker-compose"}} {
		if _, err := exec.LookPath(c[0]); err != nil {
			continue
		}
		out, err := exec.Command(c[0], append(c[1:], "version")...).CombinedOutput()
		if err == nil && strings.Contains(string(out), "Docker Compose version") {
			return c
		}
	}
	return nil
}

// composeConfig runs `compose -f file config --format json` with only env (and what finds compose)
// in its environment, and no .env file.
func composeConfig(t *testing.T, compose []string, file string, env map[string]string, profiles ...string) (map[string]any, string, error) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty.env")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	args := append(slices.Clone(compose[1:]), "-f", file, "--env-file", empty)
	for _, p := range profiles {
		args = append(args, "--profile", p)
	}
	cmd := exec.Command(compose[0], append(args, "config", "--format", "json")...)
	for _, k := range []string{"PATH", "HOME", "DOCKER_CONFIG"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), err
	}
	var doc map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc))
	return doc, stderr.String(), nil
}

// TestDockerComposeConfigAgrees runs the real `docker compose config` where it is installed (it
// needs no engine) and checks that it accepts both files and resolves them as the tests' loader
// does: the same services, images, environments, commands and dependencies. Skipped without
// Compose v2.
func TestDockerComposeConfigAgrees(t *testing.T) {
	compose := composeCommand()
	if compose == nil {
		t.Skip("no Docker Compose v2 (docker compose / docker-compose) on PATH")
	}
	for _, d := range deployments() {
		for _, profiles := range [][]string{nil, {"tools"}} {
			t.Run(fmt.Sprintf("%s%v", d.name, profiles), func(t *testing.T) {
				doc, stderr, err := composeConfig(t, compose, d.file, d.env, profiles...)
				require.NoError(t, err, stderr)
				mine := d.load(t, profiles...)
				assert.Equal(t, mine.Name, doc["name"])
				services := asMap(doc["services"])
				assert.ElementsMatch(t, keys(mine.Services), keys(services))
				for name, s := range mine.Services {
					c := asMap(services[name])
					assert.Equal(t, s.Image, c["image"], "%s image", name)
					env := map[string]string{}
					for k, v := range asMap(c["environment"]) {
						env[k] = fmt.Sprint(v)
					}
					assert.Equal(t, s.Environment, env, "%s environment", name)
					assert.Equal(t, s.Entrypoint, asStrings(c["entrypoint"]), "%s entrypoint", name)
					assert.Equal(t, s.Command, asStrings(c["command"]), "%s command", name)
					deps := map[string]string{}
					for dep, spec := range asMap(c["depends_on"]) {
						deps[dep] = fmt.Sprint(asMap(spec)["condition"])
					}
					assert.Equal(t, s.DependsOn, deps, "%s depends_on", name)
					if s.Build != "" {
						assert.Equal(t, s.Build, asMap(c["build"])["context"], "%s build context", name)
					}
					for _, v := range s.Volumes {
						if src, _, _ := strings.Cut(v, ":"); filepath.IsAbs(src) {
							assert.True(t, slices.ContainsFunc(asList(c["volumes"]), func(cv any) bool {
								return asMap(cv)["type"] == "bind" && asMap(cv)["source"] == src
							}), "%s mounts %s", name, src)
						}
					}
				}
				assert.ElementsMatch(t, mine.Volumes, keys(asMap(doc["volumes"])))
			})
		}
	}
	t.Run("real deployment without its credentials", func(t *testing.T) {
		for k := range realRequired {
			env := with(realRequired)
			delete(env, k)
			_, stderr, err := composeConfig(t, compose, realFile, env)
			if assert.Error(t, err, "without %s", k) {
				assert.Contains(t, stderr, "required variable "+k)
			}
		}
	})
}
