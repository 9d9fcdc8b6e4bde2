export { deviceMachine, type DeviceLifecycle, type DeviceMachineContext, type DeviceMachineEvent } from './machine.js';
export { DeviceService, actorsParentStart } from './service.js';
