/**
 * Walks a classic µs pcap with the npm `pcap-parser` (one object and several events per packet),
 * counting packets and bytes. Prints one JSON line.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pcapp = require("pcap-parser") as { parse(file: string): NodeJS.EventEmitter };

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: pcap-parser-walk.js FILE\n");
  process.exit(2);
}
const t0 = process.hrtime.bigint();
let packets = 0;
let bytes = 0;
const parser = pcapp.parse(file);
parser.on("packet", (p: { header: { capturedLength: number } }) => {
  packets++;
  bytes += p.header.capturedLength;
});
parser.on("error", (e: Error) => {
  process.stderr.write(`pcap-parser: ${e.message}\n`);
  process.exit(1);
});
parser.on("end", () => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ packets, bytes, seconds }) + "\n");
});
