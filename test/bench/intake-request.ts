import { randomBytes, randomInt } from 'node:crypto';

/**
 * The intake bench's request generator, in a module of its own so autocannon can load it into its
 * worker thread (a function cannot cross threads; a path can). Each thread starts at a random
 * offset, so runs and threads do not repeat each other's people.
 */
let counter = randomInt(0, 2 ** 24) * 64;
const KEYED = process.env.BENCH_INTAKE_KEYED === '1';

/** A different, valid person, as the public form would send them. */
function intakeBody(n: number): string {
  const digits = String(10_000_000 + (n % 89_999_999)).padStart(8, '0');
  return JSON.stringify({
    name: `${'김이박최정강조윤장임'[n % 10]}${'민서도하시지주예수'[Math.floor(n / 10) % 9]}${'준연윤은우아원린호'[Math.floor(n / 90) % 9]}`,
    birthDate: `19${50 + (Math.floor(n / 810) % 50)}-0${1 + (n % 9)}-1${n % 10}`,
    phone: `010-${digits.slice(0, 4)}-${digits.slice(4)}`,
    email: `bench${n}-${randomBytes(2).toString('hex')}@example.kr`,
    address: {
      postalCode: String(10_000 + (n % 89_999)),
      line1: `서울특별시 강남구 테헤란로 ${n % 500}`,
      line2: `${n % 30}층`,
    },
    exposedData: ['name', 'phone', 'email', 'address'],
    noticeReceivedOn: '2025-11-30',
    harms: [],
    consents: { collectionAndUse: true, provisionForLitigation: true },
    attestation: true,
  });
}

interface LoadRequest {
  headers?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * autocannon's setupRequest: a new person per request, each from their own address as on launch
 * day (behind the firm's proxy, which the API trusts with TRUST_PROXY), so per-address limits and
 * velocity checks run as in production instead of piling every request onto 127.0.0.1.
 */
function setupRequest(req: LoadRequest): LoadRequest {
  const n = counter++;
  const headers: Record<string, string> = {
    ...req.headers,
    'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  };
  // BENCH_INTAKE_KEYED=1: each submission with an Idempotency-Key of its own, as a careful form sends.
  if (KEYED) headers['idempotency-key'] = `bench-${n}-${randomBytes(4).toString('hex')}`;
  return { ...req, headers, body: intakeBody(n) };
}

// autocannon's worker does require(path) and calls the result, so the module is the function.
export = setupRequest;
