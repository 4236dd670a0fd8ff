// Preloaded (node -r) by the NATS spec: makes the NATS client look uninstalled, as it is for a
// user who never added the optional peer dependency.
import Module = require('node:module');

const internals = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = internals._resolveFilename;
internals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request === '@nats-io/transport-node') {
    throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
