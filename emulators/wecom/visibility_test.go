package wecom

import "testing"

// TestAppModeVisibility checks what user/get and user/list show per app mode: everything for a
// self-built app, and for a 代开发 app no mobile, email, biz_mail, avatar, thumb_avatar, qr_code,
// address or direct_leader, and gender "0".
func TestAppModeVisibility(t *testing.T) {
	dora := map[string]any{"userid": "dora", "name": "Dora", "department": []int{2}, "mobile": "13900000001",
		"email": "dora@example.com", "biz_mail": "dora@corp.example.com", "gender": "2", "address": "广州",
		"direct_leader": []string{"alice"}, "position": "PM", "telephone": "020-1"}
	hidden := []string{"mobile", "email", "biz_mail", "avatar", "thumb_avatar", "qr_code", "address", "direct_leader"}
	tests := []struct {
		name       string
		mode       Mode
		wantGender string
		wantHidden bool
	}{
		{"self-built app sees every field", ModeSelfBuilt, "2", false},
		{"代开发 app sees no sensitive field", ModeDaiKaiFa, "0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSeededEnv(t, WithMode(tt.mode))
			wantCode(t, "create", e.post("user/create", dora), 0)
			reads := map[string]map[string]any{"user/get": e.get("user/get", "userid", "dora")}
			for _, row := range e.get("user/list", "department_id", "2")["userlist"].([]any) {
				if u := row.(map[string]any); u["userid"] == "dora" {
					reads["user/list"] = u
				}
			}
			if len(reads) != 2 {
				t.Fatalf("user/list lacks dora: %v", reads)
			}
			for path, u := range reads {
				for _, f := range hidden {
					_, present := u[f]
					// avatar, thumb_avatar and qr_code are never stored (no media upload).
					sent := f != "avatar" && f != "thumb_avatar" && f != "qr_code"
					if want := sent && !tt.wantHidden; present != want {
						t.Errorf("%s: field %q present = %v, want %v", path, f, present, want)
					}
				}
				if u["gender"] != tt.wantGender {
					t.Errorf("%s: gender = %v, want %q", path, u["gender"], tt.wantGender)
				}
				if u["name"] != "Dora" || u["position"] != "PM" || u["telephone"] != "020-1" {
					t.Errorf("%s: granted fields missing: %v", path, u)
				}
			}
			// The stored member keeps everything; only reads hide it.
			for _, u := range e.emu.Snapshot().Users {
				if u.UserID == "dora" && (u.Mobile == "" || u.Gender != "2" || len(u.DirectLeader) != 1) {
					t.Fatalf("snapshot lost fields: %+v", u)
				}
			}
		})
	}
}
