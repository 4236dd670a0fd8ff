// Turns the errors Node's socket calls fail with into the short reason that ListenError,
// ConnectError and DisconnectedError messages end with, e.g. "connection refused (ECONNREFUSED)"
// or, for TLS, "self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)".

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'temporary failure resolving the host name',
  ENOENT: 'no such socket',
  ENOTDIR: 'a path component is not a directory',
  ENAMETOOLONG: 'socket path too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
};

/** The OS error code of `err` (`'ECONNREFUSED'`...), or undefined if it has none. */
export function osErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short, human reason for `err`, ending with its OS code when it has one. */
export function describeOsError(err: unknown): string {
  // Trying every address of a host name (Node's autoSelectFamily) fails with all their errors.
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeOsError))].join('; ');
  }
  const code = osErrorCode(err);
  if (code !== undefined && REASONS[code] !== undefined) return `${REASONS[code]} (${code})`;
  // OpenSSL errors carry their short reason ("wrong version number", "tlsv13 alert certificate
  // required") apart from a message cluttered with OpenSSL's error stack and source locations.
  const reason = (err as { reason?: unknown } | null | undefined)?.reason;
  const fromOpenSsl = code !== undefined && (code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_'));
  if (fromOpenSsl && typeof reason === 'string' && reason !== '') {
    return `${reason} (${code})`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
}
