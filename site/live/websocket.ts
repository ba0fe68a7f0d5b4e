// The server side of a WebSocket (RFC 6455), reduced to what the live view
// needs: accept the handshake, send text messages, answer ping and close.
//
// Why a WebSocket: a browser opens at most six HTTP/1.1 connections to one
// host, and the view keeps seven watches open at once. WebSockets do not count
// against that limit. The Kubernetes API itself serves watches over WebSockets
// the same way: one JSON watch event per message.
// https://datatracker.ietf.org/doc/html/rfc6455

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 section 1.3
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface WebSocketPeer {
  send(text: string): void;
  /** Sends a close frame (1000: normal) and ends the connection. */
  close(code?: number, reason?: string): void;
  /** Called once when the connection ends, whoever ended it. */
  onClose(listener: () => void): void;
}

/** One frame, as a server sends it (never masked). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode; header[1] = 126; header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode; header[1] = 127; header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Completes the handshake of an upgrade request; undefined (and the socket ended) if it is not a WebSocket one. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketPeer | undefined {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return undefined;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);

  const closeListeners: (() => void)[] = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  socket.on('close', finish);
  socket.on('error', finish);

  // The browser sends (masked) frames only to ping or to close: handle those, ignore data.
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const frame = readClientFrame(pending);
      if (!frame) return;
      pending = pending.subarray(frame.size);
      if (frame.opcode === OP_PING) socket.write(encodeFrame(OP_PONG, frame.payload));
      else if (frame.opcode === OP_CLOSE) peer.close(1000);
    }
  });

  const peer: WebSocketPeer = {
    send(text) {
      if (!closed) socket.write(encodeFrame(OP_TEXT, Buffer.from(text, 'utf8')));
    },
    close(code = 1000, reason = '') {
      if (closed) return;
      const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
      payload.writeUInt16BE(code, 0);
      payload.write(reason, 2);
      socket.end(encodeFrame(OP_CLOSE, payload));
      finish();
    },
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
  };
  return peer;
}

/** A whole client frame at the start of buf (unmasked payload), or undefined if more bytes are needed. */
function readClientFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let length = buf[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2); offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2)); offset = 10;
  }
  const maskBytes = masked ? 4 : 0;
  if (buf.length < offset + maskBytes + length) return undefined;
  const payload = Buffer.from(buf.subarray(offset + maskBytes, offset + maskBytes + length));
  if (masked) {
    const mask = buf.subarray(offset, offset + 4);
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
  }
  return { opcode, payload, size: offset + maskBytes + length };
}
