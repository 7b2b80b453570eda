package exportgen

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// Edit asks for changes to a company, as an admin would make them between two exports.
type Edit struct {
	Rename int   // users whose 姓名 and 别名 change
	Move   int   // users whose main department changes to another existing department
	Add    int   // new users, appended after the existing members
	Remove int   // users dropped
	Seed   int64 // picks the users and the new values
}

// EditLog lists the userids changed by Edited, per kind, sorted.
type EditLog struct {
	Renamed, Moved, Added, Removed []string
}

// Edited returns a copy of c with e applied, rows renumbered and the bad rows' expected rejects
// recomputed, and what changed. The renamed, moved and removed users are distinct, and never the
// target of a duplicate bad row (so every bad row stays bad). When c has too few members, fewer
// users are changed; the log says which.
func (c Company) Edited(e Edit) (Company, EditLog) {
	r := rand.New(rand.NewPCG(uint64(e.Seed), 0x2545f4914f6cdd1d))
	v := newVocab()
	out := Company{Name: c.Name, HeaderRow: c.HeaderRow, Departments: clonePaths(c.Departments)}
	out.Members = make([]wecomexport.Member, len(c.Members))
	for i, m := range c.Members {
		m.Departments = clonePaths(m.Departments)
		out.Members[i] = m
	}
	out.BadRows = slices.Clone(c.BadRows)

	protected := make(map[string]bool)
	for _, b := range c.BadRows {
		if b.Kind == KindDuplicate {
			protected[strings.ToLower(b.DuplicateOf)] = true
		}
	}
	var pool []int
	for _, i := range r.Perm(len(out.Members)) {
		if !protected[strings.ToLower(out.Members[i].UserID)] {
			pool = append(pool, i)
		}
	}
	take := func(n int) []int {
		n = min(n, len(pool))
		picked := pool[:n]
		pool = pool[n:]
		return picked
	}
	var log EditLog
	removed := make(map[int]bool)
	for _, i := range take(e.Remove) {
		removed[i] = true
		log.Removed = append(log.Removed, out.Members[i].UserID)
	}
	g := newPersonGen(r, v, "", false)
	for _, i := range take(e.Rename) {
		m := &out.Members[i]
		for {
			name, _, alias := g.name()
			if alias == "" {
				alias = v.english[r.IntN(len(v.english))]
			}
			if name != m.Name && alias != m.Alias {
				m.Name, m.Alias = name, alias
				break
			}
		}
		log.Renamed = append(log.Renamed, m.UserID)
	}
	for _, i := range take(e.Move) {
		m := &out.Members[i]
		var choices [][]string
		for _, d := range out.Departments {
			if !hasPath(m.Departments, d) {
				choices = append(choices, d)
			}
		}
		if len(choices) == 0 {
			continue
		}
		d := choices[r.IntN(len(choices))]
		if len(m.Departments) == 0 {
			m.Departments = [][]string{d}
		} else {
			m.Departments[0] = d
		}
		log.Moved = append(log.Moved, m.UserID)
	}
	kept := out.Members[:0:0]
	for i, m := range out.Members {
		if !removed[i] {
			kept = append(kept, m)
		}
	}
	out.Members = kept
	out.Members = append(out.Members, c.added(g, e.Add, &log)...)
	out.layout()
	for _, l := range [][]string{log.Renamed, log.Moved, log.Added, log.Removed} {
		slices.Sort(l)
	}
	return out, log
}

// added draws n new members whose userids, mobiles and emails clash with nobody in c.
func (c Company) added(g *personGen, n int, log *EditLog) []wecomexport.Member {
	if n <= 0 {
		return nil
	}
	taken := make(map[string]bool)
	clashes := func(m wecomexport.Member) bool {
		for _, k := range uniqueKeys(m) {
			if taken[k] {
				return true
			}
		}
		return false
	}
	mark := func(m wecomexport.Member) {
		for _, k := range uniqueKeys(m) {
			taken[k] = true
		}
		if strings.HasPrefix(m.Mobile, "+") {
			g.numericPhones = false
		}
		g.sheet = m.Sheet
	}
	g.numericPhones = true // unless c has a "+86 …" mobile
	for _, m := range c.Members {
		mark(m)
	}
	for _, b := range c.BadRows {
		mark(b.Cells)
	}
	leaves := c.Departments
	if len(leaves) > 1 {
		leaves = leaves[1:]
	}
	var out []wecomexport.Member
	for i := len(c.Members) + len(c.BadRows) + 1; len(out) < n; i++ {
		m := g.person(i, [][]string{g.department(c.Departments, leaves)})
		if clashes(m) {
			continue
		}
		mark(m)
		out = append(out, m)
		log.Added = append(log.Added, m.UserID)
	}
	return out
}

// uniqueKeys are the values that must be unique among members: userid (case-insensitively),
// mobile and emails.
func uniqueKeys(m wecomexport.Member) []string {
	keys := []string{"id:" + strings.ToLower(m.UserID), "mobile:" + mobileDigits(m.Mobile)}
	for _, mail := range []string{m.Email, m.BizMail} {
		if mail != "" {
			keys = append(keys, "mail:"+strings.ToLower(mail))
		}
	}
	return keys
}

func mobileDigits(m string) string {
	return strings.TrimPrefix(strings.ReplaceAll(m, " ", ""), "+86")
}

func clonePaths(paths [][]string) [][]string {
	if paths == nil {
		return nil
	}
	out := make([][]string, len(paths))
	for i, p := range paths {
		out[i] = slices.Clone(p)
	}
	return out
}
