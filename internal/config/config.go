// Package config reads the worker's and the starter's settings from environment variables and an
// optional JSON file. It is the only place secrets are read; it never logs or prints them
// (Config.String and Redacted hide them).
package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Config is everything the worker and the starter need.
type Config struct {
	// TemporalAddress is the frontend host:port (WECOMSYNC_TEMPORAL_ADDRESS, else TEMPORAL_ADDRESS,
	// default localhost:7233).
	TemporalAddress string `json:"temporalAddress"`
	// Namespace (WECOMSYNC_NAMESPACE, default "default").
	Namespace string `json:"namespace"`
	// TaskQueue (WECOMSYNC_TASK_QUEUE, default "wecomsync").
	TaskQueue string `json:"taskQueue"`
	// BlobURL is the claim-check store (WECOMSYNC_BLOB_URL, default file://<cwd>/.data/blobs).
	BlobURL string `json:"blobUrl"`
	// LogLevel is debug, info, warn or error (WECOMSYNC_LOG_LEVEL, default info).
	LogLevel string `json:"logLevel"`
	// CodecKeys turns on payload encryption (WECOMSYNC_CODEC_KEYS, "id:base64key[,oldid:base64key]",
	// 32-byte AES keys; the first encrypts, all decrypt). Every worker, starter and codec server
	// of a namespace needs the same keys.
	CodecKeys string `json:"codecKeys,omitempty"`
	// MetricsAddr is where the worker serves Prometheus metrics at /metrics
	// (WECOMSYNC_METRICS_ADDR, default 127.0.0.1:9464; "off" turns it off).
	MetricsAddr string `json:"metricsAddr,omitempty"`
	// Connections are the named credentials workflows refer to; "default" comes from the
	// WECOMSYNC_AUTHING_* and WECOMSYNC_WECOM_* variables.
	Connections map[string]Connection `json:"connections"`
}

// Connection holds one WeCom corp's and one Authing pool's credentials.
type Connection struct {
	Authing *Authing `json:"authing,omitempty"`
	WeCom   *WeCom   `json:"wecom,omitempty"`
}

// Authing is a user pool's management credentials.
type Authing struct {
	URL        string  `json:"url,omitempty"` // default https://api.authing.cn
	UserPoolID string  `json:"userPoolId"`
	Secret     string  `json:"secret,omitempty"`
	SecretEnv  string  `json:"secretEnv,omitempty"` // read the secret from this variable instead
	QPS        float64 `json:"qps,omitempty"`       // default 300
}

// WeCom is a corp's contacts-sync credentials.
type WeCom struct {
	URL       string `json:"url,omitempty"` // default https://qyapi.weixin.qq.com/cgi-bin/
	CorpID    string `json:"corpId"`
	Secret    string `json:"secret,omitempty"`
	SecretEnv string `json:"secretEnv,omitempty"`
	PerMinute int    `json:"perMinute,omitempty"` // default 10000 per API
	PerHour   int    `json:"perHour,omitempty"`   // default 150000 per API
	Mode      string `json:"mode,omitempty"`      // selfbuilt (default) or daikaifa
}

// Load reads the configuration: defaults, then the JSON file named by WECOMSYNC_CONFIG (if any),
// then the environment, which wins.
func Load(getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	wd, _ := os.Getwd()
	c := &Config{
		TemporalAddress: "localhost:7233",
		Namespace:       "default",
		TaskQueue:       "wecomsync",
		BlobURL:         "file://" + filepath.ToSlash(filepath.Join(wd, ".data", "blobs")) + "?create_dir=true",
		LogLevel:        "info",
		MetricsAddr:     "127.0.0.1:9464",
		Connections:     map[string]Connection{},
	}
	if path := getenv("WECOMSYNC_CONFIG"); path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	setString(&c.TemporalAddress, getenv("TEMPORAL_ADDRESS"))
	setString(&c.TemporalAddress, getenv("WECOMSYNC_TEMPORAL_ADDRESS"))
	setString(&c.Namespace, getenv("WECOMSYNC_NAMESPACE"))
	setString(&c.TaskQueue, getenv("WECOMSYNC_TASK_QUEUE"))
	setString(&c.BlobURL, getenv("WECOMSYNC_BLOB_URL"))
	setString(&c.LogLevel, getenv("WECOMSYNC_LOG_LEVEL"))
	setString(&c.CodecKeys, getenv("WECOMSYNC_CODEC_KEYS"))
	setString(&c.MetricsAddr, getenv("WECOMSYNC_METRICS_ADDR"))
	if err := c.loadDefaultConnection(getenv); err != nil {
		return nil, err
	}
	for name, conn := range c.Connections {
		if conn.Authing != nil && conn.Authing.SecretEnv != "" {
			conn.Authing.Secret = getenv(conn.Authing.SecretEnv)
		}
		if conn.WeCom != nil && conn.WeCom.SecretEnv != "" {
			conn.WeCom.Secret = getenv(conn.WeCom.SecretEnv)
		}
		if err := conn.validate(name); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Config) loadDefaultConnection(getenv func(string) string) error {
	conn := c.Connections["default"]
	if id := getenv("WECOMSYNC_AUTHING_USERPOOL_ID"); id != "" {
		a := &Authing{UserPoolID: id, URL: getenv("WECOMSYNC_AUTHING_URL"), Secret: getenv("WECOMSYNC_AUTHING_SECRET")}
		if q := getenv("WECOMSYNC_AUTHING_QPS"); q != "" {
			v, err := strconv.ParseFloat(q, 64)
			if err != nil || v <= 0 {
				return fmt.Errorf("WECOMSYNC_AUTHING_QPS=%q: want a positive number", q)
			}
			a.QPS = v
		}
		conn.Authing = a
	}
	if id := getenv("WECOMSYNC_WECOM_CORP_ID"); id != "" {
		w := &WeCom{CorpID: id, URL: getenv("WECOMSYNC_WECOM_URL"), Secret: getenv("WECOMSYNC_WECOM_SECRET"), Mode: getenv("WECOMSYNC_WECOM_MODE")}
		for env, dst := range map[string]*int{"WECOMSYNC_WECOM_PER_MINUTE": &w.PerMinute, "WECOMSYNC_WECOM_PER_HOUR": &w.PerHour} {
			if v := getenv(env); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n <= 0 {
					return fmt.Errorf("%s=%q: want a positive whole number", env, v)
				}
				*dst = n
			}
		}
		conn.WeCom = w
	}
	if conn.Authing != nil || conn.WeCom != nil {
		c.Connections["default"] = conn
	}
	return nil
}

func (conn Connection) validate(name string) error {
	if a := conn.Authing; a != nil && (a.UserPoolID == "" || a.Secret == "") {
		return fmt.Errorf("connection %q: Authing needs a user pool id and a secret (WECOMSYNC_AUTHING_USERPOOL_ID / WECOMSYNC_AUTHING_SECRET)", name)
	}
	if w := conn.WeCom; w != nil {
		if w.CorpID == "" || w.Secret == "" {
			return fmt.Errorf("connection %q: WeCom needs a corp id and the contacts-sync secret (WECOMSYNC_WECOM_CORP_ID / WECOMSYNC_WECOM_SECRET)", name)
		}
		if w.Mode != "" && w.Mode != "selfbuilt" && w.Mode != "daikaifa" {
			return fmt.Errorf("connection %q: WeCom mode %q is not selfbuilt or daikaifa", name, w.Mode)
		}
	}
	return nil
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// ConnectionNames returns the configured connection names, sorted.
func (c *Config) ConnectionNames() []string {
	names := make([]string, 0, len(c.Connections))
	for n := range c.Connections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// String describes the configuration without secrets.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "temporal=%s namespace=%s taskQueue=%s blobs=%s encryption=%t", c.TemporalAddress, c.Namespace, c.TaskQueue, redactURL(c.BlobURL), c.CodecKeys != "")
	for _, n := range c.ConnectionNames() {
		conn := c.Connections[n]
		fmt.Fprintf(&b, " connection[%s]=", n)
		if conn.Authing != nil {
			fmt.Fprintf(&b, "authing(pool %s)", conn.Authing.UserPoolID)
		}
		if conn.WeCom != nil {
			fmt.Fprintf(&b, "wecom(corp %s)", conn.WeCom.CorpID)
		}
	}
	return b.String()
}

func redactURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

// EnvVars lists every environment variable Load reads (the README documents each).
func EnvVars() []string {
	return []string{
		"WECOMSYNC_CONFIG", "WECOMSYNC_TEMPORAL_ADDRESS", "TEMPORAL_ADDRESS", "WECOMSYNC_NAMESPACE", "WECOMSYNC_TASK_QUEUE",
		"WECOMSYNC_BLOB_URL", "WECOMSYNC_LOG_LEVEL", "WECOMSYNC_CODEC_KEYS", "WECOMSYNC_METRICS_ADDR",
		"WECOMSYNC_AUTHING_URL", "WECOMSYNC_AUTHING_USERPOOL_ID", "WECOMSYNC_AUTHING_SECRET", "WECOMSYNC_AUTHING_QPS",
		"WECOMSYNC_WECOM_URL", "WECOMSYNC_WECOM_CORP_ID", "WECOMSYNC_WECOM_SECRET", "WECOMSYNC_WECOM_MODE",
		"WECOMSYNC_WECOM_PER_MINUTE", "WECOMSYNC_WECOM_PER_HOUR",
	}
}
