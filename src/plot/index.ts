export { figure, Figure, isFigure, FIGURE_BRAND } from "./figure";
export type { FigureSpec, Trace, Layout, Config } from "./figure";
