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

// pagedList is one page of a paged read: a paged object {totalCount, list} or a bare array (see
// listOf). Total is the announced totalCount, or -1 when the reply carries none (a bare array, or a
// totalCount that is missing, null or not a number — the spec types some of them boolean).
type pagedList[T any] struct {
	List  []T
	Total int
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *pagedList[T]) UnmarshalJSON(b []byte) error {
	var l listOf[T]
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	p.List, p.Total = l, -1
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return nil
	}
	var aux struct {
		TotalCount json.RawMessage `json:"totalCount"`
	}
	if err := json.Unmarshal(b, &aux); err != nil || len(aux.TotalCount) == 0 || string(aux.TotalCount) == "null" {
		return nil
	}
	var n int
	if err := json.Unmarshal(aux.TotalCount, &n); err == nil && n >= 0 {
		p.Total = n
	}
	return nil
}
