package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wecomsync/wecomsync/mapping"
)

// Input is everything a plan is computed from.
type Input struct {
	Desired []DesiredUser
	// Present are userids that stand in the file on rows that were rejected: they are never deleted.
	Present []string
	Current []CurrentUser
	Tree    *Tree
	Options Options
}

// Compute returns the plan that brings Authing in line with the file. The order is deterministic:
// departments parents first (by depth, then path), user creates and changes in file order, deletes
// by userid.
func Compute(in Input) (*Plan, error) {
	if in.Tree == nil {
		return nil, fmt.Errorf("plan: no department tree")
	}
	switch in.Options.Mode {
	case ModeCreateUpdate:
		return createUpdate(in), nil
	case ModeDeleteOnly:
		return deleteOnly(in)
	}
	return nil, fmt.Errorf("plan: unknown mode %q (want %q or %q)", in.Options.Mode, ModeCreateUpdate, ModeDeleteOnly)
}

func key(userID string) string { return strings.ToLower(userID) }

func indexCurrent(cur []CurrentUser) map[string]*CurrentUser {
	m := make(map[string]*CurrentUser, len(cur))
	for i := range cur {
		if k := key(cur[i].Profile.WeComUserID); k != "" {
			if _, dup := m[k]; !dup {
				m[k] = &cur[i]
			}
		}
	}
	return m
}

func createUpdate(in Input) *Plan {
	p := &Plan{OwnedUsers: len(in.Current)}
	p.DepartmentCreates = missingDepartments(in.Desired, in.Tree)
	p.Counts.DepartmentsCreate = len(p.DepartmentCreates)
	current := indexCurrent(in.Current)
	for _, d := range in.Desired {
		cur, ok := current[key(d.Profile.WeComUserID)]
		if !ok {
			p.UserCreates = append(p.UserCreates, UserCreate(d))
			continue
		}
		ch := UserChange{AuthingID: cur.AuthingID, UserID: d.Profile.WeComUserID, Sheet: d.Sheet, Row: d.Row}
		ch.Fields = mapping.Changes(d.Profile, cur.Profile, in.Options.IgnoreFields)
		if len(d.Departments) > 0 {
			have, keep := splitMemberships(cur.DepartmentIDs, in.Tree)
			if !samePaths(d.Departments, have) || !sameMain(d.Departments[0], cur.MainDepartmentID, in.Tree) {
				ch.Departments = d.Departments
				ch.KeepDepartmentIDs = keep
			}
		}
		switch {
		case ch.Fields == nil && ch.Departments == nil:
			p.Counts.UsersUnchanged++
			continue
		case ch.Fields != nil:
			p.Counts.UsersUpdate++
		}
		if ch.Departments != nil {
			p.Counts.UsersMembership++
		}
		p.UserChanges = append(p.UserChanges, ch)
	}
	p.Counts.UsersCreate = len(p.UserCreates)
	return p
}

// missingDepartments returns the departments the desired users need (with their ancestors) that
// the tree lacks, parents first.
func missingDepartments(desired []DesiredUser, tree *Tree) []DepartmentCreate {
	need := map[string]bool{}
	for _, d := range desired {
		for _, path := range d.Departments {
			for p := path; p != RootPath && !need[p]; p = Parent(p) {
				if _, ok := tree.ID(p); ok {
					break
				}
				need[p] = true
			}
		}
	}
	out := make([]DepartmentCreate, 0, len(need))
	for p := range need {
		out = append(out, DepartmentCreate{Path: p, Parent: Parent(p), Name: Base(p)})
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := Depth(out[i].Path), Depth(out[j].Path)
		if di != dj {
			return di < dj
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// splitMemberships resolves a user's department ids into paths of this organization (have) and the
// ids of departments outside it (keep).
func splitMemberships(ids []string, tree *Tree) (have []string, keep []string) {
	for _, id := range ids {
		if p, ok := tree.Path(id); ok {
			have = append(have, p)
		} else {
			keep = append(keep, id)
		}
	}
	return have, keep
}

func samePaths(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := make(map[string]bool, len(a))
	for _, p := range a {
		set[p] = true
	}
	for _, p := range b {
		if !set[p] {
			return false
		}
	}
	return true
}

// sameMain reports whether the user's main department in Authing is the file's main department.
// Authing may not report a main department (mainID empty): then only the set is compared.
func sameMain(main, mainID string, tree *Tree) bool {
	if mainID == "" {
		return true
	}
	p, ok := tree.Path(mainID)
	return !ok || p == main
}

func deleteOnly(in Input) (*Plan, error) {
	action := in.Options.DeleteAction
	if action == "" {
		action = DeleteActionDelete
	}
	if action != DeleteActionDelete && action != DeleteActionSuspend {
		return nil, fmt.Errorf("plan: unknown delete action %q (want %q or %q)", action, DeleteActionDelete, DeleteActionSuspend)
	}
	p := &Plan{OwnedUsers: len(in.Current)}
	inFile := make(map[string]bool, len(in.Desired)+len(in.Present))
	covered := map[string]bool{}
	for _, d := range in.Desired {
		inFile[key(d.Profile.WeComUserID)] = true
		// Only main departments define the scope: a member's secondary department elsewhere in
		// the company must not bring that department's users into an export of one department.
		if len(d.Departments) > 0 {
			covered[d.Departments[0]] = true
		}
	}
	for _, id := range in.Present {
		inFile[key(id)] = true
	}
	for _, cur := range in.Current {
		k := key(cur.Profile.WeComUserID)
		if k == "" || inFile[k] || !inScope(cur, in.Tree, covered) {
			continue
		}
		if action == DeleteActionSuspend && cur.Profile.Status == mapping.StatusSuspended {
			p.Counts.UsersUnchanged++
			continue
		}
		p.UserDeletes = append(p.UserDeletes, UserDelete{AuthingID: cur.AuthingID, UserID: cur.Profile.WeComUserID, Action: action})
	}
	sort.Slice(p.UserDeletes, func(i, j int) bool { return key(p.UserDeletes[i].UserID) < key(p.UserDeletes[j].UserID) })
	if action == DeleteActionDelete {
		p.Counts.UsersDelete = len(p.UserDeletes)
	} else {
		p.Counts.UsersSuspend = len(p.UserDeletes)
	}
	return p, nil
}

// inScope reports whether a user absent from the file may be deleted: every one of its departments
// in this organization lies inside a department the file covers (the main department of a member
// of the file, or below it). A user with memberships only outside the organization is out of scope;
// one with no membership at all is in scope only when the file covers the root.
func inScope(u CurrentUser, tree *Tree, covered map[string]bool) bool {
	have, keep := splitMemberships(u.DepartmentIDs, tree)
	if len(have) == 0 {
		return len(keep) == 0 && covered[RootPath]
	}
	for _, path := range have {
		if !coveredPath(path, covered) {
			return false
		}
	}
	return true
}

func coveredPath(path string, covered map[string]bool) bool {
	for p := path; ; p = Parent(p) {
		if covered[p] {
			return true
		}
		if p == RootPath {
			return false
		}
	}
}
