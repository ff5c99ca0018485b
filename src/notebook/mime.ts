/** Jupyter MIME bundles: what `display()` builds and the kernel sends. */

export const MIME = {
  plain: "text/plain",
  html: "text/html",
  markdown: "text/markdown",
  plotly: "application/vnd.plotly.v1+json",
  json: "application/json",
} as const;

/** MIME type → value. JSON types carry objects; text types carry strings. */
export type MimeBundle = { [mime: string]: unknown };

/** The content of a display_data / update_display_data / execute_result message. */
export interface DisplayContent {
  data: MimeBundle;
  metadata: { [key: string]: unknown };
  transient?: { display_id?: string };
}
