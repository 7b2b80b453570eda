package main

import (
	"testing"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/mapping"
)

func TestOrgFixture(t *testing.T) {
	c := exportgen.Generate(exportgen.NewSpec(300, 12, 7))
	f := orgFixture(c, "org")
	if len(f.Organizations) != 1 || f.Organizations[0].OrganizationName != c.Name {
		t.Fatalf("organizations = %+v", f.Organizations)
	}
	if len(f.Departments) != len(c.Departments)-1 || len(f.Users) != len(c.Members) {
		t.Fatalf("%d departments, %d users; want %d, %d", len(f.Departments), len(f.Users), len(c.Departments)-1, len(c.Members))
	}
	known := map[string]bool{f.Organizations[0].DepartmentID: true}
	for _, d := range f.Departments {
		if !known[d.ParentDepartmentID] {
			t.Errorf("department %s: parent %s comes later or not at all", d.DepartmentID, d.ParentDepartmentID)
		}
		known[d.DepartmentID] = true
	}
	for i, u := range f.Users {
		m := c.Members[i]
		if u.Username != m.UserID || u.Name != m.Name || len(u.DepartmentIDs) != len(m.Departments) || u.MainDepartmentID != u.DepartmentIDs[0] {
			t.Errorf("user %d = %+v, member %+v", i, u, m)
		}
		for _, d := range u.DepartmentIDs {
			if !known[d] {
				t.Errorf("user %s: unknown department %s", u.Username, d)
			}
		}
		if m.Position != "" && mapping.CustomString(u.CustomData, mapping.KeyUserPosition) != m.Position {
			t.Errorf("user %s: position %v, want %q", u.Username, u.CustomData, m.Position)
		}
		if u.Phone == "" || u.PhoneCountryCode != "+86" {
			t.Errorf("user %s: phone %q %q", u.Username, u.PhoneCountryCode, u.Phone)
		}
	}
	emu := authingemu.New(authingemu.WithPool("p", "s"))
	if err := emu.Seed(f); err != nil {
		t.Fatalf("the emulator refuses the fixture: %v", err)
	}
}

func TestEditUsers(t *testing.T) {
	f := orgFixture(exportgen.Generate(exportgen.NewSpec(200, 10, 3)), "org")
	for i := range f.Users[:150] { // users a downstream run has synced carry their WeCom userid
		f.Users[i].CustomData = withCustom(f.Users[i].CustomData, mapping.KeyUserID, f.Users[i].Username)
	}
	names := make([]string, len(f.Users))
	for i, u := range f.Users {
		names[i] = u.Name
	}
	edited, log, err := editUsers(f, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	if log.Users != 100 || log.Moved != 20 || log.Renamed != 40 || log.Mobiles != 40 || log.Positions != 20 {
		t.Errorf("log = %+v", log)
	}
	changed, moved, phones := 0, 0, map[string]bool{}
	for i, u := range edited.Users {
		before := f.Users[i]
		if u.Name != before.Name || u.Phone != before.Phone || mapping.CustomString(u.CustomData, mapping.KeyUserPosition) != mapping.CustomString(before.CustomData, mapping.KeyUserPosition) ||
			u.MainDepartmentID != before.MainDepartmentID || len(u.DepartmentIDs) != len(before.DepartmentIDs) {
			changed++
			if i >= 150 {
				t.Errorf("user %s was never synced but changed", u.Username)
			}
		}
		if u.MainDepartmentID != before.MainDepartmentID {
			moved++
		}
		if phones[u.Phone] {
			t.Errorf("mobile %s twice", u.Phone)
		}
		phones[u.Phone] = true
	}
	if changed != 100 || moved != 20 {
		t.Errorf("%d users changed, %d moved; want 100, 20", changed, moved)
	}
	for i, u := range f.Users {
		if u.Name != names[i] {
			t.Fatalf("editUsers changed the fixture it was given: user %d", i)
		}
	}
	if _, _, err := editUsers(f, 151, 1); err == nil {
		t.Error("editUsers changed more users than are synced")
	}
	if err := authingemu.New(authingemu.WithPool("p", "s")).Seed(edited); err != nil {
		t.Errorf("the emulator refuses the edited pool: %v", err)
	}
}

func withCustom(data map[string]any, k, v string) map[string]any {
	out := map[string]any{k: v}
	for key, val := range data {
		out[key] = val
	}
	return out
}
