/**
 * A PDF's text as lines, read back by Mozilla's PDF.js (pdfjs-dist, the legacy build that runs
 * in Node): the text runs of each page grouped by their baseline, top to bottom, left to right,
 * joined with single spaces. Independent of the library that wrote the PDF.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  pages: number;
  lines: string[];
  info: Record<string, unknown>;
}

export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  // PDF.js takes ownership of (detaches) the buffer it reads: give it a copy.
  const loading = getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 });
  const document = await loading.promise;
  try {
    const lines: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      const rows = new Map<number, { x: number; text: string }[]>();
      for (const item of content.items) {
        if (!('str' in item) || item.str.trim() === '') continue;
        const y = Math.round(item.transform[5] as number);
        const row = rows.get(y) ?? [];
        row.push({ x: item.transform[4] as number, text: item.str.trim() });
        rows.set(y, row);
      }
      for (const y of [...rows.keys()].sort((a, b) => b - a)) {
        lines.push(
          rows
            .get(y)!
            .sort((a, b) => a.x - b.x)
            .map((r) => r.text)
            .join(' '),
        );
      }
    }
    const { info } = await document.getMetadata();
    return { pages: document.numPages, lines, info: info as Record<string, unknown> };
  } finally {
    await loading.destroy();
  }
}
