/**
 * The frame type registry: one entry per record type, each with its numeric
 * code on the wire. A frame carries records of exactly one type.
 */
import type {
  AtcInvalidation,
  ControlReply,
  ControlRequest,
  FaultGroup,
  IommuReport,
  MetricsRecord,
  IommuCommand,
  PageRequest,
  PageResponse,
  PrgResponse,
  TranslationCompletion,
  TranslationRequest,
  UnrecoverableFault,
} from './messages.js';
import type { RunControl } from './run-control.js';
import type { TraceEvent } from './trace.js';

/** The version of every frame this build writes and the only one it reads. */
export const FRAME_VERSION = 1;

export const FrameType = {
  translationRequest: 1,
  translationCompletion: 2,
  pageRequest: 3,
  faultRecord: 4,
  faultGroup: 5,
  pageResponse: 6,
  iommuCommand: 7,
  prgResponse: 8,
  unrecoverableFault: 9,
  controlRequest: 10,
  controlReply: 11,
  trace: 12,
  metrics: 13,
  runControl: 14,
  atcInvalidation: 15,
} as const;
export type FrameTypeName = keyof typeof FrameType;
export type FrameTypeCode = (typeof FrameType)[FrameTypeName];

/** The record type carried by each frame type. */
export type FrameRecords = {
  translationRequest: TranslationRequest;
  translationCompletion: TranslationCompletion;
  pageRequest: PageRequest;
  faultRecord: IommuReport;
  faultGroup: FaultGroup;
  pageResponse: PageResponse;
  iommuCommand: IommuCommand;
  prgResponse: PrgResponse;
  unrecoverableFault: UnrecoverableFault;
  controlRequest: ControlRequest;
  controlReply: ControlReply;
  trace: TraceEvent;
  metrics: MetricsRecord;
  runControl: RunControl;
  atcInvalidation: AtcInvalidation;
};

const NAME_BY_CODE: ReadonlyMap<number, FrameTypeName> = new Map(
  (Object.entries(FrameType) as [FrameTypeName, FrameTypeCode][]).map(([name, code]) => [code, name]),
);

export function frameTypeName(code: number): FrameTypeName | undefined {
  return NAME_BY_CODE.get(code);
}

/** A frame's header: what it is, who sent it, its place in the sender's stream. */
export type FrameHeader = {
  readonly type: FrameTypeCode;
  readonly version: number;
  /** The sending actor, e.g. `h0/iommu/smmu0`. */
  readonly sender: string;
  /** Per sender and subject, from 1. */
  readonly sequence: number;
  /** Number of records; checked against the records on decode. */
  readonly count: number;
};

export type Frame<Name extends FrameTypeName = FrameTypeName> = {
  readonly header: FrameHeader;
  readonly records: readonly FrameRecords[Name][];
};
