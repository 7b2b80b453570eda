package plan

import "fmt"

// Limits are the safety thresholds above which a run waits for a person's approval (DESIGN.md §2).
// A zero field means the default; a negative one disables that check.
type Limits struct {
	// MaxDeletes is the largest number of user deletions (or suspensions) applied without approval.
	MaxDeletes int `json:"maxDeletes,omitempty"`
	// MaxDeletePercent is the largest share of the owned users deleted without approval.
	MaxDeletePercent float64 `json:"maxDeletePercent,omitempty"`
	// MinFileRatio: a file with fewer valid members than this share of the last successful run's
	// file needs approval (a truncated or filtered export looks like mass departure).
	MinFileRatio float64 `json:"minFileRatio,omitempty"`
	// MaxDepartmentDeletes and MaxDepartmentDeletePercent are the same thresholds for departments
	// (downstream runs delete empty WeCom departments).
	MaxDepartmentDeletes       int     `json:"maxDepartmentDeletes,omitempty"`
	MaxDepartmentDeletePercent float64 `json:"maxDepartmentDeletePercent,omitempty"`
}

// Default thresholds.
const (
	DefaultMaxDeletes       = 50
	DefaultMaxDeletePercent = 10
	DefaultMinFileRatio     = 0.5
)

// WithDefaults fills zero fields with the defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxDeletes == 0 {
		l.MaxDeletes = DefaultMaxDeletes
	}
	if l.MaxDeletePercent == 0 {
		l.MaxDeletePercent = DefaultMaxDeletePercent
	}
	if l.MinFileRatio == 0 {
		l.MinFileRatio = DefaultMinFileRatio
	}
	if l.MaxDepartmentDeletes == 0 {
		l.MaxDepartmentDeletes = DefaultMaxDeletes
	}
	if l.MaxDepartmentDeletePercent == 0 {
		l.MaxDepartmentDeletePercent = DefaultMaxDeletePercent
	}
	return l
}

// Check returns why a plan needs approval (nil when it does not). base is the number of synced
// users the deletions are a share of (every user the sync owns); members is the number of
// valid members in this file; lastMembers that of the last successful run (0 when unknown or not
// comparable).
func (l Limits) Check(c Counts, base, members, lastMembers int) []string {
	l = l.WithDefaults()
	var why []string
	why = append(why, overLimit("users", "deleted, suspended or disabled", c.Deletes(), base, l.MaxDeletes, l.MaxDeletePercent)...)
	if l.MinFileRatio >= 0 && lastMembers > 0 && float64(members) < float64(lastMembers)*l.MinFileRatio {
		why = append(why, fmt.Sprintf("the file has %d valid members, less than %.0f%% of the %d in the last successful run", members, l.MinFileRatio*100, lastMembers))
	}
	return why
}

// CheckDepartments returns why a plan's department deletions need approval; base is the number of
// departments they are a share of.
func (l Limits) CheckDepartments(c Counts, base int) []string {
	l = l.WithDefaults()
	return overLimit("departments", "deleted", c.DepartmentsDelete, base, l.MaxDepartmentDeletes, l.MaxDepartmentDeletePercent)
}

// overLimit checks n removals of objects against an absolute and a percentage limit (negative =
// off).
func overLimit(objects, action string, n, base, maxN int, maxPercent float64) []string {
	var why []string
	if maxN >= 0 && n > maxN {
		why = append(why, fmt.Sprintf("%d %s would be %s, more than the limit of %d", n, objects, action, maxN))
	}
	if maxPercent >= 0 && base > 0 && n > 0 {
		if pct := float64(n) * 100 / float64(base); pct > maxPercent {
			why = append(why, fmt.Sprintf("%d of %d %s (%.1f%%) would be %s, more than the limit of %.1f%%", n, base, objects, pct, action, maxPercent))
		}
	}
	return why
}
