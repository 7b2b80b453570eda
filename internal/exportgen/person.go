package exportgen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// mobileStride walks the 10^8 mobile suffixes without repeating (it is coprime with 10^8) and in no
// visible order, so distinct person indices get distinct mobiles whatever the prefix.
const mobileStride = 73939133

// personGen draws people.
type personGen struct {
	r             *rand.Rand
	v             vocab
	sheet         string
	numericPhones bool
	mobileOffset  uint64
}

func newPersonGen(r *rand.Rand, v vocab, sheet string, numericPhones bool) *personGen {
	return &personGen{r: r, v: v, sheet: sheet, numericPhones: numericPhones, mobileOffset: r.Uint64N(1e8)}
}

// name returns a Chinese name, its pinyin and an English alias (or "").
func (g *personGen) name() (han, pinyin, alias string) {
	sur := g.v.surnames[g.r.IntN(len(g.v.surnames))]
	han, pinyin = sur.han, sur.pinyin
	for n := 1 + g.r.IntN(2); n > 0; n-- {
		s := g.v.given[g.r.IntN(len(g.v.given))]
		han, pinyin = han+s.han, pinyin+s.pinyin
	}
	if g.r.IntN(10) < 4 {
		alias = g.v.english[g.r.IntN(len(g.v.english))] + " " + strings.ToUpper(sur.pinyin[:1]) + sur.pinyin[1:]
	}
	return han, pinyin, alias
}

// department picks a main department: now and then the company node itself, else one of leaves.
func (g *personGen) department(all, leaves [][]string) []string {
	if g.r.IntN(50) == 0 {
		return all[0]
	}
	return leaves[g.r.IntN(len(leaves))]
}

// mobile returns the i-th mobile, in "+86 138…" or "138…" form.
func (g *personGen) mobile(i int) string {
	head := g.v.mobileHead[g.r.IntN(len(g.v.mobileHead))]
	m := fmt.Sprintf("%s%08d", head, (uint64(i)*mobileStride+g.mobileOffset)%1e8)
	if !g.numericPhones && g.r.IntN(2) == 0 {
		return "+86 " + m
	}
	return m
}

// person returns the i-th member (i ≥ 1 makes the userid, mobile and emails unique) in depts.
func (g *personGen) person(i int, depts [][]string) wecomexport.Member {
	han, pinyin, alias := g.name()
	id := fmt.Sprintf("%s.%04d", pinyin, i)
	m := wecomexport.Member{
		Sheet:        g.sheet,
		UserID:       id,
		Name:         han,
		Alias:        alias,
		Position:     g.v.positions[g.r.IntN(len(g.v.positions))],
		Gender:       []string{"男", "女"}[g.r.IntN(2)],
		Mobile:       g.mobile(i),
		ActiveStatus: "已激活",
		WeChatPlugin: "已关注",
		Departments:  depts,
	}
	if g.r.IntN(4) == 0 {
		code := g.v.areaCodes[g.r.IntN(len(g.v.areaCodes))]
		m.Telephone = fmt.Sprintf("%s-%08d", code, 60000000+g.r.IntN(30000000))
	}
	if g.r.IntN(20) != 0 {
		m.Email = id + "@example.com"
	}
	if g.r.IntN(2) == 0 {
		m.BizMail = id + "@xinghe.example.cn"
	}
	if g.r.IntN(5) == 0 {
		m.Address = fmt.Sprintf("%s%d号", g.v.streets[g.r.IntN(len(g.v.streets))], 1+g.r.IntN(999))
	}
	if g.r.IntN(20) == 0 {
		m.VideoChannel = han + "的视频号"
	}
	if g.r.IntN(10) == 0 {
		m.ActiveStatus = "未激活"
	}
	if g.r.IntN(3) == 0 {
		m.WeChatPlugin = "未关注"
	}
	disabled := g.r.IntN(30) == 0
	m.Disabled = &disabled // the export always fills 禁用状态
	return m
}

// badRow returns a row that breaks exactly the rule of kind; variant varies how. Its row number
// and expected reject are set by Company.layout.
func (g *personGen) badRow(kind RejectKind, variant int, c *Company, leaves [][]string) ExpectedReject {
	if kind == KindDuplicate && len(c.Members) == 0 {
		kind = KindMissingUserID // nothing to duplicate
	}
	// Indices past the members keep userids and mobiles unique.
	m := g.person(len(c.Members)+len(c.BadRows)+1, [][]string{g.department(c.Departments, leaves)})
	b := ExpectedReject{Kind: kind}
	switch kind {
	case KindMissingUserID:
		m.UserID = ""
	case KindMissingName:
		m.Name = ""
	case KindInvalidUserID:
		m.UserID = []string{
			"-" + m.UserID,                         // must start with a letter or digit
			strings.Replace(m.UserID, ".", " ", 1), // space not allowed
			m.Name,                                 // Chinese not allowed
			strings.Repeat("x", wecomexport.MaxUserIDBytes+1),
			m.UserID + "#",
		}[variant%5]
	case KindEmptySegment:
		p := m.Departments[0]
		switch variant % 3 {
		case 0: // A//B (or /A for a one-segment path)
			p = append(append(append([]string{}, p[:len(p)-1]...), ""), p[len(p)-1])
		case 1: // /A/B
			p = append([]string{""}, p...)
		case 2: // A/B/
			p = append(append([]string{}, p...), "")
		}
		m.Departments = [][]string{p}
	case KindDuplicate:
		target := c.Members[(variant*7919)%len(c.Members)]
		b.DuplicateOf = target.UserID
		m.UserID = strings.ToUpper(target.UserID)
		m.Email, m.BizMail = "", ""
	}
	b.Cells = m
	return b
}
