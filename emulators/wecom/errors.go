package wecom

import "fmt"

// errText is the errmsg text for an errcode, in WeCom's English style.
func errText(code int) string {
	switch code {
	case -1:
		return "system busy"
	case 40001:
		return "invalid credential"
	case 40003:
		return "invalid userid"
	case 40013:
		return "invalid corpid"
	case 40014:
		return "invalid access_token"
	case 40031:
		return "invalid userid list"
	case 40032:
		return "invalid userid list size"
	case 40058:
		return "invalid parameter"
	case 40066:
		return "invalid department list"
	case 41001:
		return "access_token missing"
	case 42001:
		return "access_token expired"
	case 45009:
		return "api freq out of limit"
	case 45033:
		return "api concurrent out of limit"
	case 48002:
		return "api forbidden"
	case 48009:
		return "api forbidden for contact assistant"
	case 60001:
		return "department length not match"
	case 60003:
		return "department not found"
	case 60004:
		return "parent department not found"
	case 60005:
		return "department contains members"
	case 60006:
		return "department contains sub-departments"
	case 60007:
		return "not allow to delete root department"
	case 60008:
		return "department existed"
	case 60009:
		return "department name contains invalid character"
	case 60010:
		return "department exist circle"
	case 60102:
		return "userid existed"
	case 60103:
		return "mobile invalid"
	case 60104:
		return "mobile existed"
	case 60105:
		return "email invalid"
	case 60106:
		return "email existed"
	case 60110:
		return "department count exceed limit"
	case 60111:
		return "userid not found"
	case 60112:
		return "invalid username"
	case 60123:
		return "invalid department id"
	case 60125:
		return "invalid department name"
	case 60127:
		return "department missing"
	case 60129:
		return "mobile and email are both empty"
	case 60132:
		return "is_leader_in_dept length not match department"
	case 60143:
		return "invalid biz_mail"
	case 60257:
		return "direct_leader count exceed limit"
	case 81001:
		return "department node count exceed limit"
	case 81002:
		return "department level exceed limit"
	case 301012:
		return "invalid position"
	case 301013:
		return "invalid telephone"
	case 301014:
		return "invalid alias"
	default:
		return fmt.Sprintf("error %d", code)
	}
}
