import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ: /proc/PID/stat times are in these ticks

interface StatLine {
  ppid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it has reaped */
  cpuTicks: number;
}

function readStat(pid: number): StatLine | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, ppid 4; utime 14, stime 15, cutime 16, cstime 17.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(rest[i]), 0);
    return { ppid: Number(rest[1]), cpuTicks: ticks };
  } catch {
    return null; // gone between the listing and the read
  }
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Where a /proc fd points; '' when the process or the fd went away meanwhile. */
function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * CPU seconds used so far by a process and all its descendants. A child that exited and was
 * reaped is in its parent's cutime/cstime, so Postgres backends that came and went still count.
 */
export function treeCpuSeconds(root: number): number | null {
  const stats = new Map<number, StatLine>();
  for (const pid of allPids()) {
    const s = readStat(pid);
    if (s) stats.set(pid, s);
  }
  if (!stats.has(root)) return null;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    ticks += stats.get(pid)?.cpuTicks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return ticks / CLK_TCK;
}

/** Socket inodes listening on a TCP port (IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readOptional(table);
    if (text === null) continue;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXADDR:HEXPORT; state 0A is LISTEN; the inode is column 10.
      if (f.length < 10 || f[3] !== '0A') continue;
      if (Number.parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * The process that listens on a TCP port of this host (the oldest one, when workers share the
 * socket), found through its file descriptors; null when none does or /proc is not readable.
 */
export function listeningPid(port: number): number | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  const owners: number[] = [];
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const m = /^socket:\[(\d+)\]$/.exec(linkTarget(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1]!)) {
        owners.push(pid);
        break;
      }
    }
  }
  if (owners.length === 0) return null;
  // nginx's workers inherit the master's socket: the tree of the topmost owner covers them all.
  const ownerSet = new Set(owners);
  return owners.find((pid) => !ownerSet.has(readStat(pid)?.ppid ?? -1)) ?? owners[0]!;
}
