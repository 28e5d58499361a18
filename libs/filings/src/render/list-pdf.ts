import type { Writable } from 'node:stream';
import {
  BODY,
  BODY_BOLD,
  CONTENT_BOTTOM,
  CONTENT_LEFT,
  CONTENT_RIGHT,
  LINE_STEP,
  PdfWriter,
  type Align,
  type TextStyle,
} from './pdf-layout';
import type { ListRenderOptions, PdfRenderResult, VolumeInfo } from './types';

/** A column of an annex table: heading, left edge, width and alignment of its text. */
export interface Column {
  heading: string;
  x: number;
  width: number;
  align: Align;
}

/** Extra space below each row (on top of the 18 pt line step) so entries stand apart. */
export const ROW_GAP = 6;
const TITLE_STYLE: TextStyle = { size: 16, bold: true };

/** "별지 원고 목록" or "별지 원고 목록 (2/5)". */
export function volumeTitle(title: string, volume: VolumeInfo | undefined): string {
  if (!volume || volume.of <= 1) return title;
  return `${title} (${volume.index}/${volume.of})`;
}

export function assertVolume(volume: VolumeInfo | undefined): void {
  if (!volume) return;
  const { index, of } = volume;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(of) || of < 1 || index < 1 || index > of) {
    throw new RangeError(`volume must be {index, of} with 1 <= index <= of, got ${JSON.stringify(volume)}`);
  }
}

/**
 * An annex table written page by page: the title (with its volume) on the first page, the column
 * headings on every page, rows that never split across pages, and the page number on each page.
 */
export class ListPdf {
  readonly writer: PdfWriter;
  /** True when the last {@link row} / {@link ensure} started a new page (then call {@link drain}). */
  pageBroke = false;

  constructor(
    out: Writable,
    title: string,
    private readonly columns: Column[],
    options: ListRenderOptions,
  ) {
    try {
      assertVolume(options.volume);
    } catch (err) {
      out.destroy(); // without the error: the caller gets it from the rejected promise
      throw err;
    }
    const fullTitle = volumeTitle(title, options.volume);
    this.writer = new PdfWriter(out, {
      title: fullTitle,
      creationDate: options.creationDate,
      firstPageNumber: options.firstPageNumber,
    });
    this.writer.newPage();
    const w = this.writer;
    w.text(fullTitle, (CONTENT_LEFT + CONTENT_RIGHT) / 2, w.y, TITLE_STYLE, 'center');
    w.y += 36;
    this.headings();
  }

  private headings(): void {
    const w = this.writer;
    for (const c of this.columns) w.text(c.heading, anchor(c), w.y, BODY_BOLD, c.align);
    w.y += LINE_STEP;
    w.rule(CONTENT_LEFT, CONTENT_RIGHT, w.y - 2);
    w.y += ROW_GAP;
  }

  /** Makes room for `height` points, starting a new page (with headings) if needed. */
  ensure(height: number): void {
    const w = this.writer;
    if (w.y + height > CONTENT_BOTTOM + 0.01) {
      w.newPage();
      this.headings();
      this.pageBroke = true;
    }
  }

  /** Wraps `text` to a column's width (at most `maxLines` lines, the last one ellipsized). */
  cell(text: string, column: Column, maxLines: number, style: TextStyle = BODY): string[] {
    const lines = this.writer.wrap(text, column.width, style);
    return this.writer.clampLines(lines, maxLines, column.width, style);
  }

  /** One row: `cells[i]` are the lines of column i. */
  row(cells: string[][], style: TextStyle = BODY, gap = ROW_GAP): void {
    let lines = 1;
    for (const c of cells) if (c.length > lines) lines = c.length;
    this.ensure(lines * LINE_STEP);
    const w = this.writer;
    const top = w.y;
    for (let i = 0; i < cells.length; i++) {
      const column = this.columns[i];
      const x = anchor(column);
      const cellLines = cells[i];
      for (let j = 0; j < cellLines.length; j++) w.text(cellLines[j], x, top + j * LINE_STEP, style, column.align);
    }
    w.y = top + lines * LINE_STEP + gap;
  }

  /** A line across the table at the current position. */
  rule(): void {
    const w = this.writer;
    this.ensure(ROW_GAP);
    w.rule(CONTENT_LEFT, CONTENT_RIGHT, w.y - ROW_GAP / 2);
  }

  /** Backpressure after a page break (cheap no-op otherwise). */
  async drain(): Promise<void> {
    if (!this.pageBroke) return;
    this.pageBroke = false;
    await this.writer.drain();
  }

  finish(): Promise<PdfRenderResult> {
    return this.writer.finish();
  }

  abort(err: unknown): void {
    this.writer.abort(err);
  }
}

/** The x a column's text is anchored at for its alignment. */
export function anchor(column: Column): number {
  if (column.align === 'right') return column.x + column.width;
  if (column.align === 'center') return column.x + column.width / 2;
  return column.x;
}
