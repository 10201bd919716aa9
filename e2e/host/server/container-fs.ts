/**
 * The file system as the Grafana container sees it: container paths resolved through the mounts
 * (compose `volumes`, k8s `volumeMounts`, or COPY in an image). The stand-in reads every file through
 * this, so a file the deployment does not put where Grafana looks is, for the stand-in too, absent.
 * Run as a container itself, the stand-in uses identity mounts (the paths are real).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Mount {
  /** Absolute path inside the container, e.g. /etc/grafana/provisioning */
  target: string;
  /** Where it lives on this machine. */
  source: string;
}

export class ContainerFs {
  private readonly mounts: Mount[];

  constructor(mounts: Mount[]) {
    // The longest target wins, as with nested bind mounts; on the same target the later one
    // (a volume over a COPY) hides the earlier.
    this.mounts = mounts
      .map((m, i) => ({ m, i }))
      .sort((a, b) => b.m.target.length - a.m.target.length || b.i - a.i)
      .map(({ m }) => m);
  }

  /** An identity mapping: container paths are host paths (the stand-in running as the container). */
  static identity(): ContainerFs {
    return new ContainerFs([{ target: '/', source: '/' }]);
  }

  /** Host path of a container path, or null when nothing is mounted there. */
  resolve(containerPath: string): string | null {
    const p = path.posix.normalize(containerPath);
    for (const m of this.mounts) {
      const target = m.target.replace(/\/+$/, '') || '/';
      if (p === target) return m.source;
      const prefix = target === '/' ? '/' : `${target}/`;
      if (p.startsWith(prefix)) return path.join(m.source, p.slice(prefix.length));
    }
    return null;
  }

  exists(containerPath: string): boolean {
    const host = this.resolve(containerPath);
    return host !== null && existsSync(host);
  }

  isDirectory(containerPath: string): boolean {
    const host = this.resolve(containerPath);
    if (host !== null && existsSync(host) && statSync(host).isDirectory()) return true;
    // The parents of a mount target exist in the container (the image or the runtime creates them).
    return this.mountedBelow(containerPath).length > 0;
  }

  readText(containerPath: string): string {
    const host = this.resolve(containerPath);
    if (host === null || !existsSync(host)) {
      throw new Error(`open ${containerPath}: no such file or directory`);
    }
    return readFileSync(host, 'utf8');
  }

  /** Directory entries (names), sorted as Go's os.ReadDir returns them. */
  list(containerPath: string): string[] {
    const host = this.resolve(containerPath);
    const below = this.mountedBelow(containerPath);
    const real = host !== null && existsSync(host) ? readdirSync(host) : null;
    if (real === null && below.length === 0) throw new Error(`open ${containerPath}: no such file or directory`);
    return [...new Set([...(real ?? []), ...below])].sort();
  }

  /** Names of the entries of a directory that exist because something is mounted below it. */
  private mountedBelow(containerPath: string): string[] {
    const dir = path.posix.normalize(containerPath).replace(/\/+$/, '');
    const prefix = `${dir}/`;
    return this.mounts
      .filter((m) => m.target.startsWith(prefix))
      .map((m) => m.target.slice(prefix.length).split('/')[0]!)
      .filter(Boolean);
  }
}
