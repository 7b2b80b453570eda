package authing

import (
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/jsonio"
)

// Fixture is the whole state of one user pool: what Seed loads and Snapshot returns. It is plain JSON
// (see LoadFixture). Ids left empty are generated on Seed.
type Fixture struct {
	// UserPoolID, when set, must equal the pool id the server was built with.
	UserPoolID    string         `json:"userPoolId,omitempty"`
	Organizations []Organization `json:"organizations,omitempty"`
	// Departments are every non-root department of every organization, in any order (parents are
	// created first on Seed); Snapshot lists them parent first.
	Departments  []Department  `json:"departments,omitempty"`
	Users        []User        `json:"users,omitempty"`
	CustomFields []CustomField `json:"customFields,omitempty"`
}

// Organization is one organization; its root department is the organization itself.
type Organization struct {
	OrganizationCode string `json:"organizationCode"`
	OrganizationName string `json:"organizationName"`
	Description      string `json:"description,omitempty"`
	// DepartmentID is the id of the root department (generated when empty).
	DepartmentID string `json:"departmentId,omitempty"`
	// OpenDepartmentID is the root's custom id, addressable with departmentIdType=open_department_id.
	OpenDepartmentID string         `json:"openDepartmentId,omitempty"`
	LeaderUserIDs    []string       `json:"leaderUserIds,omitempty"`
	CustomData       map[string]any `json:"customData,omitempty"`
	CreatedAt        time.Time      `json:"createdAt"`
	UpdatedAt        time.Time      `json:"updatedAt"`
}

// Department is one non-root department.
type Department struct {
	DepartmentID     string `json:"departmentId,omitempty"`
	OrganizationCode string `json:"organizationCode"`
	// ParentDepartmentID is the parent's id; "" or "root" in a fixture means the organization root.
	// Snapshot always gives the real id (the root's id for top-level departments).
	ParentDepartmentID string         `json:"parentDepartmentId,omitempty"`
	Name               string         `json:"name"`
	OpenDepartmentID   string         `json:"openDepartmentId,omitempty"`
	Code               string         `json:"code,omitempty"`
	Description        string         `json:"description,omitempty"`
	LeaderUserIDs      []string       `json:"leaderUserIds,omitempty"`
	CustomData         map[string]any `json:"customData,omitempty"`
	CreatedAt          time.Time      `json:"createdAt"`
	UpdatedAt          time.Time      `json:"updatedAt"`
}

// User is one user of the pool.
type User struct {
	UserID           string `json:"userId,omitempty"`
	Username         string `json:"username,omitempty"`
	Name             string `json:"name,omitempty"`
	Nickname         string `json:"nickname,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Email            string `json:"email,omitempty"`
	// Gender is M, F or U (default U).
	Gender string `json:"gender,omitempty"`
	// Status is Activated (default), Suspended, Deactivated, Resigned or Archived.
	Status     string `json:"status,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	// Profile holds the other documented profile attributes (photo, company, city, …) as sent.
	Profile    map[string]any `json:"profile,omitempty"`
	CustomData map[string]any `json:"customData,omitempty"`
	// DepartmentIDs are Authing department ids (a root id means membership of the organization root).
	DepartmentIDs []string `json:"departmentIds,omitempty"`
	// MainDepartmentID is one of DepartmentIDs; empty means the first.
	MainDepartmentID string    `json:"mainDepartmentId,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

// CustomField is one custom-field definition.
type CustomField struct {
	// TargetType is USER, DEPARTMENT or ROLE.
	TargetType string `json:"targetType"`
	Key        string `json:"key"`
	// DataType is STRING, NUMBER, DATETIME, BOOLEAN or ENUM.
	DataType    string `json:"dataType"`
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	IsUnique    bool   `json:"isUnique,omitempty"`
	Encrypted   bool   `json:"encrypted,omitempty"`
	// Options are the allowed values of an ENUM field.
	Options   []EnumOption `json:"options,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
}

// EnumOption is one allowed value of an ENUM custom field.
type EnumOption struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
}

// ReadFixture reads a Fixture from a JSON file (Server.LoadFixture reads and seeds in one step).
func ReadFixture(path string) (Fixture, error) {
	return jsonio.ReadFile[Fixture]("fixture", path)
}

// DemoSeed is the demo pool: one organization 星河科技 (code xinghe) without departments or users, and
// none of the product's custom fields (the sync has to define them).
func DemoSeed() Fixture {
	return Fixture{Organizations: []Organization{{
		OrganizationCode: "xinghe",
		OrganizationName: "星河科技",
	}}}
}

// EmptySeed is a pool without any organization.
func EmptySeed() Fixture { return Fixture{} }
