package plan

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"

	"github.com/wecomsync/wecomsync/directory"
)

// Downstream update and delete modes.
const (
	UpdateNone      = "none"      // create and delete only
	UpdateOverwrite = "overwrite" // write every mapped field of every matched user
	UpdateChanged   = "changed"   // write only what differs

	DeleteNone    = "none"
	DeleteDisable = "disable" // enable 0
	DeleteDelete  = "delete"
)

// Comparison sources of a downstream `changed` run: what a desired value was compared with.
const (
	SourceWeCom    = "wecom"    // the value WeCom answered
	SourceSnapshot = "snapshot" // what the last successful run wrote (WeCom hides or refuses it)
	SourceNone     = "none"     // nothing known: written
)

// SourceDepartment is one department of the Authing organization (the desired tree).
type SourceDepartment struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId"`
	Name     string `json:"name"`
	// WeComID and WeComParentID are its wechatwork_department_id and
	// wechatwork_parent_department_id ("" when never synced).
	WeComID       string `json:"wecomId,omitempty"`
	WeComParentID string `json:"wecomParentId,omitempty"`
}

// SourceUser is one Authing user of the pool.
type SourceUser struct {
	AuthingID string `json:"authingId"`
	// UserID is the user's wechatwork_user_id ("" when never synced).
	UserID string `json:"userId,omitempty"`
	// NewUserID is the value of the userIdField: the userid a created user gets.
	NewUserID string `json:"newUserId,omitempty"`
	// User holds the desired values; Departments are the user's Authing departments of the
	// organization (its root included), main first. A user with none is not in the organization.
	User directory.User `json:"user"`
	// WeComDepartmentIDs is the user's wechatwork_department_ids custom data.
	WeComDepartmentIDs string `json:"wecomDepartmentIds,omitempty"`
}

// TargetDepartment is one WeCom department.
type TargetDepartment struct {
	ID       int    `json:"id"`
	ParentID int    `json:"parentId"`
	Name     string `json:"name,omitempty"` // "" when this app or IP may not read names
}

// TargetUser is one WeCom member.
type TargetUser struct {
	UserID string `json:"userId"`
	// Departments are from user/list_id (always readable), main first when MainKnown.
	Departments []int `json:"departments"`
	MainKnown   bool  `json:"mainKnown,omitempty"`
	// User holds the values WeCom let the run read; Readable says which fields those are.
	User     directory.User    `json:"user"`
	Readable []directory.Field `json:"readable,omitempty"`
	// Activated: the member has activated (status 1), so WeCom ignores a mobile written to it.
	Activated bool `json:"activated,omitempty"`
}

// SnapshotUser is what the last successful run left in WeCom for one user.
type SnapshotUser struct {
	User        directory.User `json:"user"`
	Departments []int          `json:"departments,omitempty"` // main first
}

// Snapshot is what the last successful downstream runs wrote, per WeCom userid key and
// department id: the comparison base where WeCom hides a field or refuses a detail read.
type Snapshot struct {
	Users       map[string]SnapshotUser `json:"users,omitempty"`
	Departments map[int]string          `json:"departments,omitempty"` // id → name
}

// equal reports whether u and o are the same entry.
func (u SnapshotUser) equal(o SnapshotUser) bool {
	return u.User.Equal(o.User) && slices.Equal(u.Departments, o.Departments)
}

// DownstreamOptions tune a downstream plan.
type DownstreamOptions struct {
	UpdateMode string `json:"updateMode"`
	DeleteMode string `json:"deleteMode"`
	// Ignore are fields never written on update.
	Ignore directory.FieldSet `json:"ignore,omitempty"`
	// RootID is the WeCom department the organization root maps to.
	RootID int `json:"rootId"`
	// RequireContact refuses to create a user without mobile and email (WeCom answers 60129).
	RequireContact bool `json:"requireContact,omitempty"`
}

// DownstreamInput is everything a downstream plan is computed from.
type DownstreamInput struct {
	SourceRootID      string
	SourceDepartments []SourceDepartment
	SourceUsers       []SourceUser
	TargetDepartments []TargetDepartment
	TargetUsers       []TargetUser
	Snapshot          Snapshot
	Options           DownstreamOptions
}

// DepartmentWrite creates, renames, moves or deletes one WeCom department. A created department's
// id is chosen by the plan (a free id above every known one), so children can name it before it
// exists and a retried create is recognised by its id.
type DepartmentWrite struct {
	AuthingID string `json:"authingId,omitempty"`
	Path      string `json:"path"`
	ID        int    `json:"id"`
	ParentID  int    `json:"parentId,omitempty"`
	Name      string `json:"name,omitempty"`
	Rename    bool   `json:"rename,omitempty"`
	Move      bool   `json:"move,omitempty"`
}

// UserWrite creates or updates one WeCom member: Fields are the fields to send (their values in
// User); Departments (main first) are sent when non-nil.
type UserWrite struct {
	AuthingID   string            `json:"authingId"`
	UserID      string            `json:"userId"`
	Fields      []directory.Field `json:"fields,omitempty"`
	User        directory.User    `json:"user"`
	Departments []int             `json:"departments,omitempty"`
	Move        bool              `json:"move,omitempty"`
	// AdoptFields are, on a create, the fields written when the userid exists already (60102: a
	// member made meanwhile, or by an earlier attempt) — Fields without the ignored ones, since
	// adopting a member is an update.
	AdoptFields []directory.Field `json:"adoptFields"` // never nil on a create: [] when every field is ignored
}

// UserRemoval deletes or disables a WeCom member Authing no longer has.
type UserRemoval struct {
	UserID string `json:"userId"`
	Action string `json:"action"` // delete or disable
}

// WriteBack is what an Authing object's WeCom custom data must become.
type WriteBack struct {
	Object    string `json:"object"` // department or user
	AuthingID string `json:"authingId"`
	Key       string `json:"key"` // the userid or department path, for reports
	// Data are the custom data keys and values to set.
	Data map[string]string `json:"data"`
}

// Skipped is an object the plan cannot write, and why.
type Skipped struct {
	Object string `json:"object"`
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// DownstreamPlan is every write of one downstream run, in the order they must be applied:
// departments parents first, user creates, user updates and moves, removals, department deletes
// children first, then the ids written back into Authing.
type DownstreamPlan struct {
	DepartmentCreates []DepartmentWrite `json:"departmentCreates,omitempty"`
	DepartmentUpdates []DepartmentWrite `json:"departmentUpdates,omitempty"`
	UserCreates       []UserWrite       `json:"userCreates,omitempty"`
	UserUpdates       []UserWrite       `json:"userUpdates,omitempty"`
	UserRemovals      []UserRemoval     `json:"userRemovals,omitempty"`
	DepartmentDeletes []DepartmentWrite `json:"departmentDeletes,omitempty"`
	WriteBacks        []WriteBack       `json:"writeBacks,omitempty"`
	Ambiguous         []Ambiguous       `json:"ambiguous,omitempty"`
	Skipped           []Skipped         `json:"skipped,omitempty"`
	Counts            Counts            `json:"counts"`
	// Sources counts the field comparisons of `changed` by what they compared with.
	Sources map[string]int `json:"sources,omitempty"`
	// UsersInScope and DepartmentsInScope are what WeCom holds below the root department (the
	// bases of delete percentages).
	UsersInScope       int `json:"usersInScope"`
	DepartmentsInScope int `json:"departmentsInScope"`
	// Next is the snapshot the run leaves when every write lands; NextUnchanged says it is the
	// input's snapshot as it was (a rerun with nothing to do: there is nothing new to store).
	Next          Snapshot `json:"-"`
	NextUnchanged bool     `json:"-"`
	Notes         []string `json:"notes,omitempty"`
}

// downstream is the state of one ComputeDownstream call.
type downstream struct {
	in   DownstreamInput
	p    *DownstreamPlan
	opts DownstreamOptions

	srcChildren map[string][]SourceDepartment // Authing parent id → children, by name
	srcPath     map[string]string             // Authing id → path below the root
	wecomOf     map[string]int                // Authing department id → WeCom id (matched or new)
	tgt         map[int]TargetDepartment      // WeCom departments below the root
	tgtChildren map[int][]int
	claimedDept map[int]bool
	// reservedDept: WeCom department → the Authing department naming it by wechatwork_department_id,
	// claimed up front so that matching by name never hands it to another department first.
	reservedDept map[int]string
	// keptTree: WeCom departments whose subtree this run must not delete — one an Authing
	// department names but the run could not place, or one of an ambiguous name's candidates.
	keptTree map[int]bool
	nextID   int
	// mobilesKept counts activated members whose WeCom mobile differs from Authing's.
	mobilesKept int

	members      []member           // the WeCom members, in input order
	tgtUsers     map[string]*member // by userid key
	claimedUser  map[string]bool    // target userid keys matched to an Authing user
	knownUserIDs map[string]bool    // target keys an Authing user outside the organization names
}

// member is a WeCom member with its userid key, computed once.
type member struct {
	*TargetUser
	key string
}

// untouched stands for the member of an ambiguous Authing user: nothing is written for it.
var untouched = &member{TargetUser: &TargetUser{}}

// ComputeDownstream returns the plan that brings WeCom in line with the Authing organization.
func ComputeDownstream(in DownstreamInput) (*DownstreamPlan, error) {
	switch in.Options.UpdateMode {
	case UpdateNone, UpdateOverwrite, UpdateChanged:
	default:
		return nil, &InputError{Err: fmt.Errorf("updateMode %q is not %q, %q or %q", in.Options.UpdateMode, UpdateNone, UpdateOverwrite, UpdateChanged)}
	}
	switch in.Options.DeleteMode {
	case DeleteNone, DeleteDisable, DeleteDelete:
	default:
		return nil, &InputError{Err: fmt.Errorf("deleteMode %q is not %q, %q or %q", in.Options.DeleteMode, DeleteNone, DeleteDisable, DeleteDelete)}
	}
	d := &downstream{in: in, opts: in.Options, p: &DownstreamPlan{Sources: map[string]int{}}}
	if err := d.indexTarget(); err != nil {
		return nil, err
	}
	d.planDepartments()
	d.planUsers()
	d.planRemovals()
	d.planDepartmentDeletes()
	d.p.Next, d.p.NextUnchanged = d.nextSnapshot()
	d.p.Counts.UsersAmbiguous = len(d.p.Ambiguous) - d.p.Counts.DepartmentsAmbiguous
	if d.mobilesKept > 0 {
		d.p.Notes = append(d.p.Notes, fmt.Sprintf("%d activated members have a mobile in WeCom other than Authing's: "+
			"WeCom ignores a mobile written to an activated member, so the run does not write it (the member changes it in WeCom)", d.mobilesKept))
	}
	return d.p, nil
}

// indexTarget keeps the WeCom departments below the root and the members.
func (d *downstream) indexTarget() error {
	all := map[int]TargetDepartment{}
	children := map[int][]int{}
	for _, t := range d.in.TargetDepartments {
		all[t.ID] = t
		children[t.ParentID] = append(children[t.ParentID], t.ID)
		d.nextID = max(d.nextID, t.ID)
	}
	for id := range d.in.Snapshot.Departments {
		d.nextID = max(d.nextID, id)
	}
	if _, ok := all[d.opts.RootID]; !ok {
		return &InputError{Err: fmt.Errorf("wecomRootDepartmentId %d is not a WeCom department this app can see", d.opts.RootID)}
	}
	d.tgt, d.tgtChildren = map[int]TargetDepartment{}, map[int][]int{}
	for queue := []int{d.opts.RootID}; len(queue) > 0; queue = queue[1:] {
		id := queue[0]
		d.tgt[id] = all[id]
		kids := slices.Clone(children[id])
		slices.Sort(kids)
		d.tgtChildren[id] = kids
		queue = append(queue, kids...)
	}
	d.p.DepartmentsInScope = len(d.tgt) - 1
	d.members = make([]member, len(d.in.TargetUsers))
	d.tgtUsers = make(map[string]*member, len(d.in.TargetUsers))
	for i := range d.in.TargetUsers {
		u := &d.in.TargetUsers[i]
		d.members[i] = member{TargetUser: u, key: key(u.UserID)}
		d.tgtUsers[d.members[i].key] = &d.members[i]
		if d.inScope(u.Departments) {
			d.p.UsersInScope++
		}
	}
	return nil
}

// inScope reports whether every department lies below the root (a member elsewhere too is never
// removed by this run).
func (d *downstream) inScope(deps []int) bool {
	for _, id := range deps {
		if _, ok := d.tgt[id]; !ok {
			return false
		}
	}
	return len(deps) > 0
}

// planDepartments matches the Authing tree to WeCom parent first — by wechatwork_department_id,
// then by (parent, name) — and plans creates, renames, moves and write-backs.
func (d *downstream) planDepartments() {
	d.srcChildren = map[string][]SourceDepartment{}
	for _, s := range d.in.SourceDepartments {
		if s.ID == d.in.SourceRootID {
			continue
		}
		parent := s.ParentID
		if parent == "" || parent == "root" {
			parent = d.in.SourceRootID
		}
		d.srcChildren[parent] = append(d.srcChildren[parent], s)
	}
	for _, kids := range d.srcChildren {
		sort.Slice(kids, func(i, j int) bool {
			return kids[i].Name < kids[j].Name || kids[i].Name == kids[j].Name && kids[i].ID < kids[j].ID
		})
	}
	d.srcPath = map[string]string{d.in.SourceRootID: RootPath}
	d.wecomOf = map[string]int{d.in.SourceRootID: d.opts.RootID}
	d.claimedDept = map[int]bool{d.opts.RootID: true}
	d.reserveDepartmentIDs()
	d.keptTree = map[int]bool{}
	for queue := []string{d.in.SourceRootID}; len(queue) > 0; queue = queue[1:] {
		parent := queue[0]
		for _, s := range d.srcChildren[parent] {
			path := directory.JoinPath(append(nonEmpty(d.srcPath[parent]), s.Name)...)
			d.srcPath[s.ID] = path
			if d.placeDepartment(s, path, d.wecomOf[parent]) {
				queue = append(queue, s.ID)
			}
		}
	}
	for id := range d.reservedDept {
		if !d.claimedDept[id] {
			d.keptTree[id] = true // its Authing department could not be placed: Authing still has it
		}
	}
}

// reserveDepartmentIDs claims, before any matching by name, each WeCom department an Authing
// department names by wechatwork_department_id (the first in the input when two name the same):
// a department renamed in Authing and a new one given its old name must not trade places.
func (d *downstream) reserveDepartmentIDs() {
	d.reservedDept = map[int]string{}
	for _, s := range d.in.SourceDepartments {
		id, err := strconv.Atoi(s.WeComID)
		if s.ID == d.in.SourceRootID || err != nil || id == d.opts.RootID {
			continue
		}
		if _, ok := d.tgt[id]; !ok {
			continue
		}
		if _, taken := d.reservedDept[id]; !taken {
			d.reservedDept[id] = s.ID
		}
	}
}

// departmentName is a WeCom department's name: as WeCom shows it, else (names unreadable from
// this IP) as the last run wrote it, else "".
func (d *downstream) departmentName(id int) string {
	return cmp.Or(d.tgt[id].Name, d.in.Snapshot.Departments[id])
}

func nonEmpty(p string) []string {
	if p == RootPath {
		return nil
	}
	return []string{p}
}

// placeDepartment matches or plans one Authing department under the WeCom department parent;
// false when it cannot be placed (its subtree is left out).
func (d *downstream) placeDepartment(s SourceDepartment, path string, parent int) bool {
	id, how, candidates := d.matchDepartment(s, parent)
	wecomParent := parent // what WeCom will have as its parent after the run
	switch how {
	case "ambiguous":
		d.p.Ambiguous = append(d.p.Ambiguous, Ambiguous{UserID: path, Reason: fmt.Sprintf("%d WeCom departments named %q under department %d; set wechatwork_department_id in Authing", len(candidates), s.Name, parent)})
		d.p.Counts.DepartmentsAmbiguous++
		for _, c := range candidates {
			d.keptTree[c] = true // reported, never touched: neither them nor their subtrees
		}
		return false
	case "new":
		d.nextID++
		id = d.nextID
		d.p.DepartmentCreates = append(d.p.DepartmentCreates, DepartmentWrite{AuthingID: s.ID, Path: path, ID: id, ParentID: parent, Name: s.Name})
		d.p.Counts.DepartmentsCreate++
	default:
		d.updateDepartment(s, path, id, parent)
		if d.opts.UpdateMode == UpdateNone {
			wecomParent = d.tgt[id].ParentID // none moves nothing
		}
	}
	d.wecomOf[s.ID] = id
	d.claimedDept[id] = true
	data := map[string]string{}
	if s.WeComID != strconv.Itoa(id) {
		data["wechatwork_department_id"] = strconv.Itoa(id)
	}
	if s.WeComParentID != strconv.Itoa(wecomParent) {
		data["wechatwork_parent_department_id"] = strconv.Itoa(wecomParent)
	}
	if len(data) > 0 { // both keys: whether Authing merges or replaces customData is unconfirmed
		data["wechatwork_department_id"], data["wechatwork_parent_department_id"] = strconv.Itoa(id), strconv.Itoa(wecomParent)
		d.p.WriteBacks = append(d.p.WriteBacks, WriteBack{Object: ObjectDepartment, AuthingID: s.ID, Key: path, Data: data})
		d.p.Counts.DepartmentsWriteBack++
	}
	return true
}

// matchDepartment finds the WeCom department of s: its id ("id"), a unique unclaimed child of
// parent with its name ("name"), none ("new") or several ("ambiguous": the candidates).
func (d *downstream) matchDepartment(s SourceDepartment, parent int) (int, string, []int) {
	if id, err := strconv.Atoi(s.WeComID); err == nil && d.reservedDept[id] == s.ID && !d.claimedDept[id] {
		return id, "id", nil
	}
	found := d.nameCandidates(s, parent)
	switch len(found) {
	case 0:
		return 0, "new", nil
	case 1:
		return found[0], "name", nil
	}
	return 0, "ambiguous", found
}

// nameCandidates are the children of parent named as s that no other Authing department holds
// (names as WeCom shows them, else as the last run wrote them).
func (d *downstream) nameCandidates(s SourceDepartment, parent int) []int {
	var found []int
	for _, c := range d.tgtChildren[parent] {
		if !d.claimedDept[c] && d.reservedDept[c] == "" && d.departmentName(c) == s.Name {
			found = append(found, c)
		}
	}
	return found
}

// updateDepartment plans a rename and/or a move of a matched department.
func (d *downstream) updateDepartment(s SourceDepartment, path string, id, parent int) {
	if d.opts.UpdateMode == UpdateNone {
		return
	}
	t := d.tgt[id]
	name := d.departmentName(id) // names hidden: compare with what the last run wrote
	w := DepartmentWrite{AuthingID: s.ID, Path: path, ID: id, Name: s.Name, Rename: name != s.Name, Move: t.ParentID != parent}
	if w.Move {
		w.ParentID = parent
	}
	if !w.Rename && !w.Move {
		d.p.Counts.DepartmentsUnchanged++
		return
	}
	d.p.DepartmentUpdates = append(d.p.DepartmentUpdates, w)
	if w.Rename {
		d.p.Counts.DepartmentsRename++
	}
	if w.Move {
		d.p.Counts.DepartmentsMove++
	}
}

// planUsers matches the organization's users to WeCom members — by wechatwork_user_id, then by
// the userid a created user would get, then by name where names are readable — and plans
// creates, updates and moves, and the write-backs.
func (d *downstream) planUsers() {
	d.claimedUser = make(map[string]bool, len(d.in.SourceUsers))
	d.knownUserIDs = map[string]bool{}
	matched := make([]*member, len(d.in.SourceUsers))
	taken := make(map[string]int, len(d.in.SourceUsers)) // target key → source index that claimed it by id
	for i, s := range d.in.SourceUsers {
		for _, id := range []string{s.UserID, s.NewUserID} {
			k := key(id)
			t := d.tgtUsers[k]
			if k == "" || t == nil {
				continue
			}
			if len(s.User.Departments) == 0 {
				d.knownUserIDs[k] = true // in the pool, not in the organization: never removed
				break
			}
			if _, dup := taken[k]; !dup {
				taken[k] = i
				matched[i] = t
				d.claimedUser[k] = true
			}
			break
		}
	}
	byName := d.namesOfUnclaimed()
	nameClaims := map[*member][]int{}
	claimOf := map[int]*member{}
	for i, s := range d.in.SourceUsers {
		if matched[i] != nil || len(s.User.Departments) == 0 || s.User.Name == "" {
			continue
		}
		if k := key(s.NewUserID); k != "" && d.tgtUsers[k] != nil {
			continue // the userid it would get is another member's: reported below
		}
		switch found := byName[s.User.Name]; len(found) {
		case 0:
		case 1:
			nameClaims[found[0]] = append(nameClaims[found[0]], i)
			claimOf[i] = found[0]
		default:
			d.p.Ambiguous = append(d.p.Ambiguous, Ambiguous{UserID: s.NewUserID, Reason: fmt.Sprintf("%d WeCom members are named %q", len(found), s.User.Name)})
			matched[i] = untouched
			for _, t := range found {
				d.knownUserIDs[t.key] = true // and none of them removed
			}
		}
	}
	for i, s := range d.in.SourceUsers { // in source order, so the plan is deterministic
		t, ok := claimOf[i]
		if !ok {
			continue
		}
		if who := nameClaims[t]; len(who) > 1 {
			d.p.Ambiguous = append(d.p.Ambiguous, Ambiguous{UserID: s.NewUserID, Reason: fmt.Sprintf("%d Authing users are named %q like WeCom member %q", len(who), s.User.Name, t.UserID)})
			matched[i] = untouched
			d.knownUserIDs[t.key] = true
			continue
		}
		matched[i] = t
		d.claimedUser[t.key] = true
	}
	for i, s := range d.in.SourceUsers {
		if len(s.User.Departments) == 0 {
			continue
		}
		switch t := matched[i]; {
		case t == nil:
			d.createUser(s)
		case t.UserID != "":
			d.updateUser(s, t)
		}
	}
}

// namesOfUnclaimed indexes the unclaimed WeCom members by name (only where names are readable).
func (d *downstream) namesOfUnclaimed() map[string][]*member {
	out := map[string][]*member{}
	for i := range d.members {
		t := &d.members[i]
		if !d.claimedUser[t.key] && t.User.Name != "" && slices.Contains(t.Readable, directory.FieldName) {
			out[t.User.Name] = append(out[t.User.Name], t)
		}
	}
	return out
}

// wecomDepartments maps an Authing user's departments to WeCom ids (main first), leaving out
// those that could not be placed.
func (d *downstream) wecomDepartments(s SourceUser) []int {
	var out []int
	for _, a := range s.User.Departments {
		if id, ok := d.wecomOf[a]; ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (d *downstream) skip(s SourceUser, why string) {
	d.p.Skipped = append(d.p.Skipped, Skipped{Object: ObjectUser, Key: cmp.Or(s.NewUserID, s.AuthingID), Reason: why})
	d.p.Counts.UsersSkipped++
}

// createUser plans the creation of an Authing user WeCom does not have.
func (d *downstream) createUser(s SourceUser) {
	deps := d.wecomDepartments(s)
	switch {
	case s.NewUserID == "":
		d.skip(s, "no userid: the Authing field chosen as userIdField is empty")
		return
	case directory.CheckUserID(s.NewUserID) != nil:
		d.skip(s, fmt.Sprintf("%q is not a valid WeCom userid: %v", s.NewUserID, directory.CheckUserID(s.NewUserID)))
		return
	case d.tgtUsers[key(s.NewUserID)] != nil:
		d.skip(s, fmt.Sprintf("userid %q is another WeCom member's", s.NewUserID))
		return
	case len(deps) == 0:
		d.skip(s, "none of the user's departments could be placed in WeCom")
		return
	case d.opts.RequireContact && s.User.Mobile == "" && s.User.Email == "":
		d.skip(s, "neither mobile nor email in Authing: WeCom creates no member without one of them")
		return
	}
	u := s.User
	u.UserID, u.Departments = s.NewUserID, nil
	var fields []directory.Field
	adopt := []directory.Field{}
	for _, f := range directory.Fields() {
		if u.Get(f) != "" {
			fields = append(fields, f)
			if !d.opts.Ignore[f] {
				adopt = append(adopt, f)
			}
		}
	}
	d.p.UserCreates = append(d.p.UserCreates, UserWrite{AuthingID: s.AuthingID, UserID: s.NewUserID, Fields: fields, User: u, Departments: deps, AdoptFields: adopt})
	d.p.Counts.UsersCreate++
	d.claimedUser[key(s.NewUserID)] = true
	d.writeBackUser(s, s.NewUserID, deps)
}

// updateUser plans the update and move of a matched member, by the update mode.
func (d *downstream) updateUser(s SourceUser, t *member) {
	deps := d.wecomDepartments(s)
	if len(deps) > 0 {
		for _, id := range t.Departments {
			if _, ok := d.tgt[id]; !ok && !slices.Contains(deps, id) {
				deps = append(deps, id) // a department outside the synced subtree is kept
			}
		}
	}
	w := UserWrite{AuthingID: s.AuthingID, UserID: t.UserID, User: s.User}
	w.User.UserID, w.User.Departments = t.UserID, nil
	if d.opts.UpdateMode != UpdateNone {
		w.Fields = d.changedFields(s, t)
		if len(deps) > 0 && (d.opts.UpdateMode == UpdateOverwrite || d.moved(deps, t)) {
			w.Departments, w.Move = deps, true
		}
	}
	switch {
	case len(w.Fields) == 0 && !w.Move:
		d.p.Counts.UsersUnchanged++
	default:
		if len(w.Fields) > 0 {
			d.p.Counts.UsersUpdate++
		}
		if w.Move {
			d.p.Counts.UsersMembership++
		}
		d.p.UserUpdates = append(d.p.UserUpdates, w)
	}
	if len(deps) == 0 || d.opts.UpdateMode == UpdateNone {
		deps = t.Departments // none moves nothing: WeCom keeps the member where it is
	}
	d.writeBackUser(s, t.UserID, deps)
}

// changedFields returns the fields to write on a matched member: every mapped one in overwrite
// mode, else those whose desired value differs from WeCom's (where WeCom lets the run read it)
// or from the snapshot (where it does not). Ignored fields are never written.
func (d *downstream) changedFields(s SourceUser, t *member) []directory.Field {
	var out []directory.Field
	for _, f := range directory.Fields() {
		want := s.User.Get(f)
		if d.opts.Ignore[f] || want == "" {
			continue
		}
		if d.opts.UpdateMode == UpdateOverwrite {
			out = append(out, f)
			continue
		}
		have, source := t.User.Get(f), SourceWeCom
		if f == directory.FieldMobile && t.Activated && slices.Contains(t.Readable, f) && !directory.Equal(f, want, have) {
			d.mobilesKept++ // WeCom keeps an activated member's number: writing it would change nothing
			continue
		}
		if !slices.Contains(t.Readable, f) {
			snap := d.in.Snapshot.Users[t.key] // WeCom hides the field or refused the read
			have, source = snap.User.Get(f), SourceSnapshot
			if have == "" {
				source = SourceNone
			}
		}
		d.p.Sources[source]++
		if source == SourceNone || !directory.Equal(f, want, have) {
			out = append(out, f)
		}
	}
	return out
}

// moved reports whether the member's WeCom departments differ from the wanted ones (main first):
// the set from user/list_id, the main one from WeCom where readable, else from the snapshot.
func (d *downstream) moved(want []int, t *member) bool {
	have := t.Departments
	mainKnown := t.MainKnown
	if !mainKnown {
		if snap := d.in.Snapshot.Users[t.key]; len(snap.Departments) > 0 && sameSet(snap.Departments, have) {
			have, mainKnown = snap.Departments, true
		}
	}
	return !directory.SameDepartments(itoa(want), itoa(have), mainKnown)
}

func sameSet(a, b []int) bool {
	return directory.SameDepartments(itoa(a), itoa(b), false)
}

func itoa(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.Itoa(id)
	}
	return out
}

// writeBackUser plans the user's WeCom ids into Authing when they differ from what it holds.
func (d *downstream) writeBackUser(s SourceUser, userID string, deps []int) {
	data := map[string]string{}
	if s.UserID != userID {
		data["wechatwork_user_id"] = userID
	}
	ids := joinInts(deps)
	if s.WeComDepartmentIDs != ids {
		data["wechatwork_department_ids"] = ids
	}
	if len(data) > 0 { // both keys: whether Authing merges or replaces customData is unconfirmed
		data["wechatwork_user_id"], data["wechatwork_department_ids"] = userID, ids
		d.p.WriteBacks = append(d.p.WriteBacks, WriteBack{Object: ObjectUser, AuthingID: s.AuthingID, Key: userID, Data: data})
		d.p.Counts.UsersWriteBack++
	}
}

func joinInts(ids []int) string {
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(b)
}

// planRemovals plans what happens to WeCom members below the root that no Authing user is: nothing,
// disable or delete. A member with a department outside the root, or whose userid an Authing user
// outside the organization carries, is left alone.
func (d *downstream) planRemovals() {
	if d.opts.DeleteMode == DeleteNone {
		return
	}
	var ids []string
	for _, t := range d.members {
		if d.claimedUser[t.key] || d.knownUserIDs[t.key] || !d.inScope(t.Departments) {
			continue
		}
		if d.opts.DeleteMode == DeleteDisable && d.disabled(t) {
			continue // disabled already
		}
		ids = append(ids, t.UserID)
	}
	sort.Slice(ids, func(i, j int) bool { return key(ids[i]) < key(ids[j]) })
	for _, id := range ids {
		d.p.UserRemovals = append(d.p.UserRemovals, UserRemoval{UserID: id, Action: d.opts.DeleteMode})
	}
	if d.opts.DeleteMode == DeleteDelete {
		d.p.Counts.UsersDelete = len(ids)
	} else {
		d.p.Counts.UsersDisable = len(ids)
	}
}

// disabled reports whether the member is disabled: as WeCom says, else as the last run left it.
func (d *downstream) disabled(t member) bool {
	if slices.Contains(t.Readable, directory.FieldStatus) {
		return t.User.Status == directory.StatusDisabled
	}
	return d.in.Snapshot.Users[t.key].User.Status == directory.StatusDisabled
}

// planDepartmentDeletes plans, with deleteMode delete, the deletion of WeCom departments below the
// root that no Authing department is, children first, and only those left empty by this run.
func (d *downstream) planDepartmentDeletes() {
	if d.opts.DeleteMode != DeleteDelete {
		return
	}
	removed := map[string]bool{}
	for _, r := range d.p.UserRemovals {
		removed[key(r.UserID)] = true
	}
	movedAway := map[string][]int{} // userid key → departments it will be in
	for _, w := range d.p.UserUpdates {
		if w.Departments != nil {
			movedAway[key(w.UserID)] = w.Departments
		}
	}
	headcount := map[int]int{} // department id → members after the run
	for _, t := range d.members {
		if removed[t.key] {
			continue
		}
		deps := t.Departments
		if after, ok := movedAway[t.key]; ok {
			deps = after
		}
		for _, id := range deps {
			headcount[id]++
		}
	}
	newParent := map[int]int{}
	for _, w := range d.p.DepartmentUpdates {
		if w.Move {
			newParent[w.ID] = w.ParentID
		}
	}
	var deletable func(id int) bool
	deletable = func(id int) bool {
		if d.claimedDept[id] || d.keptTree[id] || headcount[id] > 0 {
			return false
		}
		for _, c := range d.tgtChildren[id] {
			if p, moves := newParent[c]; moves && p != id {
				continue // moves away before the deletes
			}
			if !deletable(c) {
				return false
			}
		}
		return true
	}
	var walk func(id int, path string)
	walk = func(id int, path string) {
		for _, c := range d.tgtChildren[id] {
			if d.keptTree[c] {
				continue
			}
			name := d.departmentName(c)
			p := directory.JoinPath(append(nonEmpty(path), cmp.Or(name, strconv.Itoa(c)))...)
			walk(c, p) // children first
			if !d.claimedDept[c] && deletable(c) {
				d.p.DepartmentDeletes = append(d.p.DepartmentDeletes, DepartmentWrite{Path: p, ID: c})
			}
		}
	}
	walk(d.opts.RootID, RootPath)
	d.p.Counts.DepartmentsDelete = len(d.p.DepartmentDeletes)
}

// nextSnapshot is what WeCom holds after the run when every write lands: the previous snapshot,
// what WeCom showed, and what the run writes; unchanged when that is the previous snapshot.
func (d *downstream) nextSnapshot() (next Snapshot, unchanged bool) {
	next = Snapshot{Users: make(map[string]SnapshotUser, len(d.members)), Departments: maps.Clone(d.in.Snapshot.Departments)}
	if next.Departments == nil {
		next.Departments = map[int]string{}
	}
	for id, t := range d.tgt {
		if t.Name != "" {
			next.Departments[id] = t.Name
		}
	}
	for _, w := range append(slices.Clone(d.p.DepartmentCreates), d.p.DepartmentUpdates...) {
		next.Departments[w.ID] = w.Name
	}
	for _, w := range d.p.DepartmentDeletes {
		delete(next.Departments, w.ID)
	}
	unchanged = maps.Equal(next.Departments, d.in.Snapshot.Departments)
	for _, t := range d.members {
		k := t.key
		old, known := d.in.Snapshot.Users[k]
		su := old
		for _, f := range t.Readable {
			su.User.Set(f, t.User.Get(f))
		}
		su.User.UserID = t.UserID
		if t.MainKnown || len(su.Departments) == 0 || !sameSet(su.Departments, t.Departments) {
			su.Departments = t.Departments
		}
		next.Users[k] = su
		unchanged = unchanged && known && su.equal(old)
	}
	unchanged = unchanged && len(next.Users) == len(d.in.Snapshot.Users) && // no entry of a member gone
		len(d.p.UserCreates)+len(d.p.UserUpdates)+len(d.p.UserRemovals) == 0
	for _, w := range append(slices.Clone(d.p.UserCreates), d.p.UserUpdates...) {
		k := key(w.UserID)
		su := next.Users[k]
		su.User.UserID = w.UserID
		for _, f := range w.Fields {
			su.User.Set(f, w.User.Get(f))
		}
		if w.Departments != nil {
			su.Departments = w.Departments
		}
		next.Users[k] = su
	}
	for _, r := range d.p.UserRemovals {
		if r.Action == DeleteDelete {
			delete(next.Users, key(r.UserID))
			continue
		}
		su := next.Users[key(r.UserID)]
		su.User.Status = directory.StatusDisabled
		next.Users[key(r.UserID)] = su
	}
	return next, unchanged
}
