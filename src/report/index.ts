/** The report layer's public surface: one event stream in, console and files out. */
export type { RunEvent, RunEventType } from '../model/events.js';
export type { Reporter } from './reporter.js';
export type * from '../model/results.js';
export { Multiplexer, type MultiplexerOptions, type MultiplexerSink } from './multiplexer.js';
export { createReporters, type ReportersOptions } from './reporters.js';
export { renderReport, loadResults } from './render.js';
export { ConsoleReporter, type ConsoleOptions } from './console/console-reporter.js';
export { jsonSummary, type JsonSummary } from './console/json-summary.js';
export { NdjsonWriter, REQUESTS_FILE } from './files/requests-ndjson.js';
export { RESULTS_FILE } from './files/results-file.js';
export { renderJunit, JUNIT_FILE } from './files/junit.js';
export { renderSummary, SUMMARY_FILE } from './files/summary-md.js';
export { APPLIED_DIR } from './files/applied-yaml.js';
export { HTML_FILE, writeHtmlReport } from './html/html-file.js';
export { failureReasons } from './explain.js';
