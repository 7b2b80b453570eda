package wecom

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// looseString accepts a JSON string or number (WeCom takes gender as "1" or 1; it answers "1").
type looseString string

func (l *looseString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = looseString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", b)
	}
	*l = looseString(n.String())
	return nil
}

// userWrite is the body of user/create and user/update; nil means "not sent".
type userWrite struct {
	UserID           string          `json:"userid"`
	Name             *string         `json:"name"`
	Alias            *string         `json:"alias"`
	Mobile           *string         `json:"mobile"`
	Department       *[]int          `json:"department"`
	Order            *[]uint32       `json:"order"`
	Position         *string         `json:"position"`
	Gender           *looseString    `json:"gender"`
	Email            *string         `json:"email"`
	BizMail          *string         `json:"biz_mail"`
	IsLeaderInDept   *[]int          `json:"is_leader_in_dept"`
	DirectLeader     *[]string       `json:"direct_leader"`
	MainDepartment   *int            `json:"main_department"`
	Telephone        *string         `json:"telephone"`
	Address          *string         `json:"address"`
	Enable           *int            `json:"enable"`
	ExtAttr          json.RawMessage `json:"extattr"`
	ExternalPosition *string         `json:"external_position"`
	ExternalProfile  json.RawMessage `json:"external_profile"`
	ToInvite         *bool           `json:"to_invite"`
	AvatarMediaID    *string         `json:"avatar_mediaid"`
}

// checkUserID applies the userid rules: 1–64 bytes of letters, digits, _ - @ . starting with a
// letter or digit (40058 when too long, 40003 otherwise).
func checkUserID(id string) int {
	if id == "" {
		return 40003
	}
	if len(id) > 64 {
		return 40058
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("_-@.", rune(c))) {
			return 40003
		}
	}
	return 0
}

func validMobile(m string) bool {
	if m == "" || len(m) > 32 {
		return false
	}
	digits := 0
	for _, c := range m {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' || c == '-' || c == ' ':
		default:
			return false
		}
	}
	return digits >= 5
}

func validEmail(e string) bool {
	at := strings.IndexByte(e, '@')
	return len(e) >= 6 && len(e) <= 64 && at > 0 && at < len(e)-1 && !strings.ContainsAny(e, " ,;") &&
		strings.Count(e, "@") == 1
}

func validTelephone(t string) bool {
	if len(t) > 32 {
		return false
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == ',') {
			return false
		}
	}
	return true
}

// checkFields validates what a create or update sends, against the stored member on update
// (rec == nil on create). mobileIgnored says that the member is active and its mobile is not
// changed.
func (s *state) checkFields(w *userWrite, rec *userRec, mobileIgnored bool) int {
	if w.Name != nil && (strings.TrimSpace(*w.Name) == "" || runeLen(*w.Name) > maxNameRunes) {
		return 60112
	}
	depts := []int(nil)
	if rec != nil {
		depts = rec.u.Department
	}
	if w.Department != nil {
		depts = *w.Department
		if len(depts) == 0 {
			return 60127
		}
		if len(depts) > maxUserDepts {
			return 60110
		}
		for i, id := range depts {
			if s.depts[id] == nil {
				return 60003
			}
			if slices.Contains(depts[:i], id) {
				return 40066
			}
		}
		for _, id := range depts {
			joins := rec == nil || !slices.Contains(rec.u.Department, id)
			if joins && s.full(id) {
				return 81001
			}
		}
	}
	if w.Order != nil && len(*w.Order) != len(depts) {
		return 40058
	}
	if w.IsLeaderInDept != nil && len(*w.IsLeaderInDept) != len(depts) {
		return 60132
	}
	if w.MainDepartment != nil && *w.MainDepartment != 0 && !slices.Contains(depts, *w.MainDepartment) {
		return 40066
	}
	switch {
	case w.Alias != nil && runeLen(*w.Alias) > maxNameRunes:
		return 301014
	case w.Position != nil && runeLen(*w.Position) > 128:
		return 301012
	case w.Telephone != nil && !validTelephone(*w.Telephone):
		return 301013
	case w.Address != nil && runeLen(*w.Address) > 128:
		return 40058
	case w.DirectLeader != nil && len(*w.DirectLeader) > maxDirectLeader:
		return 60257
	case w.Gender != nil && !slices.Contains([]looseString{"", "0", "1", "2"}, *w.Gender):
		return 40058
	}
	if rec == nil && isEmpty(w.Mobile) && isEmpty(w.Email) {
		return 60129
	}
	if !mobileIgnored && !isEmpty(w.Mobile) {
		if !validMobile(*w.Mobile) {
			return 60103
		}
		if other := s.byMobile[*w.Mobile]; other != nil && other != rec {
			return 60104
		}
	}
	if !isEmpty(w.Email) {
		if !validEmail(*w.Email) {
			return 60105
		}
		if other := s.byEmail[strings.ToLower(*w.Email)]; other != nil && other != rec {
			return 60106
		}
	}
	if !isEmpty(w.BizMail) && !validEmail(*w.BizMail) {
		return 60143
	}
	return 0
}

func isEmpty(p *string) bool { return p == nil || *p == "" }

func (s *state) createUser(w *userWrite) int {
	if code := checkUserID(w.UserID); code != 0 {
		return code
	}
	if w.Name == nil {
		return 60112
	}
	if w.Department == nil {
		return 60127
	}
	if s.byKey[strings.ToLower(w.UserID)] != nil {
		return 60102
	}
	if code := s.checkFields(w, nil, false); code != 0 {
		return code
	}
	u := User{UserID: w.UserID, Status: StatusInactive, Gender: "0"}
	apply(&u, w, false)
	if u.MainDepartment == 0 {
		u.MainDepartment = u.Department[0]
	}
	rec := s.insertUser(u)
	rec.enabledStatus = StatusInactive
	if w.Enable != nil && *w.Enable == 0 {
		rec.u.Status = StatusDisabled
	}
	return 0
}

// apply copies the sent fields onto u; an active member's mobile is kept when mobileIgnored.
func apply(u *User, w *userWrite, mobileIgnored bool) {
	setStr := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setStr(&u.Name, w.Name)
	setStr(&u.Alias, w.Alias)
	if !mobileIgnored {
		setStr(&u.Mobile, w.Mobile)
	}
	setStr(&u.Position, w.Position)
	setStr(&u.Email, w.Email)
	setStr(&u.BizMail, w.BizMail)
	setStr(&u.Telephone, w.Telephone)
	setStr(&u.Address, w.Address)
	setStr(&u.ExternalPosition, w.ExternalPosition)
	if w.Gender != nil {
		u.Gender = string(*w.Gender)
		if u.Gender == "" {
			u.Gender = "0"
		}
	}
	if w.Department != nil {
		changed := !slices.Equal(u.Department, *w.Department)
		u.Department = slices.Clone(*w.Department)
		if changed {
			// Per-department lists no longer line up unless they are sent again.
			if len(u.Order) != len(u.Department) {
				u.Order = nil
			}
			if len(u.IsLeaderInDept) != len(u.Department) {
				u.IsLeaderInDept = nil
			}
			if !slices.Contains(u.Department, u.MainDepartment) {
				u.MainDepartment = u.Department[0]
			}
		}
	}
	if w.Order != nil {
		u.Order = slices.Clone(*w.Order)
	}
	if w.IsLeaderInDept != nil {
		u.IsLeaderInDept = slices.Clone(*w.IsLeaderInDept)
	}
	if w.DirectLeader != nil {
		u.DirectLeader = slices.Clone(*w.DirectLeader)
	}
	if w.MainDepartment != nil && *w.MainDepartment != 0 {
		u.MainDepartment = *w.MainDepartment
	}
	if len(w.ExtAttr) > 0 && !bytes.Equal(w.ExtAttr, []byte("null")) {
		u.ExtAttr = slices.Clone(w.ExtAttr)
	}
	if len(w.ExternalProfile) > 0 && !bytes.Equal(w.ExternalProfile, []byte("null")) {
		u.ExternalProfile = slices.Clone(w.ExternalProfile)
	}
}

func (s *state) updateUser(w *userWrite) int {
	if w.UserID == "" {
		return 40003
	}
	rec := s.byKey[strings.ToLower(w.UserID)]
	if rec == nil {
		return 60111
	}
	mobileIgnored := rec.u.Status == StatusActive && w.Mobile != nil
	if code := s.checkFields(w, rec, mobileIgnored); code != 0 {
		return code
	}
	s.unindex(rec)
	apply(&rec.u, w, mobileIgnored)
	s.index(rec)
	if w.Enable != nil {
		switch {
		case *w.Enable == 0 && rec.u.Status != StatusDisabled:
			rec.enabledStatus = rec.u.Status
			rec.u.Status = StatusDisabled
		case *w.Enable == 1 && rec.u.Status == StatusDisabled:
			rec.u.Status = cmp.Or(rec.enabledStatus, StatusInactive)
		}
	}
	return 0
}

func (s *state) deleteUser(userid string) int {
	if userid == "" {
		return 40003
	}
	rec := s.byKey[strings.ToLower(userid)]
	if rec == nil {
		return 60111
	}
	s.removeUser(rec)
	return 0
}

func (s *state) batchDelete(ids []string) int {
	if len(ids) == 0 {
		return 40031
	}
	if len(ids) > maxBatchDelete {
		return 40032
	}
	recs := make([]*userRec, 0, len(ids))
	for _, id := range ids {
		rec := s.byKey[strings.ToLower(id)]
		if rec == nil {
			return 40031
		}
		if !slices.Contains(recs, rec) {
			recs = append(recs, rec)
		}
	}
	for _, rec := range recs {
		s.removeUser(rec)
	}
	return 0
}

// listID returns up to limit (userid, department) rows from the cursor on, and the next cursor.
func (s *state) listID(cursor string, limit int) ([]DeptUser, string, int) {
	var seq int64
	k := 0
	if cursor != "" {
		var ok bool
		if seq, k, ok = decodeCursor(cursor); !ok {
			return nil, "", 40058
		}
	}
	rows := make([]DeptUser, 0, min(limit, 1024))
	i := s.userIndexFrom(seq)
	if i < len(s.users) && s.users[i].seq != seq {
		k = 0 // the cursor's member is gone: start with the next one
	}
	for ; i < len(s.users); i, k = i+1, 0 {
		rec := s.users[i]
		if rec.deleted {
			continue
		}
		for ; k < len(rec.u.Department); k++ {
			if len(rows) == limit {
				return rows, encodeCursor(rec.seq, k), 0
			}
			rows = append(rows, DeptUser{UserID: rec.u.UserID, Department: rec.u.Department[k]})
		}
	}
	return rows, "", 0
}

const cursorPrefix = "wcemu1:"

func encodeCursor(seq int64, k int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10) + ":" + strconv.Itoa(k)))
}

func decodeCursor(c string) (int64, int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return 0, 0, false
	}
	a, bs, ok := strings.Cut(strings.TrimPrefix(string(b), cursorPrefix), ":")
	if !ok {
		return 0, 0, false
	}
	seq, err1 := strconv.ParseInt(a, 10, 64)
	k, err2 := strconv.Atoi(bs)
	if err1 != nil || err2 != nil || seq < 0 || k < 0 {
		return 0, 0, false
	}
	return seq, k, true
}
