/**
 * A Plotly figure as plain data: what every chart builder in src/plot returns and what
 * `display()` shows. No Jupyter, no HTML here.
 */

/** One Plotly trace (https://plotly.com/javascript/reference/): kept open, Plotly validates it. */
export interface Trace {
  type?: string;
  name?: string;
  x?: ArrayLike<unknown>;
  y?: ArrayLike<unknown>;
  [attribute: string]: unknown;
}

export interface Layout {
  title?: string | { text: string; [k: string]: unknown };
  [attribute: string]: unknown;
}

export interface Config {
  responsive?: boolean;
  displaylogo?: boolean;
  [attribute: string]: unknown;
}

export interface FigureSpec {
  data: Trace[];
  layout?: Layout;
  config?: Config;
}

/** Marks figures across copies of this module (instanceof fails between two installs). */
export const FIGURE_BRAND = "wirebook.figure/v1";

export class Figure implements FigureSpec {
  readonly brand = FIGURE_BRAND;
  data: Trace[];
  layout: Layout;
  config: Config;

  constructor(spec: FigureSpec) {
    if (!spec || !Array.isArray(spec.data)) {
      throw new TypeError("figure({ data, layout?, config? }): data must be an array of traces");
    }
    this.data = spec.data;
    this.layout = spec.layout ?? {};
    this.config = spec.config ?? {};
  }

  /** The Plotly JSON `{data, layout, config}` (typed arrays stay typed until serialised). */
  toJSON(): FigureSpec {
    return { data: this.data, layout: this.layout, config: this.config };
  }
}

/** Builds a figure from a Plotly spec: `wb.plot.figure({ data: [{ type: "bar", x, y }], layout })`. */
export function figure(spec: FigureSpec): Figure {
  return new Figure(spec);
}

export function isFigure(x: unknown): x is Figure {
  return (
    x instanceof Figure ||
    (typeof x === "object" && x !== null && (x as { brand?: unknown }).brand === FIGURE_BRAND &&
      Array.isArray((x as { data?: unknown }).data))
  );
}
