/**
 * Makes the stack's domain (a name nginx answers for, with a Pebble certificate for it) resolve
 * to 127.0.0.1, where the offline overlay publishes nginx, in this Node process — as public DNS
 * would point it at the host. Loaded by the compose jest config (setupFiles) and with --require
 * by the simulated carrier's process. MWVA_RESOLVE="name=address[,…]", else .stack/stack.json's
 * domain → 127.0.0.1. Other names resolve as usual.
 */
const dns = require('node:dns');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function mapping() {
  const out = new Map();
  if (process.env.MWVA_RESOLVE) {
    for (const pair of process.env.MWVA_RESOLVE.split(',')) {
      const [name, address] = pair.split('=');
      if (name && address) out.set(name.trim(), address.trim());
    }
    return out;
  }
  const file = join(__dirname, '..', '..', '..', '..', '.stack', 'stack.json');
  if (existsSync(file)) out.set(JSON.parse(readFileSync(file, 'utf8')).domain, '127.0.0.1');
  return out;
}

const names = mapping();
if (names.size > 0 && !dns.lookup.mwvaPatched) {
  const original = dns.lookup;
  const patched = function lookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    const address = names.get(hostname);
    if (address === undefined) return original.call(this, hostname, options, callback);
    const opts = typeof options === 'number' ? { family: options } : options || {};
    if (opts.all) return process.nextTick(callback, null, [{ address, family: 4 }]);
    return process.nextTick(callback, null, address, 4);
  };
  patched.mwvaPatched = true;
  dns.lookup = patched;
}
