package wecom

import (
	"context"
	"net/url"
	"strconv"
)

// Department is a WeCom department.
type Department struct {
	// ID is the department id; on create 0 lets WeCom choose one (> 1).
	ID int `json:"id,omitempty"`
	// Name is 1–64 characters without \ : * ? " < > |, unique among siblings.
	Name string `json:"name"`
	// NameEn is the English name (multi-language corps only).
	NameEn string `json:"name_en,omitempty"`
	// ParentID is the parent department id; the root (id 1) has 0.
	ParentID int `json:"parentid"`
	// Order sorts siblings, larger first.
	Order uint32 `json:"order,omitempty"`
	// DepartmentLeader lists the leaders' userids (answers only).
	DepartmentLeader []string `json:"department_leader,omitempty"`
}

// DepartmentUpdate changes the fields that are set; nil fields are not sent.
type DepartmentUpdate struct {
	ID       int     `json:"id"`
	Name     *string `json:"name,omitempty"`
	NameEn   *string `json:"name_en,omitempty"`
	ParentID *int    `json:"parentid,omitempty"`
	Order    *uint32 `json:"order,omitempty"`
}

// DepartmentRef is a department as department/simplelist shows it: ids and order only.
type DepartmentRef struct {
	ID       int    `json:"id"`
	ParentID int    `json:"parentid"`
	Order    uint32 `json:"order"`
}

// deptQuery returns ?<name>=id, or no parameter for id 0.
func deptQuery(name string, id int) url.Values {
	if id == 0 {
		return nil
	}
	return url.Values{name: {strconv.Itoa(id)}}
}

// Create creates a department and returns its id (POST department/create). The body carries id
// only when d.ID is set.
func (s *DepartmentsService) Create(ctx context.Context, d *Department) (int, error) {
	body := *d
	body.DepartmentLeader = nil
	var out struct {
		ID int `json:"id"`
	}
	if err := s.client.post(ctx, "department/create", &body, &out); err != nil {
		return 0, err
	}
	return out.ID, nil
}

// Update changes a department's name, English name, parent or order (POST department/update).
func (s *DepartmentsService) Update(ctx context.Context, u *DepartmentUpdate) error {
	return s.client.post(ctx, "department/update", u, nil)
}

// Delete deletes an empty department (GET department/delete). A department that is already gone
// answers an error of class apierr.Gone.
func (s *DepartmentsService) Delete(ctx context.Context, id int) error {
	return s.client.get(ctx, "department/delete", url.Values{"id": {strconv.Itoa(id)}}, nil)
}

// List returns department id and all departments below it; id 0 lists the whole corp
// (GET department/list). It answers 48009 for the contacts-sync secret from new IPs.
func (s *DepartmentsService) List(ctx context.Context, id int) ([]Department, error) {
	var out struct {
		Department []Department `json:"department"`
	}
	if err := s.client.get(ctx, "department/list", deptQuery("id", id), &out); err != nil {
		return nil, err
	}
	return out.Department, nil
}

// SimpleList returns the ids, parents and order of department id and all departments below it;
// id 0 lists the whole corp (GET department/simplelist). It works from new IPs.
func (s *DepartmentsService) SimpleList(ctx context.Context, id int) ([]DepartmentRef, error) {
	var out struct {
		DepartmentID []DepartmentRef `json:"department_id"`
	}
	if err := s.client.get(ctx, "department/simplelist", deptQuery("id", id), &out); err != nil {
		return nil, err
	}
	return out.DepartmentID, nil
}

// Get returns one department (GET department/get). It answers 48009 for the contacts-sync secret
// from new IPs.
func (s *DepartmentsService) Get(ctx context.Context, id int) (*Department, error) {
	var out struct {
		Department Department `json:"department"`
	}
	if err := s.client.get(ctx, "department/get", url.Values{"id": {strconv.Itoa(id)}}, &out); err != nil {
		return nil, err
	}
	return &out.Department, nil
}
