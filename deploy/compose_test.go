package deploy

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/workflows"
)

const (
	realFile     = "../docker-compose.yml"
	emulatedFile = "../docker-compose.emulators.yml"
	// builtImage is the image the Dockerfile builds; every service running it builds it.
	builtImage = "wecomsync:local"
)

// realRequired are the variables a real deployment must be given (its file says ${VAR:?…}).
var realRequired = map[string]string{
	"WECOMSYNC_AUTHING_USERPOOL_ID": "62b0c0ffee-pool",
	"WECOMSYNC_AUTHING_SECRET":      "authing-pool-secret",
	"WECOMSYNC_WECOM_CORP_ID":       "ww0123456789abcdef",
	"WECOMSYNC_WECOM_SECRET":        "wecom-contacts-secret",
	"MINIO_ROOT_PASSWORD":           "minio-admin-password",
	"BLOB_SECRET_KEY":               "blob-worker-secret",
}

// deployment is one compose file loaded for one environment.
type deployment struct {
	name     string
	file     string
	env      map[string]string
	emulated bool
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func deployments() []deployment {
	return []deployment{
		{name: "real", file: realFile, env: realRequired},
		{name: "real-overrides", file: realFile, env: with(realRequired,
			"WECOMSYNC_NAMESPACE", "wecomsync-prod", "WECOMSYNC_AUTHING_URL", "https://authing.example.com",
			"WECOMSYNC_WECOM_MODE", "daikaifa", "WECOMSYNC_AUTHING_QPS", "100", "BLOB_ACCESS_KEY", "sync-worker",
			"MINIO_ROOT_USER", "root-admin", "WECOMSYNC_CODEC_KEYS", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")},
		{name: "emulated", file: emulatedFile, env: map[string]string{}, emulated: true},
		{name: "emulated-daikaifa", file: emulatedFile, env: map[string]string{"WECOMSYNC_WECOM_MODE": "daikaifa", "WECOMSYNC_NAMESPACE": "demo"}, emulated: true},
	}
}

func (d deployment) load(t *testing.T, profiles ...string) *project {
	t.Helper()
	p, err := loadProject(d.file, d.env, profiles...)
	require.NoError(t, err, "%s (%s)", d.file, d.name)
	return p
}

// TestComposeFile: both compose files parse, with the documented services and volumes; the worker
// is built by the Dockerfile and keeps no blobs on a volume.
func TestComposeFile(t *testing.T) {
	infra := []string{"postgresql", "temporal", "temporal-ui", "search-attributes", "minio", "minio-init", "worker"}
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			want := slices.Clone(infra)
			if d.emulated {
				want = append(want, "wecom-emulator", "authing-emulator")
			}
			p := d.load(t)
			assert.ElementsMatch(t, want, keys(p.Services), "services without a profile")
			assert.ElementsMatch(t, []string{"starter"}, keys(p.Disabled), "only the starter waits for its profile")
			assert.ElementsMatch(t, append(want, "starter"), keys(d.load(t, "tools").Services), "--profile tools")
			assert.ElementsMatch(t, []string{"postgres", "minio"}, p.Volumes)
			wantName := "wecomsync"
			if d.emulated {
				wantName = "wecomsync-emulated" // volumes of its own: the demo never touches the real data
			}
			assert.Equal(t, wantName, p.Name)

			w := p.Services["worker"]
			assert.Equal(t, repoRoot(t), w.Build, "the worker is built by the Dockerfile")
			assert.Empty(t, w.Volumes, "blobs live in MinIO, not on a volume of one host")
			assert.Empty(t, w.ContainerName, "a container name would stop --scale worker=N")
			assert.Empty(t, w.Ports, "a host port would stop --scale worker=N")
			assert.Equal(t, "unless-stopped", w.Restart)
			for _, s := range p.Services {
				for _, v := range s.Volumes {
					if src, _, _ := strings.Cut(v, ":"); filepath.IsAbs(src) {
						assert.FileExists(t, src, "service %s mounts %s", s.Name, v)
					}
				}
			}
		})
	}
}

// TestComposeDependencies: every depends_on names a service that runs in the same profiles, with a
// condition that can be met, and the dependencies form a DAG that starts the worker last.
func TestComposeDependencies(t *testing.T) {
	conditions := []string{"service_started", "service_healthy", "service_completed_successfully"}
	for _, d := range deployments() {
		for _, profiles := range [][]string{nil, {"tools"}} {
			t.Run(fmt.Sprintf("%s%v", d.name, profiles), func(t *testing.T) {
				p := d.load(t, profiles...)
				for _, s := range p.Services {
					for dep, cond := range s.DependsOn {
						target, ok := p.Services[dep]
						if !assert.True(t, ok, "%s depends on %s, which does not run with profiles %v", s.Name, dep, profiles) {
							continue
						}
						assert.Contains(t, conditions, cond, "%s → %s", s.Name, dep)
						if cond == "service_healthy" {
							assert.True(t, target.Healthcheck, "%s waits for %s to be healthy, which has no healthcheck", s.Name, dep)
						}
						if cond == "service_completed_successfully" {
							assert.Contains(t, []string{"", "no", "on-failure"}, target.Restart, "%s waits for one-shot %s to complete, which restarts", s.Name, dep)
						}
					}
				}
				order, err := startOrder(p)
				require.NoError(t, err)
				t.Logf("start order: %v", order)

				deps := transitiveDeps(p, "worker")
				for _, want := range []string{"temporal", "postgresql", "search-attributes", "minio", "minio-init"} {
					assert.Contains(t, deps, want, "the worker starts after %s", want)
				}
				w := p.Services["worker"]
				assert.Equal(t, "service_completed_successfully", w.DependsOn["search-attributes"], "the search attributes are registered before the worker starts")
				assert.Equal(t, "service_completed_successfully", w.DependsOn["minio-init"], "the bucket exists before the worker starts")
				assert.Equal(t, "service_healthy", p.Services["minio-init"].DependsOn["minio"])
				if d.emulated {
					assert.Contains(t, deps, "wecom-emulator")
					assert.Contains(t, deps, "authing-emulator")
				}
			})
		}
	}
}

// TestComposeImagesPinned: every image names a version (never latest, never none); the locally
// built one is built by every service that runs it, so compose never pulls it.
func TestComposeImagesPinned(t *testing.T) {
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t, "tools")
			for _, s := range p.Services {
				require.NotEmpty(t, s.Image, "service %s names no image", s.Name)
				if s.Build != "" || s.Image == builtImage {
					assert.Equal(t, builtImage, s.Image, "service %s", s.Name)
					assert.Equal(t, repoRoot(t), s.Build, "service %s runs the wecomsync image and must build it", s.Name)
					continue
				}
				assert.NoError(t, pinned(s.Image), "service %s", s.Name)
			}
		})
	}
}

// pinned accepts an image reference with a digest, or a tag that names a version.
func pinned(ref string) error {
	if _, digest, ok := strings.Cut(ref, "@"); ok && strings.HasPrefix(digest, "sha256:") {
		return nil
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok:
		return fmt.Errorf("image %s has no tag (it means latest)", ref)
	case tag == "latest" || strings.HasSuffix(tag, "-latest"):
		return fmt.Errorf("image %s is not pinned", ref)
	case !strings.ContainsAny(tag, "0123456789"):
		return fmt.Errorf("image %s: tag %q names no version", ref, tag)
	}
	return nil
}

// allowedNonWecomsync are the variables besides WECOMSYNC_* the worker and the starter read: the
// AWS SDK's credentials for the s3:// blob store.
var allowedNonWecomsync = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}

// TestWorkerEnvironment: what the worker receives is exactly what it reads — no variable the
// configuration does not know, every variable a deployment needs, and a configuration that loads.
func TestWorkerEnvironment(t *testing.T) {
	required := []string{"WECOMSYNC_TEMPORAL_ADDRESS", "WECOMSYNC_NAMESPACE", "WECOMSYNC_BLOB_URL",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "WECOMSYNC_METRICS_ADDR",
		"WECOMSYNC_AUTHING_URL", "WECOMSYNC_AUTHING_USERPOOL_ID", "WECOMSYNC_AUTHING_SECRET",
		"WECOMSYNC_WECOM_URL", "WECOMSYNC_WECOM_CORP_ID", "WECOMSYNC_WECOM_SECRET", "WECOMSYNC_WECOM_MODE"}
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t)
			w := p.Services["worker"]
			checkKnownVariables(t, "worker", w.Environment)
			for _, k := range required {
				assert.NotEmpty(t, w.Environment[k], "the worker needs %s", k)
			}

			cfg, err := config.Load(func(k string) string { return w.Environment[k] })
			require.NoError(t, err, "the worker's configuration loads")
			def := cfg.Connections["default"]
			require.NotNil(t, def.Authing, "connection default has Authing")
			require.NotNil(t, def.WeCom, "connection default has WeCom")

			host, port, err := net.SplitHostPort(cfg.TemporalAddress)
			require.NoError(t, err)
			assert.Equal(t, "temporal", host)
			assert.Contains(t, p.Services["temporal"].Ports, port+":"+port)
			assert.Equal(t, cmp.Or(d.env["WECOMSYNC_NAMESPACE"], "default"), cfg.Namespace)
			assert.Equal(t, cfg.Namespace, p.Services["temporal"].Environment["DEFAULT_NAMESPACE"], "Temporal creates the worker's namespace")
			assert.Equal(t, cfg.Namespace, p.Services["search-attributes"].Environment["TEMPORAL_NAMESPACE"], "the search attributes are registered on the worker's namespace")
			assert.Equal(t, cmp.Or(d.env["WECOMSYNC_WECOM_MODE"], "selfbuilt"), def.WeCom.Mode)
			if v := d.env["WECOMSYNC_CODEC_KEYS"]; v != "" {
				assert.Equal(t, v, cfg.CodecKeys)
			}

			_, metricsPort, err := net.SplitHostPort(cfg.MetricsAddr)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(cfg.MetricsAddr, "0.0.0.0:"), "metrics listen beyond the container's loopback")
			assert.Contains(t, w.Expose, metricsPort)
		})
	}
}

// checkKnownVariables fails on a variable the worker and the starter do not read.
func checkKnownVariables(t *testing.T, who string, env map[string]string) {
	t.Helper()
	for k := range env {
		if strings.HasPrefix(k, "WECOMSYNC_") {
			assert.Contains(t, config.EnvVars(), k, "%s gets %s, which internal/config does not read", who, k)
		} else {
			assert.Contains(t, allowedNonWecomsync, k, "%s gets %s, which it does not read", who, k)
		}
	}
}

// TestWorkerAPIs: the real deployment's worker talks to the real APIs with the credentials it is
// given and refuses to start without them; the emulated one talks to the emulators, with their
// demo credentials, and needs no variable at all.
func TestWorkerAPIs(t *testing.T) {
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t)
			env := p.Services["worker"].Environment
			authing, err := url.Parse(env["WECOMSYNC_AUTHING_URL"])
			require.NoError(t, err)
			wecom, err := url.Parse(env["WECOMSYNC_WECOM_URL"])
			require.NoError(t, err)
			if !d.emulated {
				assert.Equal(t, cmp.Or(d.env["WECOMSYNC_AUTHING_URL"], "https://api.authing.cn"), authing.String())
				assert.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/", wecom.String())
				for _, u := range []*url.URL{authing, wecom} {
					assert.NotContains(t, keys(p.Services), u.Hostname(), "the real worker talks to no service of the deployment")
					assert.NotContains(t, []string{"wecom-emulator", "authing-emulator"}, u.Hostname())
				}
				for _, k := range []string{"WECOMSYNC_AUTHING_USERPOOL_ID", "WECOMSYNC_AUTHING_SECRET", "WECOMSYNC_WECOM_CORP_ID", "WECOMSYNC_WECOM_SECRET"} {
					assert.Equal(t, d.env[k], env[k], "%s comes from the environment", k)
				}
				return
			}
			we, ae := p.Services["wecom-emulator"], p.Services["authing-emulator"]
			assert.Equal(t, "http://wecom-emulator:"+listenPort(t, we)+"/cgi-bin/", wecom.String())
			assert.Equal(t, "http://authing-emulator:"+listenPort(t, ae), authing.String())
			assert.Equal(t, flagValue(we.Entrypoint, "--corp-id"), env["WECOMSYNC_WECOM_CORP_ID"])
			assert.Equal(t, flagValue(we.Entrypoint, "--secret"), env["WECOMSYNC_WECOM_SECRET"])
			assert.Equal(t, flagValue(we.Entrypoint, "--mode"), env["WECOMSYNC_WECOM_MODE"], "the worker and the emulator agree on the app mode")
			assert.Equal(t, flagValue(ae.Entrypoint, "--pool-id"), env["WECOMSYNC_AUTHING_USERPOOL_ID"])
			assert.Equal(t, flagValue(ae.Entrypoint, "--secret"), env["WECOMSYNC_AUTHING_SECRET"])
			assert.Equal(t, "demo", flagValue(we.Entrypoint, "--seed"))
			assert.Equal(t, "demo", flagValue(ae.Entrypoint, "--seed"))
		})
	}

	t.Run("real deployment requires its credentials", func(t *testing.T) {
		for k := range realRequired {
			env := with(realRequired)
			delete(env, k)
			_, err := loadProject(realFile, env)
			if assert.Error(t, err, "without %s", k) {
				assert.Contains(t, err.Error(), "required variable "+k)
			}
			env[k] = ""
			_, err = loadProject(realFile, env)
			assert.Error(t, err, "with an empty %s", k)
		}
	})

	t.Run("both workers are the same deployment but for the APIs", func(t *testing.T) {
		real, err := loadProject(realFile, realRequired)
		require.NoError(t, err)
		emu, err := loadProject(emulatedFile, map[string]string{})
		require.NoError(t, err)
		r, e := real.Services["worker"], emu.Services["worker"]
		for k, v := range r.Environment {
			if strings.HasPrefix(k, "WECOMSYNC_AUTHING_") || strings.HasPrefix(k, "WECOMSYNC_WECOM_") || k == "AWS_SECRET_ACCESS_KEY" {
				continue
			}
			assert.Equal(t, v, e.Environment[k], "%s", k)
		}
		for k := range e.Environment {
			assert.Contains(t, r.Environment, k)
		}
		assert.Equal(t, r.DependsOn, withoutKeys(e.DependsOn, "wecom-emulator", "authing-emulator"))
	})
}

// TestBlobStoreIsMinIO: workers (and the starter) share MinIO through the S3 API — the bucket
// minio-init creates, at MinIO's API port, path-style, with the credentials minio-init gives the
// workers' user — and gocloud.dev accepts the URL as written.
func TestBlobStoreIsMinIO(t *testing.T) {
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t, "tools")
			w, minio, initSvc := p.Services["worker"], p.Services["minio"], p.Services["minio-init"]
			u, err := url.Parse(w.Environment["WECOMSYNC_BLOB_URL"])
			require.NoError(t, err)
			assert.Equal(t, "s3", u.Scheme)
			require.Len(t, initSvc.Command, 1, "minio-init BUCKET")
			assert.Equal(t, initSvc.Command[0], u.Host, "the worker's bucket is the one minio-init creates")
			q := u.Query()
			assert.Equal(t, "true", q.Get("use_path_style"), "MinIO buckets are addressed by path")
			assert.NotEmpty(t, q.Get("region"))
			assert.Equal(t, "http://minio:"+flagValue(minio.Command, "--address")[1:], q.Get("endpoint"), "the endpoint is MinIO's S3 API")
			assert.Equal(t, q.Get("endpoint"), initSvc.Environment["MINIO_URL"])
			assert.Equal(t, "/bin/sh", initSvc.Entrypoint[0])
			assert.Equal(t, "/deploy/minio-init.sh", initSvc.Entrypoint[1])
			assert.Contains(t, initSvc.Volumes, filepath.Join(repoRoot(t), "deploy", "minio-init.sh")+":/deploy/minio-init.sh:ro")

			assert.Equal(t, initSvc.Environment["BLOB_ACCESS_KEY"], w.Environment["AWS_ACCESS_KEY_ID"], "the worker uses the user minio-init creates")
			assert.Equal(t, initSvc.Environment["BLOB_SECRET_KEY"], w.Environment["AWS_SECRET_ACCESS_KEY"])
			assert.NotEqual(t, minio.Environment["MINIO_ROOT_USER"], w.Environment["AWS_ACCESS_KEY_ID"], "the worker is not MinIO's admin")
			assert.Equal(t, minio.Environment["MINIO_ROOT_USER"], initSvc.Environment["MINIO_ROOT_USER"])
			assert.Equal(t, minio.Environment["MINIO_ROOT_PASSWORD"], initSvc.Environment["MINIO_ROOT_PASSWORD"])
			for _, k := range []string{"MINIO_ROOT_PASSWORD", "BLOB_SECRET_KEY"} {
				assert.GreaterOrEqual(t, len(initSvc.Environment[k]), 8, "MinIO refuses secrets shorter than 8 characters (%s)", k)
			}

			s := p.Services["starter"]
			for _, k := range []string{"WECOMSYNC_BLOB_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
				assert.Equal(t, w.Environment[k], s.Environment[k], "the starter shares the worker's blob store (%s)", k)
			}

			t.Setenv("AWS_ACCESS_KEY_ID", w.Environment["AWS_ACCESS_KEY_ID"])
			t.Setenv("AWS_SECRET_ACCESS_KEY", w.Environment["AWS_SECRET_ACCESS_KEY"])
			store, err := claimcheck.Open(context.Background(), u.String())
			require.NoError(t, err, "gocloud.dev opens the worker's blob URL (every parameter known)")
			assert.Equal(t, "s3://"+u.Host, store.String())
			require.NoError(t, store.Close())
		})
	}
}

// TestSearchAttributesRegistered: the one-shot registration registers exactly
// workflows.SearchAttributes() on the worker's Temporal and namespace.
func TestSearchAttributesRegistered(t *testing.T) {
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t)
			sa := p.Services["search-attributes"]
			assert.Equal(t, searchAttributeArgs(), sa.Command, "the registration's list is workflows.SearchAttributes(), sorted")
			assert.Equal(t, []string{"/bin/sh", "/deploy/register-search-attributes.sh"}, sa.Entrypoint)
			assert.Contains(t, sa.Volumes, filepath.Join(repoRoot(t), "deploy", "register-search-attributes.sh")+":/deploy/register-search-attributes.sh:ro")
			assert.Equal(t, p.Services["worker"].Environment["WECOMSYNC_TEMPORAL_ADDRESS"], sa.Environment["TEMPORAL_ADDRESS"])
			assert.True(t, strings.HasPrefix(sa.Image, "temporalio/admin-tools:"+imageTagOf(p.Services["temporal"].Image)+"-"),
				"admin-tools %s matches the server %s", sa.Image, p.Services["temporal"].Image)
		})
	}
}

// searchAttributeArgs is workflows.SearchAttributes() as the registration script takes it.
func searchAttributeArgs() []string {
	var args []string
	for name, typ := range workflows.SearchAttributes() {
		args = append(args, name+"="+typ)
	}
	slices.Sort(args)
	return args
}

func imageTagOf(ref string) string {
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, _ := strings.Cut(last, ":")
	return tag
}

// TestStarter: `docker compose run --rm starter …` reaches the worker's Temporal, namespace and
// blob store, and holds no WeCom or Authing credential.
func TestStarter(t *testing.T) {
	for _, d := range deployments() {
		t.Run(d.name, func(t *testing.T) {
			p := d.load(t, "tools")
			s, w := p.Services["starter"], p.Services["worker"]
			assert.Equal(t, []string{"tools"}, s.Profiles)
			assert.Equal(t, []string{"/usr/local/bin/starter"}, s.Entrypoint)
			checkKnownVariables(t, "starter", s.Environment)
			for k, v := range s.Environment {
				assert.False(t, strings.HasPrefix(k, "WECOMSYNC_AUTHING_") || strings.HasPrefix(k, "WECOMSYNC_WECOM_"), "the starter gets %s: API credentials stay with the worker", k)
				assert.Equal(t, w.Environment[k], v, "the starter and the worker agree on %s", k)
			}
			for _, k := range []string{"WECOMSYNC_TEMPORAL_ADDRESS", "WECOMSYNC_NAMESPACE", "WECOMSYNC_CODEC_KEYS"} {
				assert.Contains(t, s.Environment, k)
			}
			_, err := config.Load(func(k string) string { return s.Environment[k] })
			assert.NoError(t, err)
		})
	}
}

// startOrder sorts the services so that each comes after what it depends on; a cycle is an error.
func startOrder(p *project) ([]string, error) {
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("dependency cycle: %s", strings.Join(append(path, n), " → "))
		case 2:
			return nil
		}
		state[n] = 1
		for _, dep := range keys(p.Services[n].DependsOn) {
			if _, ok := p.Services[dep]; !ok {
				return fmt.Errorf("%s depends on unknown service %s", n, dep)
			}
			if err := visit(dep, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range keys(p.Services) {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func transitiveDeps(p *project, name string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		s := p.Services[n]
		if s == nil {
			return
		}
		for dep := range s.DependsOn {
			if !seen[dep] {
				seen[dep] = true
				walk(dep)
			}
		}
	}
	walk(name)
	return keys(seen)
}

// listenPort is the port of a service's --addr flag.
func listenPort(t *testing.T, s *service) string {
	t.Helper()
	_, port, err := net.SplitHostPort(flagValue(s.Entrypoint, "--addr"))
	require.NoError(t, err, "service %s: --addr", s.Name)
	return port
}

// flagValue returns the argument after flag in args ("" when absent).
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func withoutKeys(m map[string]string, drop ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	return root
}
