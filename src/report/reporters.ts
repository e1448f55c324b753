/** The reporters a run gets, in the order they hear each event. */
import type { Reporter } from './reporter.js';
import { ConsoleReporter } from './console/console-reporter.js';
import { RequestsFileReporter } from './files/requests-ndjson.js';
import { ResultsFileReporter } from './files/results-file.js';
import { AppliedYamlReporter } from './files/applied-yaml.js';
import { JunitReporter } from './files/junit.js';
import { SummaryReporter } from './files/summary-md.js';
import { HtmlReporter } from './html/html-file.js';

export interface ReportersOptions {
  reportDir: string;
  console: {
    /** Progress: stderr. */
    stream: NodeJS.WritableStream;
    tty: boolean;
    json: boolean;
    /** Where the --json summary goes; default process.stdout. */
    stdout?: NodeJS.WritableStream;
  };
  /** Same as console.stdout (either may be given). */
  stdout?: NodeJS.WritableStream;
}

export function createReporters(opts: ReportersOptions): Reporter[] {
  const dir = opts.reportDir;
  const stdout = opts.console.stdout ?? opts.stdout;
  return [
    // The console first, so the person watching hears of each event before any file work.
    new ConsoleReporter({ ...opts.console, stdout, reportDir: dir }),
    // requests.ndjson before index.html: the HTML is rendered from it when reporters close.
    new RequestsFileReporter(dir),
    new ResultsFileReporter(dir),
    new AppliedYamlReporter(dir),
    new JunitReporter(dir),
    new SummaryReporter(dir),
    new HtmlReporter(dir),
  ];
}
