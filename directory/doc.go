// Package directory is the model both sync directions share: users and departments described
// independently of WeCom and Authing, the department tree (ids ↔ paths), and the rules for
// comparing two descriptions of one person (empty never resets; keys are normalised once).
//
// It is pure: no I/O, no clocks, no Temporal, and it knows neither system's API.
package directory
