// Package authing is an in-memory emulator of the Authing Management API v3, the part a directory
// sync uses: management tokens, users, organizations, departments and custom fields, served over
// HTTP at /api/v3/<verb> with Authing's envelope, status codes, validation and a real HTTP 429
// throttle. Tests point the production client at Handler() through httptest; the dev stack runs it
// from emulators/cmd/authing-emulator.
//
// Faithful where a sync depends on it:
//   - both ways to authenticate: a management token from get-management-token (Authorization
//     "Bearer <token>" or the bare token, plus x-authing-userpool-id), and the AK/SK request
//     signature of the official Node SDK v4 (Authorization "authing <AK>:<signature>", see
//     signature.go for the string to sign), with apiCode 1300–1306 for a malformed header, an
//     unknown access key, a wrong signature, a bad date (1303), an unsupported method or
//     version, a date more than MaxClockSkew away (1305) and a replayed nonce (1306);
//   - custom data: set-custom-fields, get-custom-fields, list-custom-fields (paged) and
//     delete-custom-fields for definitions; set-custom-data and get-custom-data for values of a
//     USER (by Authing user id) or a DEPARTMENT (by Authing department id, organization roots
//     included); customData on create/update-user(s), create-department and update-department.
//     Keys must be defined for the target type, values must fit the data type, unique USER fields
//     answer 409 on a clash;
//   - update-department renames, moves (parentDepartmentId, "root" or an id typed by
//     departmentIdType; 400 into itself or a descendant, 409 on a sibling-name clash) and merges
//     customData; update-user-batch takes customData like update-user;
//   - call counters per verb (Calls, Writes, WriteCalls) so that a test can assert that a rerun
//     made no write call, and injectable faults at /_emulator/faults.
//
// Where the reference leaves behaviour unconfirmed the emulator makes one documented choice:
//   - create-users-batch and update-user-batch validate every item first and are all-or-nothing:
//     one bad item fails the call with that item's error ("list[3].username: 用户名已存在") and
//     nothing is written. update-user-batch takes 1–50 items like the other batches.
//   - get-all-departments returns the descendants of the start department, parents before
//     children, without the start department (the organization root by default) itself.
//   - openDepartmentId and code are unique within an organization (409 on a clash); sibling
//     department names are unique (409).
//   - A wrong HTTP method or an unknown verb is answered with a real HTTP 404 whose body is
//     {"statusCode":404,"message":"Cannot GET /api/v3/create-user"} (NestJS style).
//   - apiCode is 2004 for an unknown user and 2224 for an unknown pool (both documented); elsewhere
//     it repeats statusCode. Duplicate username/phone/email/externalId are statusCode 409.
//   - Bad credentials on get-management-token and a missing or foreign x-authing-userpool-id are
//     statusCode 403 (apiCode 2224 for an unknown pool).
//   - Signature failures are statusCode 401 with apiCode 1300 (malformed Authorization, no nonce),
//     1301 (access key is not the pool id), 1302 (signature mismatch, also for a body that is not
//     JSON), 1303 (date missing or unreadable), 1304 (method other than HMAC-SHA1 or version other
//     than 1.0), 1305 (date more than 15 minutes off) and 1306 (nonce seen within that window);
//     only 1303, 1305 and 1306 are named by the reference. The date may be an HTTP date or epoch
//     milliseconds; x-authing-userpool-id is optional with a signature (the Node SDK does not send
//     it). A GET parameter the SDK signs as null but axios leaves out of the URL cannot be checked
//     and fails with 1302.
//   - set-custom-data takes 1–50 {key, value} pairs and answers {success: true}; a null value
//     removes the key; namespace and tenantId are ignored; ROLE and GROUP are accepted target
//     types but no role or group exists (404). get-custom-data answers the values as one object
//     (key → value, unset keys left out).
//   - delete-custom-fields ignores keys that are not defined (idempotent) and removes the values
//     stored under the deleted definitions; list-custom-fields filters by targetType (required),
//     dataType and keyword (in key or label) and pages like every list ({totalCount, list}).
//   - add-department-members and remove-department-members take 1–50 Authing user ids; one unknown
//     id fails the call (404 "用户不存在: <ids>") and nothing is written. Both are idempotent. Removing
//     a user's main department makes the membership that followed it (else the first remaining
//     one) main; adding the first membership of a user makes it main.
//   - delete-users-batch ignores ids that match no user; update-user merges customData key by key
//     (a null value removes the key); only the fields present in an update are changed.
//   - Phone numbers are digits only (mainland numbers, i.e. phoneCountryCode empty or +86, are 11
//     digits starting with 1); phone and username are unique as given, email case-insensitively.
//   - The throttle is a token bucket on the wall clock (golang.org/x/time/rate), shared by all
//     calls of the pool including get-management-token; WithClock drives token expiry, signature
//     dates and timestamps only.
//   - Calls() counts every request routed to a known verb, also those answered by the throttle or
//     an injected fault.
//
// The emulator must not call out to the network, persist anything, log secrets or tokens, or grow
// per-request work with the size of the pool: users are indexed by id, username, phone, email,
// externalId, name and every custom value, and filtered user lists are cached per filter until the
// next write.
package authing
