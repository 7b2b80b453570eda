package authing

import (
	"context"
	"net/url"
	"strconv"
)

// OrganizationsService handles organizations (reference §5).
type OrganizationsService service

// Organization is Authing's OrganizationDto. Its root department is the organization itself, with
// id DepartmentID (also addressable as "root").
type Organization struct {
	OrganizationCode string `json:"organizationCode"`
	OrganizationName string `json:"organizationName"`
	Description      string `json:"description,omitempty"`
	// DepartmentID is the root department's id.
	DepartmentID string `json:"departmentId"`
	// OpenDepartmentID is the root's custom id.
	OpenDepartmentID string   `json:"openDepartmentId,omitempty"`
	HasChildren      bool     `json:"hasChildren"`
	MembersCount     int      `json:"membersCount"`
	LeaderUserIDs    []string `json:"leaderUserIds,omitempty"`
	CreatedAt        string   `json:"createdAt,omitempty"`
	UpdatedAt        string   `json:"updatedAt,omitempty"`
}

// CreateOrganizationRequest is the body of create-organization.
type CreateOrganizationRequest struct {
	OrganizationCode string `json:"organizationCode"`
	OrganizationName string `json:"organizationName"`
	Description      string `json:"description,omitempty"`
	// OpenDepartmentID is the root's custom id (e.g. WeCom's root department id "1").
	OpenDepartmentID string `json:"openDepartmentId,omitempty"`
	// Metadata is sent as {} when nil (the spec lists it on create).
	Metadata map[string]any `json:"metadata"`
}

// List returns every organization of the pool, reading all pages of GET /api/v3/list-organizations.
func (s *OrganizationsService) List(ctx context.Context) ([]Organization, error) {
	var all []Organization
	for page := 1; ; page++ {
		var out struct {
			TotalCount int            `json:"totalCount"`
			List       []Organization `json:"list"`
		}
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(MaxPageSize)}}
		if err := s.client.get(ctx, "list-organizations", q, &out); err != nil {
			return nil, err
		}
		all = append(all, out.List...)
		if len(out.List) < MaxPageSize || len(all) >= out.TotalCount {
			return all, nil
		}
	}
}

// Get returns one organization: GET /api/v3/get-organization.
func (s *OrganizationsService) Get(ctx context.Context, code string) (*Organization, error) {
	var out Organization
	if err := s.client.get(ctx, "get-organization", url.Values{"organizationCode": {code}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Create creates an organization: POST /api/v3/create-organization.
func (s *OrganizationsService) Create(ctx context.Context, req *CreateOrganizationRequest) (*Organization, error) {
	if req.Metadata == nil {
		r := *req
		r.Metadata = map[string]any{}
		req = &r
	}
	var out Organization
	if err := s.client.post(ctx, "create-organization", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
