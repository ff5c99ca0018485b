/**
 * Where rich output goes. The Wirebook kernel (src/notebook/kernel.ts) installs a channel for
 * the cell being executed; without it (plain tslab kernel) display falls back on tslab's own
 * writer; outside Jupyter it prints text/plain.
 */
import type { DisplayContent } from "./mime";

export type IopubType = "display_data" | "update_display_data" | "execute_result" | "clear_output";

export interface KernelChannel {
  /** Sends one IOPub message whose parent is the current execute_request. */
  send(type: IopubType, content: object): void;
  /** The execution count of the cell being executed (for execute_result). */
  executionCount(): number;
}

/** A process-wide slot (a global symbol), so that two copies of this module share one channel. */
const SLOT = Symbol.for("wirebook.notebook.channel");

type Slot = { [SLOT]?: KernelChannel | null };

export function setChannel(channel: KernelChannel | null): void {
  (globalThis as Slot)[SLOT] = channel;
}

interface TslabJupyter {
  lastWriteDisplayData: ((data: DisplayContent, update: boolean) => void) | null;
}

/** The channel in force: the Wirebook kernel's, else tslab's writer, else null. */
export function getChannel(): KernelChannel | null {
  const own = (globalThis as Slot)[SLOT];
  if (own) return own;
  let jupyter: TslabJupyter | undefined;
  try {
    // Only present inside a tslab kernel; never loaded elsewhere (require.cache check first).
    const id = require.resolve("tslab/dist/jupyter");
    if (require.cache[id]) jupyter = require(id) as TslabJupyter;
  } catch {
    jupyter = undefined;
  }
  const write = jupyter?.lastWriteDisplayData;
  if (!write) return null;
  return {
    send(type, content) {
      if (type === "display_data" || type === "execute_result") write(content as DisplayContent, false);
      else if (type === "update_display_data") write(content as DisplayContent, true);
      // clear_output has no tslab writer: ignored.
    },
    executionCount: () => 0,
  };
}
