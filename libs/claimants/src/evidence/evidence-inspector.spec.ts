import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { DomainError } from '@app/platform';
import { EvidenceInspector } from './evidence-inspector';
import { sniffEvidenceType } from './evidence-type';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');

describe('evidence file types (magic bytes only)', () => {
  it.each([
    [PNG, 'image/png'],
    [JPEG, 'image/jpeg'],
    [PDF, 'application/pdf'],
    [Buffer.from('<?php system($_GET["c"]); ?>'), undefined],
    [Buffer.from('GIF89a'), undefined],
    [Buffer.from([0x89, 0x50, 0x4e, 0x47]), undefined],
    [Buffer.from('%PDF'), undefined],
    [Buffer.alloc(0), undefined],
  ])('sniffs %#', (head, type) => {
    expect(sniffEvidenceType(head)).toBe(type);
  });
});

describe('EvidenceInspector', () => {
  const run = async (chunks: Buffer[], maxBytes = 1_000_000, truncated?: () => boolean) => {
    const inspector = new EvidenceInspector({ maxBytes, truncated });
    const out = await buffer(Readable.from(chunks).pipe(inspector));
    return { inspector, out };
  };

  it('passes the file through, typed, counted and hashed, even when the magic arrives byte by byte', async () => {
    const file = Buffer.concat([PNG, Buffer.alloc(5000, 7)]);
    const chunks = [...file.subarray(0, 10)].map((b) => Buffer.from([b])).concat([file.subarray(10)]);
    const { inspector, out } = await run(chunks);
    expect(out.equals(file)).toBe(true);
    expect(inspector.contentType).toBe('image/png');
    expect(inspector.bytes).toBe(file.length);
    expect(inspector.sha256).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('types a file shorter than the longest signature', async () => {
    const { inspector } = await run([Buffer.from([0xff, 0xd8, 0xff])]);
    expect(inspector.contentType).toBe('image/jpeg');
  });

  it('refuses other types before passing a single byte on', async () => {
    const inspector = new EvidenceInspector({ maxBytes: 1_000_000 });
    const seen: Buffer[] = [];
    inspector.on('data', (c: Buffer) => seen.push(c));
    Readable.from([Buffer.from('<?php echo 1; ?>'), Buffer.alloc(100)]).pipe(inspector);
    const err = await new Promise((resolve) => inspector.on('error', resolve));
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(seen).toEqual([]);
    await expect(run([Buffer.alloc(0)])).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
  });

  it('refuses a file over the limit or cut short by the parser', async () => {
    await expect(run([PDF, Buffer.alloc(100)], 50)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(run([PDF], 1000, () => true)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
