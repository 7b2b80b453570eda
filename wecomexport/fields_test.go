package wecomexport_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wecomsync/wecomsync/wecomexport"
)

func TestCheckUserID(t *testing.T) {
	tests := []struct {
		id   string
		want string // "" = valid
	}{
		{id: "zhangsan", want: ""},
		{id: "Zhang.San-01_x@corp", want: ""},
		{id: "10086", want: ""},
		{id: strings.Repeat("a", 64), want: ""},
		{id: "", want: "missing 账号"},
		{id: strings.Repeat("a", 65), want: "invalid 账号: 65 bytes, at most 64 allowed"},
		{id: "_zhang", want: "invalid 账号: must start with a letter or digit"},
		{id: ".zhang", want: "invalid 账号: must start with a letter or digit"},
		{id: "@zhang", want: "invalid 账号: must start with a letter or digit"},
		{id: "zhang san", want: `invalid 账号: character ' ' not allowed (only letters, digits, _ - @ .)`},
		{id: "zhang/san", want: `invalid 账号: character '/' not allowed (only letters, digits, _ - @ .)`},
		{id: "zhang张", want: `invalid 账号: character '张' not allowed (only letters, digits, _ - @ .)`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			err := wecomexport.CheckUserID(tt.id)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestSplitDepartments(t *testing.T) {
	tests := []struct {
		cell    string
		want    [][]string
		wantErr bool
	}{
		{cell: "", want: nil},
		{cell: " \u3000", want: nil},
		{cell: "星河科技", want: [][]string{{"星河科技"}}},
		{cell: "星河科技/研发中心/后端组", want: [][]string{{"星河科技", "研发中心", "后端组"}}},
		{cell: "A/B；C", want: [][]string{{"A", "B"}, {"C"}}},
		{cell: "A/B;C", want: [][]string{{"A", "B"}, {"C"}}},
		{cell: "A/B；", want: [][]string{{"A", "B"}}},
		{cell: "；A", want: [][]string{{"A"}}},
		{cell: " A / B ； C\u3000", want: [][]string{{"A", "B"}, {"C"}}},
		{cell: "A/B；A/B;C", want: [][]string{{"A", "B"}, {"C"}}},
		{cell: "A//B", wantErr: true},
		{cell: "/A", wantErr: true},
		{cell: "A/", wantErr: true},
		{cell: "C；A/ /B", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.cell, func(t *testing.T) {
			got, err := wecomexport.SplitDepartments(tt.cell)
			if tt.wantErr {
				assert.ErrorIs(t, err, wecomexport.ErrEmptyPathSegment)
				assert.Nil(t, got)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
