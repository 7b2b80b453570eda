// Package wecom is an in-memory, faithful emulator of the WeCom (企业微信) contacts API: access
// tokens, departments and members, served over HTTP exactly where a client expects them
// (http://host:port/cgi-bin/…), for tests, the dev stack and benchmarks.
//
// Faithful where a directory sync depends on it: HTTP 200 with errcode/errmsg for every outcome,
// "created"/"updated"/"deleted" on writes, per-secret tokens with expiry (41001, 40014, 42001,
// 40001, 40013), contacts-sync vs read-only app tokens (48002), the 2022 new-IP block (48009), the
// 代开发 field hiding, the validation and conflict errcodes of the reference (60102, 60104, 60106,
// 60111, 60003–60008, 81002, 40031/40032, …), list_id cursor paging, per-corp per-API minute and
// hour limits (45009 until the window ends) and injectable faults (-1, 45033, 5xx, dropped
// connections, latency) via FailNext, Faults and /_emulator/faults.
//
// Simplified, and so possibly different from the real service:
//   - one corp per Server; no visibility scopes (every token sees the whole corp), no tags, no
//     batch import/export jobs, no callbacks, no media upload (avatar_mediaid is accepted and ignored);
//   - errmsg texts are English approximations with a fake hint; decide on errcode only;
//   - gettoken is not throttled separately and repeated wrong secrets never ban the caller;
//   - a changed userid (new_userid) is not supported; biz_mail is never generated or checked for
//     uniqueness; extattr and external_profile are stored as sent, without checking names;
//   - the wrong HTTP method (POST on a GET API or GET on a POST API) always answers 40058, an
//     unknown path answers HTTP 404;
//   - department/list and department/simplelist list parents before children (breadth-first,
//     siblings in creation order); member lists and list_id follow member creation order;
//     user/simplelist and user/list honour fetch_child=1 (recursive);
//   - unknown department ids in user/create or user/update answer 60003; a duplicate id in
//     `department` or a main_department outside it answers 40066;
//   - the 30,000 departments / nodes limits (81001) and the account cap (45024) are not enforced.
//
// The package must not import the project's clients (tests point the real client at it), must not
// panic on any input, read no files except LoadFixture's and keep no global state.
package wecom
