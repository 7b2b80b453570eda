module github.com/wecomsync/wecomsync/fidelity/wecomsdk

go 1.26.8

replace github.com/wecomsync/wecomsync => ../..

require (
	github.com/silenceper/wechat/v2 v2.1.10
	github.com/wecomsync/wecomsync v0.0.0-00010101000000-000000000000
)

require (
	github.com/bradfitz/gomemcache v0.0.0-20220106215444-fb4bf637b56d // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/go-redis/redis/v8 v8.11.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
)
