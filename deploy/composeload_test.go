package deploy

// A small compose loader for the tests, since no Docker engine (and usually no compose) runs here.
// It does what `docker compose config` does with the parts of the compose specification these files
// use: YAML anchors and merge keys, `include` (with env_file, paths relative to the included file),
// interpolation of ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
// ${VAR:+alt}, ${VAR+alt} and $$ (each file with its own environment, before profiles are applied,
// as compose does), and profiles. TestDockerComposeConfigAgrees compares it with the real compose
// where one is installed.

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// project is a loaded compose project: the services the active profiles enable.
type project struct {
	Name     string
	Services map[string]*service
	Disabled map[string]*service // services of profiles that are not active
	Volumes  []string
}

type service struct {
	Name          string
	File          string // the compose file that defines it
	Image         string
	Build         string // build context, absolute ("" without build)
	Profiles      []string
	Environment   map[string]string
	DependsOn     map[string]string // service → condition
	Entrypoint    []string
	Command       []string
	Healthcheck   bool
	Restart       string
	Ports         []string
	Expose        []string
	Volumes       []string // bind sources made absolute
	ContainerName string
}

// loadProject loads file (and what it includes) for the environment env with the given profiles.
func loadProject(file string, env map[string]string, profiles ...string) (*project, error) {
	all := map[string]*service{}
	var volumes []string
	name, err := loadFile(file, env, all, &volumes, nil)
	if err != nil {
		return nil, err
	}
	p := &project{Name: name, Services: map[string]*service{}, Disabled: map[string]*service{}, Volumes: volumes}
	for n, s := range all {
		if len(s.Profiles) == 0 || slices.ContainsFunc(s.Profiles, func(p string) bool { return slices.Contains(profiles, p) }) {
			p.Services[n] = s
		} else {
			p.Disabled[n] = s
		}
	}
	return p, nil
}

func loadFile(file string, env map[string]string, into map[string]*service, volumes *[]string, seen []string) (string, error) {
	file, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	if slices.Contains(seen, file) {
		return "", fmt.Errorf("include cycle: %s", strings.Join(append(seen, file), " → "))
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	interpolated, err := interpolateTree(doc, env, "")
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	doc = interpolated.(map[string]any)
	dir := filepath.Dir(file)
	for key := range doc {
		switch {
		case strings.HasPrefix(key, "x-"), key == "name", key == "include", key == "services", key == "volumes":
		default:
			return "", fmt.Errorf("%s: top-level key %q is not one the tests know", file, key)
		}
	}
	for _, inc := range asList(doc["include"]) {
		var paths, envFiles []string
		switch v := inc.(type) {
		case string:
			paths = []string{v}
		case map[string]any:
			paths, envFiles = asStrings(v["path"]), asStrings(v["env_file"])
			for k := range v {
				if k != "path" && k != "env_file" {
					return "", fmt.Errorf("%s: include key %q is not one the tests know", file, k)
				}
			}
		default:
			return "", fmt.Errorf("%s: include entry %v", file, inc)
		}
		if len(paths) != 1 {
			return "", fmt.Errorf("%s: include needs one path, not %v", file, paths)
		}
		// The included file sees the environment, then its env_file for what the environment lacks
		// (paths relative to the including project's directory).
		incEnv := map[string]string{}
		for _, f := range envFiles {
			vals, err := readEnvFile(filepath.Join(dir, f))
			if err != nil {
				return "", err
			}
			for k, v := range vals {
				incEnv[k] = v
			}
		}
		for k, v := range env {
			incEnv[k] = v
		}
		if _, err := loadFile(filepath.Join(dir, paths[0]), incEnv, into, volumes, append(seen, file)); err != nil {
			return "", err
		}
	}
	for v := range asMap(doc["volumes"]) {
		if slices.Contains(*volumes, v) {
			return "", fmt.Errorf("%s: volume %s defined twice", file, v)
		}
		*volumes = append(*volumes, v)
	}
	for n, def := range asMap(doc["services"]) {
		if _, dup := into[n]; dup {
			return "", fmt.Errorf("%s: service %s conflicts with an included one", file, n)
		}
		s, err := parseService(n, file, dir, env, asMap(def))
		if err != nil {
			return "", fmt.Errorf("%s: service %s: %w", file, n, err)
		}
		into[n] = s
	}
	name, _ := doc["name"].(string)
	return name, nil
}

var knownServiceKeys = []string{"image", "build", "profiles", "environment", "depends_on", "entrypoint", "command",
	"healthcheck", "restart", "ports", "expose", "volumes", "container_name"}

func parseService(name, file, dir string, env map[string]string, def map[string]any) (*service, error) {
	for k := range def {
		if !slices.Contains(knownServiceKeys, k) {
			return nil, fmt.Errorf("key %q is not one the tests know", k)
		}
	}
	s := &service{
		Name: name, File: file, Environment: map[string]string{}, DependsOn: map[string]string{},
		Profiles: asStrings(def["profiles"]), Entrypoint: asArgs(def["entrypoint"]), Command: asArgs(def["command"]),
		Ports: asStrings(def["ports"]), Expose: asStrings(def["expose"]),
	}
	s.Image, _ = def["image"].(string)
	s.Restart, _ = def["restart"].(string)
	s.ContainerName, _ = def["container_name"].(string)
	s.Healthcheck = def["healthcheck"] != nil
	switch b := def["build"].(type) {
	case nil:
	case string:
		s.Build = filepath.Join(dir, b)
	case map[string]any:
		ctx, _ := b["context"].(string)
		s.Build = filepath.Join(dir, ctx)
	default:
		return nil, fmt.Errorf("build %v", b)
	}
	switch e := def["environment"].(type) {
	case nil:
	case map[string]any:
		for k, v := range e {
			if v == nil { // KEY: with no value passes the variable through
				if val, ok := env[k]; ok {
					s.Environment[k] = val
				}
				continue
			}
			s.Environment[k] = fmt.Sprint(v)
		}
	case []any:
		for _, item := range e {
			k, v, ok := strings.Cut(fmt.Sprint(item), "=")
			if !ok {
				if val, set := env[k]; set {
					s.Environment[k] = val
				}
				continue
			}
			s.Environment[k] = v
		}
	default:
		return nil, fmt.Errorf("environment %v", e)
	}
	switch d := def["depends_on"].(type) {
	case nil:
	case []any:
		for _, n := range d {
			s.DependsOn[fmt.Sprint(n)] = "service_started"
		}
	case map[string]any:
		for n, spec := range d {
			cond, _ := asMap(spec)["condition"].(string)
			s.DependsOn[n] = cmp.Or(cond, "service_started")
		}
	default:
		return nil, fmt.Errorf("depends_on %v", d)
	}
	for _, v := range asList(def["volumes"]) {
		vol := fmt.Sprint(v)
		if strings.HasPrefix(vol, ".") || strings.HasPrefix(vol, "/") {
			src, rest, _ := strings.Cut(vol, ":")
			if !filepath.IsAbs(src) {
				src = filepath.Join(dir, src)
			}
			vol = src + ":" + rest
		}
		s.Volumes = append(s.Volumes, vol)
	}
	return s, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// asStrings reads a string or a list of scalars.
func asStrings(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return []string{fmt.Sprint(v)}
}

// asArgs reads an entrypoint or command: a list, or a string split on spaces.
func asArgs(v any) []string {
	if s, ok := v.(string); ok {
		return strings.Fields(s)
	}
	return asStrings(v)
}

// readEnvFile reads KEY=VALUE lines (blank lines and # comments skipped).
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not KEY=VALUE", path, line)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, sc.Err()
}

// interpolateTree interpolates every string value of a YAML tree (keys are left alone, as compose does).
func interpolateTree(v any, env map[string]string, path string) (any, error) {
	switch v := v.(type) {
	case string:
		s, err := interpolate(v, env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(path, "."), err)
		}
		return s, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the first error in a stable order
		out := make(map[string]any, len(v))
		for _, k := range keys {
			x, err := interpolateTree(v[k], env, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			y, err := interpolateTree(x, env, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	}
	return v, nil
}

// interpolate substitutes the variables of s from env as compose does.
func interpolate(s string, env map[string]string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := matchingBrace(s, i+1)
			if end < 0 {
				return "", fmt.Errorf("unclosed ${ in %q", s)
			}
			val, err := substitute(s[i+2:end], env)
			if err != nil {
				return "", err
			}
			b.WriteString(val)
			i = end + 1
		case isNameStart(next):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			b.WriteString(env[s[i+1:j]])
			i = j
		default:
			return "", fmt.Errorf("invalid interpolation format in %q: a lone $ (write $$)", s)
		}
	}
	return b.String(), nil
}

func matchingBrace(s string, open int) int {
	depth := 0
	for j := open; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return j
			}
		}
	}
	return -1
}

// substitute evaluates the inside of ${…}.
func substitute(expr string, env map[string]string) (string, error) {
	j := 0
	for j < len(expr) && isNameChar(expr[j]) {
		j++
	}
	name, op := expr[:j], expr[j:]
	if name == "" || !isNameStart(name[0]) {
		return "", fmt.Errorf("invalid variable name in ${%s}", expr)
	}
	val, set := env[name]
	for _, o := range []string{":-", ":?", ":+", "-", "?", "+"} {
		if !strings.HasPrefix(op, o) {
			continue
		}
		arg := op[len(o):]
		present := set
		if strings.HasPrefix(o, ":") {
			present = set && val != ""
		}
		switch o[len(o)-1] {
		case '-':
			if present {
				return val, nil
			}
			return interpolate(arg, env)
		case '?':
			if present {
				return val, nil
			}
			msg, err := interpolate(arg, env)
			if err != nil {
				return "", err
			}
			return "", fmt.Errorf("required variable %s is missing a value: %s", name, msg)
		case '+':
			if present {
				return interpolate(arg, env)
			}
			return "", nil
		}
	}
	if op != "" {
		return "", fmt.Errorf("invalid interpolation ${%s}", expr)
	}
	return val, nil
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }
