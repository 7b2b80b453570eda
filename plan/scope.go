package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wecomsync/wecomsync/directory"
)

// Scope sources.
const (
	ScopeInput    = "input"    // the run's scope input
	ScopeInferred = "inferred" // InferScope
)

// Scope is where delete-only may delete: the whole organization, or the subtrees of some
// departments (paths below the organization root).
type Scope struct {
	Whole  bool     `json:"whole"`
	Paths  []string `json:"paths,omitempty"`
	Source string   `json:"source"`
}

// Contains reports whether the department at path lies inside the scope.
func (s Scope) Contains(path string) bool {
	if s.Whole {
		return true
	}
	for p := path; ; p = directory.Parent(p) {
		if _, ok := slices.BinarySearch(s.Paths, p); ok {
			return true
		}
		if p == RootPath {
			return false
		}
	}
}

// String describes the scope for plans and reports.
func (s Scope) String() string {
	if s.Whole {
		return "the whole organization (" + s.Source + ")"
	}
	if len(s.Paths) == 0 {
		return "no department (" + s.Source + ")"
	}
	shown := s.Paths[:min(len(s.Paths), 10)]
	more := ""
	if len(s.Paths) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(s.Paths)-len(shown))
	}
	return fmt.Sprintf("%d department subtree(s) (%s): %s%s", len(s.Paths), s.Source, strings.Join(shown, ", "), more)
}

// InferScope returns what an export is an export of. The console exports the members of the
// selected departments and of everything below them, and lists each member with all of their
// departments — also those outside the selection. So only a member with a single department
// proves something: that department lies inside the selection, and with it its whole subtree.
// Members with several departments prove nothing (any one of them may be the reason they are
// listed), so a secondary or a main department elsewhere never widens the scope. The scope is
// the union of the proven subtrees; a member directly (and only) under the company proves the
// whole organization.
func InferScope(desired []DesiredUser) Scope {
	proven := map[string]bool{}
	for _, d := range desired {
		if len(d.User.Departments) == 1 {
			proven[d.User.Departments[0]] = true
		}
	}
	if proven[RootPath] {
		return Scope{Whole: true, Source: ScopeInferred}
	}
	return Scope{Paths: outermost(proven), Source: ScopeInferred}
}

// outermost returns the paths of set that no other path of set lies above, sorted.
func outermost(set map[string]bool) []string {
	var out []string
	for p := range set {
		covered := false
		for q := directory.Parent(p); q != RootPath; q = directory.Parent(q) {
			if set[q] {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// ParseScope reads the scope input: department paths below the organization root, written with
// "/" between names ("研发中心/后端组"), or "/" for the whole organization. A leading company name
// (one of topLevel, the export's top-level departments that map to the organization root) is
// dropped, so paths may be copied from the export's 部门 column too. known reports whether a
// path names a department (in Authing or in the file); unknown paths are an error.
func ParseScope(paths []string, topLevel []string, known func(string) bool) (Scope, error) {
	set := map[string]bool{}
	for _, raw := range paths {
		p := strings.TrimSpace(raw)
		if p == "/" || p == "" {
			return Scope{Whole: true, Source: ScopeInput}, nil
		}
		var segs []string
		for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
			if s = strings.TrimSpace(s); s == "" {
				return Scope{}, fmt.Errorf("scope %q: empty department name in the path", raw)
			}
			segs = append(segs, s)
		}
		if len(segs) > 0 && slices.Contains(topLevel, segs[0]) && !known(directory.JoinPath(segs...)) {
			segs = segs[1:]
		}
		if len(segs) == 0 {
			return Scope{Whole: true, Source: ScopeInput}, nil
		}
		path := directory.JoinPath(segs...)
		if !known(path) {
			return Scope{}, fmt.Errorf("scope %q: no such department in the organization or the file (write paths below the organization root, e.g. \"研发中心/后端组\", or \"/\" for the whole organization)", raw)
		}
		set[path] = true
	}
	return Scope{Paths: outermost(set), Source: ScopeInput}, nil
}
