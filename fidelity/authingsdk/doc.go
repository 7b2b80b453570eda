// Package authingsdk checks the Authing emulator (emulators/authing) against Authing's official
// Node SDK, the npm package authing-node-sdk (v4, ManagementClient), which signs every request
// with the pool's AK/SK instead of using a management token. The test drives the write-back calls
// of the downstream sync (custom fields and data, department and user updates) through the real
// SDK under the machine's Node and checks the emulator's state afterwards.
//
// It is a nested module so that nothing of it enters the main module's `go test ./...`: it needs
// node and npm, and installs the SDK from the npm registry (the only network it uses) into the
// user cache directory on first use. Without node, npm or the package it skips with the reason.
// It holds no production code.
package authingsdk
