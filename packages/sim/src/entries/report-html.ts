/**
 * @ioasim/sim/report-html: a run's report as a self-contained HTML page
 * (`ioasim run --report out.html`). Apart from the index, so that a run
 * that writes no HTML loads none of the page and chart code.
 */
export { reportHtml } from '../report-html.js';
