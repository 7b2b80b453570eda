package wecom

import (
	"context"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

func TestDepartmentsCRUD(t *testing.T) {
	e := setup(t, envConfig{})
	ctx := context.Background()
	ds := e.client.Departments

	id, err := ds.Create(ctx, &Department{Name: "运营部", ParentID: 1, Order: 5})
	if err != nil || id != 8 {
		t.Fatalf("Create = %d, %v; want 8", id, err)
	}
	id2, err := ds.Create(ctx, &Department{ID: 100, Name: "直播组", ParentID: id})
	if err != nil || id2 != 100 {
		t.Fatalf("Create with id = %d, %v", id2, err)
	}
	got, err := ds.Get(ctx, id)
	if err != nil || got.Name != "运营部" || got.ParentID != 1 || got.Order != 5 {
		t.Fatalf("Get = %+v, %v", got, err)
	}

	// Only the set fields change.
	if err := ds.Update(ctx, &DepartmentUpdate{ID: id, Name: Ptr("运营中心")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := ds.Get(ctx, id); got.Name != "运营中心" || got.Order != 5 || got.ParentID != 1 {
		t.Fatalf("after rename: %+v", got)
	}
	if err := ds.Update(ctx, &DepartmentUpdate{ID: id2, ParentID: Ptr(2), Order: Ptr(uint32(7))}); err != nil {
		t.Fatal(err)
	}
	if got, _ := ds.Get(ctx, id2); got.ParentID != 2 || got.Order != 7 || got.Name != "直播组" {
		t.Fatalf("after move: %+v", got)
	}

	list, err := ds.List(ctx, 2)
	if err != nil || len(list) != 4 || list[0].ID != 2 {
		t.Fatalf("List(2) = %+v, %v", list, err)
	}
	all, err := ds.List(ctx, 0)
	if err != nil || len(all) != 9 {
		t.Fatalf("List(0) = %d, %v", len(all), err)
	}
	for _, d := range all {
		if d.ID == 2 && (len(d.DepartmentLeader) != 1 || d.DepartmentLeader[0] != "wangfang") {
			t.Fatalf("leaders of 2 = %v", d.DepartmentLeader)
		}
	}
	refs, err := ds.SimpleList(ctx, 6)
	if err != nil || len(refs) != 2 || refs[0] != (DepartmentRef{ID: 6, ParentID: 1, Order: 60}) {
		t.Fatalf("SimpleList(6) = %+v, %v", refs, err)
	}

	if err := ds.Delete(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if err := ds.Delete(ctx, id2); !apierr.IsGone(err) {
		t.Fatalf("second delete: %v, want gone", err)
	}
	snap := e.emu.Snapshot()
	if len(snap.Departments) != 8 {
		t.Fatalf("departments left = %d", len(snap.Departments))
	}
}

func TestDepartmentErrors(t *testing.T) {
	e := setup(t, envConfig{})
	ctx := context.Background()
	ds := e.client.Departments
	tests := []struct {
		name string
		call func() error
		is   func(error) bool
		code int
	}{
		{"sibling name exists", func() error { _, err := ds.Create(ctx, &Department{Name: "研发中心", ParentID: 1}); return err }, apierr.IsExists, 60008},
		{"id exists", func() error { _, err := ds.Create(ctx, &Department{ID: 3, Name: "新", ParentID: 1}); return err }, apierr.IsExists, 60008},
		{"parent missing", func() error { _, err := ds.Create(ctx, &Department{Name: "新", ParentID: 77}); return err }, apierr.IsOrder, 60004},
		{"bad name", func() error { _, err := ds.Create(ctx, &Department{Name: "a?b", ParentID: 1}); return err }, apierr.IsRecord, 60009},
		{"delete with members", func() error { return ds.Delete(ctx, 3) }, apierr.IsOrder, 60005},
		{"delete with children", func() error {
			if _, err := ds.Create(ctx, &Department{ID: 20, Name: "空", ParentID: 1}); err != nil {
				return err
			}
			if _, err := ds.Create(ctx, &Department{ID: 21, Name: "子", ParentID: 20}); err != nil {
				return err
			}
			return ds.Delete(ctx, 20)
		}, apierr.IsOrder, 60006},
		{"delete root", func() error { return ds.Delete(ctx, 1) }, apierr.IsRecord, 60007},
		{"update unknown", func() error { return ds.Update(ctx, &DepartmentUpdate{ID: 77, Name: Ptr("x")}) }, apierr.IsRecord, 60003},
		{"get unknown", func() error { _, err := ds.Get(ctx, 77); return err }, apierr.IsRecord, 60003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !tt.is(err) || errCode(err) != tt.code {
				t.Fatalf("err = %v, want errcode %d of the expected class", err, tt.code)
			}
		})
	}
}

func TestDepartmentReadsFromNewIP(t *testing.T) {
	e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithNewIP(true)}})
	ctx := context.Background()
	if _, err := e.client.Departments.List(ctx, 0); !apierr.IsRun(err) || errCode(err) != 48009 {
		t.Fatalf("List from a new IP: %v", err)
	}
	if _, err := e.client.Departments.Get(ctx, 2); !apierr.IsRun(err) {
		t.Fatalf("Get from a new IP: %v", err)
	}
	if refs, err := e.client.Departments.SimpleList(ctx, 0); err != nil || len(refs) != 7 {
		t.Fatalf("SimpleList from a new IP = %d, %v", len(refs), err)
	}
	if err := e.client.CheckConnection(ctx); err != nil {
		t.Fatalf("CheckConnection from a new IP: %v", err)
	}
}

func TestAppSecretCannotWrite(t *testing.T) {
	e := setup(t, envConfig{})
	c := newTestClient(t, e.clock, e.base, WithCredentials(testCorp, testApp))
	_, err := c.Departments.Create(context.Background(), &Department{Name: "x", ParentID: 1})
	if !apierr.IsRun(err) || errCode(err) != 48002 {
		t.Fatalf("write with an app secret: %v", err)
	}
}
