/**
 * `@ioasim/bus/nats`: the bus over a NATS server and how it connects
 * (credentials, TLS). An entry of its own, so that a run that needs no NATS
 * (every embedded run) never loads the NATS client.
 */
export {
  DELIVERY_SLICE,
  NATS_CONNECTION,
  NatsBus,
  SUBSCRIPTION_PENDING_MAX,
  type NatsBusOptions,
} from './nats-bus.js';
export {
  NATS_CONNECT_FAILURES,
  NatsConnectError,
  natsSecurityDescribe,
  natsUrlCredentials,
  natsUrlRedact,
  type NatsConnectFailure,
  type NatsSecurity,
} from './nats-security.js';
