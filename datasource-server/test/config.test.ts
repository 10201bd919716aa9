import { ConfigError, loadEnv } from '@mwva/datasource-server';

describe('configuration from the environment', () => {
  it('uses the seed defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 5000,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATA_DIR: './data',
      CALL_CAPACITY: 1000,
      SCALING_THRESHOLD: 80,
    });
    expect(env.NEON_DATABASE_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(loadEnv({ MONGODB_URI: '', API_TOKEN: ' ' }).MONGODB_URI).toBeUndefined();
  });

  it.each([
    ['CALL_CAPACITY', 'lots', /CALL_CAPACITY: expected a whole number \(got "lots"\)/],
    ['CALL_CAPACITY', '0', /CALL_CAPACITY: expected a number above 0/],
    ['SCALING_THRESHOLD', '120', /SCALING_THRESHOLD: expected a percentage/],
    ['PORT', '70000', /PORT: expected a port number/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: /],
    ['NEON_DATABASE_URL', 'mysql://x', /NEON_DATABASE_URL: expected a URL starting with postgres/],
    ['REDIS_URL', 'not a url', /REDIS_URL: expected a URL starting with redis/],
    ['NODE_ENV', 'staging', /NODE_ENV: /],
  ])('rejects %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadEnv({ [name]: value })).toThrow(ConfigError);
    expect(() => loadEnv({ [name]: value })).toThrow(message);
  });

  it('requires API_TOKEN in production, and never echoes a secret value', () => {
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/API_TOKEN: required when NODE_ENV=production/);
    expect(() => loadEnv({ API_TOKEN: 'short-secret' })).toThrow(/API_TOKEN: expected at least 16 characters$/);
    expect(() => loadEnv({ API_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it.each([
    ['NEON_DATABASE_URL', 'postgres://voice:s3cret-pw@db:5432:extra/voice'],
    ['REDIS_URL', 'redis://:s3cret-pw@cache:notaport'],
    ['MONGODB_URI', 'mongodb://app:s3cret-pw@'],
    ['MONGODB_URI', 'http://app:s3cret-pw@mongo/voice'],
  ])('names a malformed %s without echoing its password', (name, value) => {
    expect(() => loadEnv({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
    expect(() => loadEnv({ [name]: value })).not.toThrow(/s3cret-pw/);
  });

  it('checks TELNYX_PUBLIC_KEY at start-up: a 32-byte Ed25519 key in base64', () => {
    const telnyx = { TELNYX_API_KEY: 'KEYx', TELNYX_CONNECTION_ID: 'conn' };
    expect(() => loadEnv({ ...telnyx, TELNYX_PUBLIC_KEY: 'not base64!' })).toThrow(
      /TELNYX_PUBLIC_KEY: expected a base64 Ed25519 public key$/,
    );
    expect(() => loadEnv({ ...telnyx, TELNYX_PUBLIC_KEY: Buffer.alloc(31).toString('base64') })).toThrow(
      /TELNYX_PUBLIC_KEY: expected a 32-byte Ed25519 public key \(got 31 bytes\)/,
    );
    expect(loadEnv({ ...telnyx, TELNYX_PUBLIC_KEY: Buffer.alloc(32, 7).toString('base64') }).TELNYX_PUBLIC_KEY).toBe(
      Buffer.alloc(32, 7).toString('base64'),
    );
  });

  it('reports every bad variable at once', () => {
    try {
      loadEnv({ PORT: 'x', CALL_CAPACITY: 'y' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });

  it('asks for the primary when only a read replica is set', () => {
    expect(() => loadEnv({ NEON_READ_REPLICA_URL: 'postgres://r/db' })).toThrow(
      /NEON_READ_REPLICA_URL: set NEON_DATABASE_URL/,
    );
  });
});
