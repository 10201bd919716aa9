/** Telnyx v2 error bodies: `{"errors":[{"code","title","detail","source":{"pointer"},"meta":{"url"}}]}`. */

export interface TelnyxApiError {
  code: string;
  title: string;
  detail: string;
  source?: { pointer: string };
  meta?: { url: string };
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errors: TelnyxApiError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => e.detail).join('; '));
  }

  body(): { errors: TelnyxApiError[] } {
    return { errors: this.errors };
  }
}

function err(code: string, title: string, detail: string, pointer?: string): TelnyxApiError {
  return {
    code,
    title,
    detail,
    ...(pointer === undefined ? {} : { source: { pointer } }),
    meta: { url: `https://developers.telnyx.com/docs/overview/errors/${code}` },
  };
}

export const apiErrors = {
  authentication: () =>
    new ApiFailure(401, [
      err(
        '10009',
        'Authentication failed',
        'The required authentication headers were either invalid or not included in the request.',
      ),
    ]),
  notFound: (detail = 'The requested resource or URL could not be found.') =>
    new ApiFailure(404, [err('10005', 'Resource not found', detail)]),
  callEnded: () =>
    new ApiFailure(404, [
      err('90018', 'Call has already ended', "This call is no longer active and can't receive commands."),
    ]),
  badJson: (detail: string) => new ApiFailure(400, [err('10015', 'Bad Request', detail)]),
  missing: (field: string) =>
    new ApiFailure(422, [
      err('10004', 'Missing required parameter', `The '${field}' parameter is required.`, `/${field}`),
    ]),
  invalid: (field: string, detail: string) =>
    new ApiFailure(422, [err('10015', 'Invalid parameter', detail, `/${field}`)]),
  notE164: (field: string) =>
    new ApiFailure(422, [
      err(
        '10016',
        'Phone number must be in +E.164 format',
        `The '${field}' parameter must be a phone number in +E.164 format.`,
        `/${field}`,
      ),
    ]),
  unknownConnection: () =>
    new ApiFailure(422, [
      err(
        '10013',
        'Missing association',
        'The connection_id does not refer to a Call Control App of this account.',
        '/connection_id',
      ),
    ]),
  invalidUrl: (field: string) =>
    new ApiFailure(422, [
      err('10003', 'Invalid URL', 'The URL provided was invalid, malformed, or too long.', `/${field}`),
    ]),
  wrongState: (command: string, state: string) =>
    new ApiFailure(422, [
      err('90015', 'Invalid call state', `The '${command}' command is not allowed while the call is ${state}.`),
    ]),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiFailure(
      429,
      [err('10011', 'Too many requests', 'You have exceeded the maximum number of allowed requests.')],
      { 'retry-after': String(retryAfterSeconds) },
    ),
  unexpected: (status: 500 | 503) =>
    status === 500
      ? new ApiFailure(500, [err('10007', 'Unexpected error', 'An unexpected error occured.')])
      : new ApiFailure(503, [
          err('10007', 'Service unavailable', 'The service is temporarily unavailable. Please retry.'),
        ]),
};
