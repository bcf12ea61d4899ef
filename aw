#!/usr/bin/env bash
# The aw command from a source checkout: builds the CLI jar when it is missing or older than the sources,
# then runs it. `./aw hub` starts the hub on its embedded defaults; `./aw --help` lists the commands.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/agentwire-cli/target/aw.jar"
stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$here" -name pom.xml -newer "$jar" -print -quit)" ] && return 0
  [ -n "$(find "$here"/agentwire-*/src/main -newer "$jar" -print -quit)" ] && return 0
  return 1
}
if stale; then
  echo "aw: building agentwire (first run or changed sources)..." >&2
  (cd "$here" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl agentwire-cli -am) >&2
fi
exec java ${AW_JAVA_OPTS:-} -jar "$jar" "$@"
