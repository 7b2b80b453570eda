module github.com/wecomsync/wecomsync/fidelity/authingsdk

go 1.26.8

replace github.com/wecomsync/wecomsync => ../..

require github.com/wecomsync/wecomsync v0.0.0-00010101000000-000000000000

require golang.org/x/time v0.16.0 // indirect
