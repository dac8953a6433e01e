import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/** Content codings the input decodes; any other gets 415. */
export const ACCEPTED_ENCODINGS = ['gzip', 'deflate'] as const;

/** A decoder for the request's Content-Encoding: null for none, 'unsupported' for one the input does not take. */
export function bodyDecoder(header: string | undefined): (() => Transform) | null | 'unsupported' {
  const coding = (header ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return null;
  if (coding === 'gzip' || coding === 'x-gzip') return createGunzip;
  if (coding === 'deflate') return createInflate;
  return 'unsupported';
}

/** How reading a body ended. */
export type BodyOutcome = 'complete' | 'too_large' | 'over_budget' | 'bad_encoding' | 'aborted';

/**
 * Streams a request body, decoded, into `sink` chunk by chunk, never holding the body itself. Stops (leaving the
 * connection to the caller) as soon as the wire bytes or the decoded bytes pass `limit` (a gzip bomb stops there),
 * or `room` (the admission ticket) cannot cover the decoded bytes. A client that goes away ends it as 'aborted'.
 */
export function streamBody(
  req: IncomingMessage,
  decoder: (() => Transform) | null,
  limit: number,
  room: (decodedBytes: number) => boolean,
  sink: (chunk: Uint8Array) => void,
): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let wire = 0;
    let decoded = 0;
    const inflater = decoder?.();
    const finish = (outcome: BodyOutcome) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onWire);
      req.removeListener('data', onDecoded);
      if (outcome !== 'complete') req.pause();
      if (inflater) {
        req.unpipe(inflater);
        inflater.removeAllListeners('data');
        inflater.on('error', () => {});
        inflater.destroy();
      }
      resolve(outcome);
    };
    const onWire = (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > limit) finish('too_large');
    };
    const onDecoded = (chunk: Buffer) => {
      if (settled) return;
      decoded += chunk.length;
      if (decoded > limit) return finish('too_large');
      if (!room(decoded)) return finish('over_budget');
      sink(chunk);
    };
    req.on('data', onWire);
    req.on('aborted', () => finish('aborted'));
    req.on('error', () => finish('aborted'));
    // 'close' before 'end': the client went away mid-body.
    req.on('close', () => {
      if (!req.complete) finish('aborted');
    });
    if (inflater) {
      inflater.on('data', onDecoded);
      inflater.on('error', () => finish('bad_encoding'));
      inflater.on('end', () => finish('complete'));
      req.pipe(inflater);
    } else {
      req.on('data', onDecoded);
      req.on('end', () => finish('complete'));
    }
  });
}
