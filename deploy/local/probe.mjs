#!/usr/bin/env node
// Dependency-free protocol probes used by deploy/local/services.sh.
//
//   node probe.mjs mongo HOST PORT   -> OP_MSG {ping:1} + {hello:1} on the MongoDB wire protocol
//   node probe.mjs bolt  HOST PORT   -> Bolt handshake, HELLO, RUN "RETURN 1 AS x", PULL
//
// Exits 0 and prints one line on success, exits 1 with a reason otherwise.
import net from 'node:net';

const [, , kind, host = '127.0.0.1', portArg] = process.argv;
const TIMEOUT_MS = 5000;

function fail(msg) {
  console.error(`probe ${kind}: ${msg}`);
  process.exit(1);
}

/** Connects, writes `first`, and hands every received chunk to `onData(buf, socket)` until it resolves. */
function exchange(port, first, onData) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port }, () => sock.write(first));
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timeout after ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      try {
        const r = onData(buf, sock);
        if (r !== undefined) {
          clearTimeout(timer);
          sock.destroy();
          resolve(r);
        }
      } catch (e) {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
      }
    });
  });
}

// ---------------------------------------------------------------- MongoDB wire (OP_MSG)

function bsonDoc(fields) {
  const parts = [];
  for (const [k, v] of fields) {
    const key = Buffer.concat([Buffer.from(k, 'utf8'), Buffer.from([0])]);
    if (typeof v === 'number') {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      parts.push(Buffer.from([0x10]), key, b);
    } else {
      const s = Buffer.concat([Buffer.from(v, 'utf8'), Buffer.from([0])]);
      const len = Buffer.alloc(4);
      len.writeInt32LE(s.length);
      parts.push(Buffer.from([0x02]), key, len, s);
    }
  }
  const body = Buffer.concat([...parts, Buffer.from([0])]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(body.length + 4);
  return Buffer.concat([size, body]);
}

/** Reads the top-level scalar fields of a BSON document (nested documents are skipped). */
function bsonTop(doc) {
  const out = {};
  let i = 4;
  while (i < doc.length - 1) {
    const type = doc[i++];
    const end = doc.indexOf(0, i);
    const key = doc.toString('utf8', i, end);
    i = end + 1;
    switch (type) {
      case 0x01:
        out[key] = doc.readDoubleLE(i);
        i += 8;
        break;
      case 0x02: {
        const n = doc.readInt32LE(i);
        out[key] = doc.toString('utf8', i + 4, i + 4 + n - 1);
        i += 4 + n;
        break;
      }
      case 0x03:
      case 0x04:
        i += doc.readInt32LE(i);
        break;
      case 0x05:
        i += 4 + 1 + doc.readInt32LE(i);
        break;
      case 0x07:
        i += 12;
        break;
      case 0x08:
        out[key] = doc[i] === 1;
        i += 1;
        break;
      case 0x09:
      case 0x11:
      case 0x12:
        out[key] = Number(doc.readBigInt64LE(i));
        i += 8;
        break;
      case 0x0a:
        out[key] = null;
        break;
      case 0x10:
        out[key] = doc.readInt32LE(i);
        i += 4;
        break;
      default:
        return out; // unknown type: stop, we have what we need
    }
  }
  return out;
}

async function mongoCommand(port, name) {
  const doc = bsonDoc([
    [name, 1],
    ['$db', 'admin'],
  ]);
  const header = Buffer.alloc(16);
  const flags = Buffer.alloc(4);
  const msg = Buffer.concat([header, flags, Buffer.from([0]), doc]);
  msg.writeInt32LE(msg.length, 0);
  msg.writeInt32LE(1, 4); // requestID
  msg.writeInt32LE(0, 8); // responseTo
  msg.writeInt32LE(2013, 12); // OP_MSG
  return exchange(port, msg, (buf) => {
    if (buf.length < 4 || buf.length < buf.readInt32LE(0)) return undefined;
    if (buf.readInt32LE(12) !== 2013) throw new Error(`unexpected opcode ${buf.readInt32LE(12)}`);
    // header(16) + flagBits(4) + section kind byte(1) + document
    return bsonTop(buf.subarray(21));
  });
}

async function mongo(port) {
  const ping = await mongoCommand(port, 'ping');
  if (ping.ok !== 1) fail(`ping returned ${JSON.stringify(ping)}`);
  const hello = await mongoCommand(port, 'hello');
  if (hello.ok !== 1) fail(`hello returned ${JSON.stringify(hello)}`);
  console.log(
    `mongo ok: ping ok=1, hello isWritablePrimary=${hello.isWritablePrimary} maxWireVersion=${hello.maxWireVersion}`,
  );
}

// ---------------------------------------------------------------- Bolt (PackStream)

function pkString(s) {
  const b = Buffer.from(s, 'utf8');
  if (b.length < 16) return Buffer.concat([Buffer.from([0x80 + b.length]), b]);
  if (b.length < 256) return Buffer.concat([Buffer.from([0xd0, b.length]), b]);
  throw new Error('string too long for probe');
}
function pkMap(obj) {
  const entries = Object.entries(obj);
  const parts = [Buffer.from([0xa0 + entries.length])];
  for (const [k, v] of entries) {
    parts.push(pkString(k));
    parts.push(typeof v === 'number' ? Buffer.from([v & 0xff]) : pkString(v)); // tiny ints only
  }
  return Buffer.concat(parts);
}
function boltMessage(signature, ...fields) {
  const body = Buffer.concat([Buffer.from([0xb0 + fields.length, signature]), ...fields]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body, Buffer.from([0, 0])]);
}
/** Splits a Bolt stream into complete messages (chunks joined), returns [messages, rest]. */
function boltMessages(buf) {
  const msgs = [];
  let i = 0;
  let cur = [];
  while (i + 2 <= buf.length) {
    const n = buf.readUInt16BE(i);
    if (n === 0) {
      msgs.push(Buffer.concat(cur));
      cur = [];
      i += 2;
      continue;
    }
    if (i + 2 + n > buf.length) break;
    cur.push(buf.subarray(i + 2, i + 2 + n));
    i += 2 + n;
  }
  return msgs;
}
const SIG = { 0x70: 'SUCCESS', 0x71: 'RECORD', 0x7e: 'IGNORED', 0x7f: 'FAILURE' };

async function bolt(port) {
  // Magic preamble + four version proposals; we ask for Bolt 4.4 (HELLO carries the auth scheme).
  const hs = Buffer.from([0x60, 0x60, 0xb0, 0x17, 0, 0, 4, 4, 0, 0, 3, 4, 0, 0, 0, 4, 0, 0, 0, 3]);
  let stage = 0;
  let version = '';
  let offset = 0;
  const result = await exchange(port, hs, (buf, sock) => {
    if (stage === 0) {
      if (buf.length < 4) return undefined;
      const v = buf.subarray(0, 4);
      if (v.readUInt32BE(0) === 0) throw new Error('server refused all proposed Bolt versions');
      version = `${v[3]}.${v[2]}`;
      offset = 4;
      stage = 1;
      sock.write(
        Buffer.concat([
          boltMessage(0x01, pkMap({ user_agent: 'mwva-probe/1.0', scheme: 'none' })),
          boltMessage(0x10, pkString('RETURN 1 AS x'), pkMap({}), pkMap({})),
          boltMessage(0x3f, pkMap({ n: -1 })),
        ]),
      );
      return undefined;
    }
    const msgs = boltMessages(buf.subarray(offset));
    const kinds = msgs.map((m) => SIG[m[1]] ?? `0x${m[1].toString(16)}`);
    if (kinds.includes('FAILURE')) throw new Error(`server answered ${kinds.join(',')}`);
    // HELLO->SUCCESS, RUN->SUCCESS, PULL->RECORD..., SUCCESS
    const record = msgs.find((m) => m[1] === 0x71);
    if (kinds.filter((k) => k === 'SUCCESS').length >= 3 && record) {
      // RECORD = B1 71 91 <tiny int>  (struct of one field: a list of one value)
      return { version, value: record[2] === 0x91 ? record[3] : undefined };
    }
    return undefined;
  });
  if (result.value !== 1) fail(`RETURN 1 gave ${result.value}`);
  console.log(`bolt ok: Bolt ${result.version}, RETURN 1 -> ${result.value}`);
}

const port = Number(portArg);
if (!port) fail('usage: probe.mjs mongo|bolt HOST PORT');
const run = { mongo, bolt }[kind];
if (!run) fail(`unknown probe kind '${kind}'`);
run(port).catch((e) => fail(e.message));
