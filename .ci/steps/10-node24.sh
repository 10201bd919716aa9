# shellcheck shell=bash
# The unit suites again, on .nvmrc's Node (24 LTS, the target; .ci/run fetched it for the stack
# suites). The machine's Node ran them first.
run_suite "unit-node$("$target_node/node" --version | tr -d v)" env PATH="$target_node:$PATH" npm test --
