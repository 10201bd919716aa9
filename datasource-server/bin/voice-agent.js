#!/usr/bin/env node
// The `voice-agent` command. npm links this committed file at `npm ci`, before anything is built,
// so that `npx voice-agent` finds it locally (never a registry lookup); it runs the built CLI.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  process.stderr.write('voice-agent: not built yet — run `npm run build` at the repository root first\n');
  process.exit(1);
}
require(cli);
