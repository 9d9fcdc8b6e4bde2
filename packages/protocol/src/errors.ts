/**
 * The registry of errors ioasim reports to the outside world. Each has a code,
 * a name, a one-line meaning, and whether the outcome it reports is definite
 * (the operation certainly did not happen) or not (it may have happened).
 */

export type ErrorEntry = {
  readonly code: number;
  readonly meaning: string;
  readonly definite: boolean;
};

export const ERRORS = {
  frameTruncated: { code: 100, meaning: 'a frame ended before its last record', definite: true },
  frameUnknownType: { code: 101, meaning: 'a frame of a type this build does not know', definite: true },
  frameWrongVersion: { code: 102, meaning: 'a frame of a version this build does not read', definite: true },
  frameMalformed: { code: 103, meaning: 'a frame that is not a header and an array of records', definite: true },
  frameCountMismatch: { code: 104, meaning: 'a frame whose header count differs from its records', definite: true },
  recordInvalid: { code: 105, meaning: 'a frame with a record that is not of its type: a field missing, unknown, of the wrong type or out of range', definite: true },
  requestTimeout: { code: 200, meaning: 'no reply within the timeout; the request may have been served', definite: false },
  noResponders: { code: 201, meaning: 'nobody subscribes to the subject of a request', definite: true },
  busClosed: { code: 202, meaning: 'the bus is closed', definite: true },
  notFound: { code: 300, meaning: 'a control request names an object that does not exist', definite: true },
  notOwner: { code: 301, meaning: 'a control request on an object of another owner', definite: true },
  invalidArgument: { code: 302, meaning: 'a control request with a value out of range', definite: true },
  busy: { code: 303, meaning: 'a control request on an object still in use', definite: true },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorName = keyof typeof ERRORS;
