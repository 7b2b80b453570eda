package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	Cmd  string // upper case: FROM, RUN, COPY, …
	Args string
}

type stage struct {
	Image, Name string
	Steps       []instruction
}

func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var stages []stage
	var pending string
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if pending == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			pending += strings.TrimSuffix(trimmed, `\`) + " "
			continue
		}
		full := pending + trimmed
		pending = ""
		cmd, args, _ := strings.Cut(full, " ")
		in := instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			s := stage{Image: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.Name = f[2]
			}
			stages = append(stages, s)
			continue
		}
		require.NotEmpty(t, stages, "%s: %s before FROM", path, in.Cmd)
		stages[len(stages)-1].Steps = append(stages[len(stages)-1].Steps, in)
	}
	require.Empty(t, pending, "%s ends inside a continued line", path)
	return stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.Steps {
		if in.Cmd == cmd {
			out = append(out, in.Args)
		}
	}
	return out
}

// TestDockerfile reads the Dockerfile: pinned base images (the build's Go is go.mod's), a static
// build of ./worker and of every binary a compose service runs, copied to the path the services
// name, and a final image that runs the worker as a non-root user.
func TestDockerfile(t *testing.T) {
	root := repoRoot(t)
	stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	require.Len(t, stages, 2, "a build stage and the final image")
	build, final := stages[0], stages[1]

	for _, s := range stages {
		assert.NoError(t, pinned(s.Image), "FROM %s", s.Image)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	require.NotNil(t, goVersion)
	assert.True(t, strings.HasPrefix(build.Image, "golang:"+string(goVersion[1])+"-") || build.Image == "golang:"+string(goVersion[1]),
		"the build uses go.mod's Go %s: %s", goVersion[1], build.Image)
	env := strings.Join(build.all("ENV"), " ")
	assert.Contains(t, env, "GOTOOLCHAIN=local")
	assert.Contains(t, env, "CGO_ENABLED=0", "static binaries: the final image has no libc")

	// go build -o /out/ ./pkg…: the binaries are the packages' last path elements.
	var binaries []string
	for _, run := range build.all("RUN") {
		_, cmd, ok := strings.Cut(run, "go build ")
		if !ok {
			continue
		}
		f := strings.Fields(cmd)
		out := flagValue(f, "-o")
		assert.Equal(t, "/out/", out, "go build -o /out/")
		for _, a := range f {
			if strings.HasPrefix(a, "./") {
				main, err := os.ReadFile(filepath.Join(root, a, "main.go"))
				if assert.NoError(t, err, "package %s", a) {
					assert.Contains(t, string(main), "package main", "%s is a command", a)
				}
				binaries = append(binaries, "/usr/local/bin/"+filepath.Base(a))
			}
		}
	}
	require.Contains(t, binaries, "/usr/local/bin/worker", "the image builds ./worker")
	assert.Contains(t, final.all("COPY"), "--from="+build.Name+" /out/ /usr/local/bin/")

	users := final.all("USER")
	require.NotEmpty(t, users, "the final image names its user")
	user := users[len(users)-1]
	uid, _, _ := strings.Cut(user, ":")
	assert.NotContains(t, []string{"root", "0", ""}, uid, "the image runs as a non-root user, not %q", user)

	entrypoints := final.all("ENTRYPOINT")
	require.Len(t, entrypoints, 1)
	var entrypoint []string
	require.NoError(t, json.Unmarshal([]byte(entrypoints[0]), &entrypoint), "ENTRYPOINT in exec form")
	assert.Equal(t, []string{"/usr/local/bin/worker"}, entrypoint)

	// Every service of both compose files that runs the image runs a binary it holds; the workers
	// run the image's default, the worker.
	for _, d := range deployments() {
		p, err := loadProject(d.file, d.env, "tools")
		require.NoError(t, err)
		for _, s := range p.Services {
			if s.Image != builtImage {
				continue
			}
			run := entrypoint
			if len(s.Entrypoint) > 0 {
				run = s.Entrypoint
			}
			assert.Contains(t, binaries, run[0], "%s: service %s runs %s", d.name, s.Name, run[0])
			if s.Name == "worker" {
				assert.Empty(t, s.Entrypoint, "the worker runs the image's entrypoint")
				assert.Empty(t, s.Command)
			}
		}
	}
	assert.True(t, slices.ContainsFunc(final.all("EXPOSE"), func(p string) bool { return p == "9464" }), "the metrics port is documented")
}
