package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wecomsync/wecomsync/directory"
)

// MatchOrder validates Options.MatchBy and applies the default.
func MatchOrder(by []string) ([]string, error) {
	if len(by) == 0 {
		return DefaultMatchBy(), nil
	}
	if len(by) == 1 && by[0] == MatchNone {
		return nil, nil
	}
	for _, k := range by {
		if !slices.Contains(DefaultMatchBy(), k) {
			return nil, &InputError{Err: fmt.Errorf("matchBy: %q is not one of %s, or [%q]", k, strings.Join(DefaultMatchBy(), ", "), MatchNone)}
		}
	}
	return by, nil
}

// matcher finds the account a member of the file is: the one the sync owns under its userid, or
// an account nobody has linked yet that fits by username, phone or email.
type matcher struct {
	owned   map[string]*CurrentUser              // userid key → owned account
	indexes map[string]map[string][]*CurrentUser // match key → value → accounts (owned or not)
	by      []string
}

func newMatcher(cur []CurrentUser, by []string) *matcher {
	m := &matcher{owned: make(map[string]*CurrentUser, len(cur)), indexes: map[string]map[string][]*CurrentUser{}, by: by}
	for _, k := range by {
		m.indexes[k] = map[string][]*CurrentUser{}
	}
	for i := range cur {
		u := &cur[i]
		if k := key(u.User.UserID); k != "" {
			if _, dup := m.owned[k]; !dup {
				m.owned[k] = u
			}
		}
		for _, k := range by {
			if v := matchValue(k, u.Username, u.User); v != "" {
				m.indexes[k][v] = append(m.indexes[k][v], u)
			}
		}
	}
	return m
}

// matchValue is the value an account or a member is matched on under match key k.
func matchValue(k, username string, u directory.User) string {
	switch k {
	case MatchUsername:
		return key(username)
	case MatchPhone:
		return u.Mobile
	case MatchEmail:
		return strings.ToLower(u.Email)
	}
	return ""
}

// adoption is the outcome of matching one member without an owned account.
type adoption struct {
	user      *CurrentUser // the account to adopt; nil = create a new one
	by        string
	ambiguous string // why the member is left untouched
}

// adoptions matches the members that have no owned account. A member adopts an account when
// every configured key that fits any account fits that same one; the first key that fits names
// the adoption. Keys that point at different accounts, an account already linked to another
// userid, or an account two members fit are ambiguous: reported, never touched.
func (m *matcher) adoptions(desired []DesiredUser) map[string]adoption {
	out := map[string]adoption{}
	claims := map[*CurrentUser][]string{}
	for _, d := range desired {
		k := key(d.User.UserID)
		if m.owned[k] != nil {
			continue
		}
		var found []*CurrentUser
		var by []string
		for _, key := range m.by {
			v := matchValue(key, d.User.UserID, d.User)
			if v == "" {
				continue
			}
			for _, u := range m.indexes[key][v] {
				if !slices.Contains(found, u) {
					found, by = append(found, u), append(by, key)
				}
			}
		}
		switch {
		case len(found) == 0:
		case len(found) > 1:
			out[k] = adoption{ambiguous: fmt.Sprintf("%d accounts fit (by %s)", len(found), strings.Join(slices.Compact(by), ", "))}
		case found[0].Owned():
			out[k] = adoption{ambiguous: fmt.Sprintf("the account with this %s is already linked to WeCom user %q", by[0], found[0].User.UserID)}
		default:
			out[k] = adoption{user: found[0], by: by[0]}
			claims[found[0]] = append(claims[found[0]], k)
		}
	}
	for acct, members := range claims {
		if len(members) > 1 {
			for _, k := range members {
				out[k] = adoption{ambiguous: fmt.Sprintf("%d members of the file fit the same account (%s)", len(members), acct.AuthingID)}
			}
		}
	}
	return out
}
