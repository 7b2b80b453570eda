package authing

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// userStringFields are the string attributes with their own User field.
var userStringFields = []string{"username", "name", "nickname", "phone", "phoneCountryCode", "email", "gender", "status", "externalId"}

// userProfileFields are the other documented profile attributes, kept in User.Profile.
var userProfileFields = map[string]bool{
	"photo": true, "company": true, "country": true, "province": true, "city": true, "address": true,
	"streetAddress": true, "postalCode": true, "region": true, "formatted": true, "givenName": true,
	"familyName": true, "middleName": true, "birthdate": true, "profile": true, "preferredUsername": true,
	"website": true, "zoneinfo": true, "locale": true, "identityNumber": true, "emailVerified": true,
	"phoneVerified": true,
}

var (
	userStatuses = []string{"Activated", "Suspended", "Deactivated", "Resigned", "Archived"}
	genders      = []string{"M", "F", "U"}
	emailRE      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRE      = regexp.MustCompile(`^[0-9]{4,20}$`)
	mainlandRE   = regexp.MustCompile(`^1[0-9]{10}$`)
	countryRE    = regexp.MustCompile(`^\+[0-9]{1,4}$`)
)

// stringField returns a pointer to u's attribute named field.
func stringField(u *User, field string) *string {
	switch field {
	case "username":
		return &u.Username
	case "name":
		return &u.Name
	case "nickname":
		return &u.Nickname
	case "phone":
		return &u.Phone
	case "phoneCountryCode":
		return &u.PhoneCountryCode
	case "email":
		return &u.Email
	case "gender":
		return &u.Gender
	case "status":
		return &u.Status
	case "externalId":
		return &u.ExternalID
	}
	return nil
}

// patchUser applies the attributes present in raw to a copy of base. A null string clears it; a
// customData object is merged key by key (null removes a key).
func patchUser(base User, raw map[string]json.RawMessage) (User, *apiError) {
	next := base
	next.CustomData = mergeData(base.CustomData, nil)
	next.Profile = copyMap(base.Profile)
	next.DepartmentIDs = slices.Clone(base.DepartmentIDs)
	for _, f := range userStringFields {
		v, ok := raw[f]
		if !ok {
			continue
		}
		var sp *string
		if err := json.Unmarshal(v, &sp); err != nil {
			return User{}, badParam(f)
		}
		*stringField(&next, f) = strings.TrimSpace(deref(sp))
	}
	for f, v := range raw {
		if !userProfileFields[f] {
			continue
		}
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			return User{}, badParam(f)
		}
		switch val.(type) {
		case nil:
			delete(next.Profile, f)
		case map[string]any, []any:
			return User{}, badParam(f)
		default:
			if next.Profile == nil {
				next.Profile = map[string]any{}
			}
			next.Profile[f] = val
		}
	}
	if v, ok := raw["customData"]; ok {
		var cd map[string]any
		if err := json.Unmarshal(v, &cd); err != nil {
			return User{}, badParam("customData")
		}
		next.CustomData = mergeData(base.CustomData, cd)
	}
	if len(next.Profile) == 0 {
		next.Profile = nil
	}
	return next, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// claims are the unique values taken by earlier items of one batch: key → owner.
type claims map[string]*userRec

// checkUser validates u (owned by self, which may be new) against the pool and the batch claims.
func (st *state) checkUser(u *User, self *userRec, cl claims) *apiError {
	if u.Username == "" && u.Phone == "" && u.Email == "" {
		return &apiError{status: 400, apiCode: 400, msg: "Must contain one of the following fields: username, phone, email"}
	}
	if !slices.Contains(genders, u.Gender) {
		return badParam("gender")
	}
	if !slices.Contains(userStatuses, u.Status) {
		return badParam("status")
	}
	if u.Email != "" && !emailRE.MatchString(u.Email) {
		return badParam("email")
	}
	if u.PhoneCountryCode != "" && !countryRE.MatchString(u.PhoneCountryCode) {
		return badParam("phoneCountryCode")
	}
	if u.Phone != "" {
		mainland := u.PhoneCountryCode == "" || u.PhoneCountryCode == "+86"
		if !phoneRE.MatchString(u.Phone) || (mainland && !mainlandRE.MatchString(u.Phone)) {
			return badParam("phone")
		}
	}
	if aerr := st.checkCustomData("USER", u.CustomData); aerr != nil {
		return aerr
	}
	type uniq struct{ kind, value, label string }
	checks := []uniq{
		{"username", u.Username, "用户名 (username) 已存在"},
		{"email", strings.ToLower(u.Email), "邮箱 (email) 已存在"},
		{"phone", u.Phone, "手机号 (phone) 已存在"},
		{"externalId", u.ExternalID, "externalId 已存在"},
	}
	keys := make([]string, 0, len(u.CustomData))
	for k := range u.CustomData {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if f := st.field("USER", k); f != nil && f.IsUnique {
			checks = append(checks, uniq{"c:" + k, valueString(u.CustomData[k]), "自定义字段 " + k + " 的值已存在"})
		}
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		key := c.kind + "\x00" + c.value
		if st.holder(c.kind, c.value, self) != nil {
			return &apiError{status: 409, apiCode: 409, msg: c.label}
		}
		if owner, ok := cl[key]; ok && owner != self {
			return &apiError{status: 409, apiCode: 409, msg: c.label + " (同一批次)"}
		}
		if cl != nil {
			cl[key] = self
		}
	}
	return nil
}

// createOptions are the options of create-user(s).
type createOptions struct {
	DepartmentIDType string `json:"departmentIdType"`
}

// newUser validates one create item and returns the user to insert (without id).
func (st *state) newUser(raw map[string]json.RawMessage, opts createOptions, cl claims, now time.Time) (*userRec, *apiError) {
	next, aerr := patchUser(User{}, raw)
	if aerr != nil {
		return nil, aerr
	}
	if next.Gender == "" {
		next.Gender = "U"
	}
	if next.Status == "" {
		next.Status = "Activated"
	}
	next.DepartmentIDs = nil
	if v, ok := raw["departmentIds"]; ok {
		var ids []string
		if err := json.Unmarshal(v, &ids); err != nil {
			return nil, badParam("departmentIds")
		}
		for _, id := range ids {
			d, aerr := st.resolveAnyOrg(id, opts.DepartmentIDType)
			if aerr != nil {
				return nil, aerr
			}
			if !slices.Contains(next.DepartmentIDs, d.DepartmentID) {
				next.DepartmentIDs = append(next.DepartmentIDs, d.DepartmentID)
			}
		}
	}
	rec := &userRec{}
	if aerr := st.checkUser(&next, rec, cl); aerr != nil {
		return nil, aerr
	}
	next.CreatedAt, next.UpdatedAt = now, now
	if len(next.DepartmentIDs) > 0 {
		next.MainDepartmentID = next.DepartmentIDs[0]
	}
	rec.User = next
	return rec, nil
}

// add stores validated new users.
func (st *state) add(recs []*userRec) {
	for _, r := range recs {
		r.UserID = st.newID(idUser)
		st.insertUser(r)
	}
}

func (s *Server) createUser(c *call) (any, *apiError) {
	var raw map[string]json.RawMessage
	if aerr := decode(c.body, &raw); aerr != nil {
		return nil, aerr
	}
	var opts struct {
		Options createOptions `json:"options"`
	}
	if aerr := decode(c.body, &opts); aerr != nil {
		return nil, aerr
	}
	rec, aerr := s.st.newUser(raw, opts.Options, nil, c.now)
	if aerr != nil {
		return nil, aerr
	}
	s.st.add([]*userRec{rec})
	return renderUser(rec, true, true), nil
}

// batchItems reads {list:[…], options} with 1–50 items.
func batchItems(body []byte, options any) ([]map[string]json.RawMessage, *apiError) {
	var in struct {
		List    []map[string]json.RawMessage `json:"list"`
		Options json.RawMessage              `json:"options"`
	}
	if aerr := decode(body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := batchSize(len(in.List), "list"); aerr != nil {
		return nil, aerr
	}
	if len(in.Options) > 0 && options != nil {
		if err := json.Unmarshal(in.Options, options); err != nil {
			return nil, badParam("options")
		}
	}
	return in.List, nil
}

func itemPrefix(i int) string { return fmt.Sprintf("list[%d]: ", i) }

func (s *Server) createUsersBatch(c *call) (any, *apiError) {
	var opts createOptions
	items, aerr := batchItems(c.body, &opts)
	if aerr != nil {
		return nil, aerr
	}
	cl := claims{}
	recs := make([]*userRec, 0, len(items))
	for i, raw := range items {
		rec, aerr := s.st.newUser(raw, opts, cl, c.now)
		if aerr != nil {
			return nil, aerr.withPrefix(itemPrefix(i))
		}
		recs = append(recs, rec)
	}
	s.st.add(recs)
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		out[i] = renderUser(r, true, true)
	}
	return out, nil
}

// userUpdate is one validated update.
type userUpdate struct {
	rec  *userRec
	next User
}

// prepareUpdate validates one update item; staged holds earlier items of the same batch.
func (st *state) prepareUpdate(raw map[string]json.RawMessage, idType string, staged map[*userRec]User, cl claims, now time.Time) (userUpdate, *apiError) {
	var id string
	if err := json.Unmarshal(raw["userId"], &id); err != nil || id == "" {
		return userUpdate{}, badParam("userId")
	}
	rec, aerr := st.findUser(id, idType)
	if aerr != nil {
		return userUpdate{}, aerr
	}
	base, ok := staged[rec]
	if !ok {
		base = rec.User
	}
	next, aerr := patchUser(base, raw)
	if aerr != nil {
		return userUpdate{}, aerr
	}
	if aerr := st.checkUser(&next, rec, cl); aerr != nil {
		return userUpdate{}, aerr
	}
	next.UpdatedAt = now
	return userUpdate{rec: rec, next: next}, nil
}

func (s *Server) updateUser(c *call) (any, *apiError) {
	var raw map[string]json.RawMessage
	if aerr := decode(c.body, &raw); aerr != nil {
		return nil, aerr
	}
	var opts struct {
		Options struct {
			UserIDType string `json:"userIdType"`
		} `json:"options"`
	}
	if aerr := decode(c.body, &opts); aerr != nil {
		return nil, aerr
	}
	up, aerr := s.st.prepareUpdate(raw, opts.Options.UserIDType, nil, nil, c.now)
	if aerr != nil {
		return nil, aerr
	}
	s.st.replaceUser(up.rec, up.next)
	return renderUser(up.rec, true, true), nil
}

func (s *Server) updateUserBatch(c *call) (any, *apiError) {
	items, aerr := batchItems(c.body, nil)
	if aerr != nil {
		return nil, aerr
	}
	cl := claims{}
	staged := map[*userRec]User{}
	ups := make([]userUpdate, 0, len(items))
	for i, raw := range items {
		up, aerr := s.st.prepareUpdate(raw, "user_id", staged, cl, c.now)
		if aerr != nil {
			return nil, aerr.withPrefix(itemPrefix(i))
		}
		staged[up.rec] = up.next
		ups = append(ups, up)
	}
	out := make([]map[string]any, 0, len(ups))
	for _, up := range ups {
		s.st.replaceUser(up.rec, up.next)
	}
	for _, up := range ups {
		out = append(out, renderUser(up.rec, true, true))
	}
	return out, nil
}

func (s *Server) deleteUsersBatch(c *call) (any, *apiError) {
	var in struct {
		UserIDs []string `json:"userIds"`
		Options struct {
			UserIDType string `json:"userIdType"`
		} `json:"options"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := batchSize(len(in.UserIDs), "userIds"); aerr != nil {
		return nil, aerr
	}
	var recs []*userRec
	for _, id := range in.UserIDs {
		rec, aerr := s.st.findUser(id, in.Options.UserIDType)
		if aerr != nil && aerr.status != 404 {
			return nil, aerr
		}
		if rec != nil && !slices.Contains(recs, rec) {
			recs = append(recs, rec)
		}
	}
	for _, rec := range recs {
		s.st.deleteUser(rec)
	}
	return map[string]any{"success": true}, nil
}

func (s *Server) setUserDepartments(c *call) (any, *apiError) {
	var in struct {
		UserID      string `json:"userId"`
		Departments []struct {
			DepartmentID     string `json:"departmentId"`
			IsLeader         bool   `json:"isLeader"`
			IsMainDepartment bool   `json:"isMainDepartment"`
		} `json:"departments"`
		Options struct {
			UserIDType string `json:"userIdType"`
		} `json:"options"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if in.UserID == "" {
		return nil, badParam("userId")
	}
	if aerr := batchSize(len(in.Departments), "departments"); aerr != nil {
		return nil, aerr
	}
	rec, aerr := s.st.findUser(in.UserID, in.Options.UserIDType)
	if aerr != nil {
		return nil, aerr
	}
	var invalid, ids []string
	main := ""
	for _, d := range in.Departments {
		if s.st.depts[d.DepartmentID] == nil {
			invalid = append(invalid, d.DepartmentID)
			continue
		}
		if !slices.Contains(ids, d.DepartmentID) {
			ids = append(ids, d.DepartmentID)
		}
		if d.IsMainDepartment && main == "" {
			main = d.DepartmentID
		}
	}
	if len(invalid) > 0 {
		return nil, &apiError{status: 404, apiCode: 404, msg: "存在不合法的 departmentId: " + strings.Join(invalid, ", ")}
	}
	var gone []string
	for _, id := range rec.DepartmentIDs {
		if !slices.Contains(ids, id) {
			gone = append(gone, id)
		}
	}
	s.st.leave(rec, gone)
	rec.DepartmentIDs = ids
	s.st.join(rec, ids, c.now)
	for _, d := range in.Departments {
		dep := s.st.depts[d.DepartmentID]
		switch {
		case d.IsLeader && !slices.Contains(dep.LeaderUserIDs, rec.UserID):
			dep.LeaderUserIDs = append(slices.Clone(dep.LeaderUserIDs), rec.UserID)
		case !d.IsLeader:
			dep.LeaderUserIDs = without(dep.LeaderUserIDs, rec.UserID)
		}
	}
	if main == "" && slices.Contains(ids, rec.MainDepartmentID) {
		main = rec.MainDepartmentID
	}
	if main == "" {
		main = ids[0]
	}
	rec.MainDepartmentID = main
	rec.UpdatedAt = c.now
	return map[string]any{"success": true}, nil
}

func (s *Server) getUser(c *call) (any, *apiError) {
	id := c.q.Get("userId")
	if id == "" {
		return nil, badParam("userId")
	}
	rec, aerr := s.st.findUser(id, c.q.Get("userIdType"))
	if aerr != nil {
		return nil, aerr
	}
	return renderUser(rec, qBool(c.q, "withCustomData"), qBool(c.q, "withDepartmentIds")), nil
}

func (s *Server) getUserDepartments(c *call) (any, *apiError) {
	id := c.q.Get("userId")
	if id == "" {
		return nil, badParam("userId")
	}
	page, limit, aerr := qPaging(c.q)
	if aerr != nil {
		return nil, aerr
	}
	rec, aerr := s.st.findUser(id, c.q.Get("userIdType"))
	if aerr != nil {
		return nil, aerr
	}
	withCustom := qBool(c.q, "withCustomData")
	list := []map[string]any{}
	for _, did := range pageOf(rec.DepartmentIDs, page, limit) {
		d := s.st.depts[did]
		item := map[string]any{
			"organizationCode": d.OrganizationCode,
			"departmentId":     d.DepartmentID,
			"isRoot":           d.root,
			"name":             d.Name,
			"code":             d.Code,
			"openDepartmentId": d.OpenDepartmentID,
			"isLeader":         slices.Contains(d.LeaderUserIDs, rec.UserID),
			"isMainDepartment": rec.mainDepartment() == did,
			"joinedAt":         isoTime(rec.joined[did]),
		}
		if withCustom {
			item["customData"] = nonNilMap(copyMap(d.CustomData))
		}
		list = append(list, item)
	}
	return map[string]any{"totalCount": len(rec.DepartmentIDs), "list": list}, nil
}

func (u *userRec) mainDepartment() string {
	if u.MainDepartmentID != "" {
		return u.MainDepartmentID
	}
	if len(u.DepartmentIDs) > 0 {
		return u.DepartmentIDs[0]
	}
	return ""
}

// renderUser is the UserDto of u; unset attributes are null.
func renderUser(u *userRec, withCustom, withDepts bool) map[string]any {
	out := make(map[string]any, 24)
	for k, v := range u.Profile {
		out[k] = v
	}
	for _, f := range userStringFields {
		out[f] = nullable(*stringField(&u.User, f))
	}
	out["userId"] = u.UserID
	out["createdAt"] = isoTime(u.CreatedAt)
	out["updatedAt"] = isoTime(u.UpdatedAt)
	out["userSourceType"] = "adminCreated"
	out["mainDepartmentId"] = nullable(u.mainDepartment())
	if withCustom {
		out["customData"] = nonNilMap(copyMap(u.CustomData))
	}
	if withDepts {
		out["departmentIds"] = append([]string{}, u.DepartmentIDs...)
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
