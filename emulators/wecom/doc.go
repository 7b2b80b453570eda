// Package wecom is an in-memory, faithful emulator of the WeCom (企业微信) contacts API: access
// tokens, departments and members, served over HTTP exactly where a client expects them
// (http://host:port/cgi-bin/…), for tests, the dev stack and benchmarks.
//
// Faithful where a directory sync depends on it:
//   - HTTP 200 with errcode/errmsg for every outcome, "created"/"updated"/"deleted" on writes;
//   - per-secret tokens with expiry: 41001 missing, 40014 invalid (unknown or revoked), 42001
//     expired, 40001/40013 wrong secret/corp id; contacts-sync vs read-only app tokens (48002 on
//     writes and user/list_id);
//   - the 2022-08-15 new-IP block (WithNewIP): user/get, user/list, department/get and
//     department/list with the contacts-sync token answer 48009; user/list_id and
//     department/simplelist keep working;
//   - 代开发 visibility (WithMode(ModeDaiKaiFa)): user/get and user/list leave out mobile, email,
//     biz_mail, avatar, thumb_avatar, qr_code and address, answer gender "0" (WeCom's "不可获取指返回值0")
//     and never return direct_leader;
//   - per-corp, per-API limits in a minute AND an hour window (10,000/min, 150,000/h by default,
//     WithRateLimits): past either, every call of that API answers 45009 until that window ends;
//   - a per-corp concurrency limit (WithMaxConcurrent): a call arriving while n calls are in
//     flight answers 45033;
//   - departments: depth ≤ 15 (81002, on create and on a move), ≤ 30,000 nodes (sub-departments +
//     members) under one department (81001 on create, move, user/create and a user joining it;
//     WithMaxNodes lowers it for tests), a duplicate id or sibling name answers 60008 on
//     department/create and on department/update (a rename or a move into a clash), a missing
//     parent 60004, a cycle 60010, and department/delete refuses the root (60007), a department
//     with members (60005, checked first) or with sub-departments (60006);
//   - members: userids unique case-insensitively (60102), mobile and email unique (60104/60106,
//     email case-insensitively), the validation errcodes of the reference (60103, 60105, 60112,
//     60127, 60129, 60132, 60110, 60257, 40003/40058 for userids, …), user/update changing only
//     the fields sent — a move with department + main_department (40066 when main_department is
//     not among them), enable 0/1 (status 2, and back) — and the mobile of an active member
//     silently kept;
//   - user/batchdelete: 1–200 ids, all-or-nothing (40031 for an unknown id or an empty list,
//     40032 over 200);
//   - user/list_id cursor paging, one row per (member, department), empty next_cursor at the end;
//   - call counters per API (Calls, Writes, WriteCalls; GET /_emulator/calls) so that a test can
//     assert that a rerun made no write call, and injectable faults (-1, 45033, 5xx, dropped
//     connections, latency) via FailNext, Faults and /_emulator/faults.
//
// Simplified, and so possibly different from the real service:
//   - one corp per Server; no visibility scopes (every token sees the whole corp), no tags, no
//     batch import/export jobs, no callbacks, no media upload (avatar_mediaid is accepted and ignored);
//   - the app mode applies to every token's reads (the Server serves one app's view); in 代开发
//     mode name, position, telephone, extattr and department names read as if the admin had
//     granted them;
//   - user/simplelist is not blocked in new-IP mode (reported by users, unconfirmed);
//   - errmsg texts are English approximations with a fake hint; decide on errcode only;
//   - the minute and hour windows are aligned to the clock (a minute runs from :00 to :59, an hour
//     from :00:00), so a 45009 lasts until the aligned window ends, at most 60 s or 60 min; whether
//     WeCom's windows are aligned or sliding is unconfirmed;
//   - gettoken is not throttled separately and repeated wrong secrets never ban the caller;
//   - the concurrency limit counts every API call of the corp, gettoken included, for as long as
//     it is served (configured and injected latency included); it is off by default because WeCom
//     publishes no number (an obsolete 企业号-era page said 300);
//   - the 81001 node count is per department and direct (its sub-departments plus its direct
//     members; whether WeCom counts the whole subtree is unconfirmed); Seed does not enforce it;
//     the 30,000 departments per corp cap and the account cap (45024) are not enforced;
//   - sibling department names are compared exactly (case-sensitively);
//   - a changed userid (new_userid) is not supported; biz_mail is never generated or checked for
//     uniqueness; extattr and external_profile are stored as sent, without checking names;
//   - the wrong HTTP method (POST on a GET API or GET on a POST API) always answers 40058, an
//     unknown path answers HTTP 404;
//   - department/list and department/simplelist list parents before children (breadth-first,
//     siblings in creation order); member lists and list_id follow member creation order;
//     user/simplelist and user/list honour fetch_child=1 (recursive);
//   - unknown department ids in user/create or user/update answer 60003; a duplicate id in
//     `department` or a main_department outside it answers 40066.
//
// The package must not import the project's clients (tests point the real client at it), must not
// panic on any input, read no files except LoadFixture's and keep no global state.
package wecom
