package authing

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Seed replaces the whole pool with f, checked by the same rules as the API (unique keys, defined
// custom fields, existing parents and departments). On error the pool is left unchanged. Tokens
// and call counts are kept.
func (s *Server) Seed(f Fixture) error {
	if f.UserPoolID != "" && f.UserPoolID != s.poolID {
		return fmt.Errorf("seed: fixture is for user pool %q, the emulator serves %q", f.UserPoolID, s.poolID)
	}
	st, err := buildState(f, s.now().UTC())
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.version = s.st.version + 1
	s.st = st
	return nil
}

// LoadFixture reads a JSON Fixture from path and seeds it.
func (s *Server) LoadFixture(path string) error {
	f, err := ReadFixture(path)
	if err != nil {
		return err
	}
	return s.Seed(f)
}

func buildState(f Fixture, now time.Time) (*state, error) {
	st := newState()
	for i, cf := range f.CustomFields {
		in := fieldInput{TargetType: cf.TargetType, Key: cf.Key, DataType: cf.DataType,
			Label: &cf.Label, Description: &cf.Description, Encrypted: &cf.Encrypted, Options: &cf.Options}
		nf, aerr := st.nextField(in, orNow(cf.CreatedAt, now))
		if aerr != nil {
			return nil, fmt.Errorf("customFields[%d] %s: %s", i, cf.Key, aerr.msg)
		}
		nf.IsUnique = cf.IsUnique // checked against the users below
		st.putField(nf)
	}
	for i, o := range f.Organizations {
		if _, aerr := st.addOrg(o, now); aerr != nil {
			return nil, fmt.Errorf("organizations[%d] %s: %s", i, o.OrganizationCode, aerr.msg)
		}
	}
	if err := st.seedDepartments(f.Departments, now); err != nil {
		return nil, err
	}
	if err := st.seedUsers(f.Users, now); err != nil {
		return nil, err
	}
	return st, st.seedLeaders(f)
}

// seedDepartments adds departments parents first, whatever their order in the fixture.
func (st *state) seedDepartments(depts []Department, now time.Time) error {
	pending := slices.Clone(depts)
	for len(pending) > 0 {
		var later []Department
		for _, d := range pending {
			org := st.orgs[d.OrganizationCode]
			parent := d.ParentDepartmentID
			if parent == "" {
				parent = "root"
			}
			if org != nil && parent != "root" && parent != org.DepartmentID && st.depts[parent] == nil {
				later = append(later, d)
				continue
			}
			rec, aerr := st.newDept(deptInput{
				OrganizationCode: d.OrganizationCode, Name: d.Name, ParentDepartmentID: parent,
				OpenDepartmentID: d.OpenDepartmentID, Code: d.Code, Description: d.Description,
				CustomData: d.CustomData,
			}, d.DepartmentID, orNow(d.CreatedAt, now))
			if aerr != nil {
				return fmt.Errorf("department %q (%s): %s", d.Name, d.DepartmentID, aerr.msg)
			}
			rec.UpdatedAt = orNow(d.UpdatedAt, rec.CreatedAt)
			st.addDept(rec)
		}
		if len(later) == len(pending) {
			return fmt.Errorf("department %q (%s): parent %s does not exist", later[0].Name, later[0].DepartmentID, later[0].ParentDepartmentID)
		}
		pending = later
	}
	return nil
}

func (st *state) seedUsers(users []User, now time.Time) error {
	cl := claims{}
	for i, u := range users {
		raw, err := userRaw(u)
		if err != nil {
			return fmt.Errorf("users[%d]: %w", i, err)
		}
		rec, aerr := st.newUser(raw, createOptions{}, cl, orNow(u.CreatedAt, now))
		if aerr != nil {
			return fmt.Errorf("users[%d] %s: %s", i, u.UserID, aerr.msg)
		}
		if u.UserID == "" {
			u.UserID = st.newID(idUser)
		} else if st.byID[u.UserID] != nil {
			return fmt.Errorf("users[%d]: duplicate userId %s", i, u.UserID)
		}
		rec.UserID = u.UserID
		rec.UpdatedAt = orNow(u.UpdatedAt, rec.CreatedAt)
		if u.MainDepartmentID != "" {
			if !slices.Contains(rec.DepartmentIDs, u.MainDepartmentID) {
				return fmt.Errorf("users[%d] %s: mainDepartmentId %s is not one of its departments", i, u.UserID, u.MainDepartmentID)
			}
			rec.MainDepartmentID = u.MainDepartmentID
		}
		st.insertUser(rec)
	}
	return nil
}

// userRaw turns a fixture user into a create-user body.
func userRaw(u User) (map[string]json.RawMessage, error) {
	body := map[string]any{}
	for k, v := range u.Profile {
		body[k] = v
	}
	for _, f := range userStringFields {
		if v := *stringField(&u, f); v != "" {
			body[f] = v
		}
	}
	if u.CustomData != nil {
		body["customData"] = u.CustomData
	}
	if u.DepartmentIDs != nil {
		body["departmentIds"] = u.DepartmentIDs
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode user: %w", err)
	}
	var raw map[string]json.RawMessage
	return raw, json.Unmarshal(b, &raw)
}

// seedLeaders sets the leader lists once all users exist.
func (st *state) seedLeaders(f Fixture) error {
	set := func(deptID string, ids []string) error {
		for _, id := range ids {
			if st.byID[id] == nil {
				return fmt.Errorf("department %s: leader %s is not a user", deptID, id)
			}
		}
		st.depts[deptID].LeaderUserIDs = slices.Clone(ids)
		return nil
	}
	for _, o := range f.Organizations {
		if err := set(st.orgs[o.OrganizationCode].DepartmentID, o.LeaderUserIDs); err != nil {
			return err
		}
	}
	for _, d := range f.Departments {
		id := d.DepartmentID
		if id == "" {
			continue // generated ids cannot be referenced by a fixture
		}
		if err := set(id, d.LeaderUserIDs); err != nil {
			return err
		}
	}
	return nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// Snapshot returns a deep copy of the pool: organizations, departments parent first, users in
// creation order and custom fields in definition order.
func (s *Server) Snapshot() Fixture {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.st
	f := Fixture{UserPoolID: s.poolID}
	for _, cf := range st.fieldOrder {
		c := *cf
		c.Options = slices.Clone(cf.Options)
		f.CustomFields = append(f.CustomFields, c)
	}
	for _, code := range st.orgOrder {
		o := st.orgs[code].Organization
		root := st.depts[o.DepartmentID]
		o.OpenDepartmentID = root.OpenDepartmentID
		o.LeaderUserIDs = slices.Clone(root.LeaderUserIDs)
		o.CustomData = copyMap(root.CustomData)
		f.Organizations = append(f.Organizations, o)
		for _, d := range st.subtree(root) {
			dc := d.Department
			dc.LeaderUserIDs = slices.Clone(d.LeaderUserIDs)
			dc.CustomData = copyMap(d.CustomData)
			f.Departments = append(f.Departments, dc)
		}
	}
	for _, u := range st.users {
		if u.dead {
			continue
		}
		uc := u.User
		uc.CustomData = copyMap(u.CustomData)
		uc.Profile = copyMap(u.Profile)
		uc.DepartmentIDs = slices.Clone(u.DepartmentIDs)
		uc.MainDepartmentID = u.mainDepartment()
		f.Users = append(f.Users, uc)
	}
	return f
}
