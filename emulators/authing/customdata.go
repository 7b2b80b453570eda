package authing

import (
	"encoding/json"
	"time"
)

// customTarget is what set-custom-data and get-custom-data address: a user by its Authing id or
// a department (an organization root included) by its Authing id.
type customTarget struct {
	user *userRec
	dept *deptRec
}

// resolveTarget finds the object of targetType and targetIdentifier. Roles and groups are valid
// target types, but the emulator holds none, so they are never found.
func (st *state) resolveTarget(kind, id string) (customTarget, *apiError) {
	if aerr := targetType(kind, true); aerr != nil {
		return customTarget{}, aerr
	}
	if id == "" {
		return customTarget{}, badParam("targetIdentifier")
	}
	switch kind {
	case "USER":
		if u := st.byID[id]; u != nil {
			return customTarget{user: u}, nil
		}
		return customTarget{}, errUserNotFound()
	case "DEPARTMENT":
		if d := st.depts[id]; d != nil {
			return customTarget{dept: d}, nil
		}
		return customTarget{}, errDeptNotFound(id)
	case "ROLE":
		return customTarget{}, &apiError{status: 404, apiCode: 404, msg: "角色不存在: " + id}
	default:
		return customTarget{}, &apiError{status: 404, apiCode: 404, msg: "分组不存在: " + id}
	}
}

// data returns the target's custom values.
func (t customTarget) data() map[string]any {
	if t.user != nil {
		return t.user.CustomData
	}
	return t.dept.CustomData
}

// setCustomValues merges patch (a nil value removes a key) into the target's values after
// checking them against the definitions and, for users, the unique custom fields.
func (st *state) setCustomValues(t customTarget, patch map[string]any, now time.Time) *apiError {
	merged := mergeData(t.data(), patch)
	if t.dept != nil {
		if aerr := st.checkCustomData("DEPARTMENT", merged); aerr != nil {
			return aerr
		}
		t.dept.CustomData = merged
		t.dept.UpdatedAt = now
		return nil
	}
	next := t.user.User
	next.CustomData = merged
	if aerr := st.checkUser(&next, t.user, nil); aerr != nil {
		return aerr
	}
	next.UpdatedAt = now
	st.replaceUser(t.user, next)
	return nil
}

// setCustomData writes 1–50 {key, value} pairs on one user or department; every key must be a
// custom field defined for the target type. namespace (roles only) and tenantId are ignored.
func (s *Server) setCustomData(c *call) (any, *apiError) {
	var in struct {
		TargetType       string `json:"targetType"`
		TargetIdentifier string `json:"targetIdentifier"`
		List             []struct {
			Key   string          `json:"key"`
			Value json.RawMessage `json:"value"`
		} `json:"list"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := batchSize(len(in.List), "list"); aerr != nil {
		return nil, aerr
	}
	patch := make(map[string]any, len(in.List))
	for i, item := range in.List {
		var v any
		if item.Key == "" {
			return nil, badParam("key").withPrefix(itemPrefix(i))
		}
		if len(item.Value) == 0 || json.Unmarshal(item.Value, &v) != nil {
			return nil, badParam("value").withPrefix(itemPrefix(i))
		}
		patch[item.Key] = v
	}
	t, aerr := s.st.resolveTarget(in.TargetType, in.TargetIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.st.setCustomValues(t, patch, c.now); aerr != nil {
		return nil, aerr
	}
	return map[string]any{"success": true}, nil
}

// getCustomData answers the target's custom values as one object (key → value).
func (s *Server) getCustomData(c *call) (any, *apiError) {
	t, aerr := s.st.resolveTarget(c.q.Get("targetType"), c.q.Get("targetIdentifier"))
	if aerr != nil {
		return nil, aerr
	}
	return nonNilMap(copyMap(t.data())), nil
}
