package plan

// MemberCounts are a file's members counted by main department, with the part of the
// organization the file proves it lists completely (InferScope). Successive runs merge them into
// the latest known count per department, so that a delete-only run can compare its file with
// earlier files inside its own scope: a partial export of one department is compared with that
// department's earlier count, not with the whole company's.
type MemberCounts struct {
	Scope            Scope          `json:"scope"`
	ByMainDepartment map[string]int `json:"byMainDepartment"`
}

// CountMembers counts the desired users by main department (RootPath for no department).
func CountMembers(desired []DesiredUser) MemberCounts {
	m := MemberCounts{Scope: InferScope(desired), ByMainDepartment: map[string]int{}}
	for _, d := range desired {
		main := RootPath
		if len(d.User.Departments) > 0 {
			main = d.User.Departments[0]
		}
		m.ByMainDepartment[main]++
	}
	return m
}

// InScope is the number of members whose main department lies inside s.
func InScope(byMain map[string]int, s Scope) int {
	n := 0
	for path, c := range byMain {
		if s.Contains(path) {
			n += c
		}
	}
	return n
}

// MergeInto returns last with the counts inside m.Scope replaced by m's: what the file proves
// replaces what earlier files said, the rest is kept.
func (m MemberCounts) MergeInto(last map[string]int) map[string]int {
	out := make(map[string]int, len(last)+len(m.ByMainDepartment))
	for path, c := range last {
		if !(m.Scope.Contains(path)) {
			out[path] = c
		}
	}
	for path, c := range m.ByMainDepartment {
		if m.Scope.Contains(path) {
			out[path] = c
		}
	}
	return out
}
