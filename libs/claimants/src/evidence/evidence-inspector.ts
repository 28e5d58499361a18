import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '@app/platform';
import { SNIFF_BYTES, sniffEvidenceType, type EvidenceContentType } from './evidence-type';

export interface InspectorOptions {
  maxBytes: number;
  /** Whether the producer cut the file short at its own size limit (multipart `file.truncated`). */
  truncated?: () => boolean;
}

/**
 * The plaintext side of an upload: holds the first bytes back until the type is known (nothing of
 * an unsupported file passes through), counts bytes against the limit and hashes (SHA-256) as the
 * file streams by. Its first error is kept in {@link failure}.
 */
export class EvidenceInspector extends Transform {
  contentType: EvidenceContentType | undefined;
  bytes = 0;
  sha256: string | undefined;
  failure: DomainError | undefined;
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly opts: InspectorOptions) {
    super();
  }

  private fail(error: DomainError, done: TransformCallback): void {
    this.failure ??= error;
    done(error);
  }

  private decide(): Buffer | DomainError {
    const held = Buffer.concat(this.head);
    this.head = [];
    const type = sniffEvidenceType(held);
    if (!type) {
      return new DomainError('UNSUPPORTED_FILE_TYPE', 'Only PNG, JPEG and PDF files are accepted');
    }
    this.contentType = type;
    return held;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.opts.maxBytes) return this.fail(tooLarge(), done);
    this.hash.update(chunk);
    if (this.contentType) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return done();
    const held = this.decide();
    if (held instanceof DomainError) return this.fail(held, done);
    done(null, held);
  }

  override _flush(done: TransformCallback): void {
    if (this.opts.truncated?.()) return this.fail(tooLarge(), done);
    if (!this.contentType) {
      const held = this.decide();
      if (held instanceof DomainError) return this.fail(held, done);
      if (held.length > 0) this.push(held);
    }
    this.sha256 = this.hash.digest('hex');
    done();
  }
}

function tooLarge(): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', 'The file is too large');
}
