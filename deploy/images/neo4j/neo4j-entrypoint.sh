#!/bin/sh
# Heap from NEO4J_server_memory_heap_max__size (as server.memory.heap.max_size in the official
# image), serial GC (a small single-node server), exit on OOM so the restart policy acts.
set -eu
heap=${NEO4J_server_memory_heap_max__size:-512m}
exec java -Xms"$heap" -Xmx"$heap" -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
  -cp '/opt/neo4j/lib/*' mwva.neo4j.Server "$@"
