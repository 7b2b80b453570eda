package wecomexport

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// selectSheets resolves Options.Sheet to sheet indices in workbook order; explicit is true when
// one sheet was named (it is then read even when hidden, and must have a header).
func selectSheets(sheets []xlsx.Sheet, file, sel string) (indices []int, explicit bool, err error) {
	if sel == "" {
		for i := range sheets {
			indices = append(indices, i)
		}
		return indices, false, nil
	}
	if isDigits(sel) {
		if i, err := strconv.Atoi(sel); err == nil && i < len(sheets) {
			return []int{i}, true, nil
		}
	}
	for i, sh := range sheets {
		if sh.Name == sel {
			return []int{i}, true, nil
		}
	}
	for i, sh := range sheets {
		if strings.EqualFold(clean(sh.Name), clean(sel)) {
			return []int{i}, true, nil
		}
	}
	list := make([]string, len(sheets))
	for i, sh := range sheets {
		list[i] = fmt.Sprintf("%d %q", i, sh.Name)
		switch sh.State {
		case xlsx.Hidden:
			list[i] += " (hidden)"
		case xlsx.VeryHidden:
			list[i] += " (very hidden)"
		}
	}
	return nil, false, fileErr(file, sel, ErrNoSuchSheet, "the workbook has no such sheet; its sheets are %s "+
		"(select one by 0-based index or by name, or leave the sheet empty for all)", strings.Join(list, ", "))
}
