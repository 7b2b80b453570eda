package plan

// Object types and actions, the rows and columns of Counts.
const (
	ObjectDepartment = "department"
	ObjectUser       = "user"

	ActionCreate     = "create"
	ActionAdopt      = "adopt"
	ActionUpdate     = "update"
	ActionMembership = "membership"
	ActionDelete     = "delete"
	ActionSuspend    = "suspend"
	ActionUnchanged  = "unchanged"
	ActionAmbiguous  = "ambiguous"
	ActionKept       = "kept"
	ActionOutOfScope = "out-of-scope"
)

// Counts are numbers of objects per object type and action. The JSON field names are part of
// recorded workflow histories: fields are only ever added.
type Counts struct {
	DepartmentsCreate int `json:"departmentsCreate"`
	UsersCreate       int `json:"usersCreate"`
	UsersUpdate       int `json:"usersUpdate"`     // users whose attributes change
	UsersMembership   int `json:"usersMembership"` // users whose department membership changes
	UsersDelete       int `json:"usersDelete"`
	UsersSuspend      int `json:"usersSuspend"`
	UsersUnchanged    int `json:"usersUnchanged"`
	// UsersAdopt are existing accounts without a WeCom userid that the run links to one.
	UsersAdopt int `json:"usersAdopt"`
	// UsersAmbiguous are members the run could not match to exactly one account; left untouched.
	UsersAmbiguous int `json:"usersAmbiguous"`
	// UsersKept are users absent from the file that also belong elsewhere (another organization,
	// or a department the tree cannot place): never deleted.
	UsersKept int `json:"usersKept"`
	// UsersOutOfScope are users absent from the file with a department outside the delete scope.
	UsersOutOfScope int `json:"usersOutOfScope"`
}

// Cell is one entry of Counts: an object type, an action, and whether it is a write.
type Cell struct {
	Object string
	Action string
	Write  bool
	field  func(*Counts) *int
}

// Get returns the cell's value in c.
func (cell Cell) Get(c Counts) int { return *cell.field(&c) }

// cells lists every entry of Counts, in the order reports show them.
var cells = []Cell{
	{ObjectDepartment, ActionCreate, true, func(c *Counts) *int { return &c.DepartmentsCreate }},
	{ObjectUser, ActionCreate, true, func(c *Counts) *int { return &c.UsersCreate }},
	{ObjectUser, ActionAdopt, true, func(c *Counts) *int { return &c.UsersAdopt }},
	{ObjectUser, ActionUpdate, true, func(c *Counts) *int { return &c.UsersUpdate }},
	{ObjectUser, ActionMembership, true, func(c *Counts) *int { return &c.UsersMembership }},
	{ObjectUser, ActionDelete, true, func(c *Counts) *int { return &c.UsersDelete }},
	{ObjectUser, ActionSuspend, true, func(c *Counts) *int { return &c.UsersSuspend }},
	{ObjectUser, ActionUnchanged, false, func(c *Counts) *int { return &c.UsersUnchanged }},
	{ObjectUser, ActionAmbiguous, false, func(c *Counts) *int { return &c.UsersAmbiguous }},
	{ObjectUser, ActionKept, false, func(c *Counts) *int { return &c.UsersKept }},
	{ObjectUser, ActionOutOfScope, false, func(c *Counts) *int { return &c.UsersOutOfScope }},
}

// Cells lists every entry of Counts, in the order reports show them.
func Cells() []Cell { return cells }

// WriteCells lists the entries that count writes.
func WriteCells() []Cell {
	var out []Cell
	for _, c := range cells {
		if c.Write {
			out = append(out, c)
		}
	}
	return out
}

// Inc adds n to the count of object and action (an unknown pair is ignored).
func (c *Counts) Inc(object, action string, n int) {
	for _, cell := range cells {
		if cell.Object == object && cell.Action == action {
			*cell.field(c) += n
			return
		}
	}
}

// Get returns the count of object and action (0 for an unknown pair).
func (c Counts) Get(object, action string) int {
	for _, cell := range cells {
		if cell.Object == object && cell.Action == action {
			return cell.Get(c)
		}
	}
	return 0
}

// Add returns the sum of c and o.
func (c Counts) Add(o Counts) Counts {
	for _, cell := range cells {
		*cell.field(&c) += cell.Get(o)
	}
	return c
}

// Writes is the number of object writes the counts stand for.
func (c Counts) Writes() int {
	n := 0
	for _, cell := range cells {
		if cell.Write {
			n += cell.Get(c)
		}
	}
	return n
}

// Deletes is the number of users deleted or suspended.
func (c Counts) Deletes() int { return c.UsersDelete + c.UsersSuspend }
