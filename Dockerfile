# The wecomsync image: every binary in /usr/local/bin of a distroless image without a shell, run as
# a non-root user. The worker is the default entrypoint; docker-compose.yml and
# docker-compose.emulators.yml run the starter and both emulators from the same image by their path.
# deploy/dockerfile_test.go checks this file against the compose files.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
ENV GOTOOLCHAIN=local CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -o /out/ ./worker ./starter ./emulators/cmd/wecom-emulator ./emulators/cmd/authing-emulator ./cmd/genexport

# distroless publishes no version tags: pinned by digest (gcr.io/distroless/static-debian12:nonroot
# as of 2026-08; refresh with `docker buildx imagetools inspect gcr.io/distroless/static-debian12:nonroot`)
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /out/ /usr/local/bin/
# distroless's nonroot user, by number so that a runAsNonRoot check can see it
USER 65532:65532
# Prometheus metrics at /metrics (WECOMSYNC_METRICS_ADDR=0.0.0.0:9464 in the compose files)
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/worker"]
