// Package wecomsdk checks the WeCom emulator (emulators/wecom) against a widely used third-party
// SDK, github.com/silenceper/wechat/v2 (work/addresslist and its access-token handling): the SDK
// hard-codes https://qyapi.weixin.qq.com, so the test swaps the SDK's HTTP client for one whose
// transport sends that host to an in-process httptest server and refuses every other host.
//
// It is a nested module so that the SDK and its dependencies never enter the main module. It must
// not reach the network and holds no production code.
package wecomsdk
