package authing

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

var customKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

var dataTypes = []string{"STRING", "NUMBER", "DATETIME", "BOOLEAN", "ENUM"}

// targetType checks a custom-field target type: USER, DEPARTMENT, ROLE, or GROUP where the API
// takes it (the field-listing APIs do not).
func targetType(t string, groupToo bool) *apiError {
	if t == "USER" || t == "DEPARTMENT" || t == "ROLE" || (groupToo && t == "GROUP") {
		return nil
	}
	return badParam("targetType")
}

// builtinKeys are attribute names a custom field of the target must not take.
func builtinKeys(target string) map[string]bool {
	out := map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "customData": true}
	switch target {
	case "USER":
		for _, f := range userStringFields {
			out[f] = true
		}
		for f := range userProfileFields {
			out[f] = true
		}
		for _, f := range []string{"userId", "password", "departmentIds", "mainDepartmentId", "identities"} {
			out[f] = true
		}
	case "DEPARTMENT":
		for _, f := range []string{"departmentId", "name", "code", "openDepartmentId", "description",
			"parentDepartmentId", "organizationCode", "leaderUserIds", "status"} {
			out[f] = true
		}
	}
	return out
}

// fieldInput is one set-custom-fields item; pointers tell what was sent.
type fieldInput struct {
	TargetType  string        `json:"targetType"`
	Key         string        `json:"key"`
	DataType    string        `json:"dataType"`
	Label       *string       `json:"label"`
	Description *string       `json:"description"`
	IsUnique    *bool         `json:"isUnique"`
	Encrypted   *bool         `json:"encrypted"`
	Options     *[]EnumOption `json:"options"`
}

// nextField validates one definition and returns it as it will be stored.
func (st *state) nextField(in fieldInput, now time.Time) (CustomField, *apiError) {
	if aerr := targetType(in.TargetType, true); aerr != nil {
		return CustomField{}, aerr
	}
	if !customKeyRE.MatchString(in.Key) {
		return CustomField{}, badParam("key")
	}
	if builtinKeys(in.TargetType)[in.Key] {
		return CustomField{}, &apiError{status: 400, apiCode: 400, msg: "自定义字段 key 不能与内置字段重名: " + in.Key}
	}
	var f CustomField
	if old := st.field(in.TargetType, in.Key); old != nil {
		f = *old
		if in.DataType != "" && in.DataType != old.DataType {
			return CustomField{}, &apiError{status: 400, apiCode: 400, msg: "自定义字段 " + in.Key + " 的 dataType 不可修改"}
		}
		if in.Encrypted != nil && *in.Encrypted != old.Encrypted {
			return CustomField{}, &apiError{status: 400, apiCode: 400, msg: "自定义字段 " + in.Key + " 的 encrypted 不可修改"}
		}
	} else {
		if !slices.Contains(dataTypes, in.DataType) {
			return CustomField{}, badParam("dataType")
		}
		f = CustomField{TargetType: in.TargetType, Key: in.Key, DataType: in.DataType, CreatedAt: now}
		if in.Encrypted != nil {
			f.Encrypted = *in.Encrypted
		}
	}
	if in.Label != nil {
		f.Label = *in.Label
	}
	if in.Description != nil {
		f.Description = *in.Description
	}
	if in.Options != nil {
		f.Options = slices.Clone(*in.Options)
	}
	if in.IsUnique != nil {
		if *in.IsUnique && !f.IsUnique && in.TargetType == "USER" && st.hasDuplicates("c:"+in.Key) {
			return CustomField{}, &apiError{status: 409, apiCode: 409, msg: "自定义字段 " + in.Key + " 已有重复的值，不能设为唯一"}
		}
		f.IsUnique = *in.IsUnique
	}
	return f, nil
}

// hasDuplicates reports whether two users share a value of an index kind.
func (st *state) hasDuplicates(kind string) bool {
	prefix := kind + "\x00"
	for k, set := range st.idx {
		if len(set) > 1 && strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// putField stores a validated definition.
func (st *state) putField(f CustomField) *CustomField {
	if old := st.field(f.TargetType, f.Key); old != nil {
		*old = f
		return old
	}
	nf := &f
	if st.fields[f.TargetType] == nil {
		st.fields[f.TargetType] = map[string]*CustomField{}
	}
	st.fields[f.TargetType][f.Key] = nf
	st.fieldOrder = append(st.fieldOrder, nf)
	st.version++
	return nf
}

func renderField(f *CustomField) map[string]any {
	opts := []EnumOption{}
	opts = append(opts, f.Options...)
	return map[string]any{
		"targetType":            f.TargetType,
		"key":                   f.Key,
		"dataType":              f.DataType,
		"label":                 f.Label,
		"description":           nullable(f.Description),
		"isUnique":              f.IsUnique,
		"encrypted":             f.Encrypted,
		"userEditable":          false,
		"visibleInAdminConsole": true,
		"visibleInUserCenter":   true,
		"options":               opts,
		"createdAt":             isoTime(f.CreatedAt),
	}
}

func (s *Server) getCustomFields(c *call) (any, *apiError) {
	target := c.q.Get("targetType")
	if aerr := targetType(target, false); aerr != nil {
		return nil, aerr
	}
	out := []map[string]any{}
	for _, f := range s.st.fieldOrder {
		if f.TargetType == target {
			out = append(out, renderField(f))
		}
	}
	return out, nil
}

func (s *Server) setCustomFields(c *call) (any, *apiError) {
	var in struct {
		List []json.RawMessage `json:"list"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := batchSize(len(in.List), "list"); aerr != nil {
		return nil, aerr
	}
	fields := make([]CustomField, 0, len(in.List))
	seen := map[string]bool{}
	for i, raw := range in.List {
		var fi fieldInput
		if err := json.Unmarshal(raw, &fi); err != nil {
			return nil, badParam("list").withPrefix(itemPrefix(i))
		}
		if seen[fi.TargetType+"\x00"+fi.Key] {
			return nil, (&apiError{status: 400, apiCode: 400, msg: "重复的 key: " + fi.Key}).withPrefix(itemPrefix(i))
		}
		seen[fi.TargetType+"\x00"+fi.Key] = true
		f, aerr := s.st.nextField(fi, c.now)
		if aerr != nil {
			return nil, aerr.withPrefix(itemPrefix(i))
		}
		fields = append(fields, f)
	}
	out := make([]map[string]any, 0, len(fields))
	for _, f := range fields {
		out = append(out, renderField(s.st.putField(f)))
	}
	return out, nil
}

// listCustomFields pages the definitions of one target type, optionally of one data type and
// whose key or label contains keyword.
func (s *Server) listCustomFields(c *call) (any, *apiError) {
	target, dataType, keyword := c.q.Get("targetType"), c.q.Get("dataType"), c.q.Get("keyword")
	if aerr := targetType(target, false); aerr != nil {
		return nil, aerr
	}
	if dataType != "" && !slices.Contains(dataTypes, dataType) {
		return nil, badParam("dataType")
	}
	page, limit, aerr := qPaging(c.q)
	if aerr != nil {
		return nil, aerr
	}
	var match []*CustomField
	for _, f := range s.st.fieldOrder {
		if f.TargetType == target && (dataType == "" || f.DataType == dataType) &&
			(keyword == "" || strings.Contains(f.Key, keyword) || strings.Contains(f.Label, keyword)) {
			match = append(match, f)
		}
	}
	list := []map[string]any{}
	for _, f := range pageOf(match, page, limit) {
		list = append(list, renderField(f))
	}
	return map[string]any{"totalCount": len(match), "list": list}, nil
}

// deleteCustomFields removes definitions (1–50 {targetType, key}) and every value stored under
// them. Keys that are not defined are ignored, so a repeated call succeeds.
func (s *Server) deleteCustomFields(c *call) (any, *apiError) {
	var in struct {
		List []struct {
			TargetType string `json:"targetType"`
			Key        string `json:"key"`
		} `json:"list"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if aerr := batchSize(len(in.List), "list"); aerr != nil {
		return nil, aerr
	}
	for i, item := range in.List {
		if aerr := targetType(item.TargetType, true); aerr != nil {
			return nil, aerr.withPrefix(itemPrefix(i))
		}
		if item.Key == "" {
			return nil, badParam("key").withPrefix(itemPrefix(i))
		}
	}
	for _, item := range in.List {
		s.st.removeField(item.TargetType, item.Key)
	}
	return map[string]any{"success": true}, nil
}

// removeField deletes a definition and the values users or departments hold under it.
func (st *state) removeField(target, key string) {
	f := st.field(target, key)
	if f == nil {
		return
	}
	delete(st.fields[target], key)
	st.fieldOrder = slices.DeleteFunc(st.fieldOrder, func(x *CustomField) bool { return x == f })
	drop := map[string]any{key: nil}
	switch target {
	case "USER":
		for _, u := range st.users {
			if _, set := u.CustomData[key]; set && !u.dead {
				next := u.User
				next.CustomData = mergeData(u.CustomData, drop)
				st.replaceUser(u, next)
			}
		}
	case "DEPARTMENT":
		for _, d := range st.depts {
			if _, set := d.CustomData[key]; set {
				d.CustomData = mergeData(d.CustomData, drop)
			}
		}
	}
	st.version++
}
