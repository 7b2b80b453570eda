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
