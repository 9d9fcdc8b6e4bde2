/**
 * The coordinator's roster, without NATS: which announced processes it runs
 * with and which it refuses, and the topology identity it compares (a hash
 * of the normalized content, not the name).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IOASIM_VERSION, topologyLoad, topologyParse, type Topology } from '@ioasim/sim';
import { ProcessRoster, topologyHash } from '@ioasim/sim/distributed';
import type { RunControl } from '@ioasim/protocol';

const SMALL = new URL('./fixtures/small.yaml', import.meta.url).pathname;

function small(): Topology {
  const result = topologyLoad(SMALL);
  if (!result.ok) throw new Error(`${SMALL} does not load`);
  return result.topology;
}

function parsed(text: string): Topology {
  const result = topologyParse(text, 'edited.yaml');
  if (!result.ok) throw new Error(`edited.yaml: ${JSON.stringify(result.errors)}`);
  return result.topology;
}

type Ready = Extract<RunControl, { kind: 'ready' }>;

function ready(instance: string, pid: number, fields: Partial<Ready> = {}): Ready {
  return {
    kind: 'ready',
    service: 'all',
    shard: 0,
    shards: 1,
    instance,
    hosts: ['h0'],
    topology: 'small',
    topologyHash: topologyHash(small()),
    version: IOASIM_VERSION,
    pid,
    claim: null,
    ...fields,
  };
}

function roster(): { roster: ProcessRoster; warnings: string[] } {
  const warnings: string[] = [];
  return { roster: new ProcessRoster(small(), 'r1', 'c0ffee', () => {}, (line) => warnings.push(line)), warnings };
}

describe('the topology a process serves', () => {
  const text = readFileSync(SMALL, 'utf8');

  it('is the same for the same content, whatever the comments, layout or key order of the file', () => {
    const reordered = text
      .replace(/^# .*\n/gm, '# another comment\n')
      .replace('{ name: smmu0, kind: smmuv3, priQueue: 256, eventQueue: 128, service: "200ns" }', '{ service: "200ns", eventQueue: 128, priQueue: 256, kind: smmuv3, name: smmu0 }');
    expect(reordered).not.toBe(text);
    expect(topologyHash(parsed(reordered))).toBe(topologyHash(small()));
  });

  it('differs for one value changed under the same name', () => {
    const edited = text.replace('count: 200', 'count: 201');
    expect(parsed(edited).name).toBe(small().name);
    expect(topologyHash(parsed(edited))).not.toBe(topologyHash(small()));
  });
});

describe('ProcessRoster', () => {
  it('knows two processes of one kind and shard apart by their instance', () => {
    const { roster: book } = roster();
    book.heard(ready('a1', 11), () => {});
    book.heard(ready('b2', 12), () => {});
    book.heard(ready('a1', 11), () => {});
    expect(book.states.map((state) => `${state.id.instance} ${state.pid}`)).toEqual(['a1 11', 'b2 12']);
    expect(book.refusals).toEqual([]);
  });

  it('refuses a process that belongs to another coordinator, naming it and what to do', () => {
    const { roster: book } = roster();
    book.heard(ready('a1', 4242, { claim: 'beef01' }), () => {});
    expect(book.refusals).toEqual([
      'all 0/1 (pid 4242) belongs to another coordinator of run "r1" (beef01) and still holds that run\'s actors: ' +
        'a serve process serves one run; stop it (kill 4242) and start a fresh one',
    ]);
    expect(book.states).toEqual([]);
  });

  it('takes back a process that says it is its own (its ready repeats after the claim)', () => {
    const { roster: book } = roster();
    book.heard(ready('a1', 11), () => {});
    book.heard(ready('a1', 11, { claim: 'c0ffee' }), () => {});
    expect(book.refusals).toEqual([]);
    expect(book.states).toHaveLength(1);
  });

  it('refuses another ioasim version, and a topology of other content under the same name', () => {
    const { roster: book } = roster();
    book.heard(ready('a1', 11, { version: '0.0.9' }), () => {});
    book.heard(ready('b2', 12, { topologyHash: 'ab'.repeat(32) }), () => {});
    expect(book.refusals).toEqual([
      `all 0/1 (pid 11) runs ioasim 0.0.9, this coordinator ${IOASIM_VERSION}`,
      `all 0/1 (pid 12) serves topology "small" with content sha256 abababababab, this run "small" sha256 ${topologyHash(small()).slice(0, 12)}: start it with the same topology file`,
    ]);
  });

  it('leaves out, and says so once, a free process heard after the run was prepared', () => {
    const { roster: book, warnings } = roster();
    book.heard(ready('a1', 11), () => {});
    book.close();
    book.heard(ready('b2', 12), () => {});
    book.heard(ready('b2', 12), () => {});
    expect(book.states).toHaveLength(1);
    expect(warnings).toEqual(['all 0/1 (pid 12) announced itself after the run was prepared: left out of it (it builds no actor)']);
  });

  it('follows its own processes only: prepared, progress and finished of an instance it does not know change nothing', () => {
    const { roster: book } = roster();
    book.heard(ready('a1', 11), () => {});
    let moved = 0;
    book.heard({ kind: 'progress', service: 'all', shard: 0, shards: 1, instance: 'a1', workloadsDone: true, devicesIdle: true, accessesEnded: 5 }, () => moved++);
    book.heard({ kind: 'prepared', service: 'all', shard: 0, shards: 1, instance: 'zz' }, () => moved++);
    expect(moved).toBe(1);
    expect(book.states[0]).toMatchObject({ workloadsDone: true, devicesIdle: true, accessesEnded: 5, prepared: false });
  });
});
