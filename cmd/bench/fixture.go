package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/wecomsync/wecomsync/directory"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// fixtureEpoch is the creation time of the first generated user; later users are a millisecond
// apart, so that list-users' createdAt order is total.
var fixtureEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// orgFixture turns a generated company into an Authing pool holding one organization (code, named
// after the company, root department rootID) with the company's departments and members, and the
// custom fields the sync uses already defined — an Authing a downstream run starts from. Positions
// go to customData.wechatwork_position; no user carries a WeCom id yet.
func orgFixture(c exportgen.Company, code string) authingemu.Fixture {
	rootID := "root-" + code
	f := authingemu.Fixture{Organizations: []authingemu.Organization{{OrganizationCode: code, OrganizationName: c.Name, DepartmentID: rootID}}}
	for _, cf := range mapping.CustomFields() {
		f.CustomFields = append(f.CustomFields, authingemu.CustomField{TargetType: cf.TargetType, Key: cf.Key, DataType: "STRING", Label: cf.Label, IsUnique: cf.IsUnique})
	}
	ids := map[string]string{pathKey(c.Departments[0]): rootID} // the company node is the root
	for i, p := range c.Departments[1:] {
		id := fmt.Sprintf("%s-d%05d", code, i+1)
		ids[pathKey(p)] = id
		f.Departments = append(f.Departments, authingemu.Department{DepartmentID: id, OrganizationCode: code,
			ParentDepartmentID: ids[pathKey(p[:len(p)-1])], Name: p[len(p)-1]})
	}
	for i, m := range c.Members {
		f.Users = append(f.Users, authingUser(m, fmt.Sprintf("%s-u%06d", code, i+1), ids, fixtureEpoch.Add(time.Duration(i)*time.Millisecond)))
	}
	return f
}

// pathKey is a department path as a map key.
func pathKey(p []string) string { return strings.Join(p, "\x00") }

// authingUser is one export member as an Authing user with id id, in the departments ids maps its
// paths to (main first).
func authingUser(m wecomexport.Member, id string, ids map[string]string, created time.Time) authingemu.User {
	national, code := directory.SplitPhone(m.Mobile)
	u := authingemu.User{UserID: id, Username: m.UserID, Name: m.Name, Nickname: m.Alias, Phone: national, PhoneCountryCode: code,
		Email: m.Email, Gender: map[string]string{"男": "M", "女": "F"}[m.Gender], Status: mapping.StatusActivated,
		CreatedAt: created, UpdatedAt: created}
	if m.Disabled != nil && *m.Disabled {
		u.Status = mapping.StatusSuspended
	}
	if m.Position != "" {
		u.CustomData = map[string]any{mapping.KeyUserPosition: m.Position}
	}
	for _, p := range m.Departments {
		u.DepartmentIDs = append(u.DepartmentIDs, ids[pathKey(p)])
	}
	if len(u.DepartmentIDs) > 0 {
		u.MainDepartmentID = u.DepartmentIDs[0]
	}
	return u
}

// change is one kind of edit an Authing admin makes to a user.
type change int

const (
	changeName change = iota + 1
	changePosition
	changeMobile
	changeNameAndMobile
	changeMove
)

// changeKinds is the round-robin order in which changed users get their edit.
var changeKinds = []change{changeName, changePosition, changeMobile, changeNameAndMobile, changeMove}

// changeLog counts what editUsers changed.
type changeLog struct {
	Users     int `json:"users"`
	Renamed   int `json:"renamed"`
	Positions int `json:"positions"`
	Mobiles   int `json:"mobiles"`
	Moved     int `json:"moved"`
}

// editUsers changes n of the pool's synced organization members (they carry wechatwork_user_id),
// drawn with seed: round-robin a new name, a new position, a new mobile (head 173, which the
// generator never uses, so unique), a new name and mobile, or a move to one other department of
// the organization (as the only, main department). Every changed user needs exactly one WeCom
// user/update; only moves change what is written back into Authing (wechatwork_department_ids).
func editUsers(f authingemu.Fixture, n int, seed int64) (authingemu.Fixture, changeLog, error) {
	var depts []string
	for _, d := range f.Departments {
		depts = append(depts, d.DepartmentID)
	}
	var synced []int
	for i, u := range f.Users {
		if mapping.CustomString(u.CustomData, mapping.KeyUserID) != "" && len(u.DepartmentIDs) > 0 {
			synced = append(synced, i)
		}
	}
	if n > len(synced) || len(depts) < 2 {
		return f, changeLog{}, fmt.Errorf("cannot change %d users: %d synced users, %d departments", n, len(synced), len(depts))
	}
	out := f
	out.Users = append([]authingemu.User(nil), f.Users...)
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	log := changeLog{Users: n}
	for k, p := range r.Perm(len(synced))[:n] {
		u := &out.Users[synced[p]]
		switch changeKinds[k%len(changeKinds)] {
		case changeName:
			u.Name += "新"
			log.Renamed++
		case changePosition:
			u.CustomData = withPosition(u.CustomData, mapping.CustomString(u.CustomData, mapping.KeyUserPosition)+"（调岗）")
			log.Positions++
		case changeMobile:
			u.Phone, u.PhoneCountryCode = fmt.Sprintf("173%08d", k), directory.MainlandCode
			log.Mobiles++
		case changeNameAndMobile:
			u.Name += "新"
			u.Phone, u.PhoneCountryCode = fmt.Sprintf("173%08d", k), directory.MainlandCode
			log.Renamed++
			log.Mobiles++
		case changeMove:
			main := u.MainDepartmentID
			if main == "" {
				main = u.DepartmentIDs[0]
			}
			to := depts[r.IntN(len(depts))]
			for to == main {
				to = depts[r.IntN(len(depts))]
			}
			u.DepartmentIDs, u.MainDepartmentID = []string{to}, to
			log.Moved++
		}
	}
	return out, log, nil
}

// withPosition returns a copy of custom data with the position set.
func withPosition(data map[string]any, position string) map[string]any {
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		out[k] = v
	}
	out[mapping.KeyUserPosition] = position
	return out
}
