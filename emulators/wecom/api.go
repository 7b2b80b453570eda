package wecom

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// endpoint describes one API path.
type endpoint struct {
	method       string
	write        bool // counts in WriteCalls; needs the contacts-sync token (48002)
	detail       bool // blocked for the contacts-sync token in new-IP mode (48009)
	contactsOnly bool // a read only the contacts-sync token may make (48002)
	fn           func(*Server, *call) result
}

// endpointFor returns the endpoint served at path (relative to /cgi-bin/).
func endpointFor(path string) (endpoint, bool) {
	get, post := http.MethodGet, http.MethodPost
	switch path {
	case "gettoken":
		return endpoint{method: get}, true
	case "department/create":
		return endpoint{method: post, write: true, fn: (*Server).departmentCreate}, true
	case "department/update":
		return endpoint{method: post, write: true, fn: (*Server).departmentUpdate}, true
	case "department/delete":
		return endpoint{method: get, write: true, fn: (*Server).departmentDelete}, true
	case "department/list":
		return endpoint{method: get, detail: true, fn: (*Server).departmentList}, true
	case "department/simplelist":
		return endpoint{method: get, fn: (*Server).departmentSimpleList}, true
	case "department/get":
		return endpoint{method: get, detail: true, fn: (*Server).departmentGet}, true
	case "user/create":
		return endpoint{method: post, write: true, fn: (*Server).userCreate}, true
	case "user/get":
		return endpoint{method: get, detail: true, fn: (*Server).userGet}, true
	case "user/update":
		return endpoint{method: post, write: true, fn: (*Server).userUpdate}, true
	case "user/delete":
		return endpoint{method: get, write: true, fn: (*Server).userDelete}, true
	case "user/batchdelete":
		return endpoint{method: post, write: true, fn: (*Server).userBatchDelete}, true
	case "user/simplelist":
		return endpoint{method: get, fn: (*Server).userSimpleList}, true
	case "user/list":
		return endpoint{method: get, detail: true, fn: (*Server).userList}, true
	case "user/list_id":
		return endpoint{method: post, contactsOnly: true, fn: (*Server).userListID}, true
	}
	return endpoint{}, false
}

// decode reads the call's JSON body into v; a malformed body is 40058.
func (c *call) decode(v any) int {
	if err := json.Unmarshal(c.body, v); err != nil {
		return 40058
	}
	return 0
}

// intParam reads a required integer query parameter (40058 when missing or malformed).
func (c *call) intParam(name string) (int, int) {
	v := c.q.Get(name)
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, 40058
	}
	return n, 0
}

// mutate decodes the body into a T, applies op to the state under the write lock and answers msg.
func mutate[T any](s *Server, c *call, msg string, op func(st *state, req *T) int) result {
	var req T
	if code := c.decode(&req); code != 0 {
		return fail(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := op(s.st, &req); code != 0 {
		return fail(code)
	}
	return result{body: success(msg)}
}

// remove applies a delete to the state under the write lock and answers "deleted".
func (s *Server) remove(op func(st *state) int) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := op(s.st); code != 0 {
		return fail(code)
	}
	return result{body: success("deleted")}
}

// readDept reads the department id parameter (the root when optional and absent) and, under the
// read lock, answers what view makes of that existing department.
func (s *Server) readDept(c *call, optional bool, view func(id int) any) result {
	id, code := c.intParam("id")
	if optional && c.q.Get("id") == "" {
		id, code = RootDepartmentID, 0
	}
	if code != 0 {
		return fail(code)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.st.depts[id] == nil {
		return fail(60003)
	}
	return result{body: view(id)}
}

// ---- departments ----

func (s *Server) departmentCreate(c *call) result {
	var req deptCreate
	if code := c.decode(&req); code != 0 {
		return fail(code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, code := s.st.createDept(req)
	if code != 0 {
		return fail(code)
	}
	return result{body: struct {
		envelope
		ID int `json:"id"`
	}{success("created"), id}}
}

func (s *Server) departmentUpdate(c *call) result {
	return mutate(s, c, "updated", func(st *state, req *deptUpdate) int { return st.updateDept(*req) })
}

func (s *Server) departmentDelete(c *call) result {
	id, code := c.intParam("id")
	if code != 0 {
		return fail(code)
	}
	return s.remove(func(st *state) int { return st.deleteDept(id) })
}

func (s *Server) departmentList(c *call) result {
	return s.readDept(c, true, func(id int) any {
		ids := s.st.subtree(id)
		out := make([]Department, 0, len(ids))
		for _, d := range ids {
			out = append(out, s.st.department(d))
		}
		return struct {
			envelope
			Department []Department `json:"department"`
		}{success("ok"), out}
	})
}

func (s *Server) departmentSimpleList(c *call) result {
	return s.readDept(c, true, func(id int) any {
		ids := s.st.subtree(id)
		out := make([]DepartmentRef, 0, len(ids))
		for _, d := range ids {
			dep := s.st.depts[d]
			out = append(out, DepartmentRef{ID: dep.ID, ParentID: dep.ParentID, Order: dep.Order})
		}
		return struct {
			envelope
			DepartmentID []DepartmentRef `json:"department_id"`
		}{success("ok"), out}
	})
}

func (s *Server) departmentGet(c *call) result {
	return s.readDept(c, false, func(id int) any {
		return struct {
			envelope
			Department Department `json:"department"`
		}{success("ok"), s.st.department(id)}
	})
}

// ---- users ----

// view returns the member as the app mode lets a read show it.
func (s *Server) view(rec *userRec) User {
	u := rec.u.clone()
	if s.mode == ModeDaiKaiFa {
		u = u.hideSensitive()
	}
	return u
}

func (s *Server) userCreate(c *call) result {
	return mutate(s, c, "created", (*state).createUser)
}

func (s *Server) userGet(c *call) result {
	userid := c.q.Get("userid")
	if userid == "" {
		return fail(40003)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec := s.st.byKey[strings.ToLower(userid)]
	if rec == nil {
		return fail(60111)
	}
	return result{body: struct {
		envelope
		User
	}{success("ok"), s.view(rec)}}
}

func (s *Server) userUpdate(c *call) result {
	return mutate(s, c, "updated", (*state).updateUser)
}

func (s *Server) userDelete(c *call) result {
	return s.remove(func(st *state) int { return st.deleteUser(c.q.Get("userid")) })
}

func (s *Server) userBatchDelete(c *call) result {
	type batch struct {
		UserIDList []string `json:"useridlist"`
	}
	return mutate(s, c, "deleted", func(st *state, req *batch) int { return st.batchDelete(req.UserIDList) })
}

// members reads department_id and fetch_child and returns the matching members, in a list built
// by row, under the read lock.
func members[T any](s *Server, c *call, row func(*userRec) T) result {
	id, code := c.intParam("department_id")
	if code != 0 {
		return fail(code)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.st.depts[id] == nil {
		return fail(60003)
	}
	recs := s.st.membersOf(id, c.q.Get("fetch_child") == "1")
	out := make([]T, 0, len(recs))
	for _, rec := range recs {
		out = append(out, row(rec))
	}
	return result{body: struct {
		envelope
		UserList []T `json:"userlist"`
	}{success("ok"), out}}
}

func (s *Server) userSimpleList(c *call) result {
	return members(s, c, func(rec *userRec) UserRef {
		return UserRef{UserID: rec.u.UserID, Name: rec.u.Name, Department: slices.Clone(rec.u.Department)}
	})
}

func (s *Server) userList(c *call) result {
	return members(s, c, s.view)
}

func (s *Server) userListID(c *call) result {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  *int   `json:"limit"`
	}
	if code := c.decode(&req); code != 0 {
		return fail(code)
	}
	limit := maxListIDLimit
	if req.Limit != nil {
		limit = *req.Limit
	}
	if limit < 1 || limit > maxListIDLimit {
		return fail(40058)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows, next, code := s.st.listID(req.Cursor, limit)
	if code != 0 {
		return fail(code)
	}
	return result{body: struct {
		envelope
		NextCursor string     `json:"next_cursor"`
		DeptUser   []DeptUser `json:"dept_user"`
	}{success("ok"), next, rows}}
}
