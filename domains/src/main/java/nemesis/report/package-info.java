/**
 * Figures for the experiments, pure JDK: {@link nemesis.report.XyChart} (lines, steps and points on
 * linear axes), {@link nemesis.report.TimeSequencePlot} (a tcptrace-style time-sequence graph) and
 * {@link nemesis.report.Pcaps} (TCP connections, throughput and packets per period from a capture).
 *
 * <p>Each chart computes its geometry once and replays it on an SVG or a PNG canvas, so both files
 * show the same picture; output depends only on the input (Locale.ROOT, fixed number formats, no
 * timestamps), so the same run gives byte-identical figures.
 */
package nemesis.report;
