// Package jsonio holds the JSON plumbing the emulators share: answering with a JSON body and
// reading a JSON file (a fixture) into a value.
package jsonio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

// Write answers status with v encoded as JSON.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ReadFile decodes the JSON file at path into a T; what names the file's content in errors.
func ReadFile[T any](what, path string) (T, error) {
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		return v, fmt.Errorf("read %s: %w", what, err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("decode %s %s: %w", what, path, err)
	}
	return v, nil
}
