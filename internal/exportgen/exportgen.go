// Package exportgen generates realistic, deterministic WeCom console contact exports (.xlsx) together
// with the result wecomexport.Parse must produce for them: the valid members with their row numbers
// and the rejects of deliberately bad rows. Tests, benchmarks, cmd/genexport and the samples in
// testdata/exports use it.
//
// The generated layout follows the project's reference/wecom-api.md §8.1: sheet 成员列表, a notice
// block of nine merged rows titled 填写须知：, the 15-column header on row 10, data from row 11.
//
// This package must not be used by production code paths, must not read files or the network, and
// must not depend on anything but the seed: the same Spec always gives the same Company.
package exportgen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// Defaults applied by NewSpec and, for zero fields, by Generate.
const (
	DefaultCompany        = "星河科技"
	DefaultSheet          = "成员列表"
	DefaultDepth          = 4
	DefaultMultiDeptRatio = 0.1
	DefaultDeptSeparator  = "；"
)

// Spec describes the export to generate. Zero fields take the defaults above, except the booleans:
// build a Spec with NewSpec to get NoticeBlock true.
type Spec struct {
	Company     string // top-level department, the first segment of every path; default 星河科技
	Users       int    // valid members
	Departments int    // departments below the company node
	Depth       int    // most levels below the company; default 4
	// MultiDeptRatio is the share of users in 2–3 departments (exactly round(ratio × Users) users);
	// 0 means the default 0.1, a negative value means none.
	MultiDeptRatio float64
	Seed           int64
	NoticeBlock    bool   // the 填写须知： block above the header (header on row 10, else on row 1)
	LabelVariants  bool   // header labels 帐号, 英文名, 个人邮箱 instead of 账号, 别名, 邮箱
	BadRows        int    // rows appended after the members, one reject kind each, round-robin
	NumericPhones  bool   // mobiles as numeric cells (and so without the "+86 " form)
	Sheet          string // default 成员列表
	DeptSeparator  string // between a user's departments; default full-width "；" (ASCII ";" also parses)
}

// NewSpec returns a Spec with the defaults filled in and a notice block.
func NewSpec(users, departments int, seed int64) Spec {
	return Spec{Users: users, Departments: departments, Seed: seed, NoticeBlock: true}.withDefaults()
}

func (s Spec) withDefaults() Spec {
	if s.Company == "" {
		s.Company = DefaultCompany
	}
	if s.Depth <= 0 {
		s.Depth = DefaultDepth
	}
	if s.MultiDeptRatio == 0 {
		s.MultiDeptRatio = DefaultMultiDeptRatio
	}
	if s.Sheet == "" {
		s.Sheet = DefaultSheet
	}
	if s.DeptSeparator == "" {
		s.DeptSeparator = DefaultDeptSeparator
	}
	return s
}

// headerRow is the Excel row of the header.
func (s Spec) headerRow() int {
	if s.NoticeBlock {
		return noticeRows + 1
	}
	return 1
}

// RejectKind is the rule a bad row breaks.
type RejectKind int

// The reject kinds, in the round-robin order Generate appends them.
const (
	KindMissingUserID RejectKind = iota + 1
	KindMissingName
	KindInvalidUserID
	KindEmptySegment
	KindDuplicate
)

// rejectKinds lists every kind in round-robin order.
func rejectKinds() []RejectKind {
	return []RejectKind{KindMissingUserID, KindMissingName, KindInvalidUserID, KindEmptySegment, KindDuplicate}
}

// String names the kind.
func (k RejectKind) String() string {
	switch k {
	case KindMissingUserID:
		return "missing-userid"
	case KindMissingName:
		return "missing-name"
	case KindInvalidUserID:
		return "invalid-userid"
	case KindEmptySegment:
		return "empty-segment"
	case KindDuplicate:
		return "duplicate"
	}
	return "unknown"
}

// ExpectedReject is one bad row: what is written and what Parse must report for it.
type ExpectedReject struct {
	Kind RejectKind
	// Cells is the row as written. Departments may hold an empty segment (written as `A//B`).
	Cells wecomexport.Member
	// Reject is what Parse reports; File is left empty for the caller to fill in.
	Reject wecomexport.Reject
	// DuplicateOf is, for KindDuplicate, the userid of the earlier valid member it repeats.
	DuplicateOf string
}

// Company is a generated directory and the expected parse result of its export.
type Company struct {
	Name string
	// HeaderRow is the Excel row of the header; the data rows follow it.
	HeaderRow int
	// Departments holds every department path, the company node first and parents before children.
	Departments [][]string
	// Members are the valid rows, exactly as wecomexport.Parse returns them (row numbers included).
	Members []wecomexport.Member
	// BadRows follow the members in the sheet.
	BadRows []ExpectedReject
}

// Generate builds the model of an export. It is pure and deterministic in spec.
func Generate(spec Spec) Company {
	spec = spec.withDefaults()
	v := newVocab()
	r := rand.New(rand.NewPCG(uint64(spec.Seed), 0x9e3779b97f4a7c15))
	c := Company{Name: spec.Company, HeaderRow: spec.headerRow(), Departments: departmentTree(r, v, spec)}
	g := newPersonGen(r, v, spec.Sheet, spec.NumericPhones)
	leaves := c.Departments[1:]
	if len(leaves) == 0 {
		leaves = c.Departments
	}
	c.Members = make([]wecomexport.Member, spec.Users)
	for i := range c.Members {
		c.Members[i] = g.person(i+1, [][]string{g.department(c.Departments, leaves)})
	}
	if spec.MultiDeptRatio > 0 && len(leaves) >= 2 {
		n := min(spec.Users, int(math.Round(spec.MultiDeptRatio*float64(spec.Users))))
		for _, i := range r.Perm(spec.Users)[:n] {
			m := &c.Members[i]
			for extra := 1 + r.IntN(2); extra > 0 && len(m.Departments) < len(leaves); {
				if d := leaves[r.IntN(len(leaves))]; !hasPath(m.Departments, d) {
					m.Departments = append(m.Departments, d)
					extra--
				}
			}
		}
	}
	for k := 0; k < spec.BadRows; k++ {
		kinds := rejectKinds()
		c.BadRows = append(c.BadRows, g.badRow(kinds[k%len(kinds)], k/len(kinds), &c, leaves))
	}
	c.layout()
	return c
}

// departmentTree returns the company node and spec.Departments departments below it, parents first.
func departmentTree(r *rand.Rand, v vocab, spec Spec) [][]string {
	type node struct {
		path     []string
		children map[string]bool
	}
	nodes := []*node{{path: []string{spec.Company}, children: map[string]bool{}}}
	// The first departments are top-level (about a third, at most one per top-level name); the rest
	// hang below a random earlier department that is not at the depth limit.
	top := min(spec.Departments, max(1, (spec.Departments+2)/3), len(v.topDepts))
	var parents []int // indices of nodes below the company that may take children
	for k := 0; k < spec.Departments; k++ {
		p := 0
		if k >= top && len(parents) > 0 {
			p = parents[r.IntN(len(parents))]
		}
		parent := nodes[p]
		depth := len(parent.path) // levels below the company of the new node
		names := v.lowDepts
		switch depth {
		case 1:
			names = v.topDepts
		case 2:
			names = v.midDepts
		}
		name := uniqueName(r, names, parent.children)
		parent.children[name] = true
		path := append(append(make([]string, 0, depth+1), parent.path...), name)
		nodes = append(nodes, &node{path: path, children: map[string]bool{}})
		if depth < spec.Depth {
			parents = append(parents, len(nodes)-1)
		}
	}
	out := make([][]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.path
	}
	return out
}

// uniqueName picks a name from names not in taken; when all are taken it numbers one ("一组2").
func uniqueName(r *rand.Rand, names []string, taken map[string]bool) string {
	start := r.IntN(len(names))
	for i := range names {
		if n := names[(start+i)%len(names)]; !taken[n] {
			return n
		}
	}
	for i := 2; ; i++ {
		if n := names[start] + strconv.Itoa(i); !taken[n] {
			return n
		}
	}
}

func hasPath(paths [][]string, p []string) bool {
	for _, q := range paths {
		if samePath(q, p) {
			return true
		}
	}
	return false
}

func samePath(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// layout numbers the rows below the header (members, then bad rows) and computes the rejects.
func (c *Company) layout() {
	first := c.HeaderRow + 1
	byID := make(map[string]*wecomexport.Member, len(c.Members))
	for i := range c.Members {
		c.Members[i].Row = first + i
		byID[strings.ToLower(c.Members[i].UserID)] = &c.Members[i]
	}
	for i := range c.BadRows {
		b := &c.BadRows[i]
		b.Cells.Row = first + len(c.Members) + i
		b.Reject = expectedReject(*b, byID)
	}
}

// expectedReject is what Parse reports for bad row b; byID finds a duplicate's first occurrence.
func expectedReject(b ExpectedReject, byID map[string]*wecomexport.Member) wecomexport.Reject {
	rej := wecomexport.Reject{Sheet: b.Cells.Sheet, Row: b.Cells.Row, UserID: b.Cells.UserID}
	switch b.Kind {
	case KindMissingUserID, KindInvalidUserID:
		rej.Field, rej.Value = wecomexport.FieldUserID, b.Cells.UserID
		if err := wecomexport.CheckUserID(b.Cells.UserID); err != nil {
			rej.Reason = err.Error()
		}
	case KindMissingName:
		rej.Field, rej.Reason = wecomexport.FieldName, wecomexport.ReasonMissingName
	case KindEmptySegment:
		rej.Field, rej.Reason = wecomexport.FieldDepartment, wecomexport.ReasonEmptyPathSegment
		rej.Value = joinDepartments(b.Cells.Departments, DefaultDeptSeparator)
	case KindDuplicate:
		rej.Field, rej.Value = wecomexport.FieldUserID, b.Cells.UserID
		if first, ok := byID[strings.ToLower(b.DuplicateOf)]; ok {
			rej.Reason = wecomexport.DuplicateReason(first.Sheet, first.Row)
		}
	}
	return rej
}

// joinDepartments writes paths as the export does: segments joined by "/", paths by sep.
func joinDepartments(paths [][]string, sep string) string {
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = strings.Join(p, "/")
	}
	return strings.Join(parts, sep)
}
