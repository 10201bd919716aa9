/** Reading request bodies and checking their fields, answered with Telnyx's error bodies. */

import type { IncomingMessage } from 'node:http';
import { ApiFailure, apiErrors } from './errors';

export const E164 = /^\+[1-9]\d{1,14}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BODY_LIMIT = 1024 * 1024;

export type JsonObject = Record<string, unknown>;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new ApiFailure(413, [{ code: '10015', title: 'Bad Request', detail: 'Request body too large.' }]));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An empty body counts as `{}`. */
export function parseJsonObject(raw: string): JsonObject {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw apiErrors.badJson('The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw apiErrors.badJson('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

/** Absent and null both mean "not given". */
export function optionalString(body: JsonObject, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw apiErrors.invalid(field, `The '${field}' parameter must be a string.`);
  return v;
}

export function requiredString(body: JsonObject, field: string): string {
  const v = optionalString(body, field);
  if (v === undefined || v.trim() === '') throw apiErrors.missing(field);
  return v;
}

/** The parameters dial and every command accept. */
export function validateCommon(body: JsonObject): { clientState?: string; commandId?: string } {
  const clientState = optionalString(body, 'client_state');
  if (clientState !== undefined && (clientState.length % 4 !== 0 || !BASE64.test(clientState))) {
    throw apiErrors.invalid('client_state', "The 'client_state' parameter must be a valid Base-64 encoded string.");
  }
  const commandId = optionalString(body, 'command_id');
  return {
    ...(clientState === undefined ? {} : { clientState }),
    ...(commandId === undefined ? {} : { commandId }),
  };
}

/** An http(s) URL of at most 2000 characters, or undefined when absent. */
export function validateUrl(body: JsonObject, field: string): string | undefined {
  const v = optionalString(body, field);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw apiErrors.invalidUrl(field);
  }
  if (v.length > 2000) throw apiErrors.invalidUrl(field);
  return v;
}
