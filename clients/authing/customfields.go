package authing

import (
	"context"
	"net/url"
)

// CustomFieldsService handles custom-field definitions (reference §6).
type CustomFieldsService service

// Custom-field target types.
const (
	TargetUser       = "USER"
	TargetDepartment = "DEPARTMENT"
)

// CustomField is one definition. Key and DataType cannot change once created.
type CustomField struct {
	// TargetType is USER, DEPARTMENT or ROLE.
	TargetType string `json:"targetType"`
	Key        string `json:"key"`
	// DataType is STRING, NUMBER, DATETIME, BOOLEAN or ENUM.
	DataType    string `json:"dataType,omitempty"`
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	IsUnique    bool   `json:"isUnique"`
}

// Get lists the definitions of a target type: GET /api/v3/get-custom-fields.
func (s *CustomFieldsService) Get(ctx context.Context, targetType string) ([]CustomField, error) {
	var out listOf[CustomField]
	if err := s.client.get(ctx, "get-custom-fields", url.Values{"targetType": {targetType}}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Set creates or updates 1–MaxBatchSize definitions by key: POST /api/v3/set-custom-fields. Each
// definition is sent whole, so IsUnique false clears uniqueness of an existing field.
func (s *CustomFieldsService) Set(ctx context.Context, fields []CustomField) ([]CustomField, error) {
	if err := checkBatch(len(fields)); err != nil {
		return nil, err
	}
	body := struct {
		List []CustomField `json:"list"`
	}{fields}
	var out listOf[CustomField]
	if err := s.client.post(ctx, "set-custom-fields", body, &out); err != nil {
		return nil, err
	}
	return out, nil
}
