import { join } from 'node:path';
import neo4j, { type Driver, type Session } from 'neo4j-driver';
import { Neo4jLearningGraph } from '../stores/native/neo4j';
import { JsonlArchiveWriter, readJsonlArchive, type FileEntry } from './archive';
import { canonicalJson, ContentDigest } from './digest';
import type { DatasetEntry, ManifestSection } from './manifest';
import type { BackupContext, DatasetDigest, ProgressSink, RestoreContext, StoreBackup } from './types';

export interface Neo4jBackupOptions {
  uri: string;
  user?: string;
  password?: string;
  database?: string;
}

const BATCH = 1000;
/** Temporary label and key that let relationships find their restored end nodes. */
const TEMP_LABEL = 'MwvaRestore';
const TEMP_KEY = 'mwva_restore_id';
const TEMP_INDEX = 'mwva_restore_id';

type Encoded = string | number | boolean | null | { $int: string } | { $float: string } | Encoded[];

/**
 * Property values keep their Cypher type: INTEGER as {"$int": "…"} (64-bit, exact), FLOAT as a
 * JSON number (or {"$float": "NaN"}). Types we never store (temporal, spatial) are refused
 * rather than silently changed.
 */
export function encodeValue(value: unknown): Encoded {
  if (neo4j.isInt(value)) return { $int: value.toString() };
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $float: String(value) };
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map(encodeValue);
  throw new Error(`neo4j: cannot back up a property of type ${Object.prototype.toString.call(value)}`);
}

export function decodeValue(value: Encoded): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value && typeof value === 'object') return '$int' in value ? neo4j.int(value.$int) : Number(value.$float);
  return value;
}

const encodeProps = (props: Record<string, unknown>): Record<string, Encoded> =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, encodeValue(v)]));
const decodeProps = (props: Record<string, Encoded>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, decodeValue(v)]));

/** A node's content without its (server-assigned) element id. */
const nodeContent = (labels: string[], props: Record<string, unknown>): string =>
  canonicalJson({ labels: [...labels].sort(), props: encodeProps(props) });

/**
 * What the digest covers of the archive lines, as `scan` computes it from the live graph: nodes
 * by labels and properties, relationships by type, properties and their end nodes' content.
 * Nodes must come first (a relationship names its ends by id); the node contents are kept in
 * memory for that, which the learning graph's size allows.
 */
export function archiveDigester(): (dataset: string, line: string) => string {
  const nodes = new Map<string, string>();
  return (dataset, line) => {
    if (dataset === 'nodes') {
      const node = JSON.parse(line) as { id: string; labels: string[]; props: Record<string, Encoded> };
      const content = canonicalJson({ labels: [...node.labels].sort(), props: node.props });
      nodes.set(node.id, content);
      return content;
    }
    const rel = JSON.parse(line) as { type: string; s: string; e: string; props: Record<string, Encoded> };
    const start = nodes.get(rel.s);
    const end = nodes.get(rel.e);
    if (start === undefined || end === undefined)
      throw new Error(`relationship ${JSON.stringify(rel.type)} ends at a node the node archive does not hold`);
    return canonicalJson({ type: rel.type, props: rel.props, start, end });
  };
}

const quoteName = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

const RELS_QUERY = `MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS s, elementId(b) AS e,
  properties(r) AS props, labels(a) AS al, properties(a) AS ap, labels(b) AS bl, properties(b) AS bp`;
const NODES_QUERY = 'MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props';

/**
 * Neo4j (the learning graph) through the driver: Community edition has no online backup, so
 * this is a logical export of every node and relationship with labels, types and typed
 * properties, plus constraints and indexes. Relationships are read before nodes (see README:
 * a node created in between is then still exported, so no relationship loses an end).
 */
export class Neo4jStoreBackup implements StoreBackup {
  readonly name = 'neo4j' as const;

  private constructor(
    private readonly driver: Driver,
    private readonly options: Neo4jBackupOptions,
  ) {}

  static async open(options: Neo4jBackupOptions): Promise<Neo4jStoreBackup> {
    const auth = options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined;
    // Lossless integers: a backup must not turn an INTEGER into a FLOAT.
    const driver = neo4j.driver(options.uri, auth, { connectionTimeout: 5000 });
    try {
      await driver.verifyConnectivity();
    } catch (err) {
      await driver.close();
      throw err;
    }
    return new Neo4jStoreBackup(driver, options);
  }

  private session(): Session {
    return this.driver.session({ database: this.options.database, fetchSize: BATCH });
  }

  private async schema(): Promise<{
    constraints: { name: string; statement: string }[];
    indexes: { name: string; statement: string }[];
  }> {
    const session = this.session();
    try {
      const c = await session.run(
        'SHOW CONSTRAINTS YIELD name, createStatement RETURN name, createStatement ORDER BY name',
      );
      const i = await session.run(
        `SHOW INDEXES YIELD name, type, owningConstraint, createStatement
         WHERE owningConstraint IS NULL AND type <> 'LOOKUP' AND name <> '${TEMP_INDEX}'
         RETURN name, createStatement ORDER BY name`,
      );
      const rows = (r: typeof c) =>
        r.records.map((x) => ({ name: String(x.get('name')), statement: String(x.get('createStatement')) }));
      return { constraints: rows(c), indexes: rows(i) };
    } finally {
      await session.close();
    }
  }

  /** Streams relationships then nodes in one read transaction. */
  private async scan(
    onRel: (
      line: { id: string; type: string; s: string; e: string; props: Record<string, Encoded> },
      content: string,
    ) => Promise<void>,
    onNode: (line: { id: string; labels: string[]; props: Record<string, Encoded> }, content: string) => Promise<void>,
  ): Promise<void> {
    const session = this.session();
    try {
      await session.executeRead(async (tx) => {
        for await (const r of tx.run(RELS_QUERY)) {
          const props = encodeProps(r.get('props') as Record<string, unknown>);
          const content = canonicalJson({
            type: r.get('type'),
            props,
            start: nodeContent(r.get('al') as string[], r.get('ap') as Record<string, unknown>),
            end: nodeContent(r.get('bl') as string[], r.get('bp') as Record<string, unknown>),
          });
          await onRel(
            {
              id: r.get('id') as string,
              type: r.get('type') as string,
              s: r.get('s') as string,
              e: r.get('e') as string,
              props,
            },
            content,
          );
        }
        for await (const r of tx.run(NODES_QUERY)) {
          const labels = r.get('labels') as string[];
          const raw = r.get('props') as Record<string, unknown>;
          await onNode({ id: r.get('id') as string, labels, props: encodeProps(raw) }, nodeContent(labels, raw));
        }
      });
    } finally {
      await session.close();
    }
  }

  private async count(query: string): Promise<number> {
    const session = this.session();
    try {
      const res = await session.run(query);
      return Number(res.records[0]?.get('n') ?? 0);
    } finally {
      await session.close();
    }
  }

  async backup(ctx: BackupContext): Promise<ManifestSection> {
    const startedAt = new Date().toISOString();
    const schema = await this.schema();
    const totals = {
      relationships: await this.count('MATCH ()-[r]->() RETURN count(r) AS n'),
      nodes: await this.count('MATCH (n) RETURN count(n) AS n'),
    };
    const writers = {
      relationships: await JsonlArchiveWriter.create(
        join(ctx.dir, 'neo4j/relationships.jsonl.gz'),
        'neo4j/relationships.jsonl.gz',
      ),
      nodes: await JsonlArchiveWriter.create(join(ctx.dir, 'neo4j/nodes.jsonl.gz'), 'neo4j/nodes.jsonl.gz'),
    };
    const digests = { relationships: new ContentDigest(), nodes: new ContentDigest() };
    const tick = (ds: 'relationships' | 'nodes', finished = false): void => {
      if (finished || digests[ds].count % BATCH === 0)
        ctx.progress({
          phase: 'backup',
          store: this.name,
          dataset: ds,
          done: digests[ds].count,
          total: totals[ds],
          finished,
        });
    };
    await this.scan(
      async (line, content) => {
        digests.relationships.add(content);
        await writers.relationships.write(JSON.stringify(line));
        tick('relationships');
      },
      async (line, content) => {
        digests.nodes.add(content);
        await writers.nodes.write(JSON.stringify(line));
        tick('nodes');
      },
    );
    tick('relationships', true);
    tick('nodes', true);
    const files: FileEntry[] = [await writers.nodes.close(), await writers.relationships.close()];
    const datasets: DatasetEntry[] = (['nodes', 'relationships'] as const).map((ds) => ({
      name: ds,
      records: digests[ds].count,
      digest: digests[ds].hex(),
      file: `neo4j/${ds}.jsonl.gz`,
    }));
    return {
      store: this.name,
      method: 'logical',
      startedAt,
      finishedAt: new Date().toISOString(),
      datasets,
      files,
      schema,
    };
  }

  async nonEmptyDatasets(): Promise<string[]> {
    return (await this.count('MATCH (n) RETURN count(n) AS n')) > 0 ? ['nodes'] : [];
  }

  private async runLoop(query: string): Promise<void> {
    const session = this.session();
    try {
      for (;;) {
        const res = await session.run(query);
        if (Number(res.records[0]?.get('c') ?? 0) === 0) break;
      }
    } finally {
      await session.close();
    }
  }

  private async write(query: string, params: Record<string, unknown>): Promise<number> {
    const session = this.session();
    try {
      const res = await session.executeWrite((tx) => tx.run(query, params));
      return Number(res.records[0]?.get('c') ?? 0);
    } finally {
      await session.close();
    }
  }

  async restore(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    // Our three uniqueness constraints, exactly as the API creates them at start-up.
    const adapter = await Neo4jLearningGraph.open(this.options);
    await adapter.close();
    if (ctx.wipe) await this.runLoop('MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS c');
    await this.createSchema(section);
    const session = this.session();
    try {
      await session.run(`CREATE INDEX ${TEMP_INDEX} IF NOT EXISTS FOR (n:${TEMP_LABEL}) ON (n.${TEMP_KEY})`);
      await session.run('CALL db.awaitIndexes(300)');
    } finally {
      await session.close();
    }
    await this.loadNodes(section, ctx);
    await this.loadRelationships(section, ctx);
    await this.runLoop(
      `MATCH (n:${TEMP_LABEL}) WITH n LIMIT 5000 REMOVE n:${TEMP_LABEL}, n.${TEMP_KEY} RETURN count(n) AS c`,
    );
    const cleanup = this.session();
    await cleanup.run(`DROP INDEX ${TEMP_INDEX} IF EXISTS`).finally(() => cleanup.close());
  }

  private async createSchema(section: ManifestSection): Promise<void> {
    const wanted = section.schema as {
      constraints?: { name: string; statement: string }[];
      indexes?: { name: string; statement: string }[];
    };
    const have = await this.schema();
    const existing = new Set([...have.constraints, ...have.indexes].map((x) => x.name));
    const session = this.session();
    try {
      for (const item of [...(wanted.constraints ?? []), ...(wanted.indexes ?? [])]) {
        if (!existing.has(item.name)) await session.run(item.statement);
      }
    } finally {
      await session.close();
    }
  }

  private async loadNodes(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    const ds = section.datasets.find((d) => d.name === 'nodes');
    if (!ds?.file) throw new Error('neo4j: the manifest lists no node archive');
    // One buffer per label combination: labels cannot be parameters in Cypher.
    const buffers = new Map<string, { labels: string[]; rows: unknown[] }>();
    let done = 0;
    const flush = async (key: string): Promise<void> => {
      const buf = buffers.get(key);
      if (!buf || buf.rows.length === 0) return;
      const labels = [TEMP_LABEL, ...buf.labels].map(quoteName).join(':');
      const created = await this.write(
        `UNWIND $rows AS r CREATE (n:${labels} {${TEMP_KEY}: r.id}) SET n += r.props RETURN count(n) AS c`,
        { rows: buf.rows },
      );
      if (created !== buf.rows.length) throw new Error(`neo4j: created ${created} of ${buf.rows.length} nodes`);
      done += created;
      buf.rows = [];
      ctx.progress({ phase: 'restore', store: this.name, dataset: 'nodes', done, total: ds.records });
    };
    for await (const line of readJsonlArchive(join(ctx.dir, ds.file))) {
      const node = JSON.parse(line) as { id: string; labels: string[]; props: Record<string, Encoded> };
      const key = [...node.labels].sort().join(':');
      let buf = buffers.get(key);
      if (!buf) buffers.set(key, (buf = { labels: [...node.labels].sort(), rows: [] }));
      buf.rows.push({ id: node.id, props: decodeProps(node.props) });
      if (buf.rows.length >= BATCH) await flush(key);
    }
    for (const key of buffers.keys()) await flush(key);
    ctx.progress({ phase: 'restore', store: this.name, dataset: 'nodes', done, total: ds.records, finished: true });
  }

  private async loadRelationships(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    const ds = section.datasets.find((d) => d.name === 'relationships');
    if (!ds?.file) throw new Error('neo4j: the manifest lists no relationship archive');
    const buffers = new Map<string, unknown[]>();
    let done = 0;
    const flush = async (type: string): Promise<void> => {
      const rows = buffers.get(type);
      if (!rows || rows.length === 0) return;
      const created = await this.write(
        `UNWIND $rows AS r MATCH (a:${TEMP_LABEL} {${TEMP_KEY}: r.s}) MATCH (b:${TEMP_LABEL} {${TEMP_KEY}: r.e})
         CREATE (a)-[x:${quoteName(type)}]->(b) SET x = r.props RETURN count(x) AS c`,
        { rows },
      );
      if (created !== rows.length) throw new Error(`neo4j: ${rows.length - created} relationships lost an end node`);
      done += created;
      buffers.set(type, []);
      ctx.progress({ phase: 'restore', store: this.name, dataset: 'relationships', done, total: ds.records });
    };
    for await (const line of readJsonlArchive(join(ctx.dir, ds.file))) {
      const rel = JSON.parse(line) as { type: string; s: string; e: string; props: Record<string, Encoded> };
      const rows = buffers.get(rel.type) ?? [];
      buffers.set(rel.type, rows);
      rows.push({ s: rel.s, e: rel.e, props: decodeProps(rel.props) });
      if (rows.length >= BATCH) await flush(rel.type);
    }
    for (const type of buffers.keys()) await flush(type);
    ctx.progress({
      phase: 'restore',
      store: this.name,
      dataset: 'relationships',
      done,
      total: ds.records,
      finished: true,
    });
  }

  async digests(section: ManifestSection, progress: ProgressSink): Promise<DatasetDigest[]> {
    const d = { relationships: new ContentDigest(), nodes: new ContentDigest() };
    await this.scan(
      async (_line, content) => d.relationships.add(content),
      async (_line, content) => d.nodes.add(content),
    );
    for (const ds of section.datasets)
      progress({
        phase: 'check',
        store: this.name,
        dataset: ds.name,
        done: ds.records,
        total: ds.records,
        finished: true,
      });
    return (['nodes', 'relationships'] as const).map((name) => ({
      name,
      records: d[name].count,
      digest: d[name].hex(),
    }));
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
