import { Redis } from 'ioredis';
import type { CallStateStore, JsonObject, StoreHealth, Versioned } from '../../ports';
import { probeHealth } from '../health';

export interface RedisOptions {
  url: string;
  keyPrefix?: string;
}

/**
 * Compare-and-set in one server-side step: two replicas handling events of the same call can
 * never both write on top of the same version.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = cjson.decode(current).version end
if version ~= tonumber(ARGV[2]) then return nil end
local next = version + 1
redis.call('SET', KEYS[1], '{"version":' .. next .. ',"state":' .. ARGV[1] .. '}', 'EX', ARGV[3])
return next
`;

/** GCRA (see memory/call-state-store.ts `gcra`) on the server's clock, shared by all replicas. */
const TAKE_TOKEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local interval = 1000 / rate
local tolerance = interval * (math.max(1, math.floor(rate)) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return math.ceil(tat - now - tolerance) end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil(tat + interval - now) + 1000)
return 0
`;

/** SISMEMBER/SCARD/SADD in one step, so two replicas cannot both take the last slot. */
const ACQUIRE_SLOT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
`;

/** Redis-role adapter on ioredis; reconnects by itself when the server comes back. */
export class RedisCallStateStore implements CallStateStore {
  readonly store = 'redis' as const;
  readonly kind = 'native' as const;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static async open(options: RedisOptions): Promise<RedisCallStateStore> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: 3000,
      // Fail commands fast while the server is away instead of queueing them for minutes.
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // Connection errors surface on the failing command; the event only needs a listener.
    redis.on('error', () => undefined);
    redis.defineCommand('casState', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    redis.defineCommand('acquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    return new RedisCallStateStore(redis, options.keyPrefix ?? 'mwva:');
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  async get(callId: string): Promise<Versioned<JsonObject> | null> {
    const raw = await this.redis.get(this.key('call', callId));
    return raw ? (JSON.parse(raw) as Versioned<JsonObject>) : null;
  }

  async compareAndSet(
    callId: string,
    state: JsonObject,
    expectedVersion: number,
    ttlSeconds: number,
  ): Promise<number | null> {
    const cas = (this.redis as unknown as { casState: (...args: unknown[]) => Promise<number | null> }).casState;
    const result = await cas.call(
      this.redis,
      this.key('call', callId),
      JSON.stringify(state),
      String(expectedVersion),
      String(Math.max(1, Math.ceil(ttlSeconds))),
    );
    return result === null ? null : Number(result);
  }

  async delete(callId: string): Promise<void> {
    await this.redis.del(this.key('call', callId));
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.redis.set(this.key('claim', key), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
    return result === 'OK';
  }

  async releaseClaim(key: string): Promise<void> {
    await this.redis.del(this.key('claim', key));
  }

  async takeToken(bucket: string, ratePerSecond: number): Promise<number> {
    const take = (this.redis as unknown as { takeToken: (...args: unknown[]) => Promise<number> }).takeToken;
    return Number(await take.call(this.redis, this.key('rate', bucket), String(ratePerSecond)));
  }

  async markActive(callId: string): Promise<void> {
    await this.redis.sadd(this.key('set', 'active'), callId);
  }

  async acquireSlot(callId: string, capacity: number): Promise<boolean> {
    const acquire = (this.redis as unknown as { acquireSlot: (...args: unknown[]) => Promise<number> }).acquireSlot;
    return (await acquire.call(this.redis, this.key('set', 'active'), callId, String(capacity))) === 1;
  }

  async markInactive(callId: string): Promise<void> {
    await this.redis.srem(this.key('set', 'active'), callId);
  }

  async countActive(): Promise<number> {
    return this.redis.scard(this.key('set', 'active'));
  }

  async listActive(): Promise<string[]> {
    return this.redis.smembers(this.key('set', 'active'));
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.redis.ping());
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
