package authing

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// userRec is a stored user. The embedded User keeps DepartmentIDs in membership order.
type userRec struct {
	User
	seq    int64
	joined map[string]time.Time // department id → joinedAt
	dead   bool                 // deleted; still in state.users until the next compaction
}

// deptRec is a stored department; the root of an organization is one too.
type deptRec struct {
	Department
	root     bool
	seq      int64
	children []string            // child ids in creation order
	members  map[string]struct{} // user ids of direct members
}

// orgRec is a stored organization.
type orgRec struct {
	Organization
	seq int64
}

// state is the whole pool. It is guarded by Server.mu; none of its methods lock.
type state struct {
	users []*userRec // creation order, with tombstones (dead) until compaction
	dead  int
	byID  map[string]*userRec
	// idx maps "<kind>\x00<value>" to the users holding it. Kinds: username, email (lower case),
	// phone, externalId, name and "c:<custom key>".
	idx map[string]map[*userRec]struct{}

	orgs     map[string]*orgRec
	orgOrder []string
	depts    map[string]*deptRec
	openIdx  map[string]map[string]string // org code → openDepartmentId → department id
	codeIdx  map[string]map[string]string // org code → code → department id
	siblings map[string]string            // parent id + "\x00" + name → department id

	fields     map[string]map[string]*CustomField // target type → key → definition
	fieldOrder []*CustomField

	seq     int64  // creation sequence for ordering
	ids     int64  // id counter
	version uint64 // bumped on every write; invalidates the list cache
}

func newState() *state {
	return &state{
		byID:     map[string]*userRec{},
		idx:      map[string]map[*userRec]struct{}{},
		orgs:     map[string]*orgRec{},
		depts:    map[string]*deptRec{},
		openIdx:  map[string]map[string]string{},
		codeIdx:  map[string]map[string]string{},
		siblings: map[string]string{},
		fields:   map[string]map[string]*CustomField{},
	}
}

// newID returns an unused 24-hex id like Authing's object ids; kind keeps user and department ids
// apart. Ids loaded from a fixture are skipped.
func (st *state) newID(kind byte) string {
	for {
		st.ids++
		id := fmt.Sprintf("65%02x%020x", kind, st.ids)
		if st.byID[id] == nil && st.depts[id] == nil {
			return id
		}
	}
}

func (st *state) nextSeq() int64 {
	st.seq++
	return st.seq
}

const (
	idUser byte = 0x10 + iota
	idDept
)

// ---- user indexes ----

// indexKeys lists the index keys of u.
func indexKeys(u *User) []string {
	keys := make([]string, 0, 5+len(u.CustomData))
	add := func(kind, v string) {
		if v != "" {
			keys = append(keys, kind+"\x00"+v)
		}
	}
	add("username", u.Username)
	add("email", strings.ToLower(u.Email))
	add("phone", u.Phone)
	add("externalId", u.ExternalID)
	add("name", u.Name)
	for k, v := range u.CustomData {
		add("c:"+k, valueString(v))
	}
	return keys
}

func (st *state) index(u *userRec) {
	for _, k := range indexKeys(&u.User) {
		set := st.idx[k]
		if set == nil {
			set = map[*userRec]struct{}{}
			st.idx[k] = set
		}
		set[u] = struct{}{}
	}
}

func (st *state) unindex(u *userRec) {
	for _, k := range indexKeys(&u.User) {
		if set := st.idx[k]; set != nil {
			delete(set, u)
			if len(set) == 0 {
				delete(st.idx, k)
			}
		}
	}
}

// lookup returns the users whose kind equals v.
func (st *state) lookup(kind, v string) map[*userRec]struct{} {
	if kind == "email" {
		v = strings.ToLower(v)
	}
	return st.idx[kind+"\x00"+v]
}

// holder returns a user other than self holding kind=v, or nil.
func (st *state) holder(kind, v string, self *userRec) *userRec {
	for u := range st.lookup(kind, v) {
		if u != self {
			return u
		}
	}
	return nil
}

// findUser resolves a user by userIdType.
func (st *state) findUser(id, idType string) (*userRec, *apiError) {
	var u *userRec
	switch idType {
	case "", "user_id":
		u = st.byID[id]
	case "external_id":
		u = st.holder("externalId", id, nil)
	case "username", "phone", "email":
		u = st.holder(idType, id, nil)
	default:
		return nil, badParam("userIdType")
	}
	if u == nil || id == "" {
		return nil, errUserNotFound()
	}
	return u, nil
}

func (st *state) insertUser(u *userRec) {
	u.seq = st.nextSeq()
	st.users = append(st.users, u)
	st.byID[u.UserID] = u
	st.index(u)
	st.join(u, u.DepartmentIDs, u.CreatedAt)
	st.version++
}

// join adds u to the member sets of ids (already in u.DepartmentIDs).
func (st *state) join(u *userRec, ids []string, at time.Time) {
	if u.joined == nil {
		u.joined = map[string]time.Time{}
	}
	for _, id := range ids {
		if d := st.depts[id]; d != nil {
			d.members[u.UserID] = struct{}{}
			if _, ok := u.joined[id]; !ok {
				u.joined[id] = at
			}
		}
	}
}

// leave removes u from the member (and leader) lists of ids.
func (st *state) leave(u *userRec, ids []string) {
	for _, id := range ids {
		if d := st.depts[id]; d != nil {
			delete(d.members, u.UserID)
			d.LeaderUserIDs = without(d.LeaderUserIDs, u.UserID)
		}
		delete(u.joined, id)
	}
}

// replaceUser swaps in next as u's profile, keeping indexes in step.
func (st *state) replaceUser(u *userRec, next User) {
	st.unindex(u)
	u.User = next
	st.index(u)
	st.version++
}

func (st *state) deleteUser(u *userRec) {
	st.unindex(u)
	st.leave(u, u.DepartmentIDs)
	delete(st.byID, u.UserID)
	u.dead = true
	st.dead++
	st.version++
	if st.dead > 1024 && st.dead > len(st.users)/8 {
		st.users = slices.DeleteFunc(st.users, func(u *userRec) bool { return u.dead })
		st.dead = 0
	}
}

// ---- departments ----

// resolveOrg returns the organization with code.
func (st *state) resolveOrg(code string) (*orgRec, *apiError) {
	if code == "" {
		return nil, badParam("organizationCode")
	}
	o := st.orgs[code]
	if o == nil {
		return nil, &apiError{status: 404, apiCode: 404, msg: "organization not found for code: " + code}
	}
	return o, nil
}

// resolveDept finds a department of org by id typed with idType; "root" is the organization root.
func (st *state) resolveDept(org *orgRec, id, idType string) (*deptRec, *apiError) {
	if id == "" {
		return nil, badParam("departmentId")
	}
	if id == "root" {
		return st.depts[org.DepartmentID], nil
	}
	var did string
	switch idType {
	case "", "department_id":
		did = id
	case "open_department_id":
		did = st.openIdx[org.OrganizationCode][id]
	case "code":
		did = st.codeIdx[org.OrganizationCode][id]
	default:
		return nil, badParam("departmentIdType")
	}
	d := st.depts[did]
	if d == nil || d.OrganizationCode != org.OrganizationCode {
		return nil, errDeptNotFound(id)
	}
	return d, nil
}

// resolveAnyOrg finds a department in any organization (create-user's departmentIds).
func (st *state) resolveAnyOrg(id, idType string) (*deptRec, *apiError) {
	switch idType {
	case "", "department_id":
		if d := st.depts[id]; d != nil {
			return d, nil
		}
	case "open_department_id", "code":
		for _, code := range st.orgOrder {
			if id == "root" {
				break
			}
			if d, err := st.resolveDept(st.orgs[code], id, idType); err == nil {
				return d, nil
			}
		}
	default:
		return nil, badParam("options.departmentIdType")
	}
	return nil, &apiError{status: 404, apiCode: 404, msg: "存在不合法的 departmentId: " + id}
}

// isDescendant reports whether d is a or lies below a.
func (st *state) isDescendant(d, a *deptRec) bool {
	for cur := d; cur != nil; cur = st.depts[cur.ParentDepartmentID] {
		if cur == a {
			return true
		}
		if cur.root {
			return false
		}
	}
	return false
}

// subtree returns d's descendants in pre-order (d itself excluded).
func (st *state) subtree(d *deptRec) []*deptRec {
	var out []*deptRec
	var walk func(*deptRec)
	walk = func(p *deptRec) {
		for _, id := range p.children {
			c := st.depts[id]
			out = append(out, c)
			walk(c)
		}
	}
	walk(d)
	return out
}

func siblingKey(parentID, name string) string { return parentID + "\x00" + name }

// addDept stores d (validated) under its parent.
func (st *state) addDept(d *deptRec) {
	d.seq = st.nextSeq()
	if d.members == nil {
		d.members = map[string]struct{}{}
	}
	st.depts[d.DepartmentID] = d
	org := d.OrganizationCode
	st.setKey(st.openIdx, org, "", d.OpenDepartmentID, d.DepartmentID)
	st.setKey(st.codeIdx, org, "", d.Code, d.DepartmentID)
	if !d.root {
		p := st.depts[d.ParentDepartmentID]
		p.children = append(p.children, d.DepartmentID)
		st.siblings[siblingKey(p.DepartmentID, d.Name)] = d.DepartmentID
	}
	st.version++
}

// setKey moves an (org, key) → id entry from oldKey to newKey.
func (st *state) setKey(m map[string]map[string]string, org, oldKey, newKey, id string) {
	if oldKey != "" {
		delete(m[org], oldKey)
	}
	if newKey == "" {
		return
	}
	if m[org] == nil {
		m[org] = map[string]string{}
	}
	m[org][newKey] = id
}

func (st *state) removeDept(d *deptRec) {
	p := st.depts[d.ParentDepartmentID]
	p.children = without(p.children, d.DepartmentID)
	delete(st.siblings, siblingKey(p.DepartmentID, d.Name))
	st.setKey(st.openIdx, d.OrganizationCode, d.OpenDepartmentID, "", "")
	st.setKey(st.codeIdx, d.OrganizationCode, d.Code, "", "")
	delete(st.depts, d.DepartmentID)
	st.version++
}

// ---- custom fields ----

func (st *state) field(target, key string) *CustomField {
	return st.fields[target][key]
}

// checkCustomData validates the keys and values of data against the target's definitions.
func (st *state) checkCustomData(target string, data map[string]any) *apiError {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f := st.field(target, k)
		if f == nil {
			return &apiError{status: 400, apiCode: 400, msg: fmt.Sprintf("自定义字段 %s 未定义 (targetType %s)", k, target)}
		}
		if v := data[k]; v != nil && !validCustomValue(f, v) {
			return badParam("customData." + k)
		}
	}
	return nil
}

func validCustomValue(f *CustomField, v any) bool {
	switch f.DataType {
	case "STRING", "DATETIME":
		_, ok := v.(string)
		return ok
	case "NUMBER":
		switch x := v.(type) {
		case float64, json.Number:
			return true
		case string:
			_, err := strconv.ParseFloat(x, 64)
			return err == nil
		}
		return false
	case "BOOLEAN":
		_, ok := v.(bool)
		return ok
	case "ENUM":
		s, ok := v.(string)
		if !ok {
			return false
		}
		if len(f.Options) == 0 {
			return true
		}
		return slices.ContainsFunc(f.Options, func(o EnumOption) bool { return o.Value == s })
	}
	return true
}

// ---- helpers ----

// valueString is the comparable text of a JSON value.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func without(list []string, v string) []string {
	if !slices.Contains(list, v) {
		return list
	}
	out := make([]string, 0, len(list)-1)
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// mergeData returns a copy of base with patch applied key by key; a nil value removes the key. An
// empty result is nil.
func mergeData(base, patch map[string]any) map[string]any {
	out := copyMap(base)
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = deepCopy(v)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// deepCopy copies JSON-shaped values.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return x
	}
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}
