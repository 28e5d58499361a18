// fontkit (pdfkit's font engine) ships no types; only what this code uses.
declare module 'fontkit' {
  /** Parses a font file: a TrueType font for the files used here. */
  export function create(buffer: Uint8Array, postscriptName?: string): object;
}
