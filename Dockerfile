# syntax=docker/dockerfile:1

# ---- build ----
# cgo is required: the store uses mattn/go-sqlite3. The runtime image is the same
# Debian release, so the glibc the binaries link against is present there.
FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=1 GOFLAGS=-mod=readonly

COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
# Generated *_templ.go files are committed, so no templ step is needed here.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/slrportal ./cmd/slrportal && \
    go build -trimpath -ldflags="-s -w" -o /out/slrdevice ./cmd/slrdevice

# ---- runtime ----
FROM debian:bookworm-slim
RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates && \
    rm -rf /var/lib/apt/lists/* && \
    groupadd --system slr && \
    useradd --system --gid slr --home-dir /var/lib/slrportal --shell /usr/sbin/nologin slr && \
    mkdir -p /var/lib/slrportal/data && \
    chown -R slr:slr /var/lib/slrportal

COPY --from=build /out/slrportal /out/slrdevice /usr/local/bin/

# Static assets and migrations are embedded in the binary; only the data dir is state.
WORKDIR /var/lib/slrportal
ENV SLRPORTAL_DATA=/var/lib/slrportal/data SLRPORTAL_ADDR=:8080
USER slr
EXPOSE 8080
# Created and chowned above, so a new named volume starts out owned by slr.
VOLUME /var/lib/slrportal/data

ENTRYPOINT ["/usr/local/bin/slrportal"]
CMD ["serve"]
