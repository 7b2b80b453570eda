package authing

import (
	"bytes"
	"encoding/json"
)

// listOf decodes a list reply whether it is a bare array or a paged object {totalCount, list}: the
// spec gives the paged shape for some list calls and no shape for others (get-all-departments,
// get-custom-fields, batch replies), so a client must take both. null decodes as empty.
type listOf[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (l *listOf[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*l = nil
		return nil
	}
	if b[0] == '[' {
		return json.Unmarshal(b, (*[]T)(l))
	}
	var paged struct {
		List []T `json:"list"`
	}
	if err := json.Unmarshal(b, &paged); err != nil {
		return err
	}
	*l = paged.List
	return nil
}
