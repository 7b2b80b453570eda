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
	ActionRename     = "rename"
	ActionMove       = "move"
	ActionDisable    = "disable"
	ActionWriteBack  = "write-back"
	ActionSkipped    = "skipped"
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

	// Downstream (Authing → WeCom) writes.
	DepartmentsRename    int `json:"departmentsRename"`
	DepartmentsMove      int `json:"departmentsMove"`
	DepartmentsDelete    int `json:"departmentsDelete"`
	DepartmentsWriteBack int `json:"departmentsWriteBack"` // WeCom ids written back into Authing
	DepartmentsAmbiguous int `json:"departmentsAmbiguous"`
	DepartmentsUnchanged int `json:"departmentsUnchanged"`
	UsersDisable         int `json:"usersDisable"`
	UsersWriteBack       int `json:"usersWriteBack"`
	// UsersSkipped are users the run cannot create (no valid userid, no mobile or email, no
	// department that exists): reported, not attempted.
	UsersSkipped int `json:"usersSkipped"`
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
	{ObjectDepartment, ActionRename, true, func(c *Counts) *int { return &c.DepartmentsRename }},
	{ObjectDepartment, ActionMove, true, func(c *Counts) *int { return &c.DepartmentsMove }},
	{ObjectDepartment, ActionDelete, true, func(c *Counts) *int { return &c.DepartmentsDelete }},
	{ObjectDepartment, ActionWriteBack, true, func(c *Counts) *int { return &c.DepartmentsWriteBack }},
	{ObjectDepartment, ActionUnchanged, false, func(c *Counts) *int { return &c.DepartmentsUnchanged }},
	{ObjectDepartment, ActionAmbiguous, false, func(c *Counts) *int { return &c.DepartmentsAmbiguous }},
	{ObjectUser, ActionCreate, true, func(c *Counts) *int { return &c.UsersCreate }},
	{ObjectUser, ActionAdopt, true, func(c *Counts) *int { return &c.UsersAdopt }},
	{ObjectUser, ActionUpdate, true, func(c *Counts) *int { return &c.UsersUpdate }},
	{ObjectUser, ActionMembership, true, func(c *Counts) *int { return &c.UsersMembership }},
	{ObjectUser, ActionDelete, true, func(c *Counts) *int { return &c.UsersDelete }},
	{ObjectUser, ActionSuspend, true, func(c *Counts) *int { return &c.UsersSuspend }},
	{ObjectUser, ActionDisable, true, func(c *Counts) *int { return &c.UsersDisable }},
	{ObjectUser, ActionWriteBack, true, func(c *Counts) *int { return &c.UsersWriteBack }},
	{ObjectUser, ActionUnchanged, false, func(c *Counts) *int { return &c.UsersUnchanged }},
	{ObjectUser, ActionAmbiguous, false, func(c *Counts) *int { return &c.UsersAmbiguous }},
	{ObjectUser, ActionKept, false, func(c *Counts) *int { return &c.UsersKept }},
	{ObjectUser, ActionOutOfScope, false, func(c *Counts) *int { return &c.UsersOutOfScope }},
	{ObjectUser, ActionSkipped, false, func(c *Counts) *int { return &c.UsersSkipped }},
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

// Deletes is the number of users deleted, suspended or disabled.
func (c Counts) Deletes() int { return c.UsersDelete + c.UsersSuspend + c.UsersDisable }
