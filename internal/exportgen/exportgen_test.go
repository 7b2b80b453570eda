package exportgen_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// parsed is what wecomexport.Parse made of an export.
type parsed struct {
	sum     wecomexport.Summary
	members []wecomexport.Member
	rejects []wecomexport.Reject
	err     error
}

func parseBytes(t *testing.T, data []byte, file string) parsed {
	t.Helper()
	var p parsed
	p.sum, p.err = wecomexport.Parse(context.Background(), bytes.NewReader(data), file, wecomexport.Options{EndRow: -1},
		func(m wecomexport.Member) error { p.members = append(p.members, m); return nil },
		func(r wecomexport.Reject) error { p.rejects = append(p.rejects, r); return nil })
	return p
}

func write(t *testing.T, c exportgen.Company, spec exportgen.Spec) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, exportgen.Write(&buf, c, spec))
	return buf.Bytes()
}

// wantRejects is c's expected rejects as Parse reports them for file.
func wantRejects(c exportgen.Company, file string) []wecomexport.Reject {
	var out []wecomexport.Reject
	for _, b := range c.BadRows {
		r := b.Reject
		r.File = file
		out = append(out, r)
	}
	return out
}

// assertRoundTrip checks that the export of c parses to exactly c's members and rejects.
func assertRoundTrip(t *testing.T, c exportgen.Company, data []byte) {
	t.Helper()
	got := parseBytes(t, data, "gen.xlsx")
	require.NoError(t, got.err)
	assert.Equal(t, c.Members, got.members)
	assert.Equal(t, wantRejects(c, "gen.xlsx"), got.rejects)
	assert.Equal(t, len(c.Members), got.sum.Members)
	assert.Equal(t, len(c.BadRows), got.sum.Rejects)
}

func TestGenerateWriteParseRoundTrip(t *testing.T) {
	variants := exportgen.NewSpec(60, 10, 7)
	variants.LabelVariants, variants.NumericPhones, variants.NoticeBlock, variants.DeptSeparator = true, true, false, ";"
	flat := exportgen.NewSpec(30, 20, 3)
	flat.Depth, flat.MultiDeptRatio, flat.Sheet, flat.Company = 1, -1, "通讯录", "示例公司"
	tests := []struct {
		name      string
		spec      exportgen.Spec
		wantLabel string
		wantRow   int // first member row
	}{
		{name: "defaults with every reject kind twice", spec: withBadRows(exportgen.NewSpec(200, 30, 1), 10), wantLabel: "账号", wantRow: 11},
		{name: "variants, numeric phones, ASCII ;, no notice", spec: withBadRows(variants, 5), wantLabel: "帐号", wantRow: 2},
		{name: "one level, no multi-department users, other names", spec: flat, wantLabel: "账号", wantRow: 11},
		{name: "no departments below the company", spec: exportgen.NewSpec(5, 0, 9), wantLabel: "账号", wantRow: 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := exportgen.Generate(tt.spec)
			data := write(t, c, tt.spec)
			assertRoundTrip(t, c, data)
			got := parseBytes(t, data, "gen.xlsx")
			assert.Contains(t, got.sum.Header, tt.wantLabel)
			assert.Len(t, got.sum.Header, 15)
			require.NotEmpty(t, c.Members)
			assert.Equal(t, tt.wantRow, c.Members[0].Row)
		})
	}
}

func withBadRows(s exportgen.Spec, n int) exportgen.Spec { s.BadRows = n; return s }

func TestGenerateModel(t *testing.T) {
	spec := exportgen.NewSpec(3000, 120, 42)
	spec.BadRows = 5
	c := exportgen.Generate(spec)

	assert.Equal(t, c, exportgen.Generate(spec), "same spec, same company")
	other := spec
	other.Seed = 43
	assert.NotEqual(t, c.Members, exportgen.Generate(other).Members)

	assert.Equal(t, "星河科技", c.Name)
	require.Len(t, c.Departments, 121)
	assert.Equal(t, []string{"星河科技"}, c.Departments[0])
	known := map[string]bool{}
	for _, d := range c.Departments {
		assert.LessOrEqual(t, len(d), 1+exportgen.DefaultDepth, d)
		key := strings.Join(d, "/")
		assert.False(t, known[key], "department %s twice", key)
		if len(d) > 1 {
			assert.True(t, known[strings.Join(d[:len(d)-1], "/")], "parent of %s listed after it", key)
		}
		for _, seg := range d {
			assert.NotContains(t, seg, "/")
		}
		known[key] = true
	}

	ids, mobiles, mails := map[string]bool{}, map[string]bool{}, map[string]bool{}
	multi, plus, disabled := 0, 0, 0
	for _, m := range c.Members {
		id := strings.ToLower(m.UserID)
		assert.NoError(t, wecomexport.CheckUserID(m.UserID))
		assert.False(t, ids[id], "userid %s twice", id)
		ids[id] = true
		mobile := strings.TrimPrefix(m.Mobile, "+86 ")
		assert.Regexp(t, `^1[3-9]\d{9}$`, mobile)
		assert.False(t, mobiles[mobile], "mobile %s twice", mobile)
		mobiles[mobile] = true
		for _, mail := range []string{m.Email, m.BizMail} {
			if mail != "" {
				assert.False(t, mails[mail], "email %s twice", mail)
				mails[mail] = true
			}
		}
		assert.NotEmpty(t, m.Name)
		assert.Contains(t, []string{"男", "女"}, m.Gender)
		require.NotEmpty(t, m.Departments)
		for _, d := range m.Departments {
			assert.True(t, known[strings.Join(d, "/")], "member department %v not in the tree", d)
		}
		if len(m.Departments) > 1 {
			multi++
			assert.LessOrEqual(t, len(m.Departments), 3)
		}
		if strings.HasPrefix(m.Mobile, "+86 ") {
			plus++
		}
		if m.Disabled != nil && *m.Disabled {
			disabled++
		}
	}
	assert.Equal(t, 300, multi, "round(0.1 × 3000) users in several departments")
	assert.Greater(t, plus, 1000, "both mobile forms")
	assert.Less(t, plus, 2000, "both mobile forms")
	assert.Greater(t, disabled, 0)
	assert.Less(t, disabled, 300, "mostly 未禁用")

	var kinds []exportgen.RejectKind
	for _, b := range c.BadRows {
		kinds = append(kinds, b.Kind)
	}
	assert.Equal(t, []exportgen.RejectKind{exportgen.KindMissingUserID, exportgen.KindMissingName,
		exportgen.KindInvalidUserID, exportgen.KindEmptySegment, exportgen.KindDuplicate}, kinds)
}

func TestGenerateMultiDeptCount(t *testing.T) {
	spec := exportgen.NewSpec(40, 8, 1)
	spec.MultiDeptRatio = 0.075
	multi := 0
	for _, m := range exportgen.Generate(spec).Members {
		if len(m.Departments) > 1 {
			multi++
		}
	}
	assert.Equal(t, 3, multi)
}

func TestEdited(t *testing.T) {
	spec := withBadRows(exportgen.NewSpec(40, 8, 1), 5)
	c := exportgen.Generate(spec)
	e, log := c.Edited(exportgen.Edit{Rename: 2, Move: 2, Add: 3, Remove: 3, Seed: 1})

	assert.Len(t, log.Renamed, 2)
	assert.Len(t, log.Moved, 2)
	assert.Len(t, log.Added, 3)
	assert.Len(t, log.Removed, 3)
	assert.Len(t, e.Members, 40-3+3)
	again, againLog := c.Edited(exportgen.Edit{Rename: 2, Move: 2, Add: 3, Remove: 3, Seed: 1})
	assert.Equal(t, e, again)
	assert.Equal(t, log, againLog)

	in := func(list []string, id string) bool { return slices.Contains(list, id) }
	before := map[string]wecomexport.Member{}
	for _, m := range c.Members {
		before[m.UserID] = m
	}
	after := map[string]wecomexport.Member{}
	for _, m := range e.Members {
		after[m.UserID] = m
	}
	for id, old := range before {
		now, ok := after[id]
		if in(log.Removed, id) {
			assert.False(t, ok, "removed %s still there", id)
			continue
		}
		require.True(t, ok, "%s lost", id)
		want := old
		want.Row = now.Row
		switch {
		case in(log.Renamed, id):
			assert.NotEqual(t, old.Name, now.Name)
			assert.NotEqual(t, old.Alias, now.Alias)
			want.Name, want.Alias = now.Name, now.Alias
		case in(log.Moved, id):
			assert.NotEqual(t, old.Departments[0], now.Departments[0])
			assert.Contains(t, c.Departments, now.Departments[0])
			want.Departments = now.Departments
			assert.Equal(t, old.Departments[1:], now.Departments[1:])
		}
		assert.Equal(t, want, now, "only the logged change for %s", id)
	}
	for _, id := range log.Added {
		_, existed := before[id]
		assert.False(t, existed)
		assert.Contains(t, after, id)
	}
	distinct := map[string]bool{}
	for _, l := range [][]string{log.Renamed, log.Moved, log.Removed} {
		for _, id := range l {
			distinct[id] = true
		}
	}
	assert.Len(t, distinct, 7, "renamed, moved and removed users are distinct")

	// The original is untouched and the edit still parses exactly, bad rows included.
	assert.Equal(t, exportgen.Generate(spec), c)
	assertRoundTrip(t, e, write(t, e, spec))
	for i, m := range e.Members {
		assert.Equal(t, 11+i, m.Row)
	}
}

func TestWriteRejectsRowsAboveTheHeader(t *testing.T) {
	spec := exportgen.NewSpec(3, 2, 1)
	c := exportgen.Generate(spec)
	c.Members[1].Row = 5
	var buf bytes.Buffer
	err := exportgen.Write(&buf, c, spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "below the header")
}
