import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { create as parseFont } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { PdfRenderResult } from './types';

/**
 * Page geometry, Hangul font and a fast text writer for court papers (Civil Procedure Rules art. 4):
 * A4, margins top 45 mm / left 20 mm / right 20 mm / bottom 30 mm, body text 12 pt with a fixed
 * line step of 18 pt (1.5 lines), a page number "- n -" centred in the bottom margin of every page,
 * NanumGothic embedded as a subset (CID TrueType, Identity-H, with a ToUnicode map so the text is
 * searchable and copyable).
 *
 * Speed: pdfkit's `doc.text()` runs its line wrapper, a fontkit layout (shaping) and a save /
 * transform / restore per call. Court lists are plain Hangul, Latin and digits, which need no
 * shaping, so {@link PdfWriter} maps code points straight to glyphs (one cached lookup per distinct
 * character per document), measures with the glyph advances and writes the content-stream operators
 * itself: one BT … ET text object per run of text, one font switch only when the style changes, one
 * content write per page; strings are 2-byte glyph ids (Identity-H) in literal strings. No kerning
 * or ligatures are applied (Hangul, digits and the Latin of names and addresses need none). Glyphs still go through pdfkit's embedded-font object (subset, widths,
 * ToUnicode), so pdfkit embeds and subsets the font exactly as it does for `doc.text()`. That object
 * is pdfkit-internal; {@link fastFontOf} checks its shape and fails loudly if a pdfkit upgrade changes it.
 */

/** 1 mm in PDF points. */
export const MM = 72 / 25.4;
/** A4 in points, as pdfkit defines it. */
export const PAGE = { width: 595.28, height: 841.89 } as const;
export const MARGINS = { top: 45 * MM, left: 20 * MM, right: 20 * MM, bottom: 30 * MM } as const;
export const CONTENT_LEFT = MARGINS.left;
export const CONTENT_RIGHT = PAGE.width - MARGINS.right;
export const CONTENT_WIDTH = CONTENT_RIGHT - CONTENT_LEFT;
export const CONTENT_BOTTOM = PAGE.height - MARGINS.bottom;
/** Body text size (the rules ask for 12 pt or larger). */
export const BODY_SIZE = 12;
/** Line step of body text: 1.5 lines of 12 pt. NanumGothic's own line height at 12 pt is only 13.8. */
export const LINE_STEP = 18;

export type Align = 'left' | 'right' | 'center';

export interface TextStyle {
  size: number;
  bold?: boolean;
}

export const BODY: TextStyle = { size: BODY_SIZE };
export const BODY_BOLD: TextStyle = { size: BODY_SIZE, bold: true };

// ---------------------------------------------------------------------------------------------
// Font files: resolved from @kfonts/nanum-gothic, read once per process.

interface FontBuffers {
  regular: Buffer;
  bold: Buffer;
}

let fontBuffers: FontBuffers | undefined;

/** Paths of NanumGothic regular and bold (TrueType) from the @kfonts/nanum-gothic package. */
export function hangulFontPaths(): { regular: string; bold: string } {
  const dir = join(dirname(require.resolve('@kfonts/nanum-gothic/package.json')), 'src');
  return { regular: join(dir, 'NanumGothic.ttf'), bold: join(dir, 'NanumGothicBold.ttf') };
}

/** The two TTF files as Buffers, read on first use and kept for the life of the process (~9 MB). */
export function hangulFonts(): FontBuffers {
  if (!fontBuffers) {
    const paths = hangulFontPaths();
    fontBuffers = { regular: readFileSync(paths.regular), bold: readFileSync(paths.bold) };
  }
  return fontBuffers;
}

let parsedFonts: { regular: object; bold: object } | undefined;

/**
 * The two fonts parsed once (fontkit) and shared by every document of the process: pdfkit 0.20
 * takes a parsed font as well as a file. Each document still embeds its own subset; the font's
 * tables and decoded glyphs are held once, not once per open document.
 */
function sharedFonts(): { regular: object; bold: object } {
  if (!parsedFonts) {
    const files = hangulFonts();
    parsedFonts = { regular: parseFont(files.regular), bold: parseFont(files.bold) };
  }
  return parsedFonts;
}

// ---------------------------------------------------------------------------------------------
// Fast glyph access through pdfkit's embedded font.

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  codePoints: number[];
}

/** The parts of pdfkit's (internal) EmbeddedFont this writer uses. */
interface EmbeddedFontInternals {
  id: string;
  scale: number;
  ascender: number;
  font: { glyphForCodePoint(codePoint: number): FontkitGlyph };
  subset: { includeGlyph(glyphId: number): number };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

interface GlyphEntry {
  /** Subset glyph id as two bytes (Identity-H) for a PDF literal string, escaped, as latin1 text. */
  code: string;
  /** Advance in 1/1000 em. */
  width: number;
}

/** One byte inside a PDF literal string: parentheses, backslash and line ends escaped. */
function literalByte(byte: number): string {
  switch (byte) {
    case 0x28:
      return '\\(';
    case 0x29:
      return '\\)';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    default:
      return String.fromCharCode(byte);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A font of one document: code point -> subset glyph, cached; measuring and encoding. */
export class FastFont {
  private readonly glyphs = new Map<number, GlyphEntry>();
  readonly id: string;
  /** Ascender in 1/1000 em. */
  readonly ascender: number;

  constructor(private readonly embedded: EmbeddedFontInternals) {
    this.id = embedded.id;
    this.ascender = embedded.ascender;
  }

  /** pdfkit's reference to the font dictionary (for a page's resources); marks the font for embedding. */
  ref(): unknown {
    return this.embedded.ref();
  }

  glyph(codePoint: number): GlyphEntry {
    let entry = this.glyphs.get(codePoint);
    if (entry === undefined) {
      const f = this.embedded;
      const glyph = f.font.glyphForCodePoint(codePoint);
      const gid = f.subset.includeGlyph(glyph.id);
      const width = glyph.advanceWidth * f.scale;
      if (f.widths[gid] == null) f.widths[gid] = width;
      if (f.unicode[gid] == null) f.unicode[gid] = glyph.codePoints.length > 0 ? glyph.codePoints : [codePoint];
      entry = { code: literalByte(gid >> 8) + literalByte(gid & 0xff), width };
      this.glyphs.set(codePoint, entry);
    }
    return entry;
  }

  /** Width of a string in 1/1000 em. */
  width(text: string): number {
    let w = 0;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) cp = text.codePointAt(i++) ?? cp;
      w += this.glyph(cp).width;
    }
    return w;
  }

  /** The string as the body of an Identity-H literal string (without the parentheses). */
  encode(text: string): string {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) cp = text.codePointAt(i++) ?? cp;
      out += this.glyph(cp).code;
    }
    return out;
  }
}

/** The current font of a pdfkit document as a {@link FastFont}; throws if pdfkit's internals changed. */
export function fastFontOf(doc: PDFKit.PDFDocument): FastFont {
  const font: unknown = (doc as unknown as { _font?: unknown })._font;
  if (
    !isObject(font) ||
    typeof font.id !== 'string' ||
    typeof font.scale !== 'number' ||
    typeof font.ascender !== 'number' ||
    !Array.isArray(font.widths) ||
    !Array.isArray(font.unicode) ||
    typeof font.ref !== 'function' ||
    !isObject(font.font) ||
    typeof font.font.glyphForCodePoint !== 'function' ||
    !isObject(font.subset) ||
    typeof font.subset.includeGlyph !== 'function'
  ) {
    throw new Error(
      'pdfkit embedded-font internals are not as expected (pdfkit upgraded?); the fast writer needs them',
    );
  }
  return new FastFont(font as unknown as EmbeddedFontInternals);
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line of user text: NFC (decomposed Hangul from some keyboards), control characters to spaces, trimmed. */
export function cleanText(value: string): string {
  return value.normalize('NFC').replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Number with at most 2 decimals, as PDF operators want it. */
function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export interface PdfWriterOptions {
  /** Document title in the PDF info. */
  title: string;
  creationDate?: Date;
  firstPageNumber?: number;
}

/**
 * A pdfkit document piped to `out`, with fast positioned text, wrapping, page breaks and page
 * numbers. Coordinates are pdfkit's (origin top left, y down); a text's `y` is the top of its line.
 * Pages are written to `out` as they fill (no page buffering); call {@link drain} between pages to
 * respect the consumer's backpressure. {@link finish} ends the document and `out`.
 */
export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  /** Top of the next line on the current page. */
  y: number = MARGINS.top;
  /** Pages started so far. */
  pages = 0;
  private bytes = 0;
  private readonly regular: FastFont;
  private readonly bold: FastFont;
  private ops: string[] = [];
  private pageFonts = new Set<FastFont>();
  private inText = false;
  private textFont: FastFont | undefined;
  private textSize = 0;
  private readonly firstPageNumber: number;
  private failure: Error | undefined;
  private readonly outFinished: Promise<void>;

  constructor(
    private readonly out: Writable,
    options: PdfWriterOptions,
  ) {
    this.firstPageNumber = options.firstPageNumber ?? 1;
    const fonts = sharedFonts();
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { ...MARGINS },
      autoFirstPage: false,
      bufferPages: false,
      compress: true,
      lang: 'ko-KR',
      displayTitle: true,
      info: {
        Title: options.title,
        Creator: 'joint-suit-intake',
        Producer: 'joint-suit-intake (pdfkit)',
        CreationDate: options.creationDate ?? new Date(),
      },
    });
    // @types/pdfkit lists files only; pdfkit's font factory takes a parsed font too (it has `layout`)
    this.doc.registerFont('KR', fonts.regular as Buffer);
    this.doc.registerFont('KR-Bold', fonts.bold as Buffer);
    this.doc.font('KR-Bold');
    this.bold = fastFontOf(this.doc);
    this.doc.font('KR');
    this.regular = fastFontOf(this.doc);
    this.doc.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
    });
    this.doc.on('error', (err: Error) => this.fail(err));
    out.on('error', (err: Error) => this.fail(err));
    this.outFinished = finished(out, { readable: false });
    this.outFinished.catch(() => undefined); // reported through finish() / drain()
    this.doc.pipe(out);
  }

  private fail(err: Error): void {
    this.failure ??= err;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  font(style: TextStyle): FastFont {
    return style.bold ? this.bold : this.regular;
  }

  /** Width of `text` in points. */
  widthOf(text: string, style: TextStyle): number {
    return (this.font(style).width(text) * style.size) / 1000;
  }

  /** Current page number as printed. */
  get pageNumber(): number {
    return this.firstPageNumber + this.pages - 1;
  }

  /** Room left on the current page below {@link y}, in points. */
  get room(): number {
    return CONTENT_BOTTOM - this.y;
  }

  /** Ends the current page (written out at once) and starts the next one with its page number. */
  newPage(): void {
    this.flushPage();
    this.doc.addPage();
    this.pages += 1;
    this.y = MARGINS.top;
    const footerSize = BODY_SIZE;
    const footerY = CONTENT_BOTTOM + (MARGINS.bottom - footerSize) / 2;
    this.text(`- ${this.pageNumber} -`, PAGE.width / 2, footerY, { size: footerSize }, 'center');
  }

  /** Starts a new page when fewer than `height` points are left (or no page exists yet). */
  ensure(height: number): boolean {
    if (this.pages === 0 || this.y + height > CONTENT_BOTTOM + 0.01) {
      this.newPage();
      return true;
    }
    return false;
  }

  /**
   * Draws one line of text without wrapping. `x` is the left edge, the right edge or the centre for
   * align left / right / center; `y` is the top of the line.
   */
  text(text: string, x: number, y: number, style: TextStyle, align: Align = 'left'): void {
    if (text.length === 0) return;
    const font = this.font(style);
    const code = font.encode(text);
    if (align !== 'left') {
      const width = (font.width(text) * style.size) / 1000;
      x -= align === 'right' ? width : width / 2;
    }
    if (!this.inText) {
      this.ops.push('BT');
      this.inText = true;
      this.textFont = undefined;
    }
    if (this.textFont !== font || this.textSize !== style.size) {
      this.ops.push(`/${font.id} ${num(style.size)} Tf`);
      this.textFont = font;
      this.textSize = style.size;
      this.pageFonts.add(font);
    }
    // The page's CTM is flipped (y down); d = -1 in the text matrix turns the glyphs upright again.
    const baseline = y + (font.ascender * style.size) / 1000;
    this.ops.push(`1 0 0 -1 ${num(x)} ${num(baseline)} Tm (${code}) Tj`);
  }

  /** A horizontal rule at `y`. */
  rule(x1: number, x2: number, y: number, lineWidth = 0.5): void {
    this.endText();
    this.ops.push(`${num(lineWidth)} w ${num(x1)} ${num(y)} m ${num(x2)} ${num(y)} l S`);
  }

  /**
   * Greedy word wrap (Korean breaks between 어절 at spaces; a word longer than a line breaks between
   * characters). `firstWidth` applies to the first line, `restWidth` to the others.
   */
  wrap(text: string, firstWidth: number, style: TextStyle, restWidth = firstWidth): string[] {
    const font = this.font(style);
    const scale = 1000 / style.size;
    const space = font.glyph(0x20).width;
    const lines: string[] = [];
    let limit = firstWidth * scale;
    let line = '';
    let lineWidth = 0;
    const push = (): void => {
      lines.push(line);
      line = '';
      lineWidth = 0;
      limit = restWidth * scale;
    };
    for (const word of text.split(' ')) {
      if (word.length === 0) continue;
      const w = font.width(word);
      if (line.length > 0) {
        if (lineWidth + space + w <= limit) {
          line += ' ' + word;
          lineWidth += space + w;
          continue;
        }
        push();
      }
      if (w <= limit) {
        line = word;
        lineWidth = w;
        continue;
      }
      for (const ch of word) {
        const cw = font.glyph(ch.codePointAt(0) ?? 0x20).width;
        if (line.length > 0 && lineWidth + cw > limit) push();
        line += ch;
        lineWidth += cw;
      }
    }
    if (line.length > 0 || lines.length === 0) lines.push(line);
    return lines;
  }

  /** At most `maxLines` lines; the last one kept ends with "…" when lines were dropped. */
  clampLines(lines: string[], maxLines: number, width: number, style: TextStyle): string[] {
    if (lines.length <= maxLines) return lines;
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = this.ellipsize(`${kept[maxLines - 1]}…`, width, style);
    return kept;
  }

  /** `text` cut to fit `width`, ending with "…" when cut. */
  ellipsize(text: string, width: number, style: TextStyle): string {
    if (this.widthOf(text, style) <= width) return text;
    const chars = Array.from(text.endsWith('…') ? text.slice(0, -1) : text);
    while (chars.length > 0 && this.widthOf(`${chars.join('')}…`, style) > width) chars.pop();
    return `${chars.join('').trimEnd()}…`;
  }

  /**
   * Flowing paragraph from the current {@link y}: wraps, breaks pages between lines, advances y.
   * `indent` shifts the first line, `hanging` the following ones (both relative to `x`).
   */
  paragraph(
    text: string,
    options: { x?: number; width?: number; indent?: number; hanging?: number; style?: TextStyle; step?: number } = {},
  ): void {
    const { x = CONTENT_LEFT, width = CONTENT_RIGHT - x, indent = 0, hanging = 0, style = BODY } = options;
    const step = options.step ?? LINE_STEP;
    const lines = this.wrap(text, width - indent, style, width - hanging);
    lines.forEach((line, i) => {
      this.ensure(step);
      this.text(line, x + (i === 0 ? indent : hanging), this.y, style);
      this.y += step;
    });
  }

  /** One line at the current {@link y} (page break first if needed), then y advances by `step`. */
  line(text: string, x: number, style: TextStyle = BODY, align: Align = 'left', step = LINE_STEP): void {
    this.ensure(step);
    this.text(text, x, this.y, style, align);
    this.y += step;
  }

  /** Waits while the consumer of `out` asks for backpressure; throws if the output failed. */
  async drain(): Promise<void> {
    this.throwIfFailed();
    if (!this.out.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', closed);
        this.out.off('error', done);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      const closed = (): void => {
        this.fail(new Error('output stream closed before the document was complete'));
        done();
      };
      this.out.on('drain', done);
      this.out.on('close', closed);
      this.out.on('error', done);
    });
  }

  /** Ends the document; resolves once `out` has finished. */
  async finish(): Promise<PdfRenderResult> {
    this.throwIfFailed();
    if (this.pages === 0) this.newPage();
    this.flushPage();
    this.doc.end();
    await this.outFinished;
    this.throwIfFailed();
    return { pages: this.pages, bytes: this.bytes };
  }

  /**
   * Stops after an error: detaches from `out` and destroys it (without the error, so a caller
   * without an 'error' listener is not crashed; the error reaches it through the rejected promise).
   */
  abort(err: unknown): void {
    this.fail(err instanceof Error ? err : new Error(String(err)));
    this.doc.unpipe(this.out);
    this.out.destroy();
  }

  private endText(): void {
    if (this.inText) {
      this.ops.push('ET');
      this.inText = false;
    }
  }

  private flushPage(): void {
    if (this.pages === 0) return;
    this.endText();
    if (this.ops.length > 0) {
      const fonts = this.doc.page.fonts as Record<string, unknown>;
      for (const font of this.pageFonts) fonts[font.id] = font.ref();
      this.ops.push('');
      this.doc.addContent(Buffer.from(this.ops.join('\n'), 'latin1'));
    }
    this.ops = [];
    this.pageFonts = new Set();
  }
}

/**
 * Runs `body` against a new {@link PdfWriter}; on error the output is destroyed with that error and
 * the error rethrown, otherwise the document is finished.
 */
export async function withPdfWriter<T extends object>(
  out: Writable,
  options: PdfWriterOptions,
  body: (writer: PdfWriter) => Promise<T> | T,
): Promise<T & PdfRenderResult> {
  const writer = new PdfWriter(out, options);
  let extra: T;
  try {
    extra = await body(writer);
  } catch (err) {
    writer.abort(err);
    throw err;
  }
  const result = await writer.finish();
  return { ...extra, ...result };
}
