/**
 * Goal: a person sees a topology before running it. `ioasim topo show` prints
 * every host, device, attachment and space of each example; `ioasim topo
 * graph` prints Graphviz or Mermaid text with an edge per attachment; a fleet
 * of a thousand hosts is summarized in a few lines; bad input exits 2 with a
 * message that says what was expected. `ioasim schema` prints the JSON Schema.
 */
import { cliMain, type Io } from '@ioasim/cli';
import { topologyLoad, type Topology } from '@ioasim/sim';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

type Captured = { code: number; out: string; error: string };

async function ioasim(...argv: string[]): Promise<Captured> {
  const out: string[] = [];
  const error: string[] = [];
  const io: Io = { out: (text) => out.push(text), error: (text) => error.push(text), tty: false };
  const code = await cliMain(argv, io);
  return { code, out: out.join('\n'), error: error.join('\n') };
}

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const FILES = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const example = (file: string): string => join(EXAMPLES, file);
const broken = fileURLToPath(new URL('./fixtures/broken-reference.yaml', import.meta.url));

function loaded(file: string): Topology {
  const result = topologyLoad(example(file));
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.errors)}`);
  return result.topology;
}

/** The hosts a view draws: each host written in the file, a fleet once (as its first copy). */
function drawnHosts(topology: Topology): Topology['hosts'] {
  const copies = new Set(topology.hosts.filter((host) => topology.fleets.some((fleet) => host.name.startsWith(`${fleet.template}-`))).map((host) => host.name));
  const firsts = new Set(topology.fleets.map((fleet) => fleet.first));
  return topology.hosts.filter((host) => !copies.has(host.name) || firsts.has(host.name));
}

function attachmentKey(attachment: { pasid: number | null; asid: number | null }): string {
  if (attachment.pasid !== null) return `PASID ${attachment.pasid}`;
  if (attachment.asid !== null) return `ASID ${attachment.asid}`;
  return 'RID';
}

describe('ioasim topo show', () => {
  it('shows single-host.yaml with its Stream IDs, attachments by RID, PASID and ASID, nested parent and handlers', async () => {
    const result = await ioasim('topo', 'show', example('single-host.yaml'));
    expect(result.code).toBe(0);
    expect(result.error).toBe('');
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('topology single-host (version 1, seed 1): 1 host, 2 devices, 5 spaces');
    expect(result.out).toContain('├─ host h0');
    expect(result.out).toContain('smmu0: smmuv3, PRI queue 256, event queue 128, service 200ns');
    expect(result.out).toContain('nic0: sid 0x100 on smmu0, owner vm0 via vfio, PRI 32 credits, 16 PASIDs');
    expect(result.out).toContain('vnet0: sid 0x200 on smmu0, owner vm1 via vdpa, PRI 16 credits, 2 ASIDs');
    expect(result.out).toContain('RID -> gpa');
    expect(result.out).toContain('PASID 1 -> guest-s1');
    expect(result.out).toContain('PASID 2 -> dma-pool');
    expect(result.out).toContain('ASID 0 -> vq-data');
    expect(result.out).toContain('guest-s1: nested over gpa, owner vm0, iopf, handler map exp(mean 10us)');
    expect(result.out).toContain('vm1: frontend vdpa; devices vnet0; spaces vq-data, vq-ctrl');
    expect(result.out).toContain('nic0 PASID 1: 4096 pages uniform, 200k/s poisson, 40000 accesses');
  });

  describe.each(FILES)('%s', (file) => {
    it('names every host (a fleet once), device, attachment and space, and the owner of each space', async () => {
      const topology = loaded(file);
      const result = await ioasim('topo', 'show', example(file));
      expect(result.code).toBe(0);
      for (const host of drawnHosts(topology)) {
        for (const device of host.devices) {
          expect(result.out).toContain(`${device.name}: sid 0x${device.sid.toString(16)} on ${device.iommu}, owner ${device.owner}`);
          for (const attachment of device.attach) expect(result.out).toContain(`${attachmentKey(attachment)} -> ${attachment.space}`);
        }
        for (const space of host.spaces) expect(result.out).toMatch(new RegExp(`${space.name}: (unmanaged|nested over \\S+), owner ${space.owner}, `));
      }
    });
  });

  it('summarizes fleet-1000.yaml: the template once, titled with its 1000 copies', async () => {
    const result = await ioasim('topo', 'show', example('fleet-1000.yaml'));
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(lines[0]).toBe('topology fleet-1000 (version 1, seed 1): 1000 hosts, 1000 devices, 2000 spaces');
    expect(result.out).toContain('hosts h0-0000 … h0-0999: 1000 copies of template h0');
    expect(result.out.match(/nic0: sid/g)).toHaveLength(1);
    expect(result.out).not.toContain('h0-0001');
  });

  it('names the nested-vsva processes, each on its own PASID over gpa', async () => {
    const result = await ioasim('topo', 'show', example('nested-vsva.yaml'));
    for (const [pasid, space] of [[1, 'proc-a'], [2, 'proc-b'], [3, 'proc-c']] as const) {
      expect(result.out).toContain(`PASID ${pasid} -> ${space}`);
      expect(result.out).toContain(`${space}: nested over gpa, owner vm0`);
    }
    expect(result.out).toContain('accel0: sid 0xa00 on vtd0');
  });

  it('exits 2 on a broken file, with file:line:col of each error', async () => {
    const result = await ioasim('topo', 'show', broken);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.error).toMatch(/broken-reference\.yaml:\d+:\d+: hosts\[0\]/);
  });

  it('exits 2 on a missing file and on two files', async () => {
    const missing = await ioasim('topo', 'show', '/nonexistent/topology.yaml');
    expect(missing.code).toBe(2);
    expect(missing.error).toContain('/nonexistent/topology.yaml: cannot read "/nonexistent/topology.yaml": no such file');
    const directory = await ioasim('topo', 'show', tmpdir());
    expect(directory.code).toBe(2);
    expect(directory.error).toContain(`${tmpdir()}: cannot read "${tmpdir()}": is a directory, not a file`);
    const two = await ioasim('topo', 'show', example('single-host.yaml'), example('nested-vsva.yaml'));
    expect(two.code).toBe(2);
    expect(two.error).toContain('topo show takes one file, found 2');
  });
});

describe('ioasim topo graph', () => {
  describe.each(FILES)('%s', (file) => {
    it('prints a dot digraph with an edge per attachment, per nested parent, per owner and per iommu', async () => {
      const topology = loaded(file);
      const result = await ioasim('topo', 'graph', example(file), '--format', 'dot');
      expect(result.code).toBe(0);
      expect(result.out.startsWith(`digraph "${topology.name}" {`)).toBe(true);
      expect(result.out.trimEnd().endsWith('}')).toBe(true);
      const hosts = drawnHosts(topology);
      const count = (label: string) => result.out.split(`[label="${label}"`).length - 1;
      const attachments = hosts.flatMap((host) => host.devices.flatMap((device) => device.attach));
      for (const key of new Set(attachments.map(attachmentKey))) {
        expect(count(key)).toBe(attachments.filter((attachment) => attachmentKey(attachment) === key).length);
      }
      expect(count('stage 2')).toBe(hosts.flatMap((host) => host.spaces).filter((space) => space.parent !== null).length);
      expect(count('owner')).toBe(hosts.flatMap((host) => host.spaces).length);
      expect(count('iommu')).toBe(hosts.flatMap((host) => host.devices).length);
      expect(result.out.match(/subgraph cluster_/g)).toHaveLength(hosts.length);
    });

    it('prints a mermaid flowchart naming every device and space', async () => {
      const topology = loaded(file);
      const result = await ioasim('topo', 'graph', example(file), '--format', 'mermaid');
      expect(result.code).toBe(0);
      expect(result.out.split('\n')[0]).toBe('flowchart LR');
      for (const host of drawnHosts(topology)) {
        for (const device of host.devices) expect(result.out).toContain(`["${device.name}<br/>sid 0x${device.sid.toString(16)}`);
        for (const space of host.spaces) expect(result.out).toContain(`(["${space.name}<br/>${space.kind}`);
      }
      expect(result.out.match(/^ {2}subgraph /gm)?.length).toBe(result.out.match(/^ {2}end$/gm)?.length);
    });
  });

  it('draws single-host.yaml: nic0 to guest-s1 labelled PASID 1, guest-s1 to its parent gpa', async () => {
    const dot = (await ioasim('topo', 'graph', example('single-host.yaml'))).out;
    expect(dot).toContain('g0_device0 [label="nic0\\nsid 0x100, PRI 32", shape=box];');
    expect(dot).toContain('g0_space1 [label="guest-s1\\nnested, handler map", shape=ellipse];');
    expect(dot).toContain('g0_device0 -> g0_space1 [label="PASID 1", style=solid];');
    expect(dot).toContain('g0_space1 -> g0_space0 [label="stage 2", style=dashed];');
    expect(dot).toContain('g0_device1 -> g0_space3 [label="ASID 0", style=solid];');
    const mermaid = (await ioasim('topo', 'graph', example('single-host.yaml'), '--format', 'mermaid')).out;
    expect(mermaid).toContain('g0_device0 -->|"PASID 1"| g0_space1');
    expect(mermaid).toContain('g0_space1 ==>|"stage 2"| g0_space0');
  });

  it('draws a stage-2 edge in mermaid unlike an owner edge: thick and dashed against dotted', async () => {
    const mermaid = (await ioasim('topo', 'graph', example('single-host.yaml'), '--format', 'mermaid')).out.split('\n');
    const link = / (-->|==>|-\.->)\|/;
    const links = mermaid.filter((line) => link.test(line));
    const arrow = (label: string) => new Set(links.filter((line) => line.includes(`|"${label}"|`)).map((line) => link.exec(line)?.[1]));
    expect([arrow('stage 2'), arrow('owner')]).toEqual([new Set(['==>']), new Set(['-.->'])]);
    const stage2 = links.flatMap((line, index) => (line.includes('|"stage 2"|') ? [index] : []));
    expect(mermaid.at(-1)).toBe(`  linkStyle ${stage2.join(',')} stroke-dasharray: 8 4`);
  });

  it('summarizes fleet-1000.yaml as one cluster titled with its copies', async () => {
    const result = await ioasim('topo', 'graph', example('fleet-1000.yaml'));
    expect(result.code).toBe(0);
    expect(result.out.split('\n').length).toBeLessThan(40);
    expect(result.out).toContain('label="hosts h0-0000 … h0-0999: 1000 copies of template h0";');
  });

  it('refuses a bad --format with exit 2, naming the allowed values', async () => {
    const result = await ioasim('topo', 'graph', example('single-host.yaml'), '--format', 'png');
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.error).toContain('--format expects one of: dot, mermaid; found "png"');
  });

  it('exits 2 on a broken file, with file:line:col of each error', async () => {
    const result = await ioasim('topo', 'graph', broken, '--format', 'mermaid');
    expect(result.code).toBe(2);
    expect(result.error).toMatch(/broken-reference\.yaml:\d+:\d+: /);
  });
});

describe('ioasim topo', () => {
  it('has help for itself and for each subcommand', async () => {
    const topo = await ioasim('topo', '--help');
    expect(topo.code).toBe(0);
    expect(topo.out).toContain('Usage: ioasim topo <show|graph> <topology.yaml>');
    expect((await ioasim('topo', 'show', '--help')).out).toContain('Usage: ioasim topo show <topology.yaml>');
    expect((await ioasim('topo', 'graph', '--help')).out).toContain('--format <dot|mermaid>');
    expect((await ioasim('--help')).out).toContain('topo show|graph <topology.yaml>');
  });

  it('refuses a missing or unknown subcommand with exit 2', async () => {
    const missing = await ioasim('topo');
    expect(missing.code).toBe(2);
    expect(missing.error).toContain('topo expects one of: show, graph; found nothing');
    const unknown = await ioasim('topo', 'draw', example('single-host.yaml'));
    expect(unknown.code).toBe(2);
    expect(unknown.error).toContain('found "draw"');
  });
});

describe('ioasim schema', () => {
  it('prints the JSON Schema of the format: draft 2020-12, an id, the hosts property', async () => {
    const result = await ioasim('schema');
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.out) as { $schema: string; $id: string; title: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:ioasim:topology:1');
    expect(schema.title).toBe('ioasim topology, version 1');
    expect(schema.properties).toHaveProperty('hosts');
    expect(schema.properties).toHaveProperty('fleet');
    expect(schema.required).toEqual(['version', 'name', 'hosts']);
  });

  it('has help that shows the yaml-language-server line, and refuses arguments', async () => {
    expect((await ioasim('schema', '--help')).out).toContain('# yaml-language-server: $schema=./topology.schema.json');
    const extra = await ioasim('schema', 'topology.yaml');
    expect(extra.code).toBe(2);
    expect(extra.error).toContain('schema takes no arguments');
  });
});
