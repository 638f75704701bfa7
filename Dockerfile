# progressive-capture container action.
#
# Builder: compiles the binary against Debian's libraries. Runtime: Debian slim
# with only those libraries and the CA bundle. The runner mounts the workspace
# and file-command directories and passes INPUT_* variables; the binary reads
# them itself. No USER (the runner needs root for the workspace) and no WORKDIR
# (the runner sets --workdir /github/workspace).
ARG DEBIAN=debian:bookworm-slim

FROM ${DEBIAN} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc make pkg-config libc6-dev \
        libcurl4-openssl-dev libcjson-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
COPY Makefile /src/
COPY include /src/include
COPY src /src/src
COPY scripts /src/scripts
COPY db /src/db
RUN make -C /src progressive-capture WERROR=1 CFLAGS='-O2' && strip /src/progressive-capture

FROM ${DEBIAN}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libcjson1 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/progressive-capture /usr/local/bin/progressive-capture
ENTRYPOINT ["/usr/local/bin/progressive-capture"]
