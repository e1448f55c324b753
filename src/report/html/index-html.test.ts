import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'node-html-parser';
import { chromium } from 'playwright-core';
import { createReporters } from '../reporters.js';
import { simulateRun, failingCanaryRun } from '../testing/synthetic-run.js';
import { Capture, drive } from '../testing/drive.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `\n*** SKIPPING the index.html browser test: ${CHROMIUM} is absent. ` +
      "Install Debian's chromium (apt-get install -y chromium); never a downloaded browser. ***\n",
  );
}

let dir: string;
let html: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshproof-html-'));
  await drive(
    simulateRun(failingCanaryRun(dir)),
    createReporters({ reportDir: dir, console: { stream: new Capture(), tty: false, json: false } }),
  );
  html = await readFile(join(dir, 'index.html'), 'utf8');
});

describe('index.html as a file', () => {
  it('is self-contained: no scripts, stylesheets, fonts or images from elsewhere', () => {
    const doc = parse(html);
    expect(doc.querySelectorAll('script')).toHaveLength(0);
    expect(doc.querySelectorAll('link')).toHaveLength(0);
    const refs = doc
      .querySelectorAll('[src],[href]')
      .map((el) => el.getAttribute('src') ?? el.getAttribute('href') ?? '');
    expect(refs.filter((u) => /^[a-z]+:/i.test(u) || u.startsWith('//'))).toEqual([]);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//);
    expect(html).not.toMatch(/@import/);
  });

  it('lists the failing step first, with its reasons in words', () => {
    const sections = parse(html).querySelectorAll('section.step');
    expect(sections.map((s) => `${s.getAttribute('data-step')}:${s.getAttribute('data-outcome')}`)).toEqual([
      'canary-20:failed',
      'all-v1:passed',
      'back-to-v1:passed',
    ]);
    const reasons = sections[0]!.querySelectorAll('ul.reasons li').map((li) => li.text);
    expect(reasons.some((r) => r.includes('The error rate was 6%, above the limit of 1%.'))).toBe(true);
    expect(sections[0]!.querySelector('.rollback-note')?.text).toMatch(/The rollback ran after this step \(passed\)/);
    expect(sections[0]!.querySelectorAll('td.disagree')).toHaveLength(1);
  });
});

describe.skipIf(!haveChromium)('index.html in headless Chromium', () => {
  it('renders offline with no console errors, one share chart per step, the failing step first', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const fetched: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      page.on('pageerror', (e) => void problems.push(e.message));
      page.on('request', (r) => void fetched.push(r.url()));
      await page.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load', timeout: 100_000 });
      // Locators rather than page.evaluate: the project compiles without the DOM library.
      const layout = [];
      for (const s of await page.locator('section.step').all()) {
        const chart = s.locator('figure.share-chart svg');
        layout.push({
          step: await s.getAttribute('data-step'),
          outcome: await s.getAttribute('data-outcome'),
          charts: await chart.count(),
          panels: await s.locator('figure.share-chart g.panel').count(),
          chartWidth: (await chart.first().boundingBox())?.width ?? 0,
        });
      }
      expect(problems).toEqual([]);
      expect(fetched.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(layout.map((l) => l.charts)).toEqual([1, 1, 1]);
      expect(layout.map((l) => l.panels)).toEqual([2, 1, 1]); // canary-20 has two expectations
      expect(layout[0]).toMatchObject({ step: 'canary-20', outcome: 'failed' });
      expect(layout.every((l) => l.chartWidth > 300)).toBe(true);
      const shot = join(dir, 'index.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 240_000); // about a second normally; a browser on a loaded CI machine can take far longer
});
