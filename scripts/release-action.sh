#!/bin/sh
# release-action.sh IMAGE@DIGEST [FILE] - points action.yml at a prebuilt image.
#
# On main, action.yml builds the Dockerfile (`image: 'Dockerfile'`): right for
# development, but every workflow run would pay the build. A release commit
# runs the published image instead, pinned by its digest:
#   image: 'docker://ghcr.io/owner/progressive-capture@sha256:…'
# Used by .github/workflows/release.yml; tested by action_metadata.test.js.
set -eu

ref=${1:?usage: release-action.sh IMAGE@sha256:DIGEST [action.yml]}
file=${2:-action.yml}
case $ref in
*@sha256:*) ;;
*) echo "release-action: '$ref' is not pinned by digest (want IMAGE@sha256:…)" >&2; exit 2 ;;
esac
digest=${ref##*@sha256:}
if [ "${#digest}" -ne 64 ] || [ -n "$(printf '%s' "$digest" | tr -d '0-9a-f')" ]; then
	echo "release-action: '$digest' is not a sha256 digest" >&2
	exit 2
fi
grep -q "^  image: 'Dockerfile'$" "$file" ||
	{ echo "release-action: $file does not build the Dockerfile (already released?)" >&2; exit 1; }
sed "s|^  image: 'Dockerfile'$|  image: 'docker://$ref'|" "$file" >"$file.new"
mv "$file.new" "$file"
