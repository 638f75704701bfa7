# progressive-capture container action.
#
# Builder: Debian, pinned by digest (override with --build-arg DEBIAN=...).
# First the static dependencies, built with musl from Debian's source packages
# (scripts/static-deps.sh), in a layer that depends on nothing but that script
# and its pinned versions, so a change to the sources or the Makefile does not
# rebuild them; then `make static`, the Makefile's own build of the binary,
# linked fully static and stripped.
# Runtime: nothing but the binary and the CA bundle. The runner mounts the
# workspace and file-command directories and passes INPUT_* variables; the
# binary reads them itself. No USER (the runner needs root for the workspace)
# and no WORKDIR (the runner sets --workdir /github/workspace).
ARG DEBIAN=debian:bookworm-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251

FROM ${DEBIAN} AS build
COPY scripts/static-deps.sh scripts/static-deps.versions /src/scripts/
RUN sh /src/scripts/static-deps.sh
COPY Makefile /src/
COPY scripts /src/scripts
COPY include /src/include
COPY src /src/src
COPY db /src/db
RUN make -C /src static

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/build/static/progressive-capture /progressive-capture
ENTRYPOINT ["/progressive-capture"]
