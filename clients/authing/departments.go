package authing

import (
	"context"
	"net/url"
	"strconv"
)

// DepartmentsService handles the departments of an organization (reference §5).
type DepartmentsService service

// Department id types (departmentIdType).
const (
	IDTypeDepartmentID     = "department_id"
	IDTypeOpenDepartmentID = "open_department_id"
	IDTypeCode             = "code"
)

// RootDepartmentID addresses an organization's root department.
const RootDepartmentID = "root"

// Department is Authing's DepartmentDto.
type Department struct {
	DepartmentID     string `json:"departmentId"`
	OpenDepartmentID string `json:"openDepartmentId,omitempty"`
	Code             string `json:"code,omitempty"`
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	// ParentDepartmentID is the parent's id (the root's id for a top-level department).
	ParentDepartmentID string         `json:"parentDepartmentId,omitempty"`
	OrganizationCode   string         `json:"organizationCode"`
	LeaderUserIDs      []string       `json:"leaderUserIds,omitempty"`
	CustomData         map[string]any `json:"customData,omitempty"`
	// MembersCount counts direct members only.
	MembersCount int    `json:"membersCount"`
	HasChildren  bool   `json:"hasChildren"`
	CreatedAt    string `json:"createdAt,omitempty"`
	UpdatedAt    string `json:"updatedAt,omitempty"`
}

// GetAll returns every department below the organization root (the root itself is not included):
// GET /api/v3/get-all-departments.
func (s *DepartmentsService) GetAll(ctx context.Context, orgCode string, withCustomData bool) ([]Department, error) {
	q := url.Values{"organizationCode": {orgCode}, "withCustomData": {strconv.FormatBool(withCustomData)}}
	var out listOf[Department]
	if err := s.client.get(ctx, "get-all-departments", q, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListChildren returns the direct children of a department (departmentID may be "root"):
// GET /api/v3/list-children-departments.
func (s *DepartmentsService) ListChildren(ctx context.Context, orgCode, departmentID string, withCustomData bool) ([]Department, error) {
	q := url.Values{
		"organizationCode": {orgCode}, "departmentId": {departmentID},
		"withCustomData": {strconv.FormatBool(withCustomData)},
	}
	var out struct {
		List []Department `json:"list"`
	}
	if err := s.client.get(ctx, "list-children-departments", q, &out); err != nil {
		return nil, err
	}
	return out.List, nil
}

// Get returns one department, addressed by departmentID typed with departmentIDType ("" =
// department_id; "root" is the root): GET /api/v3/get-department.
func (s *DepartmentsService) Get(ctx context.Context, orgCode, departmentID, departmentIDType string, withCustomData bool) (*Department, error) {
	q := url.Values{
		"organizationCode": {orgCode}, "departmentId": {departmentID},
		"withCustomData": {strconv.FormatBool(withCustomData)},
	}
	if departmentIDType != "" {
		q.Set("departmentIdType", departmentIDType)
	}
	var out Department
	if err := s.client.get(ctx, "get-department", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateDepartmentRequest is the body of create-department.
type CreateDepartmentRequest struct {
	OrganizationCode string `json:"organizationCode"`
	Name             string `json:"name"`
	// ParentDepartmentID is "root", the root's real id, or a department id typed by
	// DepartmentIDType.
	ParentDepartmentID string         `json:"parentDepartmentId"`
	DepartmentIDType   string         `json:"departmentIdType,omitempty"`
	OpenDepartmentID   string         `json:"openDepartmentId,omitempty"`
	Code               string         `json:"code,omitempty"`
	Description        string         `json:"description,omitempty"`
	CustomData         map[string]any `json:"customData,omitempty"`
	// Metadata is sent as {} when nil: the spec marks it required, servers may enforce it.
	Metadata map[string]any `json:"metadata"`
}

// Create creates a department: POST /api/v3/create-department.
func (s *DepartmentsService) Create(ctx context.Context, req *CreateDepartmentRequest) (*Department, error) {
	if req.Metadata == nil {
		r := *req
		r.Metadata = map[string]any{}
		req = &r
	}
	var out Department
	if err := s.client.post(ctx, "create-department", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateDepartmentRequest is the body of update-department; only non-nil fields are sent. Setting
// ParentDepartmentID moves the department. CustomData is merged key by key.
type UpdateDepartmentRequest struct {
	OrganizationCode string `json:"organizationCode"`
	DepartmentID     string `json:"departmentId"`
	// DepartmentIDType types DepartmentID and ParentDepartmentID.
	DepartmentIDType   string         `json:"departmentIdType,omitempty"`
	Name               *string        `json:"name,omitempty"`
	Description        *string        `json:"description,omitempty"`
	Code               *string        `json:"code,omitempty"`
	ParentDepartmentID *string        `json:"parentDepartmentId,omitempty"`
	LeaderUserIDs      *[]string      `json:"leaderUserIds,omitempty"`
	CustomData         map[string]any `json:"customData,omitempty"`
	// Metadata is sent as {} when nil (required by the spec).
	Metadata map[string]any `json:"metadata"`
}

// Update changes a department: POST /api/v3/update-department.
func (s *DepartmentsService) Update(ctx context.Context, req *UpdateDepartmentRequest) (*Department, error) {
	if req.Metadata == nil {
		r := *req
		r.Metadata = map[string]any{}
		req = &r
	}
	var out Department
	if err := s.client.post(ctx, "update-department", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes an empty department (no children, no members): POST /api/v3/delete-department.
func (s *DepartmentsService) Delete(ctx context.Context, orgCode, departmentID string) error {
	body := map[string]string{"organizationCode": orgCode, "departmentId": departmentID}
	return s.client.post(ctx, "delete-department", body, nil)
}

// ListMembersRequest is the query of list-department-members.
type ListMembersRequest struct {
	OrganizationCode string
	// DepartmentID may be "root"; DepartmentIDType types it.
	DepartmentID               string
	DepartmentIDType           string
	IncludeChildrenDepartments bool
	// Page (from 1) and Limit (≤ MaxPageSize); zero = server defaults.
	Page, Limit       int
	WithCustomData    bool
	WithDepartmentIDs bool
}

// ListMembers returns one page of a department's members: GET /api/v3/list-department-members.
func (s *DepartmentsService) ListMembers(ctx context.Context, req *ListMembersRequest) (*UserPage, error) {
	q := url.Values{
		"organizationCode":           {req.OrganizationCode},
		"departmentId":               {req.DepartmentID},
		"includeChildrenDepartments": {strconv.FormatBool(req.IncludeChildrenDepartments)},
		"withCustomData":             {strconv.FormatBool(req.WithCustomData)},
		"withDepartmentIds":          {strconv.FormatBool(req.WithDepartmentIDs)},
	}
	if req.DepartmentIDType != "" {
		q.Set("departmentIdType", req.DepartmentIDType)
	}
	if req.Page > 0 {
		q.Set("page", strconv.Itoa(req.Page))
	}
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	var out UserPage
	if err := s.client.get(ctx, "list-department-members", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddMembers makes 1–MaxBatchSize users (Authing user ids) direct members of a department
// (departmentID is an Authing department id or "root"); users already in it stay as they are:
// POST /api/v3/add-department-members. Another number of ids returns ErrBatchSize without a
// request; one unknown user id fails the whole call (404).
func (s *DepartmentsService) AddMembers(ctx context.Context, orgCode, departmentID string, userIDs []string) error {
	return s.changeMembers(ctx, "add-department-members", orgCode, departmentID, userIDs)
}

// RemoveMembers ends the direct membership of 1–MaxBatchSize users (Authing user ids) in a
// department (an Authing department id or "root"); users not in it are left alone:
// POST /api/v3/remove-department-members. Another number of ids returns ErrBatchSize without a
// request; one unknown user id fails the whole call (404).
func (s *DepartmentsService) RemoveMembers(ctx context.Context, orgCode, departmentID string, userIDs []string) error {
	return s.changeMembers(ctx, "remove-department-members", orgCode, departmentID, userIDs)
}

func (s *DepartmentsService) changeMembers(ctx context.Context, verb, orgCode, departmentID string, userIDs []string) error {
	if err := checkBatch(len(userIDs)); err != nil {
		return err
	}
	body := struct {
		OrganizationCode string   `json:"organizationCode"`
		DepartmentID     string   `json:"departmentId"`
		UserIDs          []string `json:"userIds"`
	}{orgCode, departmentID, userIDs}
	return s.client.post(ctx, verb, body, nil)
}
