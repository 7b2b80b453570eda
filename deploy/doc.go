// Package deploy holds what the Docker deployment needs besides docker-compose.yml,
// docker-compose.emulators.yml and the Dockerfile at the repository root: the services both compose
// files share (compose.infra.yml), the one-shot scripts they run (register-search-attributes.sh in
// temporalio/admin-tools, minio-init.sh in minio/mc), the emulators' demo values (emulators.env),
// and the tests that check all of it without a Docker engine (compose_test.go, dockerfile_test.go).
package deploy
