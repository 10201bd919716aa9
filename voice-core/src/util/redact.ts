/**
 * Hides the password part of every `scheme://user:password@host` in a text. Connection strings
 * reach error messages (a malformed URL in the configuration, a driver that echoes its target),
 * and error messages reach logs and terminals.
 */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/[^/@\s:]*):[^@\s]*@/g, '$1:***@');
}
