package jsonio

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Write(rec, http.StatusCreated, map[string]int{"n": 1})
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type = %q", ct)
	}
	if body := rec.Body.String(); body != "{\"n\":1}\n" {
		t.Fatalf("body = %q", body)
	}
}

func TestReadFile(t *testing.T) {
	type doc struct {
		Name string `json:"name"`
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"name":"星河"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"name":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err := ReadFile[doc]("fixture", good); err != nil || d.Name != "星河" {
		t.Fatalf("ReadFile(good) = %+v, %v", d, err)
	}
	if _, err := ReadFile[doc]("fixture", bad); err == nil || !strings.HasPrefix(err.Error(), "decode fixture "+bad+": ") {
		t.Fatalf("ReadFile(bad) error = %v", err)
	}
	if _, err := ReadFile[doc]("fixture", filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile(missing) error = %v", err)
	}
}
