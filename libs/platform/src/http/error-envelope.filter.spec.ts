import type { ArgumentsHost } from '@nestjs/common';
import { ErrorEnvelopeFilter } from './error-envelope.filter';

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: { statusCode: number; code: string; message: string };
}

function send(exception: unknown): Sent {
  const sent: Sent = { status: 0, headers: {}, body: { statusCode: 0, code: '', message: '' } };
  const reply = {
    header(k: string, v: string) {
      sent.headers[k.toLowerCase()] = v;
      return reply;
    },
    status(s: number) {
      sent.status = s;
      return reply;
    },
    type() {
      return reply;
    },
    send(b: Sent['body']) {
      sent.body = b;
      return reply;
    },
  };
  const req = { id: 'req-1', raw: {}, url: '/api/v1/x', method: 'POST' };
  const host = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ErrorEnvelopeFilter().catch(exception, host);
  return sent;
}

/** What TypeORM throws for a failed statement: the driver's fields, SQLSTATE `code` included. */
function queryFailed(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'QueryFailedError', code, query: 'SELECT 1' });
}

describe('ErrorEnvelopeFilter and contended rows', () => {
  it.each([
    ['55P03', 'canceling statement due to lock timeout'],
    ['40P01', 'deadlock detected'],
  ])('answers SQLSTATE %s as 409 RECORD_BUSY with Retry-After, nothing internal', (code, message) => {
    const sent = send(queryFailed(code, message));
    expect(sent.status).toBe(409);
    expect(sent.body).toMatchObject({ statusCode: 409, code: 'RECORD_BUSY' });
    expect(sent.headers['retry-after']).toBe('30');
    expect(JSON.stringify(sent.body)).not.toMatch(/deadlock|lock timeout|SELECT/);
  });

  it('keeps other database errors a plain 500', () => {
    const sent = send(queryFailed('23505', 'duplicate key value violates unique constraint'));
    expect(sent.status).toBe(500);
    expect(sent.body.code).toBe('INTERNAL_ERROR');
    expect(sent.headers['retry-after']).toBeUndefined();
  });
});
