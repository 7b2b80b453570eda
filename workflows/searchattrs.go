package workflows

import (
	"go.temporal.io/sdk/temporal"
)

// Search attributes every run sets, so that the Temporal UI's list and `starter list` tell runs
// apart without opening them. They must be registered on the namespace (make dev does it; on a
// cluster: `temporal operator search-attribute create`, README "Search attributes"); the worker
// refuses to start while one is missing, so no run can stall on an unregistered attribute.
var (
	SADirection    = temporal.NewSearchAttributeKeyKeyword("WecomsyncDirection")    // upstream or downstream
	SAMode         = temporal.NewSearchAttributeKeyKeyword("WecomsyncMode")         // create-update, delete-only, changed, …
	SAConnection   = temporal.NewSearchAttributeKeyKeyword("WecomsyncConnection")   // the worker-side connection
	SAOrganization = temporal.NewSearchAttributeKeyKeyword("WecomsyncOrganization") // the Authing organization code
	SADryRun       = temporal.NewSearchAttributeKeyBool("WecomsyncDryRun")
	// SAOutcome is the run's status: running, awaiting-approval, completed, completed-with-errors,
	// dry-run, rejected, failed or canceled.
	SAOutcome  = temporal.NewSearchAttributeKeyKeyword("WecomsyncOutcome")
	SAWrites   = temporal.NewSearchAttributeKeyInt64("WecomsyncWrites")   // writes applied
	SAFailures = temporal.NewSearchAttributeKeyInt64("WecomsyncFailures") // writes that failed
)

// SearchAttributes lists every search attribute of a run with its type name, as
// `temporal operator search-attribute create --name N --type T` and the dev server's
// `--search-attribute N=T` take them.
func SearchAttributes() map[string]string {
	return map[string]string{
		SADirection.GetName():    "Keyword",
		SAMode.GetName():         "Keyword",
		SAConnection.GetName():   "Keyword",
		SAOrganization.GetName(): "Keyword",
		SADryRun.GetName():       "Bool",
		SAOutcome.GetName():      "Keyword",
		SAWrites.GetName():       "Int",
		SAFailures.GetName():     "Int",
	}
}
