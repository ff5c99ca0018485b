/**
 * The replay pass: the payload bytes it hands on for each packet are the bytes tshark shows as
 * tcp.payload / udp.payload (per packet, no reassembly), on every capture of ../shared/pcaps and
 * data/; a view's pass hands on exactly its rows with the same bytes, whether the file is read from
 * its record checkpoints (uncompressed pcap) or sequentially (gzip); a changed file is caught.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as wb from "../../src/index";
import { replay } from "../../src/stream/replay";
import { generateOffice } from "../../src/gen/office";
import { PcapWriter } from "../../src/io/writer";
import { tsharkFields } from "../conformance/reference";
import { DATA, hasTool, NO_SHARED, SHARED } from "../helpers/paths";

const NO_TSHARK = !hasTool("tshark") && "tshark is not installed";

function captures(): string[] {
  const out = fs.readdirSync(DATA).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => path.join(DATA, f));
  if (SHARED !== undefined) {
    const dir = path.join(SHARED, "pcaps");
    for (const f of fs.readdirSync(dir)) if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(f)) out.push(path.join(dir, f));
  }
  return out;
}

/** per row: "kind hex" of the payload the pass hands on */
async function payloads(cap: wb.Capture, rows?: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  await replay(cap, (p) => {
    out.set(p.row, `${p.payKind} ${p.b.toString("hex", p.payOff, p.payEnd)}`);
  }, rows === undefined ? {} : { rows });
  return out;
}

test("payload bytes equal tshark's tcp.payload / udp.payload on every packet (shared corpus and data/)", { skip: NO_TSHARK, timeout: 600_000 }, async (t) => {
  if (SHARED === undefined) t.diagnostic(NO_SHARED);
  let compared = 0, skipped = 0;
  const bad: string[] = [];
  for (const file of captures()) {
    const cap = await wb.open(file);
    const ours = await payloads(cap);
    const ref = tsharkFields(file, ["frame.number", "frame.protocols", "tcp.payload", "udp.payload", "ip.flags.mf", "ip.frag_offset", "ipv6.fraghdr.more"]).split("\n").slice(1);
    for (let r = 0; r < cap.count && r < ref.length; r++) {
      const [, protos, tcpPay, udpPay, mf, fo, mf6] = ref[r].split("\t");
      // an IP fragment: tshark shows the fragment's bytes after the UDP header whatever the UDP length says;
      // the datagram is the defragmenter's business (tested with it)
      if (mf === "1" || (fo !== "" && fo !== "0") || mf6 !== "") { skipped++; continue; }
      // tshark's field is the first TCP/UDP header's; ours the innermost: they differ only in
      // tunnels (VXLAN, GRE, IP-in-IP, Teredo) and in ICMP errors (a quoted header is no payload)
      if (/:(vxlan|gre|ip:ip|ipv6:ip|ip:ipv6|teredo|icmp|icmpv6|gtp)/.test(protos ?? "")) { skipped++; continue; }
      const [kind, hex] = (ours.get(r) ?? "0 ").split(" ");
      const want = tcpPay ? `2 ${tcpPay}` : udpPay ? `1 ${udpPay}` : "";
      const got = kind === "2" || kind === "1" ? (hex === "" ? "" : `${kind} ${hex}`) : "";
      compared++;
      if (got !== want && bad.length < 10) bad.push(`${path.basename(file)} frame ${r + 1}: ours ${got.slice(0, 60) || "(none)"}, tshark ${want.slice(0, 60) || "(none)"}`);
      else if (got !== want) bad.push("");
    }
  }
  t.diagnostic(`${compared} packets compared, ${skipped} tunnelled, ICMP-quoting or fragment packets left to the tunnel and defragmentation tests`);
  assert.ok(compared > 1000);
  assert.deepEqual(bad, [], `${bad.length} packets differ`);
});

test("a view's pass: exactly its rows, the same bytes from record checkpoints (pcap) and from a sequential read (gzip)", { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-replay-"));
  const file = path.join(dir, "big.pcap");
  const w = new PcapWriter({ path: file, linkType: 1, snaplen: 65535 });
  generateOffice({ seed: 7, packets: 20000, sink: w });
  w.close();
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file)));
  const plain = await wb.open(file), gz = await wb.open(`${file}.gz`);
  assert.equal(plain.count, 20000);
  const all = await payloads(plain);
  for (const expr of ["frame.number >= 9000 && frame.number < 9100", "dns", "tcp.port == 443 && frame.number > 15000", "frame.number == 20000"]) {
    for (const cap of [plain, gz]) {
      const view = cap.filter(expr);
      assert.ok(view.count > 0, expr);
      const got = await payloads(view);
      assert.equal(got.size, view.count, expr);
      for (let i = 0; i < view.count; i++) assert.equal(got.get(i), all.get(view.baseRow(i)), `${expr}: view row ${i}`);
    }
  }
  // rows asked out of order, with repeats: handed on once each, in file order
  const v = plain.select([19999, 5, 4096, 5, 8191, 8192]);
  const seen: number[] = [];
  await replay(v, (p) => { seen.push(p.base); });
  assert.deepEqual(seen, [5, 4096, 8191, 8192, 19999]);
  // the tables of a view hold only the view's transactions
  const dnsView = plain.filter("dns && frame.number < 10000");
  const viewDns = (await dnsView.dns()).rows().map((r) => `${r.ts} ${r.query}`);
  const allDns = (await plain.dns()).rows().filter((r) => (r.ts as number) <= (plain.column("frame.time_epoch").get(9998) as number)).map((r) => `${r.ts} ${r.query}`);
  assert.ok(viewDns.length > 0);
  assert.deepEqual(viewDns, allDns);
  // a file that changed since it was opened: the pass says so instead of handing on wrong bytes
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  const res = await replay(plain, () => {});
  assert.ok(res.missing > 0, JSON.stringify(res));
  fs.rmSync(dir, { recursive: true, force: true });
});
