/* Helpers for the renderer specs: synthetic rows, temp files and the poppler tools. */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlaintiffRow } from './types';

const SURNAMES =
  '김이박최정강조윤장임한오서신권황안송류홍전고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부황보'.split(
    '',
  );
const GIVEN = '민서준지현우예도하윤수연은진영호성재희태경주아린유나채원시율건혁승찬규빈다솔한결이안'.split('');
const PLACES = [
  '서울특별시 강남구 테헤란로',
  '서울특별시 송파구 올림픽로',
  '부산광역시 해운대구 센텀중앙로',
  '경기도 성남시 분당구 판교역로',
  '인천광역시 연수구 컨벤시아대로',
  '대구광역시 수성구 달구벌대로',
  '광주광역시 서구 상무중앙로',
  '대전광역시 유성구 대학로',
  '제주특별자치도 제주시 첨단로',
  '강원특별자치도 춘천시 중앙로',
];
const DONG = ['역삼동', '잠실동', '우동', '삼평동', '송도동', '범어동', '치평동', '궁동', '영평동', '옥천동'];
const APT = ['래미안', '자이', '힐스테이트', '푸르지오', '아이파크', '더샵', '롯데캐슬', 'e편한세상'];

/** Deterministic pseudo-random Korean plaintiff rows numbered from `from`. */
export function syntheticRow(number: number): PlaintiffRow {
  let seed = number * 2654435761;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const name = SURNAMES[next(SURNAMES.length)] + GIVEN[next(GIVEN.length)] + GIVEN[next(GIVEN.length)];
  const p = next(PLACES.length);
  return {
    number,
    name,
    postalCode: String(next(63000) + 1000).padStart(5, '0'),
    address1: `${PLACES[p]} ${1 + next(600)}`,
    address2: `${101 + next(30)}동 ${1 + next(30)}0${1 + next(4)}호 (${DONG[p]}, ${APT[next(APT.length)]}아파트)`,
    amountKrw: [100_000, 200_000, 300_000][next(3)],
  };
}

/** Rows as a database cursor hands them out: asynchronously, in batches of 256. */
export async function* syntheticRows(count: number, from = 1): AsyncGenerator<PlaintiffRow> {
  for (let i = 0; i < count; i++) {
    if (i % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    yield syntheticRow(from + i);
  }
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'filings-render-'));
  file(name: string): string {
    return join(this.path, name);
  }
  stream(name: string): WriteStream {
    return createWriteStream(this.file(name));
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export interface PdfInfo {
  pages: number;
  width: number;
  height: number;
  raw: string;
}

export function pdfinfo(path: string): PdfInfo {
  const raw = run('pdfinfo', [path]);
  const pages = /^Pages:\s+(\d+)/m.exec(raw);
  const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(raw);
  if (!pages || !size) throw new Error(`unexpected pdfinfo output:\n${raw}`);
  return { pages: Number(pages[1]), width: Number(size[1]), height: Number(size[2]), raw };
}

export interface PdfFont {
  name: string;
  type: string;
  emb: boolean;
  sub: boolean;
  uni: boolean;
}

export function pdffonts(path: string): PdfFont[] {
  const lines = run('pdffonts', [path]).split('\n').slice(2).filter(Boolean);
  return lines.map((line) => {
    const cols = line.trim().split(/\s+/);
    // name type... encoding emb sub uni objectId gen
    const [emb, sub, uni] = cols.slice(-5, -2);
    return {
      name: cols[0],
      type: cols.slice(1, -6).join(' '),
      emb: emb === 'yes',
      sub: sub === 'yes',
      uni: uni === 'yes',
    };
  });
}

/** Text of the whole document or of pages first..last. */
export function pdftotext(path: string, first?: number, last?: number): string {
  const range = first === undefined ? [] : ['-f', String(first), '-l', String(last ?? first)];
  return run('pdftotext', ['-layout', ...range, path, '-']);
}

export interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Every word with its box (points, origin top left), from `pdftotext -bbox`. */
export function pdfWords(path: string, first?: number, last?: number): Word[] {
  const range = first === undefined ? [] : ['-f', String(first), '-l', String(last ?? first)];
  const html = run('pdftotext', ['-bbox', ...range, path, '-']);
  const words: Word[] = [];
  let page = (first ?? 1) - 1;
  const re = /<page |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of html.matchAll(re)) {
    if (m[0].startsWith('<page')) {
      page += 1;
      continue;
    }
    words.push({
      page,
      text: m[5]
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"'),
      xMin: Number(m[1]),
      yMin: Number(m[2]),
      xMax: Number(m[3]),
      yMax: Number(m[4]),
    });
  }
  return words;
}

/** Text without the spaces pdftotext -layout puts between columns. */
export function squeeze(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

/** Court format: margins 45/20/20/30 mm, page numbers "- n -" in the bottom margin, 12 pt+, line step >= 18 pt. */
export function courtLayoutProblems(path: string): string[] {
  const mm = 72 / 25.4;
  const [top, left, right, bottom] = [45 * mm, 20 * mm, 595.28 - 20 * mm, 841.89 - 30 * mm];
  const problems: string[] = [];
  const pages = new Map<number, Word[]>();
  for (const w of pdfWords(path)) {
    const list = pages.get(w.page) ?? [];
    list.push(w);
    pages.set(w.page, list);
  }
  const { pages: count } = pdfinfo(path);
  for (let page = 1; page <= count; page++) {
    const words = pages.get(page) ?? [];
    const footer = words.filter((w) => w.yMin >= bottom);
    const body = words.filter((w) => w.yMin < bottom);
    const footerText = footer.map((w) => w.text).join(' ');
    if (!/^- \d+ -$/.test(footerText)) problems.push(`page ${page}: footer "${footerText}"`);
    for (const w of footer) if (w.yMax > 841.89) problems.push(`page ${page}: footer below the page`);
    for (const w of body) {
      if (w.xMin < left - 0.5 || w.xMax > right + 0.5 || w.yMin < top - 0.5 || w.yMax > bottom + 0.5) {
        problems.push(`page ${page}: "${w.text}" outside the margins (${w.xMin},${w.yMin})-(${w.xMax},${w.yMax})`);
      }
      if (w.yMax - w.yMin < 13.7) problems.push(`page ${page}: "${w.text}" smaller than 12 pt`);
    }
    const tops = [...new Set(body.map((w) => Math.round(w.yMin * 10) / 10))].sort((a, b) => a - b);
    for (let i = 1; i < tops.length; i++) {
      if (tops[i] - tops[i - 1] < 17.9)
        problems.push(`page ${page}: lines ${tops[i - 1]} and ${tops[i]} closer than 18 pt`);
    }
  }
  return problems;
}
