package directory

import (
	"fmt"
	"sort"
	"strings"
)

// RootPath is the path of the organization root.
const RootPath = ""

// Department is one department of a tree: its id in its own system, its parent's id and its name.
type Department struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId"`
	Name     string `json:"name"`
}

// PathSeparator joins department names into a path, as the export's 部门 column does.
const PathSeparator = "/"

// JoinPath joins department names into a path below the organization root.
func JoinPath(names ...string) string { return strings.Join(names, PathSeparator) }

// Parent returns the path of the parent of p (RootPath for a top-level department).
func Parent(p string) string {
	if i := strings.LastIndex(p, PathSeparator); i >= 0 {
		return p[:i]
	}
	return RootPath
}

// Base returns the last name of p.
func Base(p string) string { return p[strings.LastIndex(p, PathSeparator)+1:] }

// Depth is the number of names in p (0 for the root).
func Depth(p string) int {
	if p == RootPath {
		return 0
	}
	return strings.Count(p, PathSeparator) + 1
}

// Tree indexes one organization's departments by id and by path.
type Tree struct {
	RootID   string
	pathByID map[string]string
	idByPath map[string]string
	// Problems lists departments that could not be placed (a parent outside the tree, a cycle, or
	// a sibling with the same name); they are left out of the index.
	Problems []string
}

// NewTree builds the tree of an organization whose root department has id rootID. Departments
// whose parent is rootID, "root" or empty are top-level; the root itself may be in deps or not.
func NewTree(rootID string, deps []Department) *Tree {
	t := &Tree{
		RootID:   rootID,
		pathByID: map[string]string{rootID: RootPath, "root": RootPath}, // "root" addresses the root too
		idByPath: map[string]string{RootPath: rootID},
	}
	byID := make(map[string]Department, len(deps))
	for _, d := range deps {
		if d.ID != rootID {
			byID[d.ID] = d
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids) // a stable winner when two siblings share a name
	var resolve func(id string, seen map[string]bool) (string, bool)
	resolve = func(id string, seen map[string]bool) (string, bool) {
		if p, ok := t.pathByID[id]; ok {
			return p, true
		}
		d, ok := byID[id]
		if !ok || seen[id] {
			return "", false
		}
		seen[id] = true
		parent := RootPath
		if d.ParentID != "" && d.ParentID != "root" && d.ParentID != rootID {
			pp, ok := resolve(d.ParentID, seen)
			if !ok {
				return "", false
			}
			parent = pp
		}
		p := d.Name
		if parent != RootPath {
			p = parent + PathSeparator + d.Name
		}
		if other, dup := t.idByPath[p]; dup && other != id {
			return "", false
		}
		t.pathByID[id] = p
		t.idByPath[p] = id
		return p, true
	}
	for _, id := range ids {
		if _, ok := resolve(id, map[string]bool{}); !ok {
			d := byID[id]
			t.Problems = append(t.Problems, fmt.Sprintf("department %s (%q, parent %s) has no unique path under the organization root", id, d.Name, d.ParentID))
		}
	}
	return t
}

// ID returns the Authing id of the department at path p.
func (t *Tree) ID(p string) (string, bool) {
	id, ok := t.idByPath[p]
	return id, ok
}

// Path returns the path of the department with Authing id id.
func (t *Tree) Path(id string) (string, bool) {
	p, ok := t.pathByID[id]
	return p, ok
}

// Len is the number of departments in the tree, the root included.
func (t *Tree) Len() int { return len(t.idByPath) }

// Paths returns every path in the tree mapped to its id (a copy).
func (t *Tree) Paths() map[string]string {
	out := make(map[string]string, len(t.idByPath))
	for p, id := range t.idByPath {
		out[p] = id
	}
	return out
}
