package exportgen

import "strings"

// syllable is a Chinese character (or two) with its pinyin.
type syllable struct{ han, pinyin string }

// vocab holds the word lists the generator draws from. It is built per call (no package state).
type vocab struct {
	surnames   []syllable
	given      []syllable
	english    []string
	positions  []string
	topDepts   []string
	midDepts   []string
	lowDepts   []string
	streets    []string
	areaCodes  []string
	mobileHead []string
}

func newVocab() vocab {
	return vocab{
		surnames: syllables("王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu " +
			"胡hu 郭guo 何he 高gao 林lin 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao " +
			"彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang 蔡cai 余yu 杜du 叶ye 程cheng 苏su 魏wei " +
			"吕lv 丁ding 任ren 沈shen 欧阳ouyang 司马sima"),
		given: syllables("伟wei 芳fang 娜na 敏min 静jing 丽li 强qiang 磊lei 军jun 洋yang 勇yong 艳yan 杰jie 娟juan " +
			"涛tao 明ming 超chao 秀xiu 霞xia 平ping 刚gang 英ying 华hua 玉yu 兰lan 萍ping 鹏peng 辉hui 建jian 国guo " +
			"文wen 斌bin 宇yu 浩hao 凯kai 晨chen 欣xin 婷ting 雪xue 琳lin 晶jing 思si 佳jia 子zi 涵han 睿rui 博bo " +
			"俊jun 嘉jia 怡yi 然ran 轩xuan 雨yu 泽ze 一yi 诺nuo 安an 乐le 天tian 海hai 峰feng 志zhi 慧hui 颖ying 倩qian"),
		english: []string{"Tom", "Jerry", "Lily", "Lucy", "Kevin", "Jack", "Amy", "Grace", "Leo", "Eric", "Nina", "Sam",
			"Alice", "Bob", "Cindy", "David", "Emma", "Frank", "Helen", "Ivy", "Jason", "Kelly", "Mike", "Olivia",
			"Peter", "Rose", "Steven", "Tina", "Vivian", "Wendy"},
		positions: []string{"工程师", "高级工程师", "资深工程师", "技术专家", "架构师", "产品经理", "设计师", "测试工程师",
			"运维工程师", "数据分析师", "销售经理", "客户经理", "市场专员", "运营专员", "财务专员", "会计", "人事专员",
			"HRBP", "行政助理", "法务专员", "主管", "经理", "高级经理", "总监", "实习生", ""},
		topDepts: []string{"研发中心", "产品中心", "市场中心", "销售中心", "运营中心", "客户服务中心", "财务部", "人力资源部",
			"行政部", "法务部", "采购部", "品牌部", "质量管理部", "战略发展部", "信息技术部"},
		midDepts: []string{"后端组", "前端组", "测试组", "运维组", "数据组", "算法组", "架构组", "移动端组", "安全组",
			"基础平台组", "华东区", "华南区", "华北区", "西南区", "华中区", "东北区", "西北区", "海外事业部", "渠道部",
			"大客户部", "招聘组", "薪酬组", "培训组", "内容组", "设计组", "用户研究组"},
		lowDepts: []string{"一组", "二组", "三组", "四组", "五组", "六组", "北京分部", "上海分部", "广州分部", "深圳分部",
			"杭州分部", "成都分部", "武汉分部", "西安分部", "南京分部", "苏州分部", "项目一部", "项目二部", "项目三部"},
		streets: []string{"北京市海淀区中关村大街", "上海市浦东新区张江路", "深圳市南山区科技园路", "广州市天河区珠江新城华夏路",
			"杭州市西湖区文三路", "成都市高新区天府大道", "武汉市洪山区光谷大道", "南京市建邺区江东中路"},
		areaCodes:  []string{"010", "021", "0755", "020", "0571", "028", "027", "025"},
		mobileHead: []string{"130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "199"},
	}
}

// syllables parses "王wang 李li" into pairs: the leading non-ASCII runes are the characters.
func syllables(s string) []syllable {
	var out []syllable
	for _, w := range strings.Fields(s) {
		i := 0
		for i < len(w) && w[i] >= 0x80 {
			i++
		}
		out = append(out, syllable{han: w[:i], pinyin: w[i:]})
	}
	return out
}
