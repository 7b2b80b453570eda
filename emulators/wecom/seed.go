package wecom

import "fmt"

// DemoCompany returns the demo corp 星河科技 used by `make dev`: six departments on up to three
// levels under the root and twenty members, three of them in two departments, one not yet
// activated and one disabled.
func DemoCompany() Fixture {
	f := Fixture{
		CorpID:   DefaultCorpID,
		CorpName: "星河科技",
		Departments: []Department{
			{ID: 1, Name: "星河科技", ParentID: 0, Order: 100000000},
			{ID: 2, Name: "研发中心", ParentID: 1, Order: 100},
			{ID: 3, Name: "后端组", ParentID: 2, Order: 90},
			{ID: 4, Name: "前端组", ParentID: 2, Order: 80},
			{ID: 5, Name: "产品部", ParentID: 1, Order: 70},
			{ID: 6, Name: "市场部", ParentID: 1, Order: 60},
			{ID: 7, Name: "华东销售组", ParentID: 6, Order: 50},
		},
	}
	type member struct {
		userid, name, alias, position, gender string
		depts                                 []int
		leader                                []int
		status                                int
	}
	members := []member{
		{"zhangwei", "张伟", "David", "CEO", "1", []int{1}, []int{1}, StatusActive},
		{"wangfang", "王芳", "Fiona", "研发总监", "2", []int{2}, []int{1}, StatusActive},
		{"lina", "李娜", "Lina", "后端组长", "2", []int{3}, []int{1}, StatusActive},
		{"liuyang", "刘洋", "", "后端工程师", "1", []int{3}, []int{0}, StatusActive},
		{"chenjing", "陈静", "", "后端工程师", "2", []int{3}, []int{0}, StatusActive},
		{"yangqiang", "杨强", "", "后端工程师", "1", []int{3, 5}, []int{0, 0}, StatusActive},
		{"zhaolei", "赵磊", "Ray", "前端组长", "1", []int{4}, []int{1}, StatusActive},
		{"huangmin", "黄敏", "", "前端工程师", "2", []int{4}, []int{0}, StatusActive},
		{"zhoujie", "周杰", "", "前端工程师", "1", []int{4}, []int{0}, StatusInactive},
		{"wuxia", "吴霞", "", "UI设计师", "2", []int{4, 5}, []int{0, 0}, StatusActive},
		{"xuming", "徐明", "Ming", "产品总监", "1", []int{5}, []int{1}, StatusActive},
		{"sunli", "孙丽", "", "产品经理", "2", []int{5}, []int{0}, StatusActive},
		{"machao", "马超", "", "产品经理", "1", []int{5}, []int{0}, StatusDisabled},
		{"zhuhong", "朱红", "Rose", "市场总监", "2", []int{6}, []int{1}, StatusActive},
		{"hujun", "胡军", "", "市场专员", "1", []int{6}, []int{0}, StatusActive},
		{"guoyan", "郭燕", "", "销售经理", "2", []int{7}, []int{1}, StatusActive},
		{"heping", "何平", "", "销售代表", "1", []int{7}, []int{0}, StatusActive},
		{"linfeng", "林峰", "", "销售代表", "1", []int{7, 6}, []int{0, 0}, StatusActive},
		{"luoxin", "罗欣", "", "销售代表", "2", []int{7}, []int{0}, StatusActive},
		{"gaoyuan", "高远", "", "行政主管", "1", []int{1}, []int{0}, StatusActive},
	}
	for i, m := range members {
		f.Users = append(f.Users, User{
			UserID:         m.userid,
			Name:           m.name,
			Alias:          m.alias,
			Position:       m.position,
			Gender:         m.gender,
			Department:     m.depts,
			IsLeaderInDept: m.leader,
			MainDepartment: m.depts[0],
			Mobile:         fmt.Sprintf("+86 1380000%04d", i+1),
			Email:          m.userid + "@xinghe.example.com",
			Status:         m.status,
		})
	}
	return f
}
