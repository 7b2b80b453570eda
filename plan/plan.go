package plan

import (
	"fmt"
	"sort"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/mapping"
)

// Input is everything an upstream plan is computed from.
type Input struct {
	Desired []DesiredUser
	// Present are userids that stand in the file on rows that were rejected: they are never deleted.
	Present []string
	// Current are the users of the pool: those the sync owns and the others (adoption candidates).
	Current []CurrentUser
	Tree    *directory.Tree
	// TopLevel are the export's top-level department names (the company), for reading Options.Scope.
	TopLevel []string
	Options  Options
}

// Compute returns the plan that brings Authing in line with the file. The order is deterministic:
// departments parents first (by depth, then path), user creates and changes in file order, deletes
// by userid.
func Compute(in Input) (*Plan, error) {
	if in.Tree == nil {
		return nil, fmt.Errorf("plan: no department tree")
	}
	ignore, err := mapping.ParseIgnoreFields(in.Options.IgnoreFields)
	if err != nil {
		return nil, fmt.Errorf("plan: ignoreFields: %w", err)
	}
	switch in.Options.Mode {
	case ModeCreateUpdate:
		matchBy, err := MatchOrder(in.Options.MatchBy)
		if err != nil {
			return nil, err
		}
		return createUpdate(in, directory.AllFields().Without(ignore), matchBy), nil
	case ModeDeleteOnly:
		return deleteOnly(in)
	}
	return nil, fmt.Errorf("plan: unknown mode %q (want %q or %q)", in.Options.Mode, ModeCreateUpdate, ModeDeleteOnly)
}

// key is the one key a userid is compared under (rejects, matching and deletion alike).
func key(userID string) string { return directory.UserKey(userID) }

func countOwned(cur []CurrentUser) int {
	n := 0
	for _, u := range cur {
		if u.Owned() {
			n++
		}
	}
	return n
}

// memberships resolves a user's department ids into paths of this organization, main first when
// Authing names the main one (mainKnown), and the ids of departments the tree cannot place: another
// organization's, or this one's that have no unique path.
func memberships(u CurrentUser, tree *directory.Tree) (paths []string, mainKnown bool, elsewhere []string) {
	for _, id := range u.DepartmentIDs {
		p, ok := tree.Path(id)
		switch {
		case !ok:
			elsewhere = append(elsewhere, id)
		case id == u.MainDepartmentID:
			paths = append([]string{p}, paths...)
			mainKnown = true
		default:
			paths = append(paths, p)
		}
	}
	return paths, mainKnown, elsewhere
}

func createUpdate(in Input, compare directory.FieldSet, matchBy []string) *Plan {
	p := &Plan{OwnedUsers: countOwned(in.Current)}
	p.DepartmentCreates = missingDepartments(in.Desired, in.Tree)
	p.Counts.DepartmentsCreate = len(p.DepartmentCreates)
	m := newMatcher(in.Current, matchBy)
	adoptions := m.adoptions(in.Desired)
	for _, d := range in.Desired {
		cur, adopt := m.owned[key(d.User.UserID)], adoptions[key(d.User.UserID)]
		switch {
		case cur == nil && adopt.ambiguous != "":
			p.Ambiguous = append(p.Ambiguous, Ambiguous{UserID: d.User.UserID, Sheet: d.Sheet, Row: d.Row, Reason: adopt.ambiguous})
			continue
		case cur == nil && adopt.user == nil:
			p.UserCreates = append(p.UserCreates, UserCreate(d))
			continue
		case cur == nil:
			cur = adopt.user
		}
		ch := change(d, *cur, in.Tree, compare)
		if cur == adopt.user {
			ch.Adopt, ch.AdoptedBy = true, adopt.by
			ch.Fields = mapping.AuthingLink(d.User, directory.Diff(d.User, cur.User, compare))
		}
		switch {
		case ch.Fields == nil && ch.Departments == nil:
			p.Counts.UsersUnchanged++
			continue
		case ch.Adopt:
			p.Counts.UsersAdopt++
		case ch.Fields != nil:
			p.Counts.UsersUpdate++
		}
		if ch.Departments != nil {
			p.Counts.UsersMembership++
		}
		p.UserChanges = append(p.UserChanges, ch)
	}
	p.Counts.UsersCreate = len(p.UserCreates)
	p.Counts.UsersAmbiguous = len(p.Ambiguous)
	return p
}

// change returns what must change for the account cur to match the member d: the differing
// fields, and the memberships when this organization's part of them differs.
func change(d DesiredUser, cur CurrentUser, tree *directory.Tree, compare directory.FieldSet) UserChange {
	ch := UserChange{AuthingID: cur.AuthingID, UserID: d.User.UserID, Sheet: d.Sheet, Row: d.Row}
	ch.Fields = mapping.AuthingFields(d.User, directory.Diff(d.User, cur.User, compare))
	if want := d.User.Departments; len(want) > 0 {
		have, mainKnown, keep := memberships(cur, tree)
		if !directory.SameDepartments(want, have, mainKnown) {
			ch.Departments = want
			ch.KeepDepartmentIDs = keep
		}
	}
	return ch
}

// missingDepartments returns the departments the desired users need (with their ancestors) that
// the tree lacks, parents first.
func missingDepartments(desired []DesiredUser, tree *directory.Tree) []DepartmentCreate {
	need := map[string]bool{}
	for _, d := range desired {
		for _, path := range d.User.Departments {
			for p := path; p != RootPath && !need[p]; p = directory.Parent(p) {
				if _, ok := tree.ID(p); ok {
					break
				}
				need[p] = true
			}
		}
	}
	out := make([]DepartmentCreate, 0, len(need))
	for p := range need {
		out = append(out, DepartmentCreate{Path: p, Parent: directory.Parent(p), Name: directory.Base(p)})
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := directory.Depth(out[i].Path), directory.Depth(out[j].Path)
		if di != dj {
			return di < dj
		}
		return out[i].Path < out[j].Path
	})
	return out
}

func deleteOnly(in Input) (*Plan, error) {
	action := in.Options.DeleteAction
	if action == "" {
		action = DeleteActionDelete
	}
	if action != DeleteActionDelete && action != DeleteActionSuspend {
		return nil, fmt.Errorf("plan: unknown delete action %q (want %q or %q)", action, DeleteActionDelete, DeleteActionSuspend)
	}
	scope, err := deleteScope(in)
	if err != nil {
		return nil, err
	}
	p := &Plan{OwnedUsers: countOwned(in.Current), Scope: &scope}
	present := make(map[string]bool, len(in.Desired)+len(in.Present))
	for _, d := range in.Desired {
		present[key(d.User.UserID)] = true
	}
	for _, id := range in.Present {
		present[key(id)] = true
	}
	for _, cur := range in.Current {
		if !cur.Owned() {
			continue
		}
		paths, _, elsewhere := memberships(cur, in.Tree)
		switch {
		case len(elsewhere) > 0:
			// delete-users-batch removes a person from the whole pool: never for someone who also
			// belongs to another organization or to a department the tree cannot place.
			if !present[key(cur.User.UserID)] {
				p.Kept = append(p.Kept, Kept{AuthingID: cur.AuthingID, UserID: cur.User.UserID, Reason: KeptElsewhere})
			}
			continue
		case !inScope(paths, scope):
			if !present[key(cur.User.UserID)] {
				p.Counts.UsersOutOfScope++
			}
			continue
		}
		p.OwnedInScope++
		switch {
		case present[key(cur.User.UserID)]:
		case action == DeleteActionSuspend && cur.User.Status == directory.StatusDisabled:
			p.Counts.UsersUnchanged++
		default:
			p.UserDeletes = append(p.UserDeletes, UserDelete{AuthingID: cur.AuthingID, UserID: cur.User.UserID, Action: action})
		}
	}
	sort.Slice(p.UserDeletes, func(i, j int) bool { return key(p.UserDeletes[i].UserID) < key(p.UserDeletes[j].UserID) })
	sort.Slice(p.Kept, func(i, j int) bool { return key(p.Kept[i].UserID) < key(p.Kept[j].UserID) })
	if action == DeleteActionDelete {
		p.Counts.UsersDelete = len(p.UserDeletes)
	} else {
		p.Counts.UsersSuspend = len(p.UserDeletes)
	}
	p.Counts.UsersKept = len(p.Kept)
	p.Notes = scopeNotes(scope, p.Counts)
	return p, nil
}

// inScope reports whether a user absent from the file may be deleted: every one of its departments
// lies inside the scope; a user with no department at all only when the scope is the whole
// organization.
func inScope(paths []string, scope Scope) bool {
	if len(paths) == 0 {
		return scope.Whole
	}
	for _, p := range paths {
		if !scope.Contains(p) {
			return false
		}
	}
	return true
}

// deleteScope is the scope input when given, else the scope inferred from the file.
func deleteScope(in Input) (Scope, error) {
	if len(in.Options.Scope) == 0 {
		return InferScope(in.Desired), nil
	}
	inFile := map[string]bool{}
	for _, d := range in.Desired {
		for _, path := range d.User.Departments {
			for p := path; p != RootPath; p = directory.Parent(p) {
				inFile[p] = true
			}
		}
	}
	known := func(p string) bool {
		_, ok := in.Tree.ID(p)
		return ok || inFile[p]
	}
	s, err := ParseScope(in.Options.Scope, in.TopLevel, known)
	if err != nil {
		return s, &InputError{Err: err}
	}
	return s, nil
}

// ScopeNote is the sentence that states a delete scope, in the plan's notes and the starter's report.
func ScopeNote(scope Scope) string { return "delete scope: " + scope.String() }

func scopeNotes(scope Scope, c Counts) []string {
	notes := []string{ScopeNote(scope)}
	if scope.Source == ScopeInferred && !scope.Whole {
		notes = append(notes, "the file is not an export of the whole organization (no member stands directly and only under the company), "+
			"so users directly under the organization, in no department, or in departments outside these subtrees are not deleted; "+
			`set the scope input (e.g. ["/"] for the whole organization) if that is not what you want`)
	}
	if c.UsersOutOfScope > 0 {
		notes = append(notes, fmt.Sprintf("%d synced users absent from the file have a department outside the scope: not deleted", c.UsersOutOfScope))
	}
	if c.UsersKept > 0 {
		notes = append(notes, fmt.Sprintf("%d synced users absent from the file also belong to another organization or to a department the tree cannot place: kept", c.UsersKept))
	}
	return notes
}

// InputError is a problem with the run's options (as opposed to the data): fix them and start again.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }
