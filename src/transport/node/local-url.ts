// Parsing of `local:name` and `localabstract:name` URLs, which depend on the OS tsro runs on:
// a relative name lives in os.tmpdir() (a named pipe on Windows), socket paths have an OS limit,
// and abstract sockets exist only on Linux. Registered with the platform-free URL parser
// (src/transport/url.ts) when this module loads.

import { Buffer } from 'node:buffer';
import * as os from 'node:os';
import * as path from 'node:path';
import { invalid, registerSchemeParser, type TransportAddress } from '../url';

const IS_WINDOWS = process.platform === 'win32';
const PIPE_PREFIX = '\\\\.\\pipe\\';
// sun_path is 108 bytes on Linux and 104 on macOS and the BSDs, NUL terminator included.
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

function parseLocal(url: string, name: string): TransportAddress {
  if (name === '') throw invalid(url, 'the socket name is empty (local:name)');
  if (name.includes('\0')) throw invalid(url, 'the socket name contains a NUL byte');
  if (name.startsWith('//')) {
    // Most likely local:///abs/path; ambiguous, so ask for the one spelling.
    throw invalid(url, 'write local:name or local:/absolute/path, without "//"');
  }
  let socketPath: string;
  if (IS_WINDOWS) {
    socketPath = name.startsWith(PIPE_PREFIX) ? name : PIPE_PREFIX + name;
  } else {
    socketPath = name.startsWith('/') ? name : path.join(os.tmpdir(), name);
    const bytes = Buffer.byteLength(socketPath);
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw invalid(url, `socket path "${socketPath}" is ${bytes} bytes; the OS allows at most ${MAX_SOCKET_PATH_BYTES}`);
    }
  }
  return { scheme: 'local', name, path: socketPath, url: `local:${name}` };
}

// Linux's abstract socket namespace: no file, gone with the last socket, named by a leading NUL.
function parseLocalAbstract(url: string, name: string): TransportAddress {
  if (process.platform !== 'linux') throw invalid(url, 'abstract sockets exist only on Linux; use local:name');
  if (name === '') throw invalid(url, 'the socket name is empty (localabstract:name)');
  if (name.includes('\0')) throw invalid(url, 'the socket name contains a NUL byte');
  const bytes = Buffer.byteLength(name) + 1;
  if (bytes > MAX_SOCKET_PATH_BYTES) throw invalid(url, `the name is ${bytes - 1} bytes; the OS allows at most ${MAX_SOCKET_PATH_BYTES - 1}`);
  return { scheme: 'local', name, path: `\0${name}`, url: `localabstract:${name}`, abstract: true };
}


registerSchemeParser('local', parseLocal);
registerSchemeParser('localabstract', parseLocalAbstract);
