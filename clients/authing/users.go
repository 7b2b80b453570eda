package authing

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"
)

// UsersService handles users (reference §4).
type UsersService service

// User is Authing's UserDto (the attributes a directory sync uses).
type User struct {
	UserID           string `json:"userId"`
	Username         string `json:"username,omitempty"`
	Name             string `json:"name,omitempty"`
	Nickname         string `json:"nickname,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Email            string `json:"email,omitempty"`
	// Gender is M, F or U.
	Gender string `json:"gender,omitempty"`
	// Status is Activated, Suspended, Deactivated, Resigned or Archived.
	Status     string `json:"status,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	// CustomData is present only when asked for (withCustomData).
	CustomData map[string]any `json:"customData,omitempty"`
	// DepartmentIDs are Authing department ids, present only when asked for (withDepartmentIds).
	DepartmentIDs    []string `json:"departmentIds,omitempty"`
	MainDepartmentID string   `json:"mainDepartmentId,omitempty"`
	CreatedAt        string   `json:"createdAt,omitempty"`
	UpdatedAt        string   `json:"updatedAt,omitempty"`
}

// Filter operators of list-users' advancedFilter.
const (
	OpEqual    = "EQUAL"
	OpNotEqual = "NOT_EQUAL"
	OpIn       = "IN"
	OpContains = "CONTAINS"
	OpNotNull  = "NOT_NULL"
	OpIsNull   = "IS_NULL"
)

// Filter is one advancedFilter condition: a built-in field (id, username, email, phone, externalId,
// name, status, gender, department) or any custom-field key.
type Filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"` // null for NOT_NULL / IS_NULL: the filter's shape is always {field, operator, value}
}

// DepartmentFilter is one value of a Filter{Field: "department", Operator: OpIn}.
type DepartmentFilter struct {
	OrganizationCode string `json:"organizationCode"`
	// DepartmentID may be "root".
	DepartmentID               string `json:"departmentId"`
	DepartmentIDType           string `json:"departmentIdType,omitempty"`
	IncludeChildrenDepartments bool   `json:"includeChildrenDepartments"`
}

// Pagination is a page (from 1) and a page size (at most MaxPageSize).
type Pagination struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
}

// ListUsersRequest is the body of list-users.
type ListUsersRequest struct {
	Keywords       string           `json:"keywords,omitempty"`
	AdvancedFilter []Filter         `json:"advancedFilter,omitempty"`
	Options        ListUsersOptions `json:"options"`
}

// ListUsersOptions are list-users' options; a zero Pagination means page 1 of 10.
type ListUsersOptions struct {
	Pagination        Pagination `json:"pagination"`
	Sort              []Sort     `json:"sort,omitempty"`
	WithCustomData    bool       `json:"withCustomData"`
	WithDepartmentIDs bool       `json:"withDepartmentIds"`
}

// Sort orders list-users by a field (createdAt, updatedAt, username, …), order asc or desc.
type Sort struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// MarshalJSON leaves out a zero pagination so the server applies its defaults.
func (o ListUsersOptions) MarshalJSON() ([]byte, error) {
	type plain ListUsersOptions
	var aux struct {
		plain
		Pagination *Pagination `json:"pagination,omitempty"`
	}
	aux.plain = plain(o)
	if o.Pagination != (Pagination{}) {
		p := o.Pagination
		aux.Pagination = &p
	}
	return json.Marshal(aux)
}

// UserPage is one page of users and the total count of the query.
type UserPage struct {
	TotalCount int    `json:"totalCount"`
	List       []User `json:"list"`
}

// List returns one page of users: POST /api/v3/list-users.
func (s *UsersService) List(ctx context.Context, req *ListUsersRequest) (*UserPage, error) {
	if req == nil {
		req = &ListUsersRequest{}
	}
	var out UserPage
	if err := s.client.post(ctx, "list-users", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ForEachPage reads every page of req (limit MaxPageSize): page 1 first for the total count, then
// the others with at most parallel requests in flight. fn is called serially (never concurrently),
// in any page order; its error stops the walk and is returned. It returns the total count the
// first page announced. The walk sees a consistent list only if the pool does not change meanwhile
// and the server's order is stable across pages.
func (s *UsersService) ForEachPage(ctx context.Context, req *ListUsersRequest, parallel int, fn func([]User) error) (int, error) {
	base := ListUsersRequest{}
	if req != nil {
		base = *req
	}
	base.Options.Pagination = Pagination{Page: 1, Limit: MaxPageSize}
	first, err := s.List(ctx, &base)
	if err != nil {
		return 0, err
	}
	if err := fn(first.List); err != nil {
		return first.TotalCount, err
	}
	pages := (first.TotalCount + MaxPageSize - 1) / MaxPageSize
	if pages <= 1 {
		return first.TotalCount, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(parallel, 1))
	var (
		fnMu  sync.Mutex
		fnErr error // the first error of fn; fn is not called again after it
	)
	for page := 2; page <= pages; page++ {
		g.Go(func() error {
			r := base
			r.Options.Pagination.Page = page
			p, err := s.List(gctx, &r)
			if err != nil {
				return fmt.Errorf("list users page %d: %w", page, err)
			}
			fnMu.Lock()
			defer fnMu.Unlock()
			if fnErr == nil {
				fnErr = fn(p.List)
			}
			return fnErr
		})
	}
	return first.TotalCount, g.Wait()
}

// Get returns one user: GET /api/v3/get-user. userIDType is user_id (default), external_id,
// username, phone or email.
func (s *UsersService) Get(ctx context.Context, userID, userIDType string, withCustomData, withDepartmentIDs bool) (*User, error) {
	q := url.Values{"userId": {userID}}
	if userIDType != "" {
		q.Set("userIdType", userIDType)
	}
	q.Set("withCustomData", strconv.FormatBool(withCustomData))
	q.Set("withDepartmentIds", strconv.FormatBool(withDepartmentIDs))
	var out User
	if err := s.client.get(ctx, "get-user", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateUserInput is one user to create; one of Username, Phone and Email is required.
type CreateUserInput struct {
	Username         string `json:"username,omitempty"`
	Name             string `json:"name,omitempty"`
	Nickname         string `json:"nickname,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Email            string `json:"email,omitempty"`
	Gender           string `json:"gender,omitempty"`
	Status           string `json:"status,omitempty"`
	ExternalID       string `json:"externalId,omitempty"`
	// DepartmentIDs are typed by CreateUserOptions.DepartmentIDType.
	DepartmentIDs []string       `json:"departmentIds,omitempty"`
	CustomData    map[string]any `json:"customData,omitempty"`
}

// CreateUserOptions are the options of create-user(s).
type CreateUserOptions struct {
	// DepartmentIDType types DepartmentIDs: department_id (default), open_department_id or code.
	DepartmentIDType          string `json:"departmentIdType,omitempty"`
	ResetPasswordOnFirstLogin bool   `json:"resetPasswordOnFirstLogin,omitempty"`
	AutoGeneratePassword      bool   `json:"autoGeneratePassword,omitempty"`
}

// Create creates one user: POST /api/v3/create-user.
func (s *UsersService) Create(ctx context.Context, in CreateUserInput, opts *CreateUserOptions) (*User, error) {
	body := struct {
		CreateUserInput
		Options *CreateUserOptions `json:"options,omitempty"`
	}{in, opts}
	var out User
	if err := s.client.post(ctx, "create-user", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateBatch creates 1–MaxBatchSize users: POST /api/v3/create-users-batch. The caller splits
// larger sets; a longer or empty list returns ErrBatchSize without a request.
func (s *UsersService) CreateBatch(ctx context.Context, list []CreateUserInput, opts *CreateUserOptions) ([]User, error) {
	if err := checkBatch(len(list)); err != nil {
		return nil, err
	}
	body := struct {
		List    []CreateUserInput  `json:"list"`
		Options *CreateUserOptions `json:"options,omitempty"`
	}{list, opts}
	var out listOf[User]
	if err := s.client.post(ctx, "create-users-batch", body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateUserInput changes the given Fields (attribute name → value, e.g. "name", "customData") of
// the user with Authing id UserID. It marshals flat: {"userId": …, …Fields}; only these are sent.
type UpdateUserInput struct {
	UserID string
	Fields map[string]any
}

// MarshalJSON implements json.Marshaler.
func (u UpdateUserInput) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(u.Fields)+1)
	maps.Copy(m, u.Fields)
	m["userId"] = u.UserID
	return json.Marshal(m)
}

// Update changes one user: POST /api/v3/update-user.
func (s *UsersService) Update(ctx context.Context, in UpdateUserInput) (*User, error) {
	var out User
	if err := s.client.post(ctx, "update-user", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateBatch changes 1–MaxBatchSize users: POST /api/v3/update-user-batch (ErrBatchSize otherwise).
func (s *UsersService) UpdateBatch(ctx context.Context, list []UpdateUserInput) ([]User, error) {
	if err := checkBatch(len(list)); err != nil {
		return nil, err
	}
	body := struct {
		List []UpdateUserInput `json:"list"`
	}{list}
	var out listOf[User]
	if err := s.client.post(ctx, "update-user-batch", body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteBatch deletes 1–MaxBatchSize users: POST /api/v3/delete-users-batch (ErrBatchSize
// otherwise). userIDType is user_id (default), external_id, username, phone or email.
func (s *UsersService) DeleteBatch(ctx context.Context, ids []string, userIDType string) error {
	if err := checkBatch(len(ids)); err != nil {
		return err
	}
	body := struct {
		UserIDs []string    `json:"userIds"`
		Options *userIDOpts `json:"options,omitempty"`
	}{ids, idOpts(userIDType)}
	return s.client.post(ctx, "delete-users-batch", body, nil)
}

// UserDepartment is one membership for SetDepartments; DepartmentID is an Authing department id.
type UserDepartment struct {
	DepartmentID     string `json:"departmentId"`
	IsLeader         bool   `json:"isLeader"`
	IsMainDepartment bool   `json:"isMainDepartment"`
}

// SetDepartments replaces the user's memberships with deps (1–MaxBatchSize; memberships cannot be
// emptied this way): POST /api/v3/set-user-departments.
func (s *UsersService) SetDepartments(ctx context.Context, userID string, deps []UserDepartment, userIDType string) error {
	if err := checkBatch(len(deps)); err != nil {
		return err
	}
	body := struct {
		UserID      string           `json:"userId"`
		Departments []UserDepartment `json:"departments"`
		Options     *userIDOpts      `json:"options,omitempty"`
	}{userID, deps, idOpts(userIDType)}
	return s.client.post(ctx, "set-user-departments", body, nil)
}

// UserDepartmentInfo is one of a user's department memberships (get-user-departments).
type UserDepartmentInfo struct {
	DepartmentID     string `json:"departmentId"`
	Name             string `json:"name"`
	OrganizationCode string `json:"organizationCode"`
	IsMainDepartment bool   `json:"isMainDepartment"`
	IsLeader         bool   `json:"isLeader"`
}

// Departments returns every department the user (an Authing user id) is a direct member of, in the
// server's order, reading all pages of GET /api/v3/get-user-departments (MaxPageSize per page). A
// paged reply is read until its totalCount is reached; a bare array until a page is shorter than
// the limit. Either way the walk also stops at a page that is empty or brings no new department.
func (s *UsersService) Departments(ctx context.Context, userID string) ([]UserDepartmentInfo, error) {
	var out []UserDepartmentInfo
	seen := map[string]bool{}
	for page := 1; ; page++ {
		q := url.Values{
			"userId": {userID}, "userIdType": {"user_id"},
			"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(MaxPageSize)},
		}
		var p pagedList[UserDepartmentInfo]
		if err := s.client.get(ctx, "get-user-departments", q, &p); err != nil {
			if page > 1 {
				return nil, fmt.Errorf("get user departments page %d: %w", page, err)
			}
			return nil, err
		}
		fresh := 0
		for _, d := range p.List {
			if !seen[d.DepartmentID] {
				seen[d.DepartmentID] = true
				out = append(out, d)
				fresh++
			}
		}
		switch {
		case fresh == 0:
			return out, nil
		case p.Total >= 0 && len(out) >= p.Total:
			return out, nil
		case p.Total < 0 && len(p.List) != MaxPageSize:
			return out, nil
		}
	}
}

type userIDOpts struct {
	UserIDType string `json:"userIdType"`
}

func idOpts(userIDType string) *userIDOpts {
	if userIDType == "" {
		return nil
	}
	return &userIDOpts{UserIDType: userIDType}
}

func checkBatch(n int) error {
	if n < 1 || n > MaxBatchSize {
		return fmt.Errorf("%w (got %d)", ErrBatchSize, n)
	}
	return nil
}
