/**
 * A screenshot of a whole X display as PNG, taken over the X11 protocol itself (GetImage on the
 * root window): what is really on the screen, windows and all, without ImageMagick or xwd, which
 * CI does not install. Speaks just enough X11 for that: connection setup, one request, one reply.
 * Handles the common case only: a local display (unix socket), no authorisation or an
 * MIT-MAGIC-COOKIE-1 from $XAUTHORITY, a 24/32-bit TrueColor root (Xvfb's `-screen 0 WxHx24`).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

export class X11Error extends Error {}

interface Screen { root: number; width: number; height: number; depth: number; bitsPerPixel: number }

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Reads `n` bytes as they arrive. */
class Reader {
  private buf = Buffer.alloc(0);
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;
  constructor(socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.pump(); });
    const fail = (e: Error) => { this.failed = e; this.waiting?.reject(e); this.waiting = undefined; };
    socket.on('error', fail);
    socket.on('close', () => fail(new X11Error('the X server closed the connection')));
  }
  read(n: number): Promise<Buffer> {
    if (this.failed && this.buf.length < n) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => { this.waiting = { n, resolve, reject }; this.pump(); });
  }
  private pump(): void {
    const w = this.waiting;
    if (!w || this.buf.length < w.n) return;
    this.waiting = undefined;
    const out = this.buf.subarray(0, w.n);
    this.buf = this.buf.subarray(w.n);
    w.resolve(out);
  }
}

/** The MIT-MAGIC-COOKIE-1 for display `number` from $XAUTHORITY (xvfb-run writes one), if any. */
function cookie(number: string): Buffer | undefined {
  const file = process.env['XAUTHORITY'] ?? path.join(os.homedir(), '.Xauthority');
  let data: Buffer;
  try { data = readFileSync(file); } catch { return undefined; }
  let at = 0;
  const field = () => { const n = data.readUInt16BE(at + 0); const b = data.subarray(at + 2, at + 2 + n); at += 2 + n; return b; };
  while (at + 2 <= data.length) {
    at += 2; // family
    field(); // address
    const num = field().toString();
    const name = field().toString();
    const value = field();
    if (num === number && name === 'MIT-MAGIC-COOKIE-1') return value;
  }
  return undefined;
}

async function setup(socket: Socket, reader: Reader, number: string): Promise<Screen> {
  const auth = cookie(number);
  const name = Buffer.from(auth ? 'MIT-MAGIC-COOKIE-1' : '');
  const data = auth ?? Buffer.alloc(0);
  const head = Buffer.alloc(12);
  head.write('l', 0); // little-endian
  head.writeUInt16LE(11, 2);
  head.writeUInt16LE(0, 4);
  head.writeUInt16LE(name.length, 6);
  head.writeUInt16LE(data.length, 8);
  socket.write(Buffer.concat([head, name, Buffer.alloc(pad4(name.length)), data, Buffer.alloc(pad4(data.length))]));
  const first = await reader.read(8);
  const body = await reader.read(first.readUInt16LE(6) * 4);
  if (first[0] !== 1) throw new X11Error(`the X server refused the connection: ${body.subarray(0, first[1]).toString()}`);
  const vendorLength = body.readUInt16LE(16);
  const formatCount = body[21]!;
  let at = 32 + vendorLength + pad4(vendorLength);
  const formats = new Map<number, number>();
  for (let i = 0; i < formatCount; i++, at += 8) formats.set(body[at]!, body[at + 1]!);
  const screen: Screen = {
    root: body.readUInt32LE(at),
    width: body.readUInt16LE(at + 20),
    height: body.readUInt16LE(at + 22),
    depth: body[at + 38]!,
    bitsPerPixel: 0,
  };
  screen.bitsPerPixel = formats.get(screen.depth) ?? 0;
  if (screen.depth !== 24 || screen.bitsPerPixel !== 32) throw new X11Error(`unsupported root format: depth ${screen.depth}, ${screen.bitsPerPixel} bits per pixel`);
  return screen;
}

function png(width: number, height: number, rgb: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rgb)), chunk('IEND', Buffer.alloc(0))]);
}

export interface Screenshot {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes a pixel. */
  rgb: Buffer;
  png: Buffer;
}

/** The whole screen of `display` (`:N`). */
export async function screenshotDisplay(display: string, timeoutMs = 10_000): Promise<Screenshot> {
  const m = /^:(\d+)(?:\.\d+)?$/.exec(display);
  if (!m) throw new X11Error(`only local displays (:N) are supported, not ${JSON.stringify(display)}`);
  const socket = connect(`/tmp/.X11-unix/X${m[1]}`);
  const timer = setTimeout(() => socket.destroy(new X11Error(`no screenshot from ${display} within ${timeoutMs} ms`)), timeoutMs);
  try {
    const reader = new Reader(socket);
    const screen = await setup(socket, reader, m[1]!);
    const req = Buffer.alloc(20);
    req[0] = 73; // GetImage
    req[1] = 2; // ZPixmap
    req.writeUInt16LE(5, 2);
    req.writeUInt32LE(screen.root, 4);
    req.writeInt16LE(0, 8);
    req.writeInt16LE(0, 10);
    req.writeUInt16LE(screen.width, 12);
    req.writeUInt16LE(screen.height, 14);
    req.writeUInt32LE(0xffffffff, 16);
    socket.write(req);
    const head = await reader.read(32);
    if (head[0] === 0) throw new X11Error(`GetImage failed: X error ${head[1]}`);
    const data = await reader.read(head.readUInt32LE(4) * 4);
    const { width, height } = screen;
    const rgb = Buffer.alloc(width * height * 3);
    // ZPixmap, 32 bits per pixel, little-endian: B, G, R, unused.
    for (let i = 0, o = 0; i < width * height; i++, o += 3) {
      rgb[o] = data[i * 4 + 2]!;
      rgb[o + 1] = data[i * 4 + 1]!;
      rgb[o + 2] = data[i * 4]!;
    }
    const rows = Buffer.alloc(height * (width * 3 + 1));
    for (let y = 0; y < height; y++) rgb.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
    return { width, height, rgb, png: png(width, height, rows) };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
