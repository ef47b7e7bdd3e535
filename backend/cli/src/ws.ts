/**
 * A minimal WebSocket client (RFC 6455, text frames, no extensions) on node:http, so that the CLI
 * needs no dependency for `executions tail`: Node 20 has no global WebSocket without a flag.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface MiniWebSocketEvents {
  message: [text: string];
  close: [code: number, reason: string];
}

export class MiniWebSocket extends EventEmitter<MiniWebSocketEvents> {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.finish(1006, 'connection lost'));
    socket.on('error', () => undefined /* 'close' follows */);
  }

  /** Opens `ws://` or `wss://` (http(s) URLs are accepted too); rejects on a refused upgrade or after timeoutMs. */
  static connect(url: string, timeoutMs = 10_000): Promise<MiniWebSocket> {
    const u = new URL(url.replace(/^http/, 'ws'));
    const secure = u.protocol === 'wss:';
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request({
        protocol: secure ? 'https:' : 'http:',
        hostname: u.hostname,
        port: u.port || (secure ? 443 : 80),
        path: `${u.pathname}${u.search}`,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13', 'User-Agent': 'tributary-cli' },
        timeout: timeoutMs,
      });
      req.on('upgrade', (res, socket, head) => {
        const expected = createHash('sha1').update(key + GUID).digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error('the server answered the upgrade with a wrong Sec-WebSocket-Accept'));
          return;
        }
        const ws = new MiniWebSocket(socket as Socket);
        if (head.length) ws.onData(head);
        resolve(ws);
      });
      req.on('response', (res) => {
        res.resume();
        reject(new Error(`the server refused the WebSocket upgrade: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
      });
      req.on('timeout', () => req.destroy(new Error(`no WebSocket upgrade within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  send(text: string): void {
    this.sendFrame(0x1, Buffer.from(text, 'utf8'));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.sendFrame(0x8, payload);
    this.socket.end();
    this.finish(code, reason);
  }

  terminate(): void {
    this.socket.destroy();
    this.finish(1006, 'terminated');
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code, reason);
  }

  /** Client frames are masked (RFC 6455 5.3). */
  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const len = payload.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (len < 126) header[1] = 0x80 | len;
    else if (len < 65_536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const mask = randomBytes(4);
    const masked = Buffer.alloc(len);
    for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.buffer.length < 2) return;
      const b0 = this.buffer[0]!;
      const b1 = this.buffer[1]!;
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const maskAt = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + len) return;
      let payload = this.buffer.subarray(offset, offset + len);
      if (masked) {
        const mask = this.buffer.subarray(maskAt, maskAt + 4);
        payload = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
      }
      this.buffer = this.buffer.subarray(offset + len);
      this.onFrame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0:
      case 0x1:
      case 0x2:
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.emit('message', text);
        }
        return;
      case 0x8: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
        this.sendFrame(0x8, payload.subarray(0, 2));
        this.socket.end();
        this.finish(code, reason);
        return;
      }
      case 0x9:
        this.sendFrame(0xa, payload);
        return;
      default:
        return; // pong and reserved opcodes
    }
  }
}
