import { PendingAnswers, type PendingGroup } from '@ioasim/model';
import { ResponseCode, type IommuCommand, type TraceEvent } from '@ioasim/protocol';
import { describe, expect, it } from 'vitest';

function answers() {
  const commands: IommuCommand[] = [];
  const trace: TraceEvent[] = [];
  const table = new PendingAnswers('h0', { command: (_iommu, command) => commands.push(command), trace: (event) => trace.push(event) });
  const add = (device: string, group: number, ioasid = 'gpa'): PendingGroup => {
    const pending: PendingGroup = {
      cookie: table.cookieAllocate(),
      iommu: 'iommu0',
      device,
      sid: 0x100,
      pasid: null,
      prgIndex: 3,
      stall: false,
      stage: 1,
      ioasid,
      attachmentPasid: null,
      owner: 'vm0',
      group,
      issuedNs: 0,
      faults: [{ page: 1, perm: 1, last: true }],
      routedNs: 0,
      delivered: true,
    };
    table.add(pending);
    return pending;
  };
  return { table, add, commands, trace };
}

describe('PendingAnswers', () => {
  it('knows the cookie of a pending group by the (device, prgIndex, group) its requests name', () => {
    const { table, add } = answers();
    const pending = add('nic0', 7);
    expect(table.cookieOf('nic0', 3, 7)).toBe(pending.cookie);
    expect(table.cookieOf('nic0', 3, 8)).toBeUndefined();
  });

  it('ends a group with its handler\'s answer: the page response leaves, the cookie is answered', () => {
    const { table, add, commands, trace } = answers();
    const pending = add('nic0', 7);
    table.answer(10, pending, { cookie: pending.cookie, owner: 'vm0', code: ResponseCode.success, handlerFailed: false });
    expect(commands).toEqual([expect.objectContaining({ kind: 'pageResponse', code: ResponseCode.success, group: 7, last: true })]);
    expect(trace).toEqual([expect.objectContaining({ kind: 'groupAnswered', cookie: pending.cookie })]);
    expect(table.lookup(pending.cookie).state).toBe('answered');
    expect(table.cookieOf('nic0', 3, 7)).toBeUndefined();
  });

  it('answers INVALID on the handler\'s behalf every group of what ended, and leaves the others alone', () => {
    const { table, add, commands, trace } = answers();
    add('nic0', 1, 'gpa');
    add('nic0', 2, 's1');
    const kept = add('vnet0', 3, 'gpa');
    table.autoRespondWhere(20, (pending) => pending.device === 'nic0', 'unplug');
    expect(commands.map((command) => command.kind === 'pageResponse' && command.code)).toEqual([ResponseCode.invalid, ResponseCode.invalid]);
    expect(trace.map((event) => event.kind === 'groupAutoResponded' && event.cause)).toEqual(['unplug', 'unplug']);
    expect(table.groups.size).toBe(1);
    expect(table.lookup(kept.cookie).state).toBe('pending');
  });
});
