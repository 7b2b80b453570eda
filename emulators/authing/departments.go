package authing

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var orgCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ---- organizations ----

// addOrg validates and stores an organization with its root department.
func (st *state) addOrg(o Organization, now time.Time) (*orgRec, *apiError) {
	o.OrganizationName = strings.TrimSpace(o.OrganizationName)
	if !orgCodeRE.MatchString(o.OrganizationCode) {
		return nil, &apiError{status: 400, apiCode: 400, msg: "invalid organization code " + o.OrganizationCode}
	}
	if o.OrganizationName == "" {
		return nil, badParam("organizationName")
	}
	if st.orgs[o.OrganizationCode] != nil {
		return nil, &apiError{status: 409, apiCode: 409, msg: "组织机构代码已存在: " + o.OrganizationCode}
	}
	if o.DepartmentID == "" {
		o.DepartmentID = st.newID(idDept)
	} else if st.depts[o.DepartmentID] != nil {
		return nil, &apiError{status: 409, apiCode: 409, msg: "departmentId 已存在: " + o.DepartmentID}
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	org := &orgRec{Organization: o, seq: st.nextSeq()}
	st.orgs[o.OrganizationCode] = org
	st.orgOrder = append(st.orgOrder, o.OrganizationCode)
	st.addDept(&deptRec{root: true, Department: Department{
		DepartmentID:     o.DepartmentID,
		OrganizationCode: o.OrganizationCode,
		Name:             o.OrganizationName,
		OpenDepartmentID: o.OpenDepartmentID,
		Description:      o.Description,
		LeaderUserIDs:    slices.Clone(o.LeaderUserIDs),
		CustomData:       copyMap(o.CustomData),
		CreatedAt:        o.CreatedAt,
		UpdatedAt:        o.UpdatedAt,
	}})
	return org, nil
}

func (st *state) renderOrg(o *orgRec) map[string]any {
	root := st.depts[o.DepartmentID]
	return map[string]any{
		"organizationCode": o.OrganizationCode,
		"organizationName": o.OrganizationName,
		"description":      nullable(o.Description),
		"createdAt":        isoTime(o.CreatedAt),
		"updatedAt":        isoTime(o.UpdatedAt),
		"departmentId":     o.DepartmentID,
		"openDepartmentId": nullable(root.OpenDepartmentID),
		"hasChildren":      len(root.children) > 0,
		"leaderUserIds":    append([]string{}, root.LeaderUserIDs...),
		"membersCount":     len(root.members),
		"isVirtualNode":    false,
		"status":           true,
	}
}

func (s *Server) createOrganization(c *call) (any, *apiError) {
	var in struct {
		OrganizationCode string `json:"organizationCode"`
		OrganizationName string `json:"organizationName"`
		Description      string `json:"description"`
		OpenDepartmentID string `json:"openDepartmentId"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	org, aerr := s.st.addOrg(Organization{
		OrganizationCode: in.OrganizationCode, OrganizationName: in.OrganizationName,
		Description: in.Description, OpenDepartmentID: in.OpenDepartmentID,
	}, c.now)
	if aerr != nil {
		return nil, aerr
	}
	return s.st.renderOrg(org), nil
}

func (s *Server) getOrganization(c *call) (any, *apiError) {
	org, aerr := s.st.resolveOrg(c.q.Get("organizationCode"))
	if aerr != nil {
		return nil, aerr
	}
	return s.st.renderOrg(org), nil
}

func (s *Server) listOrganizations(c *call) (any, *apiError) {
	page, limit, aerr := qPaging(c.q)
	if aerr != nil {
		return nil, aerr
	}
	codes := s.st.orgOrder
	if !qBool(c.q, "fetchAll") {
		codes = pageOf(codes, page, limit)
	}
	list := make([]map[string]any, 0, len(codes))
	for _, code := range codes {
		list = append(list, s.st.renderOrg(s.st.orgs[code]))
	}
	return map[string]any{"totalCount": len(s.st.orgOrder), "list": list}, nil
}

// ---- departments ----

// deptInput is the body of create-department.
type deptInput struct {
	OrganizationCode   string         `json:"organizationCode"`
	Name               string         `json:"name"`
	ParentDepartmentID string         `json:"parentDepartmentId"`
	DepartmentIDType   string         `json:"departmentIdType"`
	OpenDepartmentID   string         `json:"openDepartmentId"`
	Code               string         `json:"code"`
	Description        string         `json:"description"`
	CustomData         map[string]any `json:"customData"`
}

// resolveParent resolves a parent reference: "root", the root's real id, or an id typed by idType.
func (st *state) resolveParent(org *orgRec, id, idType string) (*deptRec, *apiError) {
	if id == org.DepartmentID {
		return st.depts[id], nil
	}
	p, aerr := st.resolveDept(org, id, idType)
	if aerr != nil && aerr.status == 400 {
		return nil, badParam("parentDepartmentId")
	}
	if aerr != nil {
		return nil, &apiError{status: 404, apiCode: 404, msg: "父部门不存在: " + id}
	}
	return p, nil
}

// checkDeptKeys checks sibling-name, openDepartmentId and code uniqueness for d (self may be nil).
func (st *state) checkDeptKeys(org string, parentID, name, openID, code string, self *deptRec) *apiError {
	if id, ok := st.siblings[siblingKey(parentID, name)]; ok && (self == nil || id != self.DepartmentID) {
		return &apiError{status: 409, apiCode: 409, msg: "同级部门名称已存在: " + name}
	}
	if id, ok := st.openIdx[org][openID]; ok && openID != "" && (self == nil || id != self.DepartmentID) {
		return &apiError{status: 409, apiCode: 409, msg: "openDepartmentId 已存在: " + openID}
	}
	if id, ok := st.codeIdx[org][code]; ok && code != "" && (self == nil || id != self.DepartmentID) {
		return &apiError{status: 409, apiCode: 409, msg: "code 已存在: " + code}
	}
	return nil
}

// newDept validates a department to create; id may be preset (Seed).
func (st *state) newDept(in deptInput, id string, now time.Time) (*deptRec, *apiError) {
	org, aerr := st.resolveOrg(in.OrganizationCode)
	if aerr != nil {
		return nil, aerr
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, badParam("name")
	}
	if in.ParentDepartmentID == "" {
		return nil, badParam("parentDepartmentId")
	}
	parent, aerr := st.resolveParent(org, in.ParentDepartmentID, in.DepartmentIDType)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := st.checkDeptKeys(org.OrganizationCode, parent.DepartmentID, name, in.OpenDepartmentID, in.Code, nil); aerr != nil {
		return nil, aerr
	}
	cd := mergeData(nil, in.CustomData)
	if aerr := st.checkCustomData("DEPARTMENT", cd); aerr != nil {
		return nil, aerr
	}
	if id == "" {
		id = st.newID(idDept)
	} else if st.depts[id] != nil {
		return nil, &apiError{status: 409, apiCode: 409, msg: "departmentId 已存在: " + id}
	}
	return &deptRec{Department: Department{
		DepartmentID:       id,
		OrganizationCode:   org.OrganizationCode,
		ParentDepartmentID: parent.DepartmentID,
		Name:               name,
		OpenDepartmentID:   in.OpenDepartmentID,
		Code:               in.Code,
		Description:        in.Description,
		CustomData:         cd,
		CreatedAt:          now,
		UpdatedAt:          now,
	}}, nil
}

func (st *state) renderDept(d *deptRec, withCustom bool) map[string]any {
	out := map[string]any{
		"organizationCode":   d.OrganizationCode,
		"departmentId":       d.DepartmentID,
		"openDepartmentId":   nullable(d.OpenDepartmentID),
		"name":               d.Name,
		"description":        nullable(d.Description),
		"parentDepartmentId": nullable(d.ParentDepartmentID),
		"code":               nullable(d.Code),
		"leaderUserIds":      append([]string{}, d.LeaderUserIDs...),
		"membersCount":       len(d.members),
		"hasChildren":        len(d.children) > 0,
		"isVirtualNode":      false,
		"status":             true,
		"createdAt":          isoTime(d.CreatedAt),
		"updatedAt":          isoTime(d.UpdatedAt),
	}
	if p := st.depts[d.ParentDepartmentID]; p != nil {
		out["parentDepartmentCode"] = nullable(p.Code)
	}
	if withCustom {
		out["customData"] = nonNilMap(copyMap(d.CustomData))
	}
	return out
}

func (s *Server) createDepartment(c *call) (any, *apiError) {
	var in deptInput
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	d, aerr := s.st.newDept(in, "", c.now)
	if aerr != nil {
		return nil, aerr
	}
	s.st.addDept(d)
	return s.st.renderDept(d, true), nil
}

// qDept resolves organizationCode + departmentId (or departmentCode) + departmentIdType of a query.
func (st *state) qDept(q map[string][]string, defaultRoot bool) (*deptRec, *apiError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	org, aerr := st.resolveOrg(get("organizationCode"))
	if aerr != nil {
		return nil, aerr
	}
	id, idType := get("departmentId"), get("departmentIdType")
	if id == "" && get("departmentCode") != "" {
		id, idType = get("departmentCode"), "code"
	}
	if id == "" && defaultRoot {
		id = "root"
	}
	return st.resolveDept(org, id, idType)
}

func (s *Server) getDepartment(c *call) (any, *apiError) {
	d, aerr := s.st.qDept(c.q, false)
	if aerr != nil {
		return nil, aerr
	}
	return s.st.renderDept(d, qBool(c.q, "withCustomData")), nil
}

func (s *Server) getAllDepartments(c *call) (any, *apiError) {
	switch c.q.Get("departmentIdType") {
	case "", "department_id", "open_department_id":
	default:
		return nil, badParam("departmentIdType")
	}
	d, aerr := s.st.qDept(c.q, true)
	if aerr != nil {
		return nil, aerr
	}
	withCustom := qBool(c.q, "withCustomData")
	out := []map[string]any{}
	for _, sub := range s.st.subtree(d) {
		out = append(out, s.st.renderDept(sub, withCustom))
	}
	return out, nil
}

func (s *Server) listChildrenDepartments(c *call) (any, *apiError) {
	d, aerr := s.st.qDept(c.q, false)
	if aerr != nil {
		return nil, aerr
	}
	withCustom := qBool(c.q, "withCustomData")
	list := []map[string]any{}
	for _, id := range d.children {
		list = append(list, s.st.renderDept(s.st.depts[id], withCustom))
	}
	return map[string]any{"totalCount": len(list), "list": list}, nil
}

func (s *Server) updateDepartment(c *call) (any, *apiError) {
	var in struct {
		OrganizationCode   string         `json:"organizationCode"`
		DepartmentID       string         `json:"departmentId"`
		DepartmentIDType   string         `json:"departmentIdType"`
		Name               *string        `json:"name"`
		Description        *string        `json:"description"`
		Code               *string        `json:"code"`
		ParentDepartmentID *string        `json:"parentDepartmentId"`
		LeaderUserIDs      *[]string      `json:"leaderUserIds"`
		CustomData         map[string]any `json:"customData"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	st := s.st
	org, aerr := st.resolveOrg(in.OrganizationCode)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := st.resolveDept(org, in.DepartmentID, in.DepartmentIDType)
	if aerr != nil {
		return nil, aerr
	}
	next := d.Department
	parent := st.depts[d.ParentDepartmentID]
	if d.root && (in.Name != nil || in.Code != nil || in.ParentDepartmentID != nil) {
		return nil, &apiError{status: 400, apiCode: 400, msg: "根部门的名称、code 和上级不能修改，请使用 update-organization"}
	}
	if in.Name != nil {
		if next.Name = strings.TrimSpace(*in.Name); next.Name == "" {
			return nil, badParam("name")
		}
	}
	if in.Description != nil {
		next.Description = *in.Description
	}
	if in.Code != nil {
		next.Code = *in.Code
	}
	if in.ParentDepartmentID != nil {
		if parent, aerr = st.resolveParent(org, *in.ParentDepartmentID, in.DepartmentIDType); aerr != nil {
			return nil, aerr
		}
		if st.isDescendant(parent, d) {
			return nil, &apiError{status: 400, apiCode: 400, msg: "不能将部门移动到自身或其子部门下"}
		}
		next.ParentDepartmentID = parent.DepartmentID
	}
	if in.LeaderUserIDs != nil {
		for _, id := range *in.LeaderUserIDs {
			if st.byID[id] == nil {
				return nil, errUserNotFound()
			}
		}
		next.LeaderUserIDs = slices.Clone(*in.LeaderUserIDs)
	}
	if in.CustomData != nil {
		next.CustomData = mergeData(d.CustomData, in.CustomData)
		if aerr := st.checkCustomData("DEPARTMENT", next.CustomData); aerr != nil {
			return nil, aerr
		}
	}
	if !d.root {
		if aerr := st.checkDeptKeys(org.OrganizationCode, next.ParentDepartmentID, next.Name, "", next.Code, d); aerr != nil {
			return nil, aerr
		}
	}
	next.UpdatedAt = c.now
	if !d.root {
		old := st.depts[d.ParentDepartmentID]
		delete(st.siblings, siblingKey(old.DepartmentID, d.Name))
		if old != parent {
			old.children = without(old.children, d.DepartmentID)
			parent.children = append(parent.children, d.DepartmentID)
		}
		st.siblings[siblingKey(parent.DepartmentID, next.Name)] = d.DepartmentID
		st.setKey(st.codeIdx, org.OrganizationCode, d.Code, next.Code, d.DepartmentID)
	}
	d.Department = next
	return st.renderDept(d, true), nil
}

func (s *Server) deleteDepartment(c *call) (any, *apiError) {
	var in struct {
		OrganizationCode string `json:"organizationCode"`
		DepartmentID     string `json:"departmentId"`
		DepartmentIDType string `json:"departmentIdType"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	org, aerr := s.st.resolveOrg(in.OrganizationCode)
	if aerr != nil {
		return nil, aerr
	}
	d, aerr := s.st.resolveDept(org, in.DepartmentID, in.DepartmentIDType)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case d.root:
		return nil, &apiError{status: 400, apiCode: 400, msg: "不能删除根部门（组织机构本身）"}
	case len(d.children) > 0:
		return nil, &apiError{status: 400, apiCode: 400, msg: "部门下存在 " + strconv.Itoa(len(d.children)) + " 个子部门，请先删除子部门"}
	case len(d.members) > 0:
		return nil, &apiError{status: 400, apiCode: 400, msg: "部门下存在 " + strconv.Itoa(len(d.members)) + " 名成员，请先移除成员"}
	}
	s.st.removeDept(d)
	return map[string]any{"success": true}, nil
}

// ---- department members ----

// memberChange is a validated add- or remove-department-members call.
type memberChange struct {
	dept  *deptRec
	users []*userRec // distinct, in the order given
}

// memberTarget reads {organizationCode, departmentId, departmentIdType?, userIds[]}: userIds are
// 1–50 Authing user ids; any unknown id fails the whole call with 404 naming every unknown id.
func (st *state) memberTarget(body []byte) (memberChange, *apiError) {
	var in struct {
		OrganizationCode string   `json:"organizationCode"`
		DepartmentID     string   `json:"departmentId"`
		DepartmentIDType string   `json:"departmentIdType"`
		UserIDs          []string `json:"userIds"`
	}
	if aerr := decode(body, &in); aerr != nil {
		return memberChange{}, aerr
	}
	if aerr := batchSize(len(in.UserIDs), "userIds"); aerr != nil {
		return memberChange{}, aerr
	}
	org, aerr := st.resolveOrg(in.OrganizationCode)
	if aerr != nil {
		return memberChange{}, aerr
	}
	d, aerr := st.resolveDept(org, in.DepartmentID, in.DepartmentIDType)
	if aerr != nil {
		return memberChange{}, aerr
	}
	ch := memberChange{dept: d}
	var missing []string
	for _, id := range in.UserIDs {
		rec := st.byID[id]
		switch {
		case rec == nil && !slices.Contains(missing, id):
			missing = append(missing, id)
		case rec != nil && !slices.Contains(ch.users, rec):
			ch.users = append(ch.users, rec)
		}
	}
	if len(missing) > 0 {
		return memberChange{}, &apiError{status: 404, apiCode: 2004, msg: "用户不存在: " + strings.Join(missing, ", ")}
	}
	return ch, nil
}

// addDepartmentMembers makes users direct members of a department; present members stay as they
// are. A user without departments gets it as main department.
func (s *Server) addDepartmentMembers(c *call) (any, *apiError) {
	ch, aerr := s.st.memberTarget(c.body)
	if aerr != nil {
		return nil, aerr
	}
	id := ch.dept.DepartmentID
	for _, rec := range ch.users {
		if slices.Contains(rec.DepartmentIDs, id) {
			continue
		}
		if len(rec.DepartmentIDs) == 0 {
			rec.MainDepartmentID = id
		}
		rec.DepartmentIDs = append(slices.Clone(rec.DepartmentIDs), id)
		s.st.join(rec, []string{id}, c.now)
		rec.UpdatedAt = c.now
	}
	return map[string]any{"success": true}, nil
}

// removeDepartmentMembers ends users' direct membership (and leadership) of a department; users
// who are not members are left alone. When the department was a user's main department, the
// membership that followed it (else the first remaining one) becomes main.
func (s *Server) removeDepartmentMembers(c *call) (any, *apiError) {
	ch, aerr := s.st.memberTarget(c.body)
	if aerr != nil {
		return nil, aerr
	}
	id := ch.dept.DepartmentID
	for _, rec := range ch.users {
		i := slices.Index(rec.DepartmentIDs, id)
		if i < 0 {
			continue
		}
		wasMain := rec.mainDepartment() == id
		s.st.leave(rec, []string{id})
		rec.DepartmentIDs = slices.Delete(slices.Clone(rec.DepartmentIDs), i, i+1)
		if wasMain {
			rec.MainDepartmentID = ""
			if n := len(rec.DepartmentIDs); n > 0 {
				rec.MainDepartmentID = rec.DepartmentIDs[i%n]
			}
		}
		if len(rec.DepartmentIDs) == 0 {
			rec.DepartmentIDs = nil
		}
		rec.UpdatedAt = c.now
	}
	return map[string]any{"success": true}, nil
}
