package authing

import (
	"encoding/json"
	"testing"
)

func TestListOfAcceptsBothShapes(t *testing.T) {
	for _, raw := range []string{`[{"key":"a"},{"key":"b"}]`, `{"totalCount":2,"list":[{"key":"a"},{"key":"b"}]}`} {
		var got listOf[CustomField]
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if len(got) != 2 || got[1].Key != "b" {
			t.Fatalf("%s: got %+v", raw, got)
		}
	}
	var empty listOf[User]
	if err := json.Unmarshal([]byte(`null`), &empty); err != nil || empty != nil {
		t.Fatalf("null: %v %v", empty, err)
	}
	if err := json.Unmarshal([]byte(`"oops"`), &empty); err == nil {
		t.Fatal("a string is not a list")
	}
}

func TestPagedListTotal(t *testing.T) {
	tests := []struct {
		raw   string
		n     int
		total int
	}{
		{`{"totalCount":7,"list":[{"key":"a"},{"key":"b"}]}`, 2, 7},
		{`{"totalCount":0,"list":[]}`, 0, 0},
		{`[{"key":"a"}]`, 1, -1},
		{`{"list":[{"key":"a"}]}`, 1, -1},
		{`{"totalCount":null,"list":[{"key":"a"}]}`, 1, -1},
		{`{"totalCount":true,"list":[{"key":"a"}]}`, 1, -1},
		{`null`, 0, -1},
	}
	for _, tt := range tests {
		var got pagedList[CustomField]
		if err := json.Unmarshal([]byte(tt.raw), &got); err != nil {
			t.Fatalf("%s: %v", tt.raw, err)
		}
		if len(got.List) != tt.n || got.Total != tt.total {
			t.Fatalf("%s: got %d items, total %d; want %d, %d", tt.raw, len(got.List), got.Total, tt.n, tt.total)
		}
	}
	var bad pagedList[CustomField]
	if err := json.Unmarshal([]byte(`"oops"`), &bad); err == nil {
		t.Fatal("a string is not a page")
	}
}
