package authing

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// filter is one advancedFilter condition.
type filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// sortSpec is one options.sort entry.
type sortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// userQuery is a compiled list-users query: a candidate source, predicates and an order.
type userQuery struct {
	key   string                   // cache key
	cands func() map[*userRec]bool // nil = scan every user
	preds []func(u *userRec) bool  // all must hold
	sort  []sortSpec               // empty = creation order
	size  int                      // candidate count estimate (scan = len(users))
	cache bool                     // worth caching
}

// builtinFilterFields are the filterable built-in attributes (besides department).
var builtinFilterFields = map[string]string{
	"id": "id", "userId": "id", "username": "username", "email": "email", "phone": "phone",
	"externalId": "externalId", "name": "name", "status": "status", "gender": "gender",
}

// fieldValue returns u's value of a filter field and whether it is set.
func fieldValue(u *userRec, field string, custom bool) string {
	if custom {
		return valueString(u.CustomData[field])
	}
	switch field {
	case "id":
		return u.UserID
	case "email":
		return strings.ToLower(u.Email)
	default:
		return *stringField(&u.User, field)
	}
}

// indexed reports the index kind of a field usable for EQUAL/IN candidates.
func indexKind(field string, custom bool) string {
	if custom {
		return "c:" + field
	}
	switch field {
	case "username", "email", "phone", "externalId", "name":
		return field
	}
	return ""
}

// compileUserQuery turns keywords, filters and sort into a query over st.
func (st *state) compileUserQuery(keywords string, filters []filter, sorts []sortSpec) (*userQuery, *apiError) {
	keyb, _ := json.Marshal(struct {
		K string     `json:"k"`
		F []filter   `json:"f"`
		S []sortSpec `json:"s"`
	}{keywords, filters, sorts})
	q := &userQuery{key: string(keyb), size: len(st.byID)}
	for _, s := range sorts {
		switch s.Field {
		case "createdAt", "updatedAt", "username", "email", "phone", "externalId", "status", "name":
		default:
			return nil, badParam("options.sort.field")
		}
		if o := strings.ToLower(s.Order); o != "" && o != "asc" && o != "desc" {
			return nil, badParam("options.sort.order")
		}
	}
	if len(sorts) > 0 && !(len(sorts) == 1 && sorts[0].Field == "createdAt" && strings.ToLower(sorts[0].Order) != "desc") {
		q.sort = sorts
	}
	if kw := strings.ToLower(strings.TrimSpace(keywords)); kw != "" {
		q.preds = append(q.preds, func(u *userRec) bool {
			for _, v := range []string{u.Username, u.Name, u.Nickname, u.Phone, u.Email} {
				if strings.Contains(strings.ToLower(v), kw) {
					return true
				}
			}
			return false
		})
	}
	for i, f := range filters {
		if aerr := st.compileFilter(q, f); aerr != nil {
			return nil, aerr.withPrefix(fmt.Sprintf("advancedFilter[%d]: ", i))
		}
	}
	q.cache = q.cands == nil || q.size > 1000
	return q, nil
}

// compileFilter adds one condition to q, and a candidate source when it narrows q.
func (st *state) compileFilter(q *userQuery, f filter) *apiError {
	if f.Field == "department" {
		return st.compileDeptFilter(q, f)
	}
	field, custom := builtinFilterFields[f.Field], false
	if field == "" {
		if st.field("USER", f.Field) == nil {
			return &apiError{status: 400, apiCode: 400, msg: "不支持的过滤字段: " + f.Field}
		}
		field, custom = f.Field, true
	}
	norm := func(v any) string {
		s := valueString(v)
		if field == "email" {
			return strings.ToLower(s)
		}
		return s
	}
	get := func(u *userRec) string { return fieldValue(u, field, custom) }
	kind := indexKind(field, custom)
	switch strings.ToUpper(f.Operator) {
	case "EQUAL":
		want := norm(f.Value)
		q.preds = append(q.preds, func(u *userRec) bool { v := get(u); return v != "" && v == want })
		if field == "id" {
			st.narrow(q, []string{"id\x00" + want})
		} else if kind != "" {
			st.narrow(q, []string{kind + "\x00" + want})
		}
	case "NOT_EQUAL":
		want := norm(f.Value)
		q.preds = append(q.preds, func(u *userRec) bool { return get(u) != want })
	case "IN":
		list, ok := f.Value.([]any)
		if !ok {
			return badParam("value")
		}
		set := map[string]bool{}
		keys := make([]string, 0, len(list))
		for _, v := range list {
			set[norm(v)] = true
			if field == "id" {
				keys = append(keys, "id\x00"+norm(v))
			} else {
				keys = append(keys, kind+"\x00"+norm(v))
			}
		}
		q.preds = append(q.preds, func(u *userRec) bool { v := get(u); return v != "" && set[v] })
		if field == "id" || kind != "" {
			st.narrow(q, keys)
		}
	case "NOT_NULL":
		q.preds = append(q.preds, func(u *userRec) bool { return get(u) != "" })
	case "IS_NULL":
		q.preds = append(q.preds, func(u *userRec) bool { return get(u) == "" })
	case "CONTAINS", "NOT_CONTAINS":
		want := norm(f.Value)
		neg := strings.ToUpper(f.Operator) == "NOT_CONTAINS"
		q.preds = append(q.preds, func(u *userRec) bool { return strings.Contains(get(u), want) != neg })
	default:
		return &apiError{status: 400, apiCode: 400, msg: "不支持的操作符: " + f.Operator}
	}
	return nil
}

// narrow makes the users under keys q's candidates when that set is smaller than the current one.
func (st *state) narrow(q *userQuery, keys []string) {
	n := 0
	for _, k := range keys {
		if id, ok := strings.CutPrefix(k, "id\x00"); ok {
			if st.byID[id] != nil {
				n++
			}
			continue
		}
		n += len(st.idx[k])
	}
	if q.cands != nil && n >= q.size {
		return
	}
	q.size = n
	q.cands = func() map[*userRec]bool {
		out := make(map[*userRec]bool, n)
		for _, k := range keys {
			if id, ok := strings.CutPrefix(k, "id\x00"); ok {
				if u := st.byID[id]; u != nil {
					out[u] = true
				}
				continue
			}
			for u := range st.idx[k] {
				out[u] = true
			}
		}
		return out
	}
}

// deptRef is one value of a department filter.
type deptRef struct {
	OrganizationCode           string `json:"organizationCode"`
	DepartmentID               string `json:"departmentId"`
	DepartmentIDType           string `json:"departmentIdType"`
	IncludeChildrenDepartments bool   `json:"includeChildrenDepartments"`
}

func (st *state) compileDeptFilter(q *userQuery, f filter) *apiError {
	if strings.ToUpper(f.Operator) != "IN" {
		return &apiError{status: 400, apiCode: 400, msg: "department 只支持 IN 操作符"}
	}
	b, _ := json.Marshal(f.Value)
	var refs []deptRef
	if err := json.Unmarshal(b, &refs); err != nil || len(refs) == 0 {
		return badParam("value")
	}
	depts, aerr := st.resolveRefs(refs)
	if aerr != nil {
		return aerr
	}
	q.preds = append(q.preds, func(u *userRec) bool {
		for _, id := range u.DepartmentIDs {
			if depts[id] != nil {
				return true
			}
		}
		return false
	})
	n := 0
	for _, d := range depts {
		n += len(d.members)
	}
	if q.cands == nil || n < q.size {
		q.size = n
		q.cands = func() map[*userRec]bool {
			out := make(map[*userRec]bool, n)
			for _, d := range depts {
				for id := range d.members {
					out[st.byID[id]] = true
				}
			}
			return out
		}
	}
	return nil
}

// resolveRefs returns the departments a department filter covers, subtrees included where asked.
func (st *state) resolveRefs(refs []deptRef) (map[string]*deptRec, *apiError) {
	depts := map[string]*deptRec{}
	for _, r := range refs {
		org, aerr := st.resolveOrg(r.OrganizationCode)
		if aerr != nil {
			return nil, aerr
		}
		d, aerr := st.resolveDept(org, r.DepartmentID, r.DepartmentIDType)
		if aerr != nil {
			return nil, aerr
		}
		depts[d.DepartmentID] = d
		if r.IncludeChildrenDepartments {
			for _, c := range st.subtree(d) {
				depts[c.DepartmentID] = c
			}
		}
	}
	return depts, nil
}

// run returns the ordered users matching q, from the cache when the pool has not changed.
func (s *Server) run(q *userQuery) []*userRec {
	st := s.st
	if q.cands == nil && len(q.preds) == 0 && len(q.sort) == 0 && st.dead == 0 {
		return st.users // everyone in creation order; read under the same lock
	}
	if q.cache {
		if hit, ok := s.cache.get(q.key, st.version); ok {
			return hit
		}
	}
	var out []*userRec
	match := func(u *userRec) bool {
		for _, p := range q.preds {
			if !p(u) {
				return false
			}
		}
		return true
	}
	if q.cands == nil {
		for _, u := range st.users {
			if !u.dead && match(u) {
				out = append(out, u)
			}
		}
	} else {
		for u := range q.cands() {
			if match(u) {
				out = append(out, u)
			}
		}
		slices.SortFunc(out, func(a, b *userRec) int { return int(a.seq - b.seq) })
	}
	if len(q.sort) > 0 {
		slices.SortStableFunc(out, func(a, b *userRec) int { return compareUsers(a, b, q.sort) })
	}
	if q.cache {
		s.cache.put(q.key, st.version, out)
	}
	return out
}

func compareUsers(a, b *userRec, sorts []sortSpec) int {
	for _, s := range sorts {
		var c int
		switch s.Field {
		case "createdAt":
			c = int(a.seq - b.seq)
		case "updatedAt":
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		default:
			c = strings.Compare(*stringField(&a.User, s.Field), *stringField(&b.User, s.Field))
		}
		if strings.ToLower(s.Order) == "desc" {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return int(a.seq - b.seq)
}

// listCache keeps filtered user lists until the pool's version changes.
type listCache struct {
	mu      sync.Mutex
	version uint64
	lists   map[string][]*userRec
}

const maxCachedLists = 512

func (c *listCache) get(key string, version uint64) ([]*userRec, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil, false
	}
	l, ok := c.lists[key]
	return l, ok
}

func (c *listCache) put(key string, version uint64, list []*userRec) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.lists == nil || len(c.lists) >= maxCachedLists {
		c.lists = map[string][]*userRec{}
		c.version = version
	}
	c.lists[key] = list
}

// ---- handlers ----

func (s *Server) listUsers(c *call) (any, *apiError) {
	var in struct {
		Keywords       string   `json:"keywords"`
		AdvancedFilter []filter `json:"advancedFilter"`
		Options        struct {
			Pagination struct {
				Page  *int `json:"page"`
				Limit *int `json:"limit"`
			} `json:"pagination"`
			Sort              []sortSpec `json:"sort"`
			WithCustomData    bool       `json:"withCustomData"`
			WithDepartmentIDs bool       `json:"withDepartmentIds"`
		} `json:"options"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	page, limit, aerr := paging(in.Options.Pagination.Page, in.Options.Pagination.Limit)
	if aerr != nil {
		return nil, aerr
	}
	q, aerr := s.st.compileUserQuery(in.Keywords, in.AdvancedFilter, in.Options.Sort)
	if aerr != nil {
		return nil, aerr
	}
	return userPage(s.run(q), page, limit, in.Options.WithCustomData, in.Options.WithDepartmentIDs), nil
}

func userPage(all []*userRec, page, limit int, withCustom, withDepts bool) map[string]any {
	list := []map[string]any{}
	for _, u := range pageOf(all, page, limit) {
		list = append(list, renderUser(u, withCustom, withDepts))
	}
	return map[string]any{"totalCount": len(all), "list": list}
}

func (s *Server) listDepartmentMembers(c *call) (any, *apiError) {
	page, limit, aerr := qPaging(c.q)
	if aerr != nil {
		return nil, aerr
	}
	ref := deptRef{
		OrganizationCode:           c.q.Get("organizationCode"),
		DepartmentID:               c.q.Get("departmentId"),
		DepartmentIDType:           c.q.Get("departmentIdType"),
		IncludeChildrenDepartments: qBool(c.q, "includeChildrenDepartments"),
	}
	keyb, _ := json.Marshal(ref)
	q := &userQuery{key: "members\x00" + string(keyb)}
	if aerr := s.st.compileDeptFilter(q, filter{Field: "department", Operator: "IN", Value: []deptRef{ref}}); aerr != nil {
		return nil, aerr
	}
	q.cache = q.size > 1000
	return userPage(s.run(q), page, limit, qBool(c.q, "withCustomData"), qBool(c.q, "withDepartmentIds")), nil
}
