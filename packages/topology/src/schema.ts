/**
 * The topology format of TOPOLOGY.md, version 1, as one zod schema.
 *
 * This is the shape of the input, written once: the loader checks files with
 * it, the builder's option types are its input types, and the JSON Schema is
 * generated from it. It has no transforms and no defaults, so what it accepts
 * is exactly what a user may write; units are resolved and defaults applied
 * by normalize.ts, and the rules that relate one field to another (names,
 * references, attachments) are in the rule files. Every object is strict: an
 * unknown field is an error, never ignored. A `description` is both the JSON
 * Schema documentation and the "expected ..." of an error message.
 */
import {
  ARRIVALS,
  CHAOS_CRASH_ACTORS,
  DELIVERIES,
  FRONTEND_KINDS,
  HANDLER_POLICIES,
  IOMMU_KINDS,
  SPACE_KINDS,
  WORKLOAD_PATTERNS,
} from '@ioasim/protocol';
import { z } from 'zod';
import {
  DURATION_EXPECTED,
  DURATION_MAX_NS,
  DURATION_PATTERN,
  DURATION_POSITIVE_EXPECTED,
  DURATION_POSITIVE_PATTERN,
  RATE_EXPECTED,
  RATE_MAX,
  RATE_PATTERN,
  durationWithinMax,
  rateWithinMax,
} from './units.js';

/** Names become NATS subject tokens, so they may not hold `.`, `*`, `>` or spaces. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const NAME_EXPECTED = 'a name of letters, digits, "_" and "-" (it becomes a NATS subject token)';
/** A NATS subject pattern after `ioasim.<run>.`: tokens, `*` for one token, `>` last for the rest. */
const MATCH_PATTERN = /^(?:(?:[A-Za-z0-9_-]+|\*)\.)*(?:[A-Za-z0-9_-]+|\*|>)$/;
const MATCH_EXPECTED = 'a NATS subject pattern starting at the host: tokens separated by ".", "*" for one token, ">" last';
const GLOB_PATTERN = /^[A-Za-z0-9_*?-]+$/;
const GLOB_EXPECTED = 'a host name glob: letters, digits, "_", "-", "*" and "?"';

/** PASIDs are 20 bits wide (PCIe). */
export const PASID_LIMIT = 2 ** 20;
/** Stream IDs are at most 32 bits wide (SMMUv3). */
export const SID_MAX = 2 ** 32 - 1;
/** Page requests in one group: PRI allows 512. */
export const PRG_SIZE_MAX = 512;
/** Copies of one fleet template. */
export const FLEET_COUNT_MAX = 1_000_000;
/** Hosts of a topology after fleet expansion: several fleets together stay within one fleet's limit. */
export const HOSTS_MAX = FLEET_COUNT_MAX;
/** Accesses of one workload. */
export const ACCESS_COUNT_MAX = 1_000_000_000;
/** The working set of one workload, and pages of one timeline map, in 4 KiB pages (2^40: 4 PiB). */
export const PAGES_MAX = 2 ** 40;
/** Pages one workload maps before the run (`pages` × `mapped`): each is an entry of a page table. */
export const MAPPED_PAGES_MAX = 2 ** 24;
/** Entries of a queue, a quota, a translation cache, PRI credits, records of a batch. */
export const ENTRIES_MAX = 2 ** 24;
/** Re-issues of a group, re-sends of a translation request. */
export const RETRIES_MAX = 1_000;

export const DEFAULTS = {
  priQueue: 256,
  eventQueueIommu: 128,
  eventQueueOwner: 64,
  atc: 64,
  handlerService: '1us',
  batchRecords: 64,
  deviceTimeout: '1ms',
  retries: 3,
  translationTimeout: '1ms',
  translationRetries: 3,
  zipfExponent: 1,
  hotspotFraction: 0.1,
  hotspotAccess: 0.9,
} as const;

const described = <Schema extends z.ZodType>(schema: Schema, description: string): Schema =>
  schema.meta({ description });

export const nameSchema = described(z.string().regex(NAME_PATTERN, { error: NAME_EXPECTED }), NAME_EXPECTED);
const whole = (minimum: number, description: string, maximum?: number) =>
  described(maximum === undefined ? z.int().min(minimum) : z.int().min(minimum).max(maximum), description);
const queueSchema = whole(1, `queue entries, 1 to ${ENTRIES_MAX}`, ENTRIES_MAX);
const fractionSchema = described(z.number().min(0).max(1), 'a fraction from 0 to 1');
const pasidSchema = described(z.int().min(0).max(PASID_LIMIT - 1), `a PASID from 0 to ${PASID_LIMIT - 1}`);
const asidSchema = described(z.int().min(0).max(PASID_LIMIT - 1), 'a vDPA address space ID, from 0');

export const durationSchema = described(
  z.union([
    z.number().min(0).max(DURATION_MAX_NS),
    z.string().regex(DURATION_PATTERN, { error: DURATION_EXPECTED }).refine(durationWithinMax, { error: DURATION_EXPECTED }),
  ]),
  DURATION_EXPECTED,
);
const durationPositiveSchema = described(
  z.union([
    z.number().gt(0).max(DURATION_MAX_NS),
    z.string().regex(DURATION_POSITIVE_PATTERN, { error: DURATION_POSITIVE_EXPECTED }).refine(durationWithinMax, { error: DURATION_POSITIVE_EXPECTED }),
  ]),
  DURATION_POSITIVE_EXPECTED,
);
const rateValueSchema = described(
  z.union([z.number().gt(0).max(RATE_MAX), z.string().regex(RATE_PATTERN, { error: RATE_EXPECTED }).refine(rateWithinMax, { error: RATE_EXPECTED })]),
  RATE_EXPECTED,
);
const rateStepSchema = z.strictObject({ at: durationSchema, rate: rateValueSchema });
const rateSchema = described(
  z.union([rateValueSchema, z.array(rateStepSchema).min(1)]),
  `${RATE_EXPECTED}; or a list of steps [{ at, rate }] in ascending at, the first at 0`,
);

const COST_EXPECTED =
  'a cost: a duration, or { dist: exp, mean }, { dist: uniform, min, max }, { dist: fixed, value }';
export const costSchema = described(
  z.union([
    durationSchema,
    z.discriminatedUnion('dist', [
      z.strictObject({ dist: z.literal('exp'), mean: durationSchema }),
      z.strictObject({ dist: z.literal('uniform'), min: durationSchema, max: durationSchema }),
      z.strictObject({ dist: z.literal('fixed'), value: durationSchema }),
    ]),
  ]),
  COST_EXPECTED,
);

const patternSchema = described(
  z.union([
    z.enum(WORKLOAD_PATTERNS),
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('uniform') }),
      z.strictObject({ kind: z.literal('sequential') }),
      z.strictObject({ kind: z.literal('zipf'), exponent: described(z.number().gt(0), 'a zipf exponent above 0').optional() }),
      z.strictObject({ kind: z.literal('hotspot'), fraction: fractionSchema.optional(), access: fractionSchema.optional() }),
    ]),
  ]),
  `one of: ${WORKLOAD_PATTERNS.join(', ')}; or { kind: zipf, exponent } or { kind: hotspot, fraction, access }`,
);

export const iommuSchema = z.strictObject({
  name: nameSchema,
  kind: z.enum(IOMMU_KINDS),
  priQueue: queueSchema.optional(),
  eventQueue: queueSchema.optional(),
  service: costSchema.optional(),
  priQuota: whole(1, `PRI queue entries one device may hold, 1 to ${ENTRIES_MAX}`, ENTRIES_MAX).optional(),
});

export const managerSchema = z.strictObject({ service: costSchema.optional() });

export const ownerSchema = z.strictObject({
  name: nameSchema,
  frontend: z.enum(FRONTEND_KINDS),
  eventQueue: queueSchema.optional(),
});

export const handlerSchema = z.strictObject({
  policy: z.enum(HANDLER_POLICIES).optional(),
  service: costSchema.optional(),
});

export const spaceSchema = z.strictObject({
  name: nameSchema,
  owner: nameSchema,
  kind: z.enum(SPACE_KINDS).optional(),
  parent: nameSchema.optional(),
  iopf: z.boolean().optional(),
  handler: handlerSchema.optional(),
});

export const attachmentSchema = z.strictObject({
  space: nameSchema,
  pasid: pasidSchema.optional(),
  asid: asidSchema.optional(),
});

export const deviceSchema = z.strictObject({
  name: nameSchema,
  iommu: nameSchema,
  sid: described(z.int().min(0).max(SID_MAX), `a Stream ID from 0 to ${SID_MAX}`),
  owner: nameSchema,
  frontend: z.enum(FRONTEND_KINDS).optional(),
  pasids: whole(0, `the number of PASIDs supported, 0 to ${PASID_LIMIT}`, PASID_LIMIT).optional(),
  asids: whole(0, `the number of vDPA address spaces, 0 to ${PASID_LIMIT}`, PASID_LIMIT).optional(),
  pri: z.strictObject({ credits: whole(1, `PRI credits (outstanding page requests), 1 to ${ENTRIES_MAX}`, ENTRIES_MAX) }).optional(),
  stall: z.boolean().optional(),
  vf: z.boolean().optional(),
  atc: whole(0, `translation cache entries, 0 to ${ENTRIES_MAX}`, ENTRIES_MAX).optional(),
  attach: z.array(attachmentSchema).optional(),
});

export const workloadSchema = z.strictObject({
  device: nameSchema,
  pasid: pasidSchema.optional(),
  asid: asidSchema.optional(),
  pages: whole(1, `a working set in 4 KiB pages, 1 to 2^40`, PAGES_MAX),
  pattern: patternSchema.optional(),
  rate: rateSchema,
  count: whole(1, `a number of accesses, 1 to ${ACCESS_COUNT_MAX}`, ACCESS_COUNT_MAX).optional(),
  duration: durationPositiveSchema.optional(),
  write: fractionSchema.optional(),
  mapped: fractionSchema.optional(),
  arrival: z.enum(ARRIVALS).optional(),
  prgSize: whole(1, `page requests per group, 1 to ${PRG_SIZE_MAX}`, PRG_SIZE_MAX).optional(),
});

export const hostSchema = z.strictObject({
  name: nameSchema,
  iommus: z.array(iommuSchema).optional(),
  manager: managerSchema.optional(),
  owners: z.array(ownerSchema).optional(),
  spaces: z.array(spaceSchema).optional(),
  devices: z.array(deviceSchema).optional(),
  workloads: z.array(workloadSchema).optional(),
});

export const fleetEntrySchema = z.strictObject({
  template: nameSchema,
  count: whole(1, `a number of copies from 1 to ${FLEET_COUNT_MAX}`, FLEET_COUNT_MAX),
});

export const linksSchema = z.strictObject({
  'device-iommu': costSchema.optional(),
  'iommu-manager': costSchema.optional(),
  'manager-handler': costSchema.optional(),
});

const timelineTargetSchema = z.strictObject({ device: nameSchema, pasid: pasidSchema.optional(), asid: asidSchema.optional() });
const timelineAttachSchema = timelineTargetSchema.extend({ space: nameSchema });
const timelinePagesSchema = z.strictObject({ space: nameSchema, pages: whole(1, `a number of pages, 1 to ${MAPPED_PAGES_MAX}`, MAPPED_PAGES_MAX) });

/** The actions of a timeline entry; an entry holds exactly one of them (checked by the timeline rules). */
export const TIMELINE_ACTIONS = ['detach', 'attach', 'replace', 'map', 'unmap', 'destroy', 'unplug'] as const;

export const timelineEntrySchema = z.strictObject({
  at: durationSchema,
  host: nameSchema.optional(),
  detach: timelineTargetSchema.optional(),
  attach: timelineAttachSchema.optional(),
  replace: timelineAttachSchema.optional(),
  map: timelinePagesSchema.optional(),
  unmap: timelinePagesSchema.optional(),
  destroy: nameSchema.optional(),
  unplug: nameSchema.optional(),
});

export const settingsSchema = z.strictObject({
  batch: z.strictObject({ records: whole(1, `records per batch, 1 to ${ENTRIES_MAX}`, ENTRIES_MAX).optional(), window: durationSchema.optional() }).optional(),
  delivery: z.enum(DELIVERIES).optional(),
  deviceTimeout: durationPositiveSchema.meta({ default: DEFAULTS.deviceTimeout }).optional(),
  retries: whole(0, `a number of re-issues, 0 to ${RETRIES_MAX}`, RETRIES_MAX).meta({ default: DEFAULTS.retries }).optional(),
  translationTimeout: durationPositiveSchema.meta({ default: DEFAULTS.translationTimeout }).optional(),
  translationRetries: whole(0, `a number of re-sends, 0 to ${RETRIES_MAX}`, RETRIES_MAX).meta({ default: DEFAULTS.translationRetries }).optional(),
  responseTimeout: durationPositiveSchema.optional(),
});

const probabilitySchema = described(z.number().min(0).max(1), 'a probability from 0 to 1');
const globSchema = described(z.string().regex(GLOB_PATTERN, { error: GLOB_EXPECTED }), GLOB_EXPECTED);

export const chaosRuleSchema = described(
  z.union([
    z.strictObject({
      match: described(z.string().regex(MATCH_PATTERN, { error: MATCH_EXPECTED }), MATCH_EXPECTED),
      drop: probabilitySchema.optional(),
      duplicate: probabilitySchema.optional(),
      delay: costSchema.optional(),
      reorder: durationSchema.optional(),
    }),
    z.strictObject({ partition: z.tuple([globSchema, globSchema]), from: durationSchema, to: durationSchema }),
    z.strictObject({ crash: z.enum(CHAOS_CRASH_ACTORS), host: nameSchema, at: durationSchema, restartAfter: durationSchema }),
    z.strictObject({ 'nats-kill': whole(0, 'a NATS node index, from 0'), at: durationSchema, restartAfter: durationSchema }),
  ]),
  'a chaos rule: { match, drop, duplicate, delay, reorder }, { partition: [glob, glob], from, to }, { crash, host, at, restartAfter } or { nats-kill, at, restartAfter }',
);

export const topologySchema = z.strictObject({
  version: z.literal(1),
  name: nameSchema,
  seed: whole(0, 'a seed, a whole number from 0').optional(),
  hosts: z.array(hostSchema).min(1),
  fleet: z.array(fleetEntrySchema).optional(),
  links: linksSchema.optional(),
  timeline: z.array(timelineEntrySchema).optional(),
  settings: settingsSchema.optional(),
  chaos: z.array(chaosRuleSchema).optional(),
});

/** What a user writes: the input of the schema (the builder's option types derive from these). */
export type TopologyInput = z.input<typeof topologySchema>;
export type HostInput = z.input<typeof hostSchema>;
export type IommuInput = z.input<typeof iommuSchema>;
export type ManagerInput = z.input<typeof managerSchema>;
export type OwnerInput = z.input<typeof ownerSchema>;
export type SpaceInput = z.input<typeof spaceSchema>;
export type DeviceInput = z.input<typeof deviceSchema>;
export type AttachmentInput = z.input<typeof attachmentSchema>;
export type WorkloadInput = z.input<typeof workloadSchema>;
export type LinksInput = z.input<typeof linksSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type TimelineEntryInput = z.input<typeof timelineEntrySchema>;
export type ChaosRuleInput = z.input<typeof chaosRuleSchema>;
export type CostInput = z.input<typeof costSchema>;
