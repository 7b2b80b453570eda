package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Gender is WeCom's gender, a string on the wire.
type Gender string

// Gender values.
const (
	GenderUnknown Gender = "0"
	GenderMale    Gender = "1"
	GenderFemale  Gender = "2"
)

// UnmarshalJSON accepts the string WeCom documents and a bare number.
func (g *Gender) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*g = Gender(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("gender: want a string or number, got %s", b)
	}
	*g = Gender(n.String())
	return nil
}

// User status values (User.Status).
const (
	StatusActive   = 1 // 已激活
	StatusDisabled = 2 // 已禁用
	StatusInactive = 4 // 未激活
	StatusLeft     = 5 // 退出企业
)

// User is a WeCom member: the body of user/create and the answer of user/get and user/list.
// Answers of apps created after 2022-06-20 and of 代开发 apps lack mobile, email, gender, avatar,
// biz_mail, address and qr_code.
type User struct {
	// UserID (账号) is 1–64 bytes of letters, digits and _ - @ . ; unique case-insensitively.
	UserID         string   `json:"userid"`
	Name           string   `json:"name,omitempty"`
	Alias          string   `json:"alias,omitempty"`
	Mobile         string   `json:"mobile,omitempty"`
	Department     []int    `json:"department,omitempty"`
	Order          []uint32 `json:"order,omitempty"`
	Position       string   `json:"position,omitempty"`
	Gender         Gender   `json:"gender,omitempty"`
	Email          string   `json:"email,omitempty"`
	BizMail        string   `json:"biz_mail,omitempty"`
	IsLeaderInDept []int    `json:"is_leader_in_dept,omitempty"`
	DirectLeader   []string `json:"direct_leader,omitempty"`
	MainDepartment int      `json:"main_department,omitempty"`
	Telephone      string   `json:"telephone,omitempty"`
	Address        string   `json:"address,omitempty"`
	// ExtAttr holds the custom attributes defined in the admin console.
	ExtAttr          *ExtAttr `json:"extattr,omitempty"`
	ExternalPosition string   `json:"external_position,omitempty"`
	// ExternalProfile is passed through as is.
	ExternalProfile json.RawMessage `json:"external_profile,omitempty"`
	// Enable (request only): 1 enables, 0 disables the member.
	Enable *int `json:"enable,omitempty"`
	// ToInvite (create only) sends an invitation; WeCom's default is true.
	ToInvite *bool `json:"to_invite,omitempty"`

	// Answer-only fields; Create does not send them.
	Avatar      string `json:"avatar,omitempty"`
	ThumbAvatar string `json:"thumb_avatar,omitempty"`
	QRCode      string `json:"qr_code,omitempty"`
	OpenUserID  string `json:"open_userid,omitempty"`
	// Status is 1 active, 2 disabled, 4 not activated, 5 left.
	Status int `json:"status,omitempty"`
}

// ExtAttr is a member's custom attributes.
type ExtAttr struct {
	Attrs []ExtAttrItem `json:"attrs"`
}

// ExtAttrItem is one custom attribute: type 0 text, 1 web page, 2 mini program.
type ExtAttrItem struct {
	Type int          `json:"type"`
	Name string       `json:"name"`
	Text *ExtAttrText `json:"text,omitempty"`
	Web  *ExtAttrWeb  `json:"web,omitempty"`
}

// ExtAttrText is the value of a text attribute.
type ExtAttrText struct {
	Value string `json:"value"`
}

// ExtAttrWeb is the value of a web page attribute.
type ExtAttrWeb struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// UserUpdate changes the fields that are set; nil fields are not sent, so nothing else changes.
// WeCom ignores Mobile once the member has activated.
type UserUpdate struct {
	UserID           string    `json:"userid"`
	Name             *string   `json:"name,omitempty"`
	Alias            *string   `json:"alias,omitempty"`
	Mobile           *string   `json:"mobile,omitempty"`
	Department       []int     `json:"department,omitempty"`
	Order            []uint32  `json:"order,omitempty"`
	Position         *string   `json:"position,omitempty"`
	Gender           *Gender   `json:"gender,omitempty"`
	Email            *string   `json:"email,omitempty"`
	BizMail          *string   `json:"biz_mail,omitempty"`
	IsLeaderInDept   []int     `json:"is_leader_in_dept,omitempty"`
	DirectLeader     *[]string `json:"direct_leader,omitempty"`
	MainDepartment   *int      `json:"main_department,omitempty"`
	Telephone        *string   `json:"telephone,omitempty"`
	Address          *string   `json:"address,omitempty"`
	Enable           *int      `json:"enable,omitempty"`
	ExtAttr          *ExtAttr  `json:"extattr,omitempty"`
	ExternalPosition *string   `json:"external_position,omitempty"`
}

// UserRef is a member as user/simplelist shows it.
type UserRef struct {
	UserID     string `json:"userid"`
	Name       string `json:"name"`
	Department []int  `json:"department"`
	OpenUserID string `json:"open_userid,omitempty"`
}

// ListIDRequest asks for one page of user/list_id.
type ListIDRequest struct {
	// Cursor is empty for the first page, then the previous page's NextCursor.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size, 1–10,000 (0 = WeCom's default, 10,000).
	Limit int `json:"limit,omitempty"`
}

// ListIDResponse is one page of user/list_id.
type ListIDResponse struct {
	// NextCursor is empty on the last page.
	NextCursor string     `json:"next_cursor"`
	DeptUser   []DeptUser `json:"dept_user"`
}

// DeptUser is one (member, department) pair: a member in two departments appears twice.
type DeptUser struct {
	UserID     string `json:"userid"`
	Department int    `json:"department"`
}

// MaxBatchDelete is the most userids one user/batchdelete call takes.
const MaxBatchDelete = 200

// MaxListIDLimit is the largest user/list_id page.
const MaxListIDLimit = 10000

// Create creates a member (POST user/create). userid, name, department and one of mobile or email
// are required; an existing userid answers an error of class apierr.Exists.
func (s *UsersService) Create(ctx context.Context, u *User) error {
	body := *u
	body.Avatar, body.ThumbAvatar, body.QRCode, body.OpenUserID, body.Status = "", "", "", "", 0
	return s.client.post(ctx, "user/create", &body, nil)
}

// Get returns one member (GET user/get). It answers 48009 for the contacts-sync secret from new
// IPs; an unknown userid answers an error of class apierr.Gone.
func (s *UsersService) Get(ctx context.Context, userid string) (*User, error) {
	var out User
	if err := s.client.get(ctx, "user/get", url.Values{"userid": {userid}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update changes the set fields of a member (POST user/update).
func (s *UsersService) Update(ctx context.Context, u *UserUpdate) error {
	return s.client.post(ctx, "user/update", u, nil)
}

// Delete deletes a member (GET user/delete); an unknown userid answers an error of class apierr.Gone
// is true.
func (s *UsersService) Delete(ctx context.Context, userid string) error {
	return s.client.get(ctx, "user/delete", url.Values{"userid": {userid}}, nil)
}

// BatchDelete deletes members, MaxBatchDelete per user/batchdelete call, in order. One unknown
// userid fails its whole call (40031) and stops; the calls before it have deleted their members.
func (s *UsersService) BatchDelete(ctx context.Context, userids []string) error {
	for start := 0; start < len(userids); start += MaxBatchDelete {
		end := min(start+MaxBatchDelete, len(userids))
		body := struct {
			UserIDList []string `json:"useridlist"`
		}{userids[start:end]}
		if err := s.client.post(ctx, "user/batchdelete", &body, nil); err != nil {
			return fmt.Errorf("batch delete users %d–%d of %d: %w", start+1, end, len(userids), err)
		}
	}
	return nil
}

func memberQuery(deptID int, fetchChild bool) url.Values {
	q := url.Values{"department_id": {strconv.Itoa(deptID)}}
	if fetchChild {
		q.Set("fetch_child", "1")
	}
	return q
}

// SimpleList returns the members of a department, with those of its sub-departments when
// fetchChild is set (GET user/simplelist).
func (s *UsersService) SimpleList(ctx context.Context, deptID int, fetchChild bool) ([]UserRef, error) {
	var out struct {
		UserList []UserRef `json:"userlist"`
	}
	if err := s.client.get(ctx, "user/simplelist", memberQuery(deptID, fetchChild), &out); err != nil {
		return nil, err
	}
	return out.UserList, nil
}

// List returns the members of a department in full, with those of its sub-departments when
// fetchChild is set (GET user/list). It answers 48009 for the contacts-sync secret from new IPs.
func (s *UsersService) List(ctx context.Context, deptID int, fetchChild bool) ([]User, error) {
	var out struct {
		UserList []User `json:"userlist"`
	}
	if err := s.client.get(ctx, "user/list", memberQuery(deptID, fetchChild), &out); err != nil {
		return nil, err
	}
	return out.UserList, nil
}

// ListID returns one page of (userid, department) pairs (POST user/list_id; contacts-sync
// secret only).
func (s *UsersService) ListID(ctx context.Context, req *ListIDRequest) (*ListIDResponse, error) {
	var out ListIDResponse
	if err := s.client.post(ctx, "user/list_id", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListIDAll pages through user/list_id with pages of limit rows (0 = 10,000) and yields every
// (userid, department) pair. On an error it yields the error once and stops.
func (s *UsersService) ListIDAll(ctx context.Context, limit int) iter.Seq2[DeptUser, error] {
	if limit <= 0 || limit > MaxListIDLimit {
		limit = MaxListIDLimit
	}
	return func(yield func(DeptUser, error) bool) {
		req := &ListIDRequest{Limit: limit}
		for {
			page, err := s.ListID(ctx, req)
			if err != nil {
				yield(DeptUser{}, err)
				return
			}
			for _, row := range page.DeptUser {
				if !yield(row, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			if page.NextCursor == req.Cursor {
				yield(DeptUser{}, &APIError{Op: "user/list_id", HTTPStatus: 200, ErrCode: -1,
					ErrMsg: "next_cursor repeats the request's cursor"})
				return
			}
			req = &ListIDRequest{Cursor: page.NextCursor, Limit: limit}
		}
	}
}
