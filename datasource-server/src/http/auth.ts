import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * `Authorization: Bearer <API_TOKEN>` on every /api route. Both sides are hashed first so the
 * comparison is constant-time whatever the presented length.
 */
export function requireBearerToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing bearer token' });
      return;
    }
    if (!timingSafeEqual(digest(match[1]!), expectedDigest)) {
      res.status(401).set('WWW-Authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid bearer token' });
      return;
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
