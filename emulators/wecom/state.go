package wecom

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// userRec is one stored member.
type userRec struct {
	u   User
	seq int64  // creation order: the stable order of every listing
	key string // lower-case userid
	// enabledStatus is the status to return to when a disabled member is enabled again.
	enabledStatus int
	deleted       bool // removed; left in state.users until compaction
}

// state is the corp directory. It is not safe for concurrent use: Server guards it.
type state struct {
	corpName   string
	depts      map[int]*Department
	children   map[int][]int                 // parent id → child ids, in creation order
	members    map[int]map[*userRec]struct{} // department id → its members
	nextDeptID int

	users    []*userRec // creation order (sorted by seq), deleted members included until compaction
	holes    int        // deleted members in users
	byKey    map[string]*userRec
	byMobile map[string]*userRec
	byEmail  map[string]*userRec // lower-case email
	nextSeq  int64

	maxNodes int // sub-departments + members one department may hold (81001); ≤ 0 = unlimited
}

func newState(corpName string) *state {
	s := &state{
		corpName:   corpName,
		depts:      make(map[int]*Department),
		children:   make(map[int][]int),
		members:    make(map[int]map[*userRec]struct{}),
		nextDeptID: RootDepartmentID + 1,
		byKey:      make(map[string]*userRec),
		byMobile:   make(map[string]*userRec),
		byEmail:    make(map[string]*userRec),
		nextSeq:    1,
		maxNodes:   DefaultMaxNodes,
	}
	s.depts[RootDepartmentID] = &Department{ID: RootDepartmentID, Name: corpName}
	return s
}

// stateFromFixture builds a directory from a fixture, checking it the way the API would.
func stateFromFixture(f Fixture) (*state, error) {
	name := f.CorpName
	for _, d := range f.Departments {
		if d.ID == RootDepartmentID && name == "" {
			name = d.Name
		}
	}
	if name == "" {
		return nil, fmt.Errorf("fixture has no corp name and no root department")
	}
	s := newState(name)
	pending := make(map[int]Department, len(f.Departments))
	for _, d := range f.Departments {
		if d.ID == RootDepartmentID {
			if d.ParentID != 0 {
				return nil, fmt.Errorf("root department 1 must have parentid 0, has %d", d.ParentID)
			}
			s.depts[RootDepartmentID].Order = d.Order
			s.depts[RootDepartmentID].NameEn = d.NameEn
			continue
		}
		if d.ID <= RootDepartmentID {
			return nil, fmt.Errorf("department %q: id %d must be > 1", d.Name, d.ID)
		}
		if _, dup := pending[d.ID]; dup {
			return nil, fmt.Errorf("department id %d appears twice", d.ID)
		}
		pending[d.ID] = d
	}
	// Insert parents first, keeping the fixture's order among the departments that are ready.
	for len(pending) > 0 {
		progressed := false
		for _, d := range f.Departments {
			p, ok := pending[d.ID]
			if !ok || d.ID == RootDepartmentID || s.depts[p.ParentID] == nil {
				continue
			}
			if code := s.checkDeptName(p.Name, p.ParentID, 0); code != 0 {
				return nil, fmt.Errorf("department %d %q: errcode %d %s", p.ID, p.Name, code, errText(code))
			}
			if s.depth(p.ParentID)+1 > maxDepth {
				return nil, fmt.Errorf("department %d %q: deeper than %d levels", p.ID, p.Name, maxDepth)
			}
			s.insertDept(p.clone())
			delete(pending, d.ID)
			progressed = true
		}
		if !progressed {
			ids := make([]int, 0, len(pending))
			for id := range pending {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			return nil, fmt.Errorf("departments %v have a missing parent or a cycle", ids)
		}
	}
	for _, u := range f.Users {
		if err := s.seedUser(u.clone()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *state) seedUser(u User) error {
	if code := checkUserID(u.UserID); code != 0 {
		return fmt.Errorf("user %q: errcode %d %s", u.UserID, code, errText(code))
	}
	if u.Name == "" {
		return fmt.Errorf("user %q: empty name", u.UserID)
	}
	if len(u.Department) == 0 {
		return fmt.Errorf("user %q: no department", u.UserID)
	}
	for _, id := range u.Department {
		if s.depts[id] == nil {
			return fmt.Errorf("user %q: unknown department %d", u.UserID, id)
		}
	}
	key := strings.ToLower(u.UserID)
	if s.byKey[key] != nil {
		return fmt.Errorf("user %q appears twice (userids are case-insensitive)", u.UserID)
	}
	if u.Mobile != "" && s.byMobile[u.Mobile] != nil {
		return fmt.Errorf("user %q: mobile already used by %q", u.UserID, s.byMobile[u.Mobile].u.UserID)
	}
	if e := strings.ToLower(u.Email); e != "" && s.byEmail[e] != nil {
		return fmt.Errorf("user %q: email already used by %q", u.UserID, s.byEmail[e].u.UserID)
	}
	if u.Status == 0 {
		u.Status = StatusActive
	}
	if u.MainDepartment == 0 {
		u.MainDepartment = u.Department[0]
	}
	if u.Gender == "" {
		u.Gender = "0"
	}
	s.insertUser(u)
	return nil
}

// ---- departments ----

const (
	maxDepth        = 15
	maxNameRunes    = 64
	maxUserDepts    = 100
	maxBatchDelete  = 200
	maxListIDLimit  = 10000
	maxDirectLeader = 5
)

func (s *state) insertDept(d Department) {
	d.DepartmentLeader = nil
	s.depts[d.ID] = &d
	s.children[d.ParentID] = append(s.children[d.ParentID], d.ID)
	if d.ID >= s.nextDeptID {
		s.nextDeptID = d.ID + 1
	}
}

// full reports whether the department holds its maximum of nodes (sub-departments and direct
// members), so that one more is refused with 81001.
func (s *state) full(id int) bool {
	return s.maxNodes > 0 && len(s.children[id])+len(s.members[id]) >= s.maxNodes
}

// depth is 1 for the root.
func (s *state) depth(id int) int {
	n := 0
	for d := s.depts[id]; d != nil; d = s.depts[d.ParentID] {
		n++
		if d.ParentID == 0 || n > 2*maxDepth {
			break
		}
	}
	return n
}

// height is 1 for a department without children.
func (s *state) height(id int) int {
	h := 0
	for _, c := range s.children[id] {
		h = max(h, s.height(c))
	}
	return h + 1
}

// isAncestor reports whether a is id or one of its ancestors.
func (s *state) isAncestor(a, id int) bool {
	for d := s.depts[id]; d != nil; d = s.depts[d.ParentID] {
		if d.ID == a {
			return true
		}
		if d.ParentID == 0 {
			break
		}
	}
	return false
}

// checkDeptName checks a department name and its uniqueness under parent (self excluded).
func (s *state) checkDeptName(name string, parent, self int) int {
	switch {
	case strings.TrimSpace(name) == "":
		return 60125
	case runeLen(name) > maxNameRunes:
		return 60001
	case strings.ContainsAny(name, `\:*?"<>|“”`):
		return 60009
	}
	for _, c := range s.children[parent] {
		if c != self && s.depts[c].Name == name {
			return 60008
		}
	}
	return 0
}

type deptCreate struct {
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	ParentID *int   `json:"parentid"`
	Order    uint32 `json:"order"`
	ID       *int   `json:"id"`
}

func (s *state) createDept(req deptCreate) (int, int) {
	if req.ParentID == nil || s.depts[*req.ParentID] == nil {
		return 0, 60004
	}
	if code := s.checkDeptName(req.Name, *req.ParentID, 0); code != 0 {
		return 0, code
	}
	id := s.nextDeptID
	if req.ID != nil {
		switch {
		case *req.ID == RootDepartmentID || s.depts[*req.ID] != nil:
			return 0, 60008
		case *req.ID <= RootDepartmentID:
			return 0, 60123
		}
		id = *req.ID
	}
	if s.depth(*req.ParentID)+1 > maxDepth {
		return 0, 81002
	}
	if s.full(*req.ParentID) {
		return 0, 81001
	}
	s.insertDept(Department{ID: id, Name: req.Name, NameEn: req.NameEn, ParentID: *req.ParentID, Order: req.Order})
	return id, 0
}

type deptUpdate struct {
	ID       int     `json:"id"`
	Name     *string `json:"name"`
	NameEn   *string `json:"name_en"`
	ParentID *int    `json:"parentid"`
	Order    *uint32 `json:"order"`
}

func (s *state) updateDept(req deptUpdate) int {
	d := s.depts[req.ID]
	if d == nil {
		return 60003
	}
	parent := d.ParentID
	if req.ParentID != nil && *req.ParentID != d.ParentID {
		switch {
		case d.ID == RootDepartmentID:
			return 60010
		case s.depts[*req.ParentID] == nil:
			return 60004
		case s.isAncestor(d.ID, *req.ParentID):
			return 60010
		case s.depth(*req.ParentID)+s.height(d.ID) > maxDepth:
			return 81002
		case s.full(*req.ParentID):
			return 81001
		}
		parent = *req.ParentID
	}
	name := d.Name
	if req.Name != nil {
		name = *req.Name
	}
	if req.Name != nil || parent != d.ParentID {
		if d.ID == RootDepartmentID {
			if code := s.checkDeptName(name, 0, d.ID); code != 0 && code != 60008 {
				return code
			}
		} else if code := s.checkDeptName(name, parent, d.ID); code != 0 {
			return code
		}
	}
	if parent != d.ParentID {
		s.children[d.ParentID] = slices.DeleteFunc(s.children[d.ParentID], func(c int) bool { return c == d.ID })
		s.children[parent] = append(s.children[parent], d.ID)
		d.ParentID = parent
	}
	d.Name = name
	if d.ID == RootDepartmentID {
		s.corpName = name
	}
	if req.NameEn != nil {
		d.NameEn = *req.NameEn
	}
	if req.Order != nil {
		d.Order = *req.Order
	}
	return 0
}

func (s *state) deleteDept(id int) int {
	switch {
	case id == RootDepartmentID:
		return 60007
	case s.depts[id] == nil:
		return 60003
	case len(s.members[id]) > 0:
		return 60005
	case len(s.children[id]) > 0:
		return 60006
	}
	d := s.depts[id]
	s.children[d.ParentID] = slices.DeleteFunc(s.children[d.ParentID], func(c int) bool { return c == id })
	delete(s.children, id)
	delete(s.members, id)
	delete(s.depts, id)
	return 0
}

// subtree returns id and its descendants, parents before children.
func (s *state) subtree(id int) []int {
	out := []int{id}
	for i := 0; i < len(out); i++ {
		out = append(out, s.children[out[i]]...)
	}
	return out
}

// department returns a copy of the department with its leaders filled in.
func (s *state) department(id int) Department {
	d := s.depts[id].clone()
	var leaders []*userRec
	for m := range s.members[id] {
		if i := slices.Index(m.u.Department, id); i >= 0 && i < len(m.u.IsLeaderInDept) && m.u.IsLeaderInDept[i] == 1 {
			leaders = append(leaders, m)
		}
	}
	slices.SortFunc(leaders, bySeq)
	for _, m := range leaders {
		d.DepartmentLeader = append(d.DepartmentLeader, m.u.UserID)
	}
	return d
}

// ---- users ----

func bySeq(a, b *userRec) int { return cmp.Compare(a.seq, b.seq) }

func (s *state) insertUser(u User) *userRec {
	rec := &userRec{u: u, seq: s.nextSeq, key: strings.ToLower(u.UserID)}
	s.nextSeq++
	s.users = append(s.users, rec)
	s.byKey[rec.key] = rec
	s.index(rec)
	return rec
}

// index adds the member to the mobile, email and department indexes.
func (s *state) index(rec *userRec) {
	if rec.u.Mobile != "" {
		s.byMobile[rec.u.Mobile] = rec
	}
	if rec.u.Email != "" {
		s.byEmail[strings.ToLower(rec.u.Email)] = rec
	}
	for _, id := range rec.u.Department {
		m := s.members[id]
		if m == nil {
			m = make(map[*userRec]struct{})
			s.members[id] = m
		}
		m[rec] = struct{}{}
	}
}

// unindex removes the member from the mobile, email and department indexes.
func (s *state) unindex(rec *userRec) {
	if s.byMobile[rec.u.Mobile] == rec {
		delete(s.byMobile, rec.u.Mobile)
	}
	if e := strings.ToLower(rec.u.Email); s.byEmail[e] == rec {
		delete(s.byEmail, e)
	}
	for _, id := range rec.u.Department {
		delete(s.members[id], rec)
	}
}

func (s *state) removeUser(rec *userRec) {
	s.unindex(rec)
	delete(s.byKey, rec.key)
	rec.deleted = true
	s.holes++
	if s.holes > 1024 && s.holes > len(s.users)/2 {
		s.users = slices.DeleteFunc(s.users, func(r *userRec) bool { return r.deleted })
		s.holes = 0
	}
}

// userIndexFrom returns the index of the first stored member (deleted or not) whose seq is ≥ seq.
// users is sorted by seq: deleted members stay in place until compaction.
func (s *state) userIndexFrom(seq int64) int {
	i, _ := slices.BinarySearchFunc(s.users, seq, func(r *userRec, seq int64) int { return cmp.Compare(r.seq, seq) })
	return i
}

// membersOf returns the members of the department (and its sub-departments) in creation order.
func (s *state) membersOf(id int, fetchChild bool) []*userRec {
	ids := []int{id}
	if fetchChild {
		ids = s.subtree(id)
	}
	seen := make(map[*userRec]struct{})
	var out []*userRec
	for _, d := range ids {
		for m := range s.members[d] {
			if _, dup := seen[m]; !dup {
				seen[m] = struct{}{}
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, bySeq)
	return out
}

func runeLen(s string) int { return len([]rune(s)) }
