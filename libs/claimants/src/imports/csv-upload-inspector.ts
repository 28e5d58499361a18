import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { DomainError } from '@app/platform';

const SNIFF_BYTES = 8192;

/**
 * Watches an upload on its way to storage: counts bytes (refusing past `maxBytes`), hashes it
 * (SHA-256) and checks it is UTF-8 text: a spreadsheet (.xlsx / .xls) or a CSV saved in CP949 (the
 * Korean Excel default) is refused at the door with a message that says what to do, instead of
 * failing row by row later. Holds nothing but the decoder's few pending bytes.
 */
export class CsvUploadInspector extends Transform {
  bytes = 0;
  sha256: string | undefined;
  failure: DomainError | undefined;
  private readonly hash = createHash('sha256');
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private sniffed = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      return done(this.fail('PAYLOAD_TOO_LARGE', `The file is larger than ${this.maxBytes} bytes`));
    }
    if (!this.sniffed) {
      this.sniffed = true;
      const head = chunk.subarray(0, SNIFF_BYTES);
      const zip = head.length >= 4 && head.readUInt32BE(0) === 0x504b0304;
      const ole = head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0;
      if (zip || ole || head.includes(0)) {
        return done(
          this.fail('UNSUPPORTED_FILE_TYPE', 'Upload a CSV file (in Excel: Save As > CSV UTF-8), not a spreadsheet'),
        );
      }
    }
    try {
      this.utf8.decode(chunk, { stream: true });
    } catch {
      return done(this.notUtf8());
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.utf8.decode();
    } catch {
      return done(this.notUtf8());
    }
    this.sha256 = this.hash.digest('hex');
    done();
  }

  private notUtf8(): DomainError {
    return this.fail(
      'UNSUPPORTED_FILE_TYPE',
      'The file is not UTF-8 text; save it as CSV UTF-8 (in Excel: Save As > CSV UTF-8)',
    );
  }

  private fail(code: 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_FILE_TYPE', message: string): DomainError {
    this.failure ??= new DomainError(code, message);
    return this.failure;
  }
}
