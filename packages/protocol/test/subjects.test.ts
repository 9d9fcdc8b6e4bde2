import { describe, expect, it } from 'vitest';
import {
  SUBJECT_ROOT,
  hostSubjects,
  isSubjectToken,
  metricsSubject,
  runPattern,
  subjectHop,
  subjectKind,
  subjectParse,
  traceSubject,
  type Hop,
  type SubjectKind,
} from '@ioasim/protocol';

/** The hop of each subject kind, as DESIGN.md draws the fault path. */
const EXPECTED_HOPS: Readonly<Record<SubjectKind, Hop>> = {
  iommuAts: 'deviceIommu',
  iommuPri: 'deviceIommu',
  iommuCmd: 'iommuManager',
  mgrFaults: 'iommuManager',
  mgrCtl: 'managerHandler',
  mgrResp: 'managerHandler',
  ioasidFaults: 'managerHandler',
  ownerEvents: 'managerHandler',
  devAts: 'deviceIommu',
  devPrgr: 'deviceIommu',
  devInv: 'deviceIommu',
  trace: 'observer',
  metrics: 'observer',
};

const HOST_WIDE: ReadonlySet<SubjectKind> = new Set(['mgrFaults', 'mgrCtl', 'mgrResp']);

describe('subjects', () => {
  const subjects = hostSubjects('run-7', 'h12');
  const kinds = Object.keys(subjects) as (keyof typeof subjects)[];

  it.each(kinds)('parses what the %s builder builds back to its run, host, kind and name', (kind) => {
    const subject = subjects[kind]('smmu_0');
    expect(subjectParse(subject)).toEqual({
      run: 'run-7',
      host: 'h12',
      kind,
      name: HOST_WIDE.has(kind) ? null : 'smmu_0',
    });
  });

  it('parses trace and metrics subjects back to their run and host', () => {
    const expected = { run: 'run-7', host: 'h12', name: null };
    expect(subjectParse(traceSubject('run-7', 'h12'))).toEqual({ ...expected, kind: 'trace' });
    expect(subjectParse(metricsSubject('run-7', 'h12'))).toEqual({ ...expected, kind: 'metrics' });
  });

  it('builds subjects under the root and the run', () => {
    expect(subjects.iommuPri('smmu0')).toBe(`${SUBJECT_ROOT}.run-7.h12.iommu.smmu0.pri`);
    expect(subjects.ownerEvents('vm0')).toBe(`${SUBJECT_ROOT}.run-7.h12.owner.vm0.events`);
    expect(subjects.ioasidFaults('gpa0')).toBe(`${SUBJECT_ROOT}.run-7.h12.ioasid.gpa0.faults`);
    expect(runPattern('run-7')).toBe(`${SUBJECT_ROOT}.run-7.>`);
  });

  it.each(Object.entries(EXPECTED_HOPS))('maps a %s subject to the %s hop', (kind, hop) => {
    const subject =
      kind === 'trace'
        ? traceSubject('r', 'h0')
        : kind === 'metrics'
          ? metricsSubject('r', 'h0')
          : hostSubjects('r', 'h0')[kind as keyof typeof subjects]('x');
    expect(subjectHop(subject)).toBe(hop);
  });

  it('maps a subject ioasim does not build to the control hop', () => {
    expect(subjectHop('_INBOX.12')).toBe('control');
    expect(subjectHop('ioasim.r.h0.owner')).toBe('control');
    expect(subjectHop('ioasim.r.h0.somewhere.else')).toBe('control');
  });

  it('answers null for subjects ioasim does not publish', () => {
    for (const subject of [
      '',
      'other.r.h0.mgr.faults',
      'ioasim.r.h0',
      'ioasim.r.h0.mgr.other',
      'ioasim.r.h0.iommu.smmu0.other',
      'ioasim.r.h0.iommu.smmu0.pri.extra',
      'ioasim.r.h0.dev.nic0',
      'ioasim.r.trace.h0.extra',
      '_INBOX.1',
    ]) {
      expect(subjectParse(subject), subject).toBeNull();
    }
  });

  it('reads the same kind in place as subjectParse does, for every subject it parses or refuses', () => {
    const built = kinds.map((kind) => subjects[kind]('smmu_0'));
    const tricky = [
      '',
      'ioasim',
      'ioasim.',
      'ioasim..h0.mgr.faults',
      'ioasimx.r.h0.mgr.faults',
      'xioasim.r.h0.mgr.faults',
      'ioasim.r.h0.mgr.faults.',
      'ioasim.r.h0.mgr.faultsx',
      'ioasim.r.h0.mgr.fault',
      'ioasim.r.h0.mgrx.faults',
      'ioasim.r.trace',
      'ioasim.r.trace.',
      'ioasim.r.trace.h0',
      'ioasim.r.metrics.h0',
      'ioasim.r.trace.h0.extra',
      'ioasim.r.trace.h0.dev.prgr',
      'ioasim.r.traces.h0',
      'ioasim.r.h0.dev..prgr',
      'ioasim.r.h0.dev.nic0.',
      'ioasim.r.h0.dev.nic0.prg',
      'ioasim.r.h0.owner.vm0.event',
      'ioasim.r.h0.ioasid.gpa.faults',
      'ioasim.r.h0.iommu.smmu0.cmd.x',
      '_INBOX.12',
    ];
    for (const subject of [...built, traceSubject('r', 'h0'), metricsSubject('r', 'h0'), ...tricky]) {
      expect(subjectKind(subject), subject).toBe(subjectParse(subject)?.kind ?? null);
    }
  });

  it('accepts as a name only letters, digits, `_` and `-`', () => {
    for (const name of ['h0', 'smmu_0', 'gpa-1', 'A9']) expect(isSubjectToken(name), name).toBe(true);
    for (const name of ['', 'a.b', '*', '>', 'a b', 'é']) expect(isSubjectToken(name), name).toBe(false);
  });
});
