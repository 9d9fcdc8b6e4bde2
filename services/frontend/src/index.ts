/**
 * @ioasim/service-frontend: the frontend service of one host and one kind
 * (vfio or vdpa, as data): the owners' fault handlers and event queues, the
 * frontend's ports on the bus, and its batched control requests to the
 * manager.
 */
export { frontendMachine, type FrontendLifecycle, type FrontendMachineContext, type FrontendMachineEvent } from './machine.js';
export { FrontendService } from './service.js';
export { CONTROL_TIMEOUT_NS, FrontendPorts, type FrontendCounts, type HandlerMap } from './frontend-ports.js';
export { ControlOutbox, controlRepliesOf, type ControlOutboxOptions, type ControlReplied } from './control-outbox.js';
