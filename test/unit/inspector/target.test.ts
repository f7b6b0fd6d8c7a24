import { describe, expect, it } from 'vitest';
import { formatAddress, isLoopbackHost, parseTarget } from '../../../src/inspector/target.js';
import { UsageError } from '../../../src/shared/errors.js';

describe('parseTarget', () => {
  it('reads a DevTools WebSocket URL', () => {
    expect(parseTarget('ws://127.0.0.1:9229/0f6c1e0e-1b2a-4c3d-9e8f-0123456789ab')).toEqual(
      { kind: 'ws', host: '127.0.0.1', port: 9229, path: '/0f6c1e0e-1b2a-4c3d-9e8f-0123456789ab' });
    expect(parseTarget('ws://localhost:9222/devtools/page/ABC')).toEqual(
      { kind: 'ws', host: '127.0.0.1', port: 9222, path: '/devtools/page/ABC' });
    expect(parseTarget('ws://[::1]:9229/x')).toEqual({ kind: 'ws', host: '::1', port: 9229, path: '/x' });
  });

  it('reads HOST:PORT and PORT', () => {
    expect(parseTarget('127.0.0.1:9229')).toEqual({ kind: 'http', host: '127.0.0.1', port: 9229 });
    expect(parseTarget('localhost:9222')).toEqual({ kind: 'http', host: '127.0.0.1', port: 9222 });
    expect(parseTarget('127.1.2.3:1')).toEqual({ kind: 'http', host: '127.1.2.3', port: 1 });
    expect(parseTarget('[::1]:9229')).toEqual({ kind: 'http', host: '::1', port: 9229 });
    expect(parseTarget('9229')).toEqual({ kind: 'http', host: '127.0.0.1', port: 9229 });
    expect(parseTarget(' 65535 ')).toEqual({ kind: 'http', host: '127.0.0.1', port: 65535 });
  });

  it('reads pid:PID', () => {
    expect(parseTarget('pid:4242')).toEqual({ kind: 'pid', pid: 4242 });
    expect(parseTarget('PID:1')).toEqual({ kind: 'pid', pid: 1 });
  });

  it.each([
    '', '   ', 'pid:', 'pid:abc', 'pid:-3', 'pid:0', 'pid:12.5', '0', '65536', '99999999999', '-1', 'abc',
    '127.0.0.1', '127.0.0.1:', ':9229', '127.0.0.1:0', '127.0.0.1:70000', '127.0.0.1:92a9', 'host name:9229',
    'http://127.0.0.1:9229/x', 'wss://127.0.0.1:9229/x', 'ws://127.0.0.1/x', 'ws://127.0.0.1:9229', 'ws://127.0.0.1:9229/',
    'ws://user:pw@127.0.0.1:9229/x', 'ws://', '[::1]', '::1:9229',
  ])('refuses %j with a UsageError (exit 2)', (text) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
    try { parseTarget(text); } catch (err) { expect((err as UsageError).exitCode).toBe(2); }
  });

  it('refuses hosts outside loopback unless allowRemote', () => {
    for (const t of ['10.0.0.5:9229', 'example.com:9229', 'ws://192.168.1.2:9229/abc', '[2001:db8::1]:9229', '0.0.0.0:9229']) {
      expect(() => parseTarget(t)).toThrow(/not a loopback address.*--allow-remote/);
    }
    expect(parseTarget('10.0.0.5:9229', { allowRemote: true })).toEqual({ kind: 'http', host: '10.0.0.5', port: 9229 });
    expect(parseTarget('Example.COM:9229', { allowRemote: true })).toEqual({ kind: 'http', host: 'example.com', port: 9229 });
  });

  it('never echoes a WebSocket URL path (the secret) in its errors', () => {
    const secret = '6cd6fbda-a4e9-44dc-8989-ec6d6f78dadc';
    for (const t of [`ws://10.0.0.1:9229/${secret}`, `wss://127.0.0.1:9229/${secret}`, `ws://127.0.0.1/${secret}`]) {
      expect(() => parseTarget(t)).toThrow(UsageError);
      try { parseTarget(t); } catch (err) { expect((err as Error).message).not.toContain(secret); }
    }
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.255.0.9', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['128.0.0.1', '10.0.0.1', '0.0.0.0', '::', '::2', '::ffff:10.0.0.1', 'localhost.example.com', 'example.com', '1127.0.0.1'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('formatAddress', () => {
  it('brackets IPv6', () => {
    expect(formatAddress('127.0.0.1', 9229)).toBe('127.0.0.1:9229');
    expect(formatAddress('::1', 9229)).toBe('[::1]:9229');
  });
});

describe('printable', () => {
  it('shows control characters from a target as \\xNN', async () => {
    const { printable } = await import('../../../src/inspector/errors.js');
    expect(printable('My app\x1b]0;pwned\x07\n')).toBe('My app\\x1b]0;pwned\\x07\\x0a');
    expect(printable('plain ü title')).toBe('plain ü title');
  });
});
